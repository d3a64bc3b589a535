package athena

// GetDatabase: one database of the catalog; a missing one is
// MetadataException with Glue's "Database <name> not found."

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getDatabaseInput struct {
	CatalogName  *string `json:"CatalogName,omitempty"`
	DatabaseName *string `json:"DatabaseName,omitempty"`
	WorkGroup    *string `json:"WorkGroup,omitempty"`
}

type getDatabaseOutput struct {
	Database databaseOut `json:"Database"`
}

func (s *service) getDatabase(ctx context.Context, c *protocol.Call) (any, error) {
	var in getDatabaseInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("catalogName", in.CatalogName, specCatalog)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.str("workGroup", in.WorkGroup, specWorkGroup)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.onCatalog(ctx, c, *in.CatalogName, "glue:GetDatabase", *in.DatabaseName, ""); err != nil {
		return nil, err
	}
	if err := checkCatalogName(*in.CatalogName); err != nil {
		return nil, err
	}
	if s.cat == nil {
		return nil, metadataError("Database " + *in.DatabaseName + " not found.")
	}
	db, err := s.cat.GetDatabase(*in.DatabaseName)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getDatabaseOutput{Database: toDatabase(&db)}, nil
}
