package firehose

// PutRecordBatch: up to 500 records and 4 MiB in one durable append (one
// group-committed fsync). The limits are checked on the whole request
// first (a record over 1,000 KiB or more than 500 records is a
// ValidationException; over 4 MiB in all an InvalidArgumentException).
// Records are then accepted or refused together: a storage failure fails
// each record with ServiceUnavailableException in RequestResponses and
// FailedPutCount, the per-record form clients retry.

import (
	"context"
	"errors"

	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

type putRecordBatchInput struct {
	DeliveryStreamName *string  `json:"DeliveryStreamName,omitempty"`
	Records            []record `json:"Records,omitempty"`
}

type putRecordBatchEntry struct {
	RecordId     string `json:"RecordId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putRecordBatchOutput struct {
	FailedPutCount   int                   `json:"FailedPutCount"`
	Encrypted        bool                  `json:"Encrypted"`
	RequestResponses []putRecordBatchEntry `json:"RequestResponses"`
}

func (s *service) putRecordBatch(ctx context.Context, c *protocol.Call) (any, error) {
	var in putRecordBatchInput
	if err := c.DecodeTransient(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	if v.required("records", in.Records != nil) {
		v.listLen("records", len(in.Records), 1, delivery.MaxBatchRecords)
		for i := range in.Records {
			v.blob("records."+itoa(i+1)+".member.data", in.Records[i].Data, in.Records[i].Data != nil)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	total := 0
	for i := range in.Records {
		total += len(in.Records[i].Data)
	}
	if total > delivery.MaxBatchBytes {
		return nil, invalidArgument("Records size exceeds 4 MB limit")
	}
	reg, err := s.resolve(ctx, c, *in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	datas := make([][]byte, len(in.Records))
	for i := range in.Records {
		datas[i] = in.Records[i].Data
	}
	out := putRecordBatchOutput{RequestResponses: make([]putRecordBatchEntry, len(datas))}
	ids, err := s.e.Put(reg, *in.DeliveryStreamName, datas)
	if err != nil {
		if !errors.Is(err, delivery.ErrInternal) {
			return nil, wireError(c, err)
		}
		code, msg := errorCode(c, err)
		for i := range out.RequestResponses {
			out.RequestResponses[i] = putRecordBatchEntry{ErrorCode: code, ErrorMessage: msg}
		}
		out.FailedPutCount = len(datas)
		return out, nil
	}
	for i, id := range ids {
		out.RequestResponses[i].RecordId = id
	}
	out.Encrypted = s.encrypted(reg, *in.DeliveryStreamName)
	return out, nil
}
