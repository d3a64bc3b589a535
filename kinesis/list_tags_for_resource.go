package kinesis

// ListTagsForResource: every tag of the stream a ResourceARN names, in key
// order. A consumer ARN is not found (enhanced fan-out consumers are not
// served yet).

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type listTagsForResourceInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	StreamId    *string `json:"StreamId,omitempty"`
}

type listTagsForResourceOutput struct {
	Tags []tagOut `json:"Tags"`
}

func (s *service) listTagsForResource(ctx context.Context, c *protocol.Call) (any, error) {
	var in listTagsForResourceInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("resourceARN", in.ResourceARN, specResourceARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resourceStream(ctx, c, *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	st, err := s.e.Describe(reg, name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	return &listTagsForResourceOutput{Tags: tagList(st.Tags, "")}, nil
}
