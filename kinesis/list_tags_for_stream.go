package kinesis

// ListTagsForStream: the stream's tags in key order, paged by Limit
// (1..50, default 50 — every tag a stream can hold) and
// ExclusiveStartTagKey, with HasMoreTags.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type listTagsForStreamInput struct {
	StreamName           *string `json:"StreamName,omitempty"`
	ExclusiveStartTagKey *string `json:"ExclusiveStartTagKey,omitempty"`
	Limit                *int64  `json:"Limit,omitempty"`
	StreamARN            *string `json:"StreamARN,omitempty"`
	StreamId             *string `json:"StreamId,omitempty"`
}

type listTagsForStreamOutput struct {
	Tags        []tagOut `json:"Tags"`
	HasMoreTags bool     `json:"HasMoreTags"`
}

func (s *service) listTagsForStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in listTagsForStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.str("exclusiveStartTagKey", in.ExclusiveStartTagKey, specTagKey)
	v.intRange("limit", in.Limit, 1, 50)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, err := s.e.Describe(reg, name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	tags := tagList(st.Tags, deref(in.ExclusiveStartTagKey))
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &listTagsForStreamOutput{Tags: tags}
	if len(tags) > limit {
		out.Tags, out.HasMoreTags = tags[:limit], true
	}
	return out, nil
}

// tagList is a tag map as AWS lists it: sorted by key, after the given key.
func tagList(m map[string]string, after string) []tagOut {
	out := make([]tagOut, 0, len(m))
	for _, k := range sortedKeys(m) {
		if after == "" || k > after {
			out = append(out, tagOut{Key: k, Value: m[k]})
		}
	}
	return out
}
