package athena

// ListTableMetadata: a database's tables in name order, filtered by
// Expression (Glue's table pattern: a regular expression in which "*"
// matches anything), MaxResults (1..50, default 50) per page with the
// catalog's opaque NextToken.

import (
	"context"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

type listTableMetadataInput struct {
	CatalogName  *string `json:"CatalogName,omitempty"`
	DatabaseName *string `json:"DatabaseName,omitempty"`
	Expression   *string `json:"Expression,omitempty"`
	NextToken    *string `json:"NextToken,omitempty"`
	MaxResults   *int64  `json:"MaxResults,omitempty"`
	WorkGroup    *string `json:"WorkGroup,omitempty"`
}

type listTableMetadataOutput struct {
	TableMetadataList []tableMetadataOut `json:"TableMetadataList"`
	NextToken         string             `json:"NextToken,omitempty"`
}

func (s *service) listTableMetadata(ctx context.Context, c *protocol.Call) (any, error) {
	var in listTableMetadataInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("catalogName", in.CatalogName, specCatalog)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.str("expression", in.Expression, specExpression)
	v.str("nextToken", in.NextToken, specNextToken)
	v.intRange("maxResults", in.MaxResults, 1, 50)
	v.str("workGroup", in.WorkGroup, specWorkGroup)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.onCatalog(ctx, c, *in.CatalogName, "glue:GetTables", *in.DatabaseName, "*"); err != nil {
		return nil, err
	}
	if err := checkCatalogName(*in.CatalogName); err != nil {
		return nil, err
	}
	if s.cat == nil {
		return nil, metadataError("Database " + *in.DatabaseName + " not found.")
	}
	if _, err := s.cat.GetDatabase(*in.DatabaseName); err != nil {
		return nil, s.wireError(c, err)
	}
	page := catalog.Page{NextToken: deref(in.NextToken), MaxResults: 50}
	if in.MaxResults != nil {
		page.MaxResults = int(*in.MaxResults)
	}
	tables, next, err := s.cat.ListTables(*in.DatabaseName, deref(in.Expression), page)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	out := &listTableMetadataOutput{TableMetadataList: []tableMetadataOut{}, NextToken: next}
	for i := range tables {
		out.TableMetadataList = append(out.TableMetadataList, toTableMetadata(&tables[i]))
	}
	return out, nil
}
