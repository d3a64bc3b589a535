package athena

import (
	"github.com/caudal/caudal/protocol"
	"strings"

	"github.com/caudal/caudal/catalog"
)

// Shapes and checks shared by the catalog metadata actions, which read
// the Glue catalog (package catalog) as Athena's AwsDataCatalog.

type databaseOut struct {
	Name        string            `json:"Name"`
	Description string            `json:"Description,omitempty"`
	Parameters  map[string]string `json:"Parameters,omitempty"`
}

type columnOut struct {
	Name    string `json:"Name"`
	Type    string `json:"Type,omitempty"`
	Comment string `json:"Comment,omitempty"`
}

type tableMetadataOut struct {
	Name           string              `json:"Name"`
	CreateTime     *protocol.Timestamp `json:"CreateTime,omitempty"`
	LastAccessTime *protocol.Timestamp `json:"LastAccessTime,omitempty"`
	TableType      string              `json:"TableType,omitempty"`
	Columns        []columnOut         `json:"Columns"`
	PartitionKeys  []columnOut         `json:"PartitionKeys"`
	Parameters     map[string]string   `json:"Parameters,omitempty"`
}

// checkCatalogName refuses catalogs other than AwsDataCatalog, with the
// MetadataException Athena gives for a catalog it cannot find.
func checkCatalogName(name string) error {
	if strings.EqualFold(name, DataCatalog) {
		return nil
	}
	return metadataError("Catalog " + name + " does not exist")
}

func toDatabase(db *catalog.Database) databaseOut {
	return databaseOut{Name: db.Name, Description: db.Description, Parameters: db.Parameters}
}

func toColumns(cols []catalog.Column) []columnOut {
	out := make([]columnOut, len(cols))
	for i, c := range cols {
		out[i] = columnOut{Name: c.Name, Type: c.Type, Comment: c.Comment}
	}
	return out
}

// toTableMetadata shapes t as Athena's TableMetadata, whose Parameters
// add the storage descriptor's location, formats and SerDe to the
// table's own, as Athena shows them.
func toTableMetadata(t *catalog.Table) tableMetadataOut {
	out := tableMetadataOut{
		Name:          t.Name,
		CreateTime:    ts(t.CreateTime),
		TableType:     t.TableType,
		Columns:       []columnOut{},
		PartitionKeys: toColumns(t.PartitionKeys),
		Parameters:    map[string]string{},
	}
	if !t.LastAccessTime.IsZero() {
		out.LastAccessTime = ts(t.LastAccessTime)
	}
	for k, v := range t.Parameters {
		out.Parameters[k] = v
	}
	if sd := t.StorageDescriptor; sd != nil {
		out.Columns = toColumns(sd.Columns)
		setNonEmpty(out.Parameters, "location", sd.Location)
		setNonEmpty(out.Parameters, "inputformat", sd.InputFormat)
		setNonEmpty(out.Parameters, "outputformat", sd.OutputFormat)
		if sd.SerdeInfo != nil {
			setNonEmpty(out.Parameters, "serde.serialization.lib", sd.SerdeInfo.SerializationLibrary)
			for k, v := range sd.SerdeInfo.Parameters {
				out.Parameters["serde.param."+k] = v
			}
		}
	}
	if len(out.Parameters) == 0 {
		out.Parameters = nil
	}
	return out
}

func setNonEmpty(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}
