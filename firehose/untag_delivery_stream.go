package firehose

// UntagDeliveryStream: removes tags by key; unknown keys are ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type untagDeliveryStreamInput struct {
	DeliveryStreamName *string  `json:"DeliveryStreamName,omitempty"`
	TagKeys            []string `json:"TagKeys,omitempty"`
}

func (s *service) untagDeliveryStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in untagDeliveryStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	if v.required("tagKeys", in.TagKeys != nil) {
		v.listLen("tagKeys", len(in.TagKeys), 1, 50)
		for i, k := range in.TagKeys {
			v.strVal("tagKeys."+itoa(i+1)+".member", k, specTagKey)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, err := s.resolve(ctx, c, *in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	if err := s.e.Untag(reg, *in.DeliveryStreamName, in.TagKeys); err != nil {
		return nil, wireError(c, err)
	}
	return empty{}, nil
}
