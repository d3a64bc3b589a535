package firehose

// PutRecord: one record (at most 1,000 KiB) appended durably to a
// DirectPut delivery stream before the answer; the RecordId encodes its
// position. A KinesisStreamAsSource delivery stream refuses it with
// InvalidArgumentException, as AWS does. Encrypted reports whether
// server-side encryption is on.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type record struct {
	Data []byte `json:"Data"`
}

type putRecordInput struct {
	DeliveryStreamName *string `json:"DeliveryStreamName,omitempty"`
	Record             *record `json:"Record,omitempty"`
}

type putRecordOutput struct {
	RecordId  string `json:"RecordId"`
	Encrypted bool   `json:"Encrypted"`
}

func (s *service) putRecord(ctx context.Context, c *protocol.Call) (any, error) {
	var in putRecordInput
	if err := c.DecodeTransient(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	if v.required("record", in.Record != nil) {
		v.blob("record.data", in.Record.Data, in.Record.Data != nil)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, err := s.resolve(ctx, c, *in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	ids, err := s.e.Put(reg, *in.DeliveryStreamName, [][]byte{in.Record.Data})
	if err != nil {
		return nil, wireError(c, err)
	}
	return putRecordOutput{RecordId: ids[0], Encrypted: s.encrypted(reg, *in.DeliveryStreamName)}, nil
}

func (s *service) encrypted(region, name string) bool {
	d, err := s.e.Describe(region, name)
	return err == nil && d.Encryption.Status == "ENABLED"
}
