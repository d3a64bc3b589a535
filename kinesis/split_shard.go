package kinesis

// SplitShard: splits an open shard at NewStartingHashKey into two children;
// the engine checks the key lies strictly inside the shard's range, that
// the stream is ACTIVE and the shard limit. A key beyond 2^128-1 (which the
// model's pattern allows) is refused here with AWS's wording.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type splitShardInput struct {
	StreamName         *string `json:"StreamName,omitempty"`
	ShardToSplit       *string `json:"ShardToSplit,omitempty"`
	NewStartingHashKey *string `json:"NewStartingHashKey,omitempty"`
	StreamARN          *string `json:"StreamARN,omitempty"`
	StreamId           *string `json:"StreamId,omitempty"`
}

func (s *service) splitShard(ctx context.Context, c *protocol.Call) (any, error) {
	var in splitShardInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.strReq("shardToSplit", in.ShardToSplit, specShardID)
	v.strReq("newStartingHashKey", in.NewStartingHashKey, specHashKey)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	key, ok := parseHashKey(*in.NewStartingHashKey)
	if !ok {
		return nil, invalidArgument("NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not within the hash key range [0, 2^128-1].",
			*in.NewStartingHashKey, *in.ShardToSplit, name, s.accountID)
	}
	if err := s.e.SplitShard(reg, name, *in.ShardToSplit, key); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
