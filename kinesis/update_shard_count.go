package kinesis

// UpdateShardCount: UNIFORM_SCALING to TargetShardCount open shards; AWS's
// scaling rules (at most double or halve, limits, ACTIVE only) are the
// engine's checks. Answers the open shard count before and after.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type updateShardCountInput struct {
	StreamName       *string `json:"StreamName,omitempty"`
	TargetShardCount *int64  `json:"TargetShardCount,omitempty"`
	ScalingType      *string `json:"ScalingType,omitempty"`
	StreamARN        *string `json:"StreamARN,omitempty"`
	StreamId         *string `json:"StreamId,omitempty"`
}

type updateShardCountOutput struct {
	StreamName        string `json:"StreamName,omitempty"`
	CurrentShardCount int    `json:"CurrentShardCount,omitempty"`
	TargetShardCount  int    `json:"TargetShardCount,omitempty"`
	StreamARN         string `json:"StreamARN,omitempty"`
}

func (s *service) updateShardCount(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateShardCountInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.intReq("targetShardCount", in.TargetShardCount, 1, maxInt32)
	v.enumReq("scalingType", in.ScalingType, enumScalingType)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	target := int(*in.TargetShardCount)
	before, err := s.e.UpdateShardCount(reg, name, target)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &updateShardCountOutput{
		StreamName:        name,
		CurrentShardCount: before,
		TargetShardCount:  target,
		StreamARN:         s.streamARN(reg, name),
	}, nil
}
