package kinesis

// UpdateStreamWarmThroughput: on an ON_DEMAND stream, records the warm
// throughput asked for and answers it as both target and current — caudal
// has no capacity to warm, so what is asked for is what the stream has.
// DescribeStreamSummary reports it. A PROVISIONED stream is refused, as
// warm throughput is an on-demand setting.
//
// Deliberately not: kept in this process's memory only (the engine has no
// field for it yet), so a restart forgets it.

import (
	"context"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type updateStreamWarmThroughputInput struct {
	StreamARN           *string `json:"StreamARN,omitempty"`
	StreamName          *string `json:"StreamName,omitempty"`
	StreamId            *string `json:"StreamId,omitempty"`
	WarmThroughputMiBps *int64  `json:"WarmThroughputMiBps,omitempty"`
}

type updateStreamWarmThroughputOutput struct {
	StreamARN      string          `json:"StreamARN,omitempty"`
	StreamName     string          `json:"StreamName,omitempty"`
	WarmThroughput *warmThroughput `json:"WarmThroughput,omitempty"`
}

func (s *service) updateStreamWarmThroughput(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateStreamWarmThroughputInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamName", in.StreamName, specStreamName)
	v.str("streamId", in.StreamId, specStreamID)
	v.intReq("warmThroughputMiBps", in.WarmThroughputMiBps, 0, -1)
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
	if st.Mode != stream.ModeOnDemand {
		return nil, invalidArgument("Warm throughput can only be configured for streams in ON_DEMAND mode. Stream %s under account %s is in %s mode.",
			name, s.accountID, st.Mode)
	}
	w := *in.WarmThroughputMiBps
	s.mu.Lock()
	s.warm[streamKey{reg, name}] = int(w)
	s.mu.Unlock()
	return &updateStreamWarmThroughputOutput{
		StreamARN:      s.arnOf(&st),
		StreamName:     name,
		WarmThroughput: &warmThroughput{TargetMiBps: int64Ptr(w), CurrentMiBps: int64Ptr(w)},
	}, nil
}
