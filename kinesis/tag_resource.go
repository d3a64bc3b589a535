package kinesis

// TagResource: AddTagsToStream addressed by ResourceARN. A consumer ARN is
// not found (enhanced fan-out consumers are not served yet).

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type tagResourceInput struct {
	Tags        map[string]string `json:"Tags,omitempty"`
	ResourceARN *string           `json:"ResourceARN,omitempty"`
	StreamId    *string           `json:"StreamId,omitempty"`
}

func (s *service) tagResource(ctx context.Context, c *protocol.Call) (any, error) {
	var in tagResourceInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.tagMap("tags", in.Tags, in.Tags != nil)
	v.strReq("resourceARN", in.ResourceARN, specResourceARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resourceStream(ctx, c, *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := checkTagChars(in.Tags, "add tags to", name, s.accountID); err != nil {
		return nil, err
	}
	if err := s.e.AddTags(reg, name, in.Tags); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
