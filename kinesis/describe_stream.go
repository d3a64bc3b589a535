package kinesis

// DescribeStream: the stream's description with its shards (open and
// closed, in creation order), paged by Limit (1..10,000; default and
// per-page cap 100, as AWS documents) and
// ExclusiveStartShardId, with HasMoreShards; EncryptionType/KeyId and
// EnhancedMonitoring as stored.
//
// Deliberately not: StreamId is ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type describeStreamInput struct {
	StreamName            *string `json:"StreamName,omitempty"`
	Limit                 *int64  `json:"Limit,omitempty"`
	ExclusiveStartShardId *string `json:"ExclusiveStartShardId,omitempty"`
	StreamARN             *string `json:"StreamARN,omitempty"`
	StreamId              *string `json:"StreamId,omitempty"`
}

type describeStreamOutput struct {
	StreamDescription streamDescription `json:"StreamDescription"`
}

type streamDescription struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamModeDetails       *streamModeDetails `json:"StreamModeDetails,omitempty"`
	Shards                  []shardOut         `json:"Shards"`
	HasMoreShards           bool               `json:"HasMoreShards"`
	RetentionPeriodHours    int                `json:"RetentionPeriodHours"`
	StreamCreationTimestamp protocol.Timestamp `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics  `json:"EnhancedMonitoring"`
	EncryptionType          string             `json:"EncryptionType,omitempty"`
	KeyId                   string             `json:"KeyId,omitempty"`
}

const defaultDescribeStreamLimit = 100

func (s *service) describeStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in describeStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.intRange("limit", in.Limit, 1, 10000)
	v.str("exclusiveStartShardId", in.ExclusiveStartShardId, specShardID)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, err := s.e.Describe(reg, name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	shards := shardsAfter(st.Shards, deref(in.ExclusiveStartShardId))
	limit := defaultDescribeStreamLimit
	if in.Limit != nil {
		limit = min(int(*in.Limit), defaultDescribeStreamLimit)
	}
	more := len(shards) > limit
	if more {
		shards = shards[:limit]
	}
	return &describeStreamOutput{StreamDescription: streamDescription{
		StreamName:              st.Name,
		StreamARN:               s.arnOf(&st),
		StreamStatus:            string(st.Status),
		StreamModeDetails:       modeDetails(st.Mode),
		Shards:                  toShards(shards),
		HasMoreShards:           more,
		RetentionPeriodHours:    st.RetentionHours,
		StreamCreationTimestamp: ts(st.CreatedAt),
		EnhancedMonitoring:      enhancedMonitoring(st.ShardLevelMetrics),
		EncryptionType:          encryptionType(st.EncryptionType),
		KeyId:                   st.KeyID,
	}}, nil
}

// shardsAfter returns the shards whose IDs sort after start ("" for all).
// Shard IDs are fixed-width ("shardId-000000000007"), so their order as
// strings is their creation order.
func shardsAfter(shards []stream.Shard, start string) []stream.Shard {
	if start == "" {
		return shards
	}
	for i, sh := range shards {
		if sh.ID > start {
			return shards[i:]
		}
	}
	return nil
}

// arnOf is the stream's ARN as the engine reports it, or as AWS spells it.
func (s *service) arnOf(st *stream.Stream) string {
	if st.ARN != "" {
		return st.ARN
	}
	reg := st.Region
	if reg == "" {
		reg = defaultRegion
	}
	return s.streamARN(reg, st.Name)
}
