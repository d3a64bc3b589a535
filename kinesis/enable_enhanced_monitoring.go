package kinesis

// EnableEnhancedMonitoring: records shard-level metrics ("ALL" expands to
// every metric) and answers the sets before (Current) and after (Desired),
// as AWS does. DescribeStream reports them in EnhancedMonitoring.
//
// Deliberately not: no CloudWatch metrics are emitted; the settings are
// stored and reported.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type enhancedMonitoringInput struct {
	StreamName        *string  `json:"StreamName,omitempty"`
	ShardLevelMetrics []string `json:"ShardLevelMetrics,omitempty"`
	StreamARN         *string  `json:"StreamARN,omitempty"`
	StreamId          *string  `json:"StreamId,omitempty"`
}

type enhancedMonitoringOutput struct {
	StreamName               string   `json:"StreamName,omitempty"`
	CurrentShardLevelMetrics []string `json:"CurrentShardLevelMetrics"`
	DesiredShardLevelMetrics []string `json:"DesiredShardLevelMetrics"`
	StreamARN                string   `json:"StreamARN,omitempty"`
}

func (s *service) enableEnhancedMonitoring(ctx context.Context, c *protocol.Call) (any, error) {
	return s.setMonitoring(ctx, c, true)
}

func (s *service) setMonitoring(ctx context.Context, c *protocol.Call, enable bool) (any, error) {
	var in enhancedMonitoringInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.enumList("shardLevelMetrics", in.ShardLevelMetrics, in.ShardLevelMetrics != nil, 1, 7, enumMetricsName)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	before, after, err := s.e.SetShardLevelMetrics(reg, name, in.ShardLevelMetrics, enable)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	if before == nil {
		before = []string{}
	}
	if after == nil {
		after = []string{}
	}
	return &enhancedMonitoringOutput{
		StreamName:               name,
		CurrentShardLevelMetrics: before,
		DesiredShardLevelMetrics: after,
		StreamARN:                s.streamARN(reg, name),
	}, nil
}
