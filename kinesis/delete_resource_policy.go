package kinesis

// DeleteResourcePolicy: removes the stream's resource policy; the engine
// decides whether deleting a policy the stream does not have is an error.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) deleteResourcePolicy(ctx context.Context, c *protocol.Call) (any, error) {
	reg, name, err := s.policyCall(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := s.e.DeletePolicy(reg, name); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
