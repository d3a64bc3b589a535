package firehose

// DeleteDeliveryStream: removes the delivery stream at once with its
// undelivered records, as AWS discards them. AllowForceDelete is accepted
// (there is no KMS grant to retire).

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type deleteDeliveryStreamInput struct {
	DeliveryStreamName *string `json:"DeliveryStreamName,omitempty"`
	AllowForceDelete   *bool   `json:"AllowForceDelete,omitempty"`
}

func (s *service) deleteDeliveryStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in deleteDeliveryStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, err := s.resolve(ctx, c, *in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	if err := s.e.Delete(reg, *in.DeliveryStreamName); err != nil {
		return nil, wireError(c, err)
	}
	return empty{}, nil
}
