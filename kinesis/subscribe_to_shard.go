package kinesis

// SubscribeToShard: needs a registered enhanced fan-out consumer, and none
// can exist yet (a later issue), so after checking the input and that the
// consumer's stream exists it answers ResourceNotFoundException as a plain
// JSON error, before any event stream would start. See consumers.go.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type subscribeToShardInput struct {
	ConsumerARN      *string `json:"ConsumerARN,omitempty"`
	StreamId         *string `json:"StreamId,omitempty"`
	ShardId          *string `json:"ShardId,omitempty"`
	StartingPosition *struct {
		Type           *string             `json:"Type,omitempty"`
		SequenceNumber *string             `json:"SequenceNumber,omitempty"`
		Timestamp      *protocol.Timestamp `json:"Timestamp,omitempty"`
	} `json:"StartingPosition,omitempty"`
}

func (s *service) subscribeToShard(ctx context.Context, c *protocol.Call) (any, error) {
	var in subscribeToShardInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.required("consumerARN", in.ConsumerARN != nil)
	v.strReq("shardId", in.ShardId, specShardID)
	if p := in.StartingPosition; v.required("startingPosition", p != nil) {
		v.enumReq("startingPosition.type", p.Type, enumShardIteratorType)
		v.str("startingPosition.sequenceNumber", p.SequenceNumber, specSequence)
	}
	return nil, s.consumerCall(ctx, c, &v, nil, nil, in.ConsumerARN, in.StreamId)
}
