package kinesis

// DeregisterStreamConsumer: no consumer can exist yet (enhanced fan-out is
// a later issue), so after checking the input and the stream it answers
// ResourceNotFoundException. See consumers.go.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type consumerRefInput struct {
	StreamARN    *string `json:"StreamARN,omitempty"`
	ConsumerName *string `json:"ConsumerName,omitempty"`
	ConsumerARN  *string `json:"ConsumerARN,omitempty"`
	StreamId     *string `json:"StreamId,omitempty"`
}

func (s *service) deregisterStreamConsumer(ctx context.Context, c *protocol.Call) (any, error) {
	var in consumerRefInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	return nil, s.consumerCall(ctx, c, &v, in.StreamARN, in.ConsumerName, in.ConsumerARN, in.StreamId)
}
