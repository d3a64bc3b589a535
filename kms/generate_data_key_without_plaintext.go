package kms

// GenerateDataKeyWithoutPlaintext: GenerateDataKey without the clear copy.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) generateDataKeyWithoutPlaintext(ctx context.Context, c *protocol.Call) (any, error) {
	return s.dataKey(ctx, c, false)
}
