package athena

// ListDatabases: the catalog's databases in name order, MaxResults (1..50,
// default 50) per page with the catalog's opaque NextToken.

import (
	"context"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

type listDatabasesInput struct {
	CatalogName *string `json:"CatalogName,omitempty"`
	NextToken   *string `json:"NextToken,omitempty"`
	MaxResults  *int64  `json:"MaxResults,omitempty"`
	WorkGroup   *string `json:"WorkGroup,omitempty"`
}

type listDatabasesOutput struct {
	DatabaseList []databaseOut `json:"DatabaseList"`
	NextToken    string        `json:"NextToken,omitempty"`
}

func (s *service) listDatabases(ctx context.Context, c *protocol.Call) (any, error) {
	var in listDatabasesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("catalogName", in.CatalogName, specCatalog)
	v.str("nextToken", in.NextToken, specNextToken)
	v.intRange("maxResults", in.MaxResults, 1, 50)
	v.str("workGroup", in.WorkGroup, specWorkGroup)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.onCatalog(ctx, c, *in.CatalogName, "glue:GetDatabases", "*", ""); err != nil {
		return nil, err
	}
	if err := checkCatalogName(*in.CatalogName); err != nil {
		return nil, err
	}
	out := &listDatabasesOutput{DatabaseList: []databaseOut{}}
	if s.cat == nil {
		return out, nil
	}
	page := catalog.Page{NextToken: deref(in.NextToken), MaxResults: 50}
	if in.MaxResults != nil {
		page.MaxResults = int(*in.MaxResults)
	}
	dbs, next, err := s.cat.ListDatabases(page)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	for i := range dbs {
		out.DatabaseList = append(out.DatabaseList, toDatabase(&dbs[i]))
	}
	out.NextToken = next
	return out, nil
}
