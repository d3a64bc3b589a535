package glue

// GetDatabases: the account's databases in name order, paged by
// MaxResults (1..100, default 100) and NextToken.
//
// Deliberately not: ResourceShareType (there are no shared catalogs: every
// value lists the account's own databases) and AttributesToGet (whole
// databases are answered).

import (
	"context"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

type getDatabasesInput struct {
	CatalogId         *string `json:"CatalogId,omitempty"`
	NextToken         *string `json:"NextToken,omitempty"`
	MaxResults        *int64  `json:"MaxResults,omitempty"`
	ResourceShareType *string `json:"ResourceShareType,omitempty"`
}

type getDatabasesOutput struct {
	DatabaseList []database `json:"DatabaseList"`
	NextToken    string     `json:"NextToken,omitempty"`
}

func (s *service) getDatabases(ctx context.Context, c *protocol.Call) (any, error) {
	var in getDatabasesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.intRange("maxResults", in.MaxResults, 1, 100)
	if in.ResourceShareType != nil {
		switch *in.ResourceShareType {
		case "FOREIGN", "ALL", "FEDERATED":
		default:
			v.fail(quote(*in.ResourceShareType), "resourceShareType", "Member must satisfy enum value set: [FOREIGN, ALL, FEDERATED]")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.arns(c).catalog(), s.arns(c).database("*")); err != nil {
		return nil, err
	}
	dbs, next, err := s.c.ListDatabases(page(in.NextToken, in.MaxResults))
	if err != nil {
		return nil, s.wireError(c, err)
	}
	out := &getDatabasesOutput{DatabaseList: make([]database, len(dbs)), NextToken: next}
	for i := range dbs {
		out.DatabaseList[i] = s.database(&dbs[i])
	}
	return out, nil
}

// page builds a catalog page request from the wire members.
func page(token *string, max *int64) catalog.Page {
	p := catalog.Page{NextToken: deref(token)}
	if max != nil {
		p.MaxResults = int(*max)
	}
	return p
}
