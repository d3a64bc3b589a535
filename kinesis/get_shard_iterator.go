package kinesis

// GetShardIterator: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER,
// AFTER_SEQUENCE_NUMBER and AT_TIMESTAMP on any retained shard, open or
// closed, by StreamName or StreamARN. The combinations AWS refuses (a
// sequence number missing for AT_/AFTER_SEQUENCE_NUMBER or given for
// TRIM_HORIZON/LATEST, AT_TIMESTAMP without Timestamp or with one in the
// future) are refused here with AWS's wording, before the engine is asked;
// the engine judges the sequence number and timestamp themselves and issues
// the opaque, tamper-evident, five-minute token.
//
// Deliberately not: StreamId is ignored.

import (
	"context"
	"time"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type getShardIteratorInput struct {
	StreamName             *string             `json:"StreamName,omitempty"`
	ShardId                *string             `json:"ShardId,omitempty"`
	ShardIteratorType      *string             `json:"ShardIteratorType,omitempty"`
	StartingSequenceNumber *string             `json:"StartingSequenceNumber,omitempty"`
	Timestamp              *protocol.Timestamp `json:"Timestamp,omitempty"`
	StreamARN              *string             `json:"StreamARN,omitempty"`
	StreamId               *string             `json:"StreamId,omitempty"`
}

type getShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator,omitempty"`
}

func (s *service) getShardIterator(ctx context.Context, c *protocol.Call) (any, error) {
	var in getShardIteratorInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.strReq("shardId", in.ShardId, specShardID)
	v.enumReq("shardIteratorType", in.ShardIteratorType, enumShardIteratorType)
	v.str("startingSequenceNumber", in.StartingSequenceNumber, specSequence)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	typ := stream.IteratorType(*in.ShardIteratorType)
	pos := stream.Position{Type: typ}
	switch typ {
	case stream.AtSequenceNumber, stream.AfterSequenceNumber:
		if in.StartingSequenceNumber == nil {
			return nil, iteratorTypeMismatch(typ, "no")
		}
		pos.SequenceNumber = *in.StartingSequenceNumber
	case stream.TrimHorizon, stream.Latest:
		if in.StartingSequenceNumber != nil {
			return nil, iteratorTypeMismatch(typ, "also a")
		}
	case stream.AtTimestamp:
		if in.Timestamp == nil {
			return nil, invalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		pos.Timestamp = time.Time(*in.Timestamp)
		// AWS refuses a timestamp in the future (aws/aws-sdk-java#2588
		// quotes the message; kinesalite records it too).
		if at, cur := pos.Timestamp.UnixMilli(), now().UnixMilli(); at > cur {
			return nil, invalidArgument("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "+
				"timestampInMillis: %d, currentTimestampInMillis: %d", at, cur)
		}
	}
	it, err := s.e.GetShardIterator(reg, name, *in.ShardId, pos)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &getShardIteratorOutput{ShardIterator: it}, nil
}

func iteratorTypeMismatch(typ stream.IteratorType, what string) error {
	return invalidArgument("%s", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "+
		"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "+string(typ)+" and "+what+" StartingSequenceNumber.")
}
