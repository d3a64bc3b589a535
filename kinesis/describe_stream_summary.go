package kinesis

// DescribeStreamSummary: the stream without its shard list: OpenShardCount,
// ConsumerCount (always 0: enhanced fan-out is not served yet),
// MaxRecordSizeInKiB, encryption and enhanced-monitoring settings, and the
// warm throughput last asked for with UpdateStreamWarmThroughput.
//
// Deliberately not: StreamId is not reported (caudal streams have none).

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type describeStreamSummaryInput struct {
	StreamName *string `json:"StreamName,omitempty"`
	StreamARN  *string `json:"StreamARN,omitempty"`
	StreamId   *string `json:"StreamId,omitempty"`
}

type describeStreamSummaryOutput struct {
	StreamDescriptionSummary streamDescriptionSummary `json:"StreamDescriptionSummary"`
}

type streamDescriptionSummary struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamModeDetails       *streamModeDetails `json:"StreamModeDetails,omitempty"`
	RetentionPeriodHours    int                `json:"RetentionPeriodHours"`
	StreamCreationTimestamp protocol.Timestamp `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics  `json:"EnhancedMonitoring"`
	EncryptionType          string             `json:"EncryptionType,omitempty"`
	KeyId                   string             `json:"KeyId,omitempty"`
	OpenShardCount          int                `json:"OpenShardCount"`
	ConsumerCount           int                `json:"ConsumerCount"`
	WarmThroughput          *warmThroughput    `json:"WarmThroughput,omitempty"`
	MaxRecordSizeInKiB      int                `json:"MaxRecordSizeInKiB,omitempty"`
}

func (s *service) describeStreamSummary(ctx context.Context, c *protocol.Call) (any, error) {
	var in describeStreamSummaryInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.streamRef(in.StreamName, in.StreamARN, in.StreamId)
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
	maxKiB := st.MaxRecordSizeKiB
	if maxKiB == 0 {
		maxKiB = defaultMaxRecord >> 10
	}
	out := &describeStreamSummaryOutput{StreamDescriptionSummary: streamDescriptionSummary{
		StreamName:              st.Name,
		StreamARN:               s.arnOf(&st),
		StreamStatus:            string(st.Status),
		StreamModeDetails:       modeDetails(st.Mode),
		RetentionPeriodHours:    st.RetentionHours,
		StreamCreationTimestamp: ts(st.CreatedAt),
		EnhancedMonitoring:      enhancedMonitoring(st.ShardLevelMetrics),
		EncryptionType:          encryptionType(st.EncryptionType),
		KeyId:                   st.KeyID,
		OpenShardCount:          st.OpenShardCount,
		MaxRecordSizeInKiB:      maxKiB,
	}}
	s.mu.Lock()
	if w, ok := s.warm[streamKey{reg, name}]; ok {
		out.StreamDescriptionSummary.WarmThroughput = &warmThroughput{TargetMiBps: int64Ptr(int64(w)), CurrentMiBps: int64Ptr(int64(w))}
	}
	s.mu.Unlock()
	return out, nil
}
