package glue

// GetCatalogImportStatus: always complete. Glue uses it for the one-time
// migration of an Athena-internal catalog; caudal's catalog is Glue's
// from the start, so there is nothing to import.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getCatalogImportStatusInput struct {
	CatalogId *string `json:"CatalogId,omitempty"`
}

type getCatalogImportStatusOutput struct {
	ImportStatus importStatus `json:"ImportStatus"`
}

type importStatus struct {
	ImportCompleted bool `json:"ImportCompleted"`
}

func (s *service) getCatalogImportStatus(ctx context.Context, c *protocol.Call) (any, error) {
	var in getCatalogImportStatusInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.arns(c).catalog()); err != nil {
		return nil, err
	}
	return &getCatalogImportStatusOutput{ImportStatus: importStatus{ImportCompleted: true}}, nil
}
