package kinesis

// UntagResource: RemoveTagsFromStream addressed by ResourceARN. A consumer
// ARN is not found (enhanced fan-out consumers are not served yet).

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type untagResourceInput struct {
	TagKeys     []string `json:"TagKeys,omitempty"`
	ResourceARN *string  `json:"ResourceARN,omitempty"`
	StreamId    *string  `json:"StreamId,omitempty"`
}

func (s *service) untagResource(ctx context.Context, c *protocol.Call) (any, error) {
	var in untagResourceInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.stringList("tagKeys", in.TagKeys, in.TagKeys != nil, 1, 50, specTagKey)
	v.strReq("resourceARN", in.ResourceARN, specResourceARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resourceStream(ctx, c, *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := checkTagStrings(in.TagKeys, "remove tags from", name, s.accountID); err != nil {
		return nil, err
	}
	if err := s.e.RemoveTags(reg, name, in.TagKeys); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
