package athena

// StopQueryExecution: cancels a queued or running query (its DuckDB work
// is interrupted) and answers once it is CANCELLED (waiting a few seconds
// at most); a finished query is left as it is, as Athena does.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) stopQueryExecution(ctx context.Context, c *protocol.Call) (any, error) {
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
	if err := s.m.Stop(*in.QueryExecutionId); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
