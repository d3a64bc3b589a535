package kinesis

// DecreaseStreamRetentionPeriod: 24..8760 hours (see
// increase_stream_retention_period.go); that the new period is not longer
// than the current one is the engine's check. Data older than the new
// period is removed by the engine's retention sweep.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) decreaseStreamRetentionPeriod(ctx context.Context, c *protocol.Call) (any, error) {
	reg, name, hours, err := s.retentionCall(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := s.e.DecreaseRetention(reg, name, hours); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
