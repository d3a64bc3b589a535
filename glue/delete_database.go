package glue

// DeleteDatabase: deletes a database with all its tables and their
// partitions, as Glue does.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type deleteDatabaseInput struct {
	CatalogId *string `json:"CatalogId,omitempty"`
	Name      *string `json:"Name,omitempty"`
}

func (s *service) deleteDatabase(ctx context.Context, c *protocol.Call) (any, error) {
	var in deleteDatabaseInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("name", in.Name, specName)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.authorizeDropDatabase(ctx, c, *in.Name); err != nil {
		return nil, err
	}
	if err := s.c.DeleteDatabase(*in.Name); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
