package kms

// DisableKey: the key refuses Encrypt, Decrypt and GenerateDataKey
// (DisabledException) until EnableKey; data sealed under it (stream
// records, objects) cannot be read meanwhile, as in AWS.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) disableKey(ctx context.Context, c *protocol.Call) (any, error) {
	return s.setEnabled(ctx, c, false)
}
