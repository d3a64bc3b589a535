package glue

// DeleteTable: deletes a table and all its partitions.
//
// Deliberately not: TransactionId is accepted and ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type deleteTableInput struct {
	CatalogId    *string `json:"CatalogId,omitempty"`
	DatabaseName *string `json:"DatabaseName,omitempty"`
	Name         *string `json:"Name,omitempty"`
}

func (s *service) deleteTable(ctx context.Context, c *protocol.Call) (any, error) {
	var in deleteTableInput
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
	if err := s.c.DeleteTable(*in.DatabaseName, *in.Name); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
