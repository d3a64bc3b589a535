package kinesis

// DescribeLimits: the account's shard limit and open shard count and its
// on-demand stream count and limit in the caller's region, from the engine.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type describeLimitsOutput struct {
	ShardLimit               int `json:"ShardLimit"`
	OpenShardCount           int `json:"OpenShardCount"`
	OnDemandStreamCount      int `json:"OnDemandStreamCount"`
	OnDemandStreamCountLimit int `json:"OnDemandStreamCountLimit"`
}

func (s *service) describeLimits(ctx context.Context, c *protocol.Call) (any, error) {
	var in empty
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	l := s.e.Limits(region(c))
	return &describeLimitsOutput{
		ShardLimit:               l.ShardLimit,
		OpenShardCount:           l.OpenShardCount,
		OnDemandStreamCount:      l.OnDemandStreamCount,
		OnDemandStreamCountLimit: l.OnDemandStreamCountLimit,
	}, nil
}
