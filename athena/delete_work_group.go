package athena

// DeleteWorkGroup: removes a work group; its executions stay in the
// history. The primary work group cannot be deleted.
// RecursiveDeleteOption is accepted: there are no named queries to
// delete with it.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) deleteWorkGroup(ctx context.Context, c *protocol.Call) (any, error) {
	var in workGroupNameInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("workGroup", in.WorkGroup, specWorkGroup)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.workGroupARN(c, *in.WorkGroup)); err != nil {
		return nil, err
	}
	if err := s.m.DeleteWorkGroup(*in.WorkGroup); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
