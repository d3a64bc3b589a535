package athena

// ListQueryExecutions: the IDs of a work group's executions (primary by
// default), newest first, MaxResults per page (0..50, default 50; 0 means
// the default) with an opaque NextToken.

import (
	"context"
	"strconv"

	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
)

type listQueryExecutionsInput struct {
	NextToken  *string `json:"NextToken,omitempty"`
	MaxResults *int64  `json:"MaxResults,omitempty"`
	WorkGroup  *string `json:"WorkGroup,omitempty"`
}

type listQueryExecutionsOutput struct {
	QueryExecutionIds []string `json:"QueryExecutionIds"`
	NextToken         string   `json:"NextToken,omitempty"`
}

const tokenListExecutions = "LQ"

func (s *service) listQueryExecutions(ctx context.Context, c *protocol.Call) (any, error) {
	var in listQueryExecutionsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("nextToken", in.NextToken, specNextToken)
	v.intRange("maxResults", in.MaxResults, 0, 50)
	v.str("workGroup", in.WorkGroup, specWorkGroup)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.workGroupARN(c, deref(in.WorkGroup))); err != nil {
		return nil, err
	}
	wg := deref(in.WorkGroup)
	if wg == "" {
		wg = execution.PrimaryWorkGroup
	}
	var after uint64
	if in.NextToken != nil {
		f, err := decodeToken(*in.NextToken, tokenListExecutions, 2)
		if err != nil {
			return nil, err
		}
		n, perr := strconv.ParseUint(f[1], 10, 64)
		if f[0] != wg || perr != nil || n == 0 {
			return nil, invalidToken()
		}
		after = n
	}
	limit := 50
	if in.MaxResults != nil && *in.MaxResults > 0 {
		limit = int(*in.MaxResults)
	}
	ids, next, err := s.m.List(wg, after, limit)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	out := &listQueryExecutionsOutput{QueryExecutionIds: ids}
	if out.QueryExecutionIds == nil {
		out.QueryExecutionIds = []string{}
	}
	if next != 0 {
		out.NextToken = encodeToken(tokenListExecutions, wg, strconv.FormatUint(next, 10))
	}
	return out, nil
}
