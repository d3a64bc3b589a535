package athena

// StartQueryExecution: QueryString, QueryExecutionContext (Database,
// Catalog), ResultConfiguration.OutputLocation, WorkGroup and
// ClientRequestToken (a token seen before with the same query answers the
// same QueryExecutionId). The query runs in the background; the answer
// comes at once.
//
// Deliberately not: ExecutionParameters (parameterized queries),
// ResultReuseConfiguration, encryption and ACL settings of the result
// location, EngineConfiguration: accepted, checked against the model and
// ignored. A Catalog other than AwsDataCatalog is refused: there is one.

import (
	"context"
	"strings"

	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
)

type startQueryExecutionInput struct {
	QueryString           *string                `json:"QueryString,omitempty"`
	ClientRequestToken    *string                `json:"ClientRequestToken,omitempty"`
	QueryExecutionContext *queryExecutionContext `json:"QueryExecutionContext,omitempty"`
	ResultConfiguration   *resultConfiguration   `json:"ResultConfiguration,omitempty"`
	WorkGroup             *string                `json:"WorkGroup,omitempty"`
	ExecutionParameters   []string               `json:"ExecutionParameters,omitempty"`
}

type startQueryExecutionOutput struct {
	QueryExecutionId string `json:"QueryExecutionId"`
}

func (s *service) startQueryExecution(ctx context.Context, c *protocol.Call) (any, error) {
	var in startQueryExecutionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("queryString", in.QueryString, specQueryString)
	v.str("clientRequestToken", in.ClientRequestToken, specToken)
	var qc queryExecutionContext
	if in.QueryExecutionContext != nil {
		qc = *in.QueryExecutionContext
		v.str("queryExecutionContext.database", qc.Database, specDatabase)
		v.str("queryExecutionContext.catalog", qc.Catalog, specCatalog)
	}
	v.str("workGroup", in.WorkGroup, specWorkGroup)
	if in.ExecutionParameters != nil && len(in.ExecutionParameters) == 0 {
		v.fail("'[]'", "executionParameters", "Member must have length greater than or equal to 1")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.workGroupARN(c, deref(in.WorkGroup))); err != nil {
		return nil, err
	}
	if cat := deref(qc.Catalog); cat != "" && !strings.EqualFold(cat, DataCatalog) {
		return nil, invalidRequest("Catalog %s does not exist", cat)
	}
	start := execution.StartInput{
		Query:              *in.QueryString,
		Database:           deref(qc.Database),
		Catalog:            deref(qc.Catalog),
		WorkGroup:          deref(in.WorkGroup),
		ClientRequestToken: deref(in.ClientRequestToken),
		Authorize:          resultWriter(ctx),
		Access:             s.catalogAccess(ctx, c),
		ObjectAccess:       objectAccess(ctx),
	}
	if in.ResultConfiguration != nil {
		start.OutputLocation = deref(in.ResultConfiguration.OutputLocation)
	}
	id, err := s.m.Start(start)
	if err != nil {
		return nil, s.wireError(c, accessDenied(err))
	}
	return &startQueryExecutionOutput{QueryExecutionId: id}, nil
}
