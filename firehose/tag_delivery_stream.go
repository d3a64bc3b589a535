package firehose

// TagDeliveryStream: adds or replaces up to 50 tags; a delivery stream
// holds at most 50 (LimitExceededException past that).

import (
	"context"
	"strconv"

	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

type tagDeliveryStreamInput struct {
	DeliveryStreamName *string        `json:"DeliveryStreamName,omitempty"`
	Tags               []delivery.Tag `json:"Tags,omitempty"`
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s *service) tagDeliveryStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in tagDeliveryStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	if v.required("tags", in.Tags != nil) {
		v.tags("tags", in.Tags, 1)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, err := s.resolve(ctx, c, *in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	if err := s.e.Tag(reg, *in.DeliveryStreamName, in.Tags); err != nil {
		return nil, wireError(c, err)
	}
	return empty{}, nil
}
