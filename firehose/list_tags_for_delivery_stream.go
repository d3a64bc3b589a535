package firehose

// ListTagsForDeliveryStream: tags in key order after ExclusiveStartTagKey,
// at most Limit (default 50).

import (
	"context"

	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

type listTagsForDeliveryStreamInput struct {
	DeliveryStreamName   *string `json:"DeliveryStreamName,omitempty"`
	ExclusiveStartTagKey *string `json:"ExclusiveStartTagKey,omitempty"`
	Limit                *int    `json:"Limit,omitempty"`
}

type listTagsForDeliveryStreamOutput struct {
	Tags        []delivery.Tag `json:"Tags"`
	HasMoreTags bool           `json:"HasMoreTags"`
}

func (s *service) listTagsForDeliveryStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in listTagsForDeliveryStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	v.str("exclusiveStartTagKey", in.ExclusiveStartTagKey, specTagKey)
	v.intRange("limit", in.Limit, 1, 50)
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
	limit := 50
	if in.Limit != nil {
		limit = *in.Limit
	}
	out := listTagsForDeliveryStreamOutput{Tags: []delivery.Tag{}}
	for _, t := range d.Tags {
		if in.ExclusiveStartTagKey != nil && t.Key <= *in.ExclusiveStartTagKey {
			continue
		}
		if len(out.Tags) == limit {
			out.HasMoreTags = true
			break
		}
		if t.Value == nil {
			t.Value = new(string)
		}
		out.Tags = append(out.Tags, t)
	}
	return out, nil
}
