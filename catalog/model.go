package catalog

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Database is a namespace of tables.
type Database struct {
	Name        string            `json:"Name"` // lower-case
	Description string            `json:"Description,omitempty"`
	LocationURI string            `json:"LocationUri,omitempty"`
	Parameters  map[string]string `json:"Parameters,omitempty"`
	CreateTime  time.Time         `json:"CreateTime"` // set by the catalog
}

// Table types Glue and Athena use (TableType is free text in Glue; these
// are the values that mean something to readers of the catalog).
const (
	TableTypeExternal = "EXTERNAL_TABLE"
	TableTypeView     = "VIRTUAL_VIEW"
	TableTypeManaged  = "MANAGED_TABLE"
	TableTypeGoverned = "GOVERNED"
)

// Table describes data in the lake (or a view over other tables).
// Parameters carry what readers need beyond the schema: "classification"
// (parquet, json, csv), partition projection ("projection.*"),
// "storage.location.template" and the like.
type Table struct {
	Name              string             `json:"Name"`         // lower-case
	DatabaseName      string             `json:"DatabaseName"` // lower-case; set by the catalog
	Description       string             `json:"Description,omitempty"`
	Owner             string             `json:"Owner,omitempty"`
	CreateTime        time.Time          `json:"CreateTime"` // set by the catalog
	UpdateTime        time.Time          `json:"UpdateTime"` // set by the catalog
	LastAccessTime    time.Time          `json:"LastAccessTime,omitzero"`
	LastAnalyzedTime  time.Time          `json:"LastAnalyzedTime,omitzero"`
	Retention         int64              `json:"Retention,omitempty"`
	StorageDescriptor *StorageDescriptor `json:"StorageDescriptor,omitempty"`
	PartitionKeys     []Column           `json:"PartitionKeys,omitempty"`
	ViewOriginalText  string             `json:"ViewOriginalText,omitempty"`
	ViewExpandedText  string             `json:"ViewExpandedText,omitempty"`
	TableType         string             `json:"TableType,omitempty"`
	Parameters        map[string]string  `json:"Parameters,omitempty"`
	// VersionID counts the table's definitions: "0" on creation, one more
	// on each UpdateTable (as Glue's VersionId). Set by the catalog.
	VersionID string `json:"VersionId,omitempty"`
}

// StorageDescriptor says where and how a table's or partition's data is
// stored. Its JSON form is Glue's StorageDescriptor shape, member for
// member, so the Glue skin uses it on the wire as is.
type StorageDescriptor struct {
	Columns                []Column          `json:"Columns,omitempty"`
	Location               string            `json:"Location,omitempty"`
	AdditionalLocations    []string          `json:"AdditionalLocations,omitempty"`
	InputFormat            string            `json:"InputFormat,omitempty"`
	OutputFormat           string            `json:"OutputFormat,omitempty"`
	Compressed             bool              `json:"Compressed"`
	NumberOfBuckets        int64             `json:"NumberOfBuckets"`
	SerdeInfo              *SerDeInfo        `json:"SerdeInfo,omitempty"`
	BucketColumns          []string          `json:"BucketColumns,omitempty"`
	SortColumns            []Order           `json:"SortColumns,omitempty"`
	Parameters             map[string]string `json:"Parameters,omitempty"`
	SkewedInfo             *SkewedInfo       `json:"SkewedInfo,omitempty"`
	StoredAsSubDirectories bool              `json:"StoredAsSubDirectories"`
}

// Column is a column or partition key. Type is a Hive type string:
// string, int, bigint, double, boolean, timestamp, date, decimal(p,s),
// array<…>, map<…,…>, struct<…>.
type Column struct {
	Name       string            `json:"Name"`
	Type       string            `json:"Type,omitempty"`
	Comment    string            `json:"Comment,omitempty"`
	Parameters map[string]string `json:"Parameters,omitempty"`
}

// SerDeInfo names the serializer/deserializer of the data files.
type SerDeInfo struct {
	Name                 string            `json:"Name,omitempty"`
	SerializationLibrary string            `json:"SerializationLibrary,omitempty"`
	Parameters           map[string]string `json:"Parameters,omitempty"`
}

// Order is a sort column: SortOrder 1 ascending, 0 descending (Hive's).
type Order struct {
	Column    string `json:"Column"`
	SortOrder int64  `json:"SortOrder"`
}

// SkewedInfo lists values that appear very often in a column.
type SkewedInfo struct {
	SkewedColumnNames             []string          `json:"SkewedColumnNames,omitempty"`
	SkewedColumnValues            []string          `json:"SkewedColumnValues,omitempty"`
	SkewedColumnValueLocationMaps map[string]string `json:"SkewedColumnValueLocationMaps,omitempty"`
}

// Partition is one partition of a table: the values of its partition
// keys, in the keys' order, and where its data is.
type Partition struct {
	Values            []string           `json:"Values"`
	DatabaseName      string             `json:"DatabaseName"` // set by the catalog
	TableName         string             `json:"TableName"`    // set by the catalog
	CreationTime      time.Time          `json:"CreationTime"` // set by the catalog
	LastAccessTime    time.Time          `json:"LastAccessTime,omitzero"`
	LastAnalyzedTime  time.Time          `json:"LastAnalyzedTime,omitzero"`
	StorageDescriptor *StorageDescriptor `json:"StorageDescriptor,omitempty"`
	Parameters        map[string]string  `json:"Parameters,omitempty"`
}

// Clone returns a deep copy (callers may keep and change it freely).
func (sd *StorageDescriptor) Clone() *StorageDescriptor {
	if sd == nil {
		return nil
	}
	out := *sd
	out.Columns = cloneColumns(sd.Columns)
	out.AdditionalLocations = slices.Clone(sd.AdditionalLocations)
	out.BucketColumns = slices.Clone(sd.BucketColumns)
	out.SortColumns = slices.Clone(sd.SortColumns)
	out.Parameters = maps.Clone(sd.Parameters)
	if sd.SerdeInfo != nil {
		s := *sd.SerdeInfo
		s.Parameters = maps.Clone(s.Parameters)
		out.SerdeInfo = &s
	}
	if sd.SkewedInfo != nil {
		s := *sd.SkewedInfo
		s.SkewedColumnNames = slices.Clone(s.SkewedColumnNames)
		s.SkewedColumnValues = slices.Clone(s.SkewedColumnValues)
		s.SkewedColumnValueLocationMaps = maps.Clone(s.SkewedColumnValueLocationMaps)
		out.SkewedInfo = &s
	}
	return &out
}

func cloneColumns(cols []Column) []Column {
	if cols == nil {
		return nil
	}
	out := make([]Column, len(cols))
	for i, c := range cols {
		c.Parameters = maps.Clone(c.Parameters)
		out[i] = c
	}
	return out
}

// lowerColumnNames folds the descriptor's column names to lower case, as
// Glue stores them.
func (sd *StorageDescriptor) lowerColumnNames() {
	if sd != nil {
		lowerNames(sd.Columns)
	}
}

func lowerNames(cols []Column) {
	for i := range cols {
		cols[i].Name = strings.ToLower(cols[i].Name)
	}
}
