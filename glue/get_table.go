package glue

// GetTable: one table by database and name (both case-insensitive).
// A missing database is "Database x not found.", a missing table "Table x
// not found." (EntityNotFoundException both).
//
// Deliberately not: TransactionId, QueryAsOfTime (there is one, current,
// version to read) and IncludeStatusDetails are accepted and ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getTableInput struct {
	CatalogId    *string `json:"CatalogId,omitempty"`
	DatabaseName *string `json:"DatabaseName,omitempty"`
	Name         *string `json:"Name,omitempty"`
}

type getTableOutput struct {
	Table table `json:"Table"`
}

func (s *service) getTable(ctx context.Context, c *protocol.Call) (any, error) {
	var in getTableInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.strReq("name", in.Name, specName)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onTable(ctx, c, *in.DatabaseName, *in.Name); err != nil {
		return nil, err
	}
	t, err := s.c.GetTable(*in.DatabaseName, *in.Name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getTableOutput{Table: s.table(&t)}, nil
}
