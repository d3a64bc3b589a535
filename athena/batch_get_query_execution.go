package athena

// BatchGetQueryExecution: up to 50 executions by ID; unknown IDs are
// listed in UnprocessedQueryExecutionIds with the error Athena gives for
// them one by one.

import (
	"context"
	"errors"
	"strconv"

	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
)

type batchGetQueryExecutionInput struct {
	QueryExecutionIds []string `json:"QueryExecutionIds"`
}

type unprocessedQueryExecutionID struct {
	QueryExecutionId string `json:"QueryExecutionId"`
	ErrorCode        string `json:"ErrorCode,omitempty"`
	ErrorMessage     string `json:"ErrorMessage,omitempty"`
}

type batchGetQueryExecutionOutput struct {
	QueryExecutions              []queryExecutionOut           `json:"QueryExecutions"`
	UnprocessedQueryExecutionIds []unprocessedQueryExecutionID `json:"UnprocessedQueryExecutionIds"`
}

func (s *service) batchGetQueryExecution(ctx context.Context, c *protocol.Call) (any, error) {
	var in batchGetQueryExecutionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	if v.required("queryExecutionIds", in.QueryExecutionIds != nil) {
		if n := len(in.QueryExecutionIds); n < 1 || n > 50 {
			bound := "greater than or equal to 1"
			if n > 50 {
				bound = "less than or equal to 50"
			}
			v.fail("'"+strconv.Itoa(n)+" ids'", "queryExecutionIds", "Member must have length "+bound)
		}
		for i := range in.QueryExecutionIds {
			v.str("queryExecutionIds."+strconv.Itoa(i+1)+".member", &in.QueryExecutionIds[i], specExecutionID)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	out := &batchGetQueryExecutionOutput{
		QueryExecutions:              []queryExecutionOut{},
		UnprocessedQueryExecutionIds: []unprocessedQueryExecutionID{},
	}
	for _, id := range in.QueryExecutionIds {
		e, err := s.m.Get(id)
		var ee *execution.Error
		switch {
		case err == nil:
			// One refusal refuses the call: the answer would otherwise
			// show another work group's queries.
			if err := s.authorize(ctx, c, s.workGroupARN(c, e.WorkGroup)); err != nil {
				return nil, err
			}
			out.QueryExecutions = append(out.QueryExecutions, toQueryExecution(&e))
		case errors.As(err, &ee):
			out.UnprocessedQueryExecutionIds = append(out.UnprocessedQueryExecutionIds,
				unprocessedQueryExecutionID{QueryExecutionId: id, ErrorCode: athenaInvalidInput, ErrorMessage: ee.Message})
		default:
			return nil, s.wireError(c, err)
		}
	}
	return out, nil
}
