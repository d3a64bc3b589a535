package kinesis

// RemoveTagsFromStream: removes up to 50 tag keys; keys the stream does not
// have are ignored, as AWS ignores them.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type removeTagsFromStreamInput struct {
	StreamName *string  `json:"StreamName,omitempty"`
	TagKeys    []string `json:"TagKeys,omitempty"`
	StreamARN  *string  `json:"StreamARN,omitempty"`
	StreamId   *string  `json:"StreamId,omitempty"`
}

func (s *service) removeTagsFromStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in removeTagsFromStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.stringList("tagKeys", in.TagKeys, in.TagKeys != nil, 1, 50, specTagKey)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
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
