package kinesis

// ListStreams: the caller's region's streams in name order, paged by Limit
// (1..10,000; default 100 and, as AWS documents, at most 100 per page),
// ExclusiveStartStreamName or NextToken (opaque, 300 s); StreamNames and
// StreamSummaries describe the same page, HasMoreStreams and NextToken say
// whether another follows.

import (
	"context"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type listStreamsInput struct {
	Limit                    *int64  `json:"Limit,omitempty"`
	ExclusiveStartStreamName *string `json:"ExclusiveStartStreamName,omitempty"`
	NextToken                *string `json:"NextToken,omitempty"`
}

type listStreamsOutput struct {
	StreamNames     []string        `json:"StreamNames"`
	HasMoreStreams  bool            `json:"HasMoreStreams"`
	NextToken       string          `json:"NextToken,omitempty"`
	StreamSummaries []streamSummary `json:"StreamSummaries"`
}

type streamSummary struct {
	StreamName              string              `json:"StreamName"`
	StreamARN               string              `json:"StreamARN"`
	StreamStatus            string              `json:"StreamStatus"`
	StreamModeDetails       *streamModeDetails  `json:"StreamModeDetails,omitempty"`
	StreamCreationTimestamp *protocol.Timestamp `json:"StreamCreationTimestamp,omitempty"`
}

const (
	defaultListStreamsLimit = 100
	maxListStreamsPage      = 100
	tokenListStreams        = "LS"
)

func (s *service) listStreams(ctx context.Context, c *protocol.Call) (any, error) {
	var in listStreamsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.intRange("limit", in.Limit, 1, 10000)
	v.str("exclusiveStartStreamName", in.ExclusiveStartStreamName, specStreamName)
	v.str("nextToken", in.NextToken, specNextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	reg := region(c)
	after := deref(in.ExclusiveStartStreamName)
	if in.NextToken != nil {
		f, err := decodeToken(*in.NextToken, tokenListStreams, 2)
		if err != nil {
			return nil, err
		}
		if f[0] != reg {
			return nil, invalidNextToken()
		}
		after = f[1]
	}
	limit := defaultListStreamsLimit
	if in.Limit != nil {
		limit = min(int(*in.Limit), maxListStreamsPage)
	}
	all := s.e.ListStreams(reg)
	var page []stream.Stream
	for i := range all {
		if all[i].Name > after {
			page = all[i:]
			break
		}
	}
	more := len(page) > limit
	if more {
		page = page[:limit]
	}
	out := &listStreamsOutput{
		StreamNames:     make([]string, len(page)),
		HasMoreStreams:  more,
		StreamSummaries: make([]streamSummary, len(page)),
	}
	for i := range page {
		st := &page[i]
		out.StreamNames[i] = st.Name
		out.StreamSummaries[i] = streamSummary{
			StreamName:              st.Name,
			StreamARN:               s.arnOf(st),
			StreamStatus:            string(st.Status),
			StreamModeDetails:       modeDetails(st.Mode),
			StreamCreationTimestamp: tsPtr(st.CreatedAt),
		}
	}
	if more {
		out.NextToken = encodeToken(tokenListStreams, reg, page[len(page)-1].Name)
	}
	return out, nil
}
