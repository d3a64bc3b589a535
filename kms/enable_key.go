package kms

// EnableKey: a disabled key can encrypt and decrypt again.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) enableKey(ctx context.Context, c *protocol.Call) (any, error) {
	return s.setEnabled(ctx, c, true)
}

func (s *service) setEnabled(ctx context.Context, c *protocol.Call, on bool) (any, error) {
	var in keyIDInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	checkKeyID(&v, "keyId", in.KeyId, true)
	if err := validation(&v); err != nil {
		return nil, err
	}
	k, err := s.keyFor(ctx, c, *in.KeyId)
	if err != nil {
		return nil, err
	}
	if err := s.ks.SetEnabled(k.ID, k.Region, on); err != nil {
		return nil, wireError(err)
	}
	return empty{}, nil
}
