package athena

// GetQueryExecution: one execution's query, state (QUEUED, RUNNING,
// SUCCEEDED, FAILED, CANCELLED) with its reason and AthenaError,
// statistics, result location, context, work group and engine version.
// An unknown ID is InvalidRequestException "QueryExecution <id> was not
// found".

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type queryExecutionIDInput struct {
	QueryExecutionId *string `json:"QueryExecutionId,omitempty"`
}

type getQueryExecutionOutput struct {
	QueryExecution queryExecutionOut `json:"QueryExecution"`
}

func (s *service) getQueryExecution(ctx context.Context, c *protocol.Call) (any, error) {
	var in queryExecutionIDInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("queryExecutionId", in.QueryExecutionId, specExecutionID)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := func() error { _, err := s.onExecution(ctx, c, *in.QueryExecutionId); return err }(); err != nil {
		return nil, err
	}
	e, err := s.m.Get(*in.QueryExecutionId)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getQueryExecutionOutput{QueryExecution: toQueryExecution(&e)}, nil
}
