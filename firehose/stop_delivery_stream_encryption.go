package firehose

// StopDeliveryStreamEncryption: reports DISABLED at once.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type stopDeliveryStreamEncryptionInput struct {
	DeliveryStreamName *string `json:"DeliveryStreamName,omitempty"`
}

func (s *service) stopDeliveryStreamEncryption(ctx context.Context, c *protocol.Call) (any, error) {
	var in stopDeliveryStreamEncryptionInput
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
	if err := s.e.SetEncryption(reg, *in.DeliveryStreamName, "", ""); err != nil {
		return nil, wireError(c, err)
	}
	return empty{}, nil
}
