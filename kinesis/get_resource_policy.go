package kinesis

// GetResourcePolicy: the stream's resource policy as stored, or "{}" when it
// has none.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getResourcePolicyOutput struct {
	Policy string `json:"Policy"`
}

func (s *service) getResourcePolicy(ctx context.Context, c *protocol.Call) (any, error) {
	reg, name, err := s.policyCall(ctx, c)
	if err != nil {
		return nil, err
	}
	p, err := s.e.GetPolicy(reg, name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	if p == "" {
		p = "{}"
	}
	return &getResourcePolicyOutput{Policy: p}, nil
}
