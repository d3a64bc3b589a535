package kinesis

// DisableEnhancedMonitoring: removes shard-level metrics ("ALL" removes
// every one) and answers the sets before (Current) and after (Desired).
// See enable_enhanced_monitoring.go.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) disableEnhancedMonitoring(ctx context.Context, c *protocol.Call) (any, error) {
	return s.setMonitoring(ctx, c, false)
}
