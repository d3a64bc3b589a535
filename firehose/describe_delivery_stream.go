package firehose

// DescribeDeliveryStream: the full description of the one destination,
// the source (KinesisStreamSourceDescription for a stream source), the
// encryption state and VersionId. Status is always ACTIVE. Limit and
// ExclusiveStartDestinationId are checked; with one destination per
// delivery stream, a start id equal to it answers no destinations.

import (
	"context"

	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

type describeDeliveryStreamInput struct {
	DeliveryStreamName          *string `json:"DeliveryStreamName,omitempty"`
	Limit                       *int    `json:"Limit,omitempty"`
	ExclusiveStartDestinationId *string `json:"ExclusiveStartDestinationId,omitempty"`
}

type describeDeliveryStreamOutput struct {
	DeliveryStreamDescription deliveryStreamDescription `json:"DeliveryStreamDescription"`
}

func (s *service) describeDeliveryStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in describeDeliveryStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	v.intRange("limit", in.Limit, 1, 10000)
	v.str("exclusiveStartDestinationId", in.ExclusiveStartDestinationId, specDestinationID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, err := s.resolve(ctx, c, *in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	d, err := s.e.Describe(reg, *in.DeliveryStreamName)
	if err != nil {
		return nil, wireError(c, err)
	}
	out := describe(d)
	if in.ExclusiveStartDestinationId != nil && *in.ExclusiveStartDestinationId >= delivery.DestinationID {
		out.Destinations = []destinationDescription{}
	}
	return describeDeliveryStreamOutput{DeliveryStreamDescription: out}, nil
}
