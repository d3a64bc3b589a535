package kinesis

// ListStreamConsumers: after checking the input and that the stream exists,
// answers the truth — no consumers, since none can be registered yet
// (enhanced fan-out is a later issue; see consumers.go). This keeps tools
// that list consumers before reading (the KCL among them) working. No
// NextToken is ever issued, so any NextToken is invalid.

import (
	"context"
	"time"

	"github.com/caudal/caudal/protocol"
)

type listStreamConsumersInput struct {
	StreamARN               *string             `json:"StreamARN,omitempty"`
	NextToken               *string             `json:"NextToken,omitempty"`
	MaxResults              *int64              `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *protocol.Timestamp `json:"StreamCreationTimestamp,omitempty"`
	StreamId                *string             `json:"StreamId,omitempty"`
}

type consumerOut struct {
	ConsumerName              string             `json:"ConsumerName"`
	ConsumerARN               string             `json:"ConsumerARN"`
	ConsumerStatus            string             `json:"ConsumerStatus"`
	ConsumerCreationTimestamp protocol.Timestamp `json:"ConsumerCreationTimestamp"`
}

type listStreamConsumersOutput struct {
	Consumers []consumerOut `json:"Consumers"`
	NextToken string        `json:"NextToken,omitempty"`
}

func (s *service) listStreamConsumers(ctx context.Context, c *protocol.Call) (any, error) {
	var in listStreamConsumersInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("streamARN", in.StreamARN, specStreamARN)
	v.str("nextToken", in.NextToken, specNextToken)
	v.intRange("maxResults", in.MaxResults, 1, 10000)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, err := s.e.Describe(reg, name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	if in.StreamCreationTimestamp != nil && !sameInstant(time.Time(*in.StreamCreationTimestamp), st.CreatedAt) {
		return nil, s.streamNotFound(name)
	}
	if in.NextToken != nil {
		return nil, invalidNextToken()
	}
	return &listStreamConsumersOutput{Consumers: []consumerOut{}}, nil
}
