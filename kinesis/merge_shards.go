package kinesis

// MergeShards: merges two adjacent open shards into one child; adjacency,
// openness, the stream's state and limits are the engine's checks.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type mergeShardsInput struct {
	StreamName           *string `json:"StreamName,omitempty"`
	ShardToMerge         *string `json:"ShardToMerge,omitempty"`
	AdjacentShardToMerge *string `json:"AdjacentShardToMerge,omitempty"`
	StreamARN            *string `json:"StreamARN,omitempty"`
	StreamId             *string `json:"StreamId,omitempty"`
}

func (s *service) mergeShards(ctx context.Context, c *protocol.Call) (any, error) {
	var in mergeShardsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.strReq("shardToMerge", in.ShardToMerge, specShardID)
	v.strReq("adjacentShardToMerge", in.AdjacentShardToMerge, specShardID)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := s.e.MergeShards(reg, name, *in.ShardToMerge, *in.AdjacentShardToMerge); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
