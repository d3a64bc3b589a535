package kinesis

// IncreaseStreamRetentionPeriod: 24..8760 hours. The bounds are checked
// here with AWS's wording; that the new period is not shorter than the
// current one is the engine's check, worded as AWS words it.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type retentionInput struct {
	StreamName           *string `json:"StreamName,omitempty"`
	RetentionPeriodHours *int64  `json:"RetentionPeriodHours,omitempty"`
	StreamARN            *string `json:"StreamARN,omitempty"`
	StreamId             *string `json:"StreamId,omitempty"`
}

const (
	minRetentionHours = 24
	maxRetentionHours = 8760
)

func (s *service) increaseStreamRetentionPeriod(ctx context.Context, c *protocol.Call) (any, error) {
	reg, name, hours, err := s.retentionCall(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := s.e.IncreaseRetention(reg, name, hours); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}

// retentionCall decodes and checks the input both retention operations
// share.
func (s *service) retentionCall(ctx context.Context, c *protocol.Call) (string, string, int, error) {
	var in retentionInput
	if err := c.Decode(&in); err != nil {
		return "", "", 0, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.required("retentionPeriodHours", in.RetentionPeriodHours != nil)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return "", "", 0, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return "", "", 0, err
	}
	h := *in.RetentionPeriodHours
	switch {
	case h < minRetentionHours:
		return "", "", 0, invalidArgument("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetentionHours, h)
	case h > maxRetentionHours:
		return "", "", 0, invalidArgument("Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", maxRetentionHours, h)
	}
	return reg, name, int(h), nil
}
