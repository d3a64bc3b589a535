package athena

// GetTableMetadata: one table's columns, partition keys, type and
// parameters (with its location, formats and SerDe, as Athena shows
// them); a missing database or table is MetadataException.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getTableMetadataInput struct {
	CatalogName  *string `json:"CatalogName,omitempty"`
	DatabaseName *string `json:"DatabaseName,omitempty"`
	TableName    *string `json:"TableName,omitempty"`
	WorkGroup    *string `json:"WorkGroup,omitempty"`
}

type getTableMetadataOutput struct {
	TableMetadata tableMetadataOut `json:"TableMetadata"`
}

func (s *service) getTableMetadata(ctx context.Context, c *protocol.Call) (any, error) {
	var in getTableMetadataInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("catalogName", in.CatalogName, specCatalog)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("tableName", in.TableName, specName)
	v.str("workGroup", in.WorkGroup, specWorkGroup)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.onCatalog(ctx, c, *in.CatalogName, "glue:GetTable", *in.DatabaseName, *in.TableName); err != nil {
		return nil, err
	}
	if err := checkCatalogName(*in.CatalogName); err != nil {
		return nil, err
	}
	if s.cat == nil {
		return nil, metadataError("Database " + *in.DatabaseName + " not found.")
	}
	t, err := s.cat.GetTable(*in.DatabaseName, *in.TableName)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getTableMetadataOutput{TableMetadata: toTableMetadata(&t)}, nil
}
