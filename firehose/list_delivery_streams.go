package firehose

// ListDeliveryStreams: the region's delivery stream names in name order
// (AWS lists them sorted), at most Limit (default 10, as AWS), after
// ExclusiveStartDeliveryStreamName, filtered by DeliveryStreamType.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type listDeliveryStreamsInput struct {
	Limit                            *int    `json:"Limit,omitempty"`
	DeliveryStreamType               *string `json:"DeliveryStreamType,omitempty"`
	ExclusiveStartDeliveryStreamName *string `json:"ExclusiveStartDeliveryStreamName,omitempty"`
}

type listDeliveryStreamsOutput struct {
	DeliveryStreamNames    []string `json:"DeliveryStreamNames"`
	HasMoreDeliveryStreams bool     `json:"HasMoreDeliveryStreams"`
}

func (s *service) listDeliveryStreams(ctx context.Context, c *protocol.Call) (any, error) {
	var in listDeliveryStreamsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.intRange("limit", in.Limit, 1, 10000)
	v.enum("deliveryStreamType", in.DeliveryStreamType, "DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
	v.str("exclusiveStartDeliveryStreamName", in.ExclusiveStartDeliveryStreamName, specName)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	limit, typ, start := 10, "", "" // AWS: "The default value is 10."
	if in.Limit != nil {
		limit = *in.Limit
	}
	if in.DeliveryStreamType != nil {
		typ = *in.DeliveryStreamType
	}
	if in.ExclusiveStartDeliveryStreamName != nil {
		start = *in.ExclusiveStartDeliveryStreamName
	}
	names, more := s.e.List(region(c), typ, start, limit)
	if names == nil {
		names = []string{}
	}
	return listDeliveryStreamsOutput{DeliveryStreamNames: names, HasMoreDeliveryStreams: more}, nil
}
