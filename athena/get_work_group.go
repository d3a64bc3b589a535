package athena

// GetWorkGroup: a work group's state, configuration, description and
// creation time. An unknown name is InvalidRequestException "WorkGroup
// <name> is not found."

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type workGroupNameInput struct {
	WorkGroup             *string `json:"WorkGroup,omitempty"`
	RecursiveDeleteOption *bool   `json:"RecursiveDeleteOption,omitempty"`
}

type getWorkGroupOutput struct {
	WorkGroup workGroupOut `json:"WorkGroup"`
}

func (s *service) getWorkGroup(ctx context.Context, c *protocol.Call) (any, error) {
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
	wg, err := s.m.GetWorkGroup(*in.WorkGroup)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getWorkGroupOutput{WorkGroup: toWorkGroup(&wg)}, nil
}
