package glue

// GetDatabase: one database by name (case-insensitive), answered with
// Glue's default Lake Formation permissions (IAM_ALLOWED_PRINCIPALS: ALL)
// and the account as CatalogId.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getDatabaseInput struct {
	CatalogId *string `json:"CatalogId,omitempty"`
	Name      *string `json:"Name,omitempty"`
}

type getDatabaseOutput struct {
	Database database `json:"Database"`
}

func (s *service) getDatabase(ctx context.Context, c *protocol.Call) (any, error) {
	var in getDatabaseInput
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
	if err := s.onDatabase(ctx, c, *in.Name); err != nil {
		return nil, err
	}
	db, err := s.c.GetDatabase(*in.Name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getDatabaseOutput{Database: s.database(&db)}, nil
}
