package glue

// CreateDatabase: a database with description, location and parameters;
// its name is stored lower-case, as Glue stores it. A taken name is
// AlreadyExistsException "Database already exists.".
//
// Deliberately not: CreateTableDefaultPermissions, TargetDatabase
// (resource links), FederatedDatabase and Tags are accepted and ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type createDatabaseInput struct {
	CatalogId     *string        `json:"CatalogId,omitempty"`
	DatabaseInput *databaseInput `json:"DatabaseInput,omitempty"`
}

func (s *service) createDatabase(ctx context.Context, c *protocol.Call) (any, error) {
	var in createDatabaseInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.databaseInput("databaseInput", in.DatabaseInput)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.onDatabase(ctx, c, deref(in.DatabaseInput.Name)); err != nil {
		return nil, err
	}
	if err := s.c.CreateDatabase(in.DatabaseInput.toCatalog()); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
