package kinesis

// UpdateMaxRecordSize: sets the stream's maximum record size, 1,024 to
// 10,240 KiB; PutRecord(s) then accept records up to that size (data plus
// partition key) and PutRecords up to 10 MiB per request.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type updateMaxRecordSizeInput struct {
	StreamARN          *string `json:"StreamARN,omitempty"`
	StreamId           *string `json:"StreamId,omitempty"`
	MaxRecordSizeInKiB *int64  `json:"MaxRecordSizeInKiB,omitempty"`
}

func (s *service) updateMaxRecordSize(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateMaxRecordSizeInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	v.intReq("maxRecordSizeInKiB", in.MaxRecordSizeInKiB, 1024, 10240)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.StreamARN == nil {
		// The model's only way to name the stream here is its ARN.
		return nil, invalidArgument("StreamARN must be provided.")
	}
	reg, name, err := s.resolve(ctx, c, nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := s.e.SetMaxRecordSize(reg, name, int(*in.MaxRecordSizeInKiB)); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
