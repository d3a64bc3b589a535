package glue

// UpdateDatabase: replaces a database's description, location and
// parameters (members left out are cleared, as Glue replaces the whole
// definition); CreateTime stays.
//
// Deliberately not: renaming. DatabaseInput.Name must name the same
// database (case-insensitively); another name is InvalidInputException.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type updateDatabaseInput struct {
	CatalogId     *string        `json:"CatalogId,omitempty"`
	Name          *string        `json:"Name,omitempty"`
	DatabaseInput *databaseInput `json:"DatabaseInput,omitempty"`
}

func (s *service) updateDatabase(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateDatabaseInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("name", in.Name, specName)
	v.databaseInput("databaseInput", in.DatabaseInput)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onDatabase(ctx, c, *in.Name); err != nil {
		return nil, err
	}
	if err := s.c.UpdateDatabase(*in.Name, in.DatabaseInput.toCatalog()); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
