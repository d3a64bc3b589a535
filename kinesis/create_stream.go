package kinesis

// CreateStream: PROVISIONED (ShardCount shards) or ON_DEMAND streams, with
// tags. The engine refuses an existing name (ResourceInUseException), the
// account's shard limit (LimitExceededException) and PROVISIONED without
// ShardCount. A request with neither ShardCount nor StreamModeDetails
// creates an ON_DEMAND stream: AWS accepts such a request, and on-demand is
// the only mode that needs no shard count. ShardCount together with
// ON_DEMAND is refused as AWS refuses it.
//
// Deliberately not: WarmThroughputMiBps is checked (>= 0) and remembered in
// memory only (see update_stream_warm_throughput.go). MaxRecordSizeInKiB is
// applied right after creation with UpdateMaxRecordSize's engine call, since
// stream.CreateOptions has no field for it yet.

import (
	"context"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type createStreamInput struct {
	StreamName          *string           `json:"StreamName,omitempty"`
	ShardCount          *int64            `json:"ShardCount,omitempty"`
	StreamModeDetails   *modeDetailsIn    `json:"StreamModeDetails,omitempty"`
	Tags                map[string]string `json:"Tags,omitempty"`
	WarmThroughputMiBps *int64            `json:"WarmThroughputMiBps,omitempty"`
	MaxRecordSizeInKiB  *int64            `json:"MaxRecordSizeInKiB,omitempty"`
}

type modeDetailsIn struct {
	StreamMode *string `json:"StreamMode,omitempty"`
}

// maxInt32 is the largest Integer AWS's Java front end holds.
const maxInt32 = 1<<31 - 1

func (v *checker) modeDetails(path string, m *modeDetailsIn, required bool) {
	if m == nil {
		if required {
			v.required(path, false)
		}
		return
	}
	v.enumReq(path+".streamMode", m.StreamMode, enumStreamMode)
}

func (s *service) createStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in createStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("streamName", in.StreamName, specStreamName)
	v.intRange("shardCount", in.ShardCount, 1, maxInt32)
	v.modeDetails("streamModeDetails", in.StreamModeDetails, false)
	if in.Tags != nil {
		v.tagMap("tags", in.Tags, true)
	}
	v.intRange("warmThroughputMiBps", in.WarmThroughputMiBps, 0, -1)
	v.intRange("maxRecordSizeInKiB", in.MaxRecordSizeInKiB, 1024, 10240)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.streamARN(region(c), *in.StreamName)); err != nil {
		return nil, err
	}
	mode := stream.ModeProvisioned
	switch {
	case in.StreamModeDetails != nil:
		mode = stream.Mode(*in.StreamModeDetails.StreamMode)
	case in.ShardCount == nil:
		mode = stream.ModeOnDemand
	}
	opts := stream.CreateOptions{Mode: mode, Tags: in.Tags}
	if in.ShardCount != nil {
		if mode == stream.ModeOnDemand {
			return nil, invalidArgument("ShardCount is not expected when StreamMode=ON_DEMAND")
		}
		opts.ShardCount = int(*in.ShardCount)
	}
	if err := checkTagChars(in.Tags, "add tags to", *in.StreamName, s.accountID); err != nil {
		return nil, err
	}
	reg := region(c)
	if err := s.e.CreateStream(reg, *in.StreamName, opts); err != nil {
		return nil, s.wireError(c, err)
	}
	if in.MaxRecordSizeInKiB != nil && *in.MaxRecordSizeInKiB != 1024 {
		if err := s.e.SetMaxRecordSize(reg, *in.StreamName, int(*in.MaxRecordSizeInKiB)); err != nil {
			return nil, s.wireError(c, err)
		}
	}
	if in.WarmThroughputMiBps != nil {
		s.mu.Lock()
		s.warm[streamKey{reg, *in.StreamName}] = int(*in.WarmThroughputMiBps)
		s.mu.Unlock()
	}
	return empty{}, nil
}
