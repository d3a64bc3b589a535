package kinesis

// RegisterStreamConsumer: not supported yet (enhanced fan-out is a later
// issue). After checking the input and that the stream exists, it answers
// InvalidArgumentException saying so. See consumers.go.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type registerStreamConsumerInput struct {
	StreamARN    *string           `json:"StreamARN,omitempty"`
	ConsumerName *string           `json:"ConsumerName,omitempty"`
	StreamId     *string           `json:"StreamId,omitempty"`
	Tags         map[string]string `json:"Tags,omitempty"`
}

func (s *service) registerStreamConsumer(ctx context.Context, c *protocol.Call) (any, error) {
	var in registerStreamConsumerInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("streamARN", in.StreamARN, specStreamARN)
	v.strReq("consumerName", in.ConsumerName, specConsumerName)
	v.str("streamId", in.StreamId, specStreamID)
	if in.Tags != nil {
		v.tagMap("tags", in.Tags, true)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, _, err := s.resolve(ctx, c, nil, in.StreamARN); err != nil {
		return nil, err
	}
	if _, _, err := s.streamExists(c, *in.StreamARN); err != nil {
		return nil, err
	}
	return nil, invalidArgument("Cannot register consumer %s on stream %s. %s", *in.ConsumerName, *in.StreamARN, fanOutUnsupported)
}
