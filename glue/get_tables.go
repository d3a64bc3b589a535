package glue

// GetTables: a database's tables in name order, filtered by Expression
// (Glue's table-name pattern: a regular expression matched against the
// whole name, case-insensitively, where "*" alone means any characters and
// "|" separates alternatives; see catalog.ListTables), paged by MaxResults
// (1..100, default 100) and NextToken.
//
// Deliberately not: TransactionId, QueryAsOfTime, AuditContext,
// IncludeStatusDetails and AttributesToGet are accepted and ignored
// (whole tables are answered).

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getTablesInput struct {
	CatalogId    *string `json:"CatalogId,omitempty"`
	DatabaseName *string `json:"DatabaseName,omitempty"`
	Expression   *string `json:"Expression,omitempty"`
	NextToken    *string `json:"NextToken,omitempty"`
	MaxResults   *int64  `json:"MaxResults,omitempty"`
}

type getTablesOutput struct {
	TableList []table `json:"TableList"`
	NextToken string  `json:"NextToken,omitempty"`
}

func (s *service) getTables(ctx context.Context, c *protocol.Call) (any, error) {
	var in getTablesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("catalogId", in.CatalogId, specName)
	v.strReq("databaseName", in.DatabaseName, specName)
	v.str("expression", in.Expression, specFilter)
	v.intRange("maxResults", in.MaxResults, 1, 100)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.arns(c).catalog(), s.arns(c).database(*in.DatabaseName), s.arns(c).table(*in.DatabaseName, "*")); err != nil {
		return nil, err
	}
	ts, next, err := s.c.ListTables(*in.DatabaseName, deref(in.Expression), page(in.NextToken, in.MaxResults))
	if err != nil {
		return nil, s.wireError(c, err)
	}
	out := &getTablesOutput{TableList: make([]table, len(ts)), NextToken: next}
	for i := range ts {
		out.TableList[i] = s.table(&ts[i])
	}
	return out, nil
}
