package kinesis

// UpdateStreamMode: switches a stream between PROVISIONED and ON_DEMAND;
// the model makes StreamARN the only way to name the stream here. The
// engine refuses a switch to the current mode or on a stream that is not
// ACTIVE.
//
// Deliberately not: WarmThroughputMiBps is checked and remembered in memory
// like UpdateStreamWarmThroughput's.

import (
	"context"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type updateStreamModeInput struct {
	StreamARN           *string        `json:"StreamARN,omitempty"`
	StreamId            *string        `json:"StreamId,omitempty"`
	StreamModeDetails   *modeDetailsIn `json:"StreamModeDetails,omitempty"`
	WarmThroughputMiBps *int64         `json:"WarmThroughputMiBps,omitempty"`
}

func (s *service) updateStreamMode(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateStreamModeInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	v.modeDetails("streamModeDetails", in.StreamModeDetails, true)
	v.intRange("warmThroughputMiBps", in.WarmThroughputMiBps, 0, -1)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := s.e.UpdateStreamMode(reg, name, stream.Mode(*in.StreamModeDetails.StreamMode)); err != nil {
		return nil, s.wireError(c, err)
	}
	if in.WarmThroughputMiBps != nil {
		s.mu.Lock()
		s.warm[streamKey{reg, name}] = int(*in.WarmThroughputMiBps)
		s.mu.Unlock()
	}
	return empty{}, nil
}
