package kinesis

// PutRecord: one record, as PutRecords, except that a throughput or
// internal failure fails the call (ProvisionedThroughputExceededException,
// InternalFailureException) instead of being reported per record.
//
// Deliberately not: SequenceNumberForOrdering is checked against its
// pattern and otherwise ignored — the engine already gives every record of
// a shard a strictly greater sequence number than the one before, which is
// the ordering the parameter asks for. StreamId is ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type putRecordInput struct {
	StreamName                *string `json:"StreamName,omitempty"`
	Data                      []byte  `json:"Data"`
	PartitionKey              *string `json:"PartitionKey,omitempty"`
	ExplicitHashKey           *string `json:"ExplicitHashKey,omitempty"`
	SequenceNumberForOrdering *string `json:"SequenceNumberForOrdering,omitempty"`
	StreamARN                 *string `json:"StreamARN,omitempty"`
	StreamId                  *string `json:"StreamId,omitempty"`
}

type putRecordOutput struct {
	ShardId        string `json:"ShardId"`
	SequenceNumber string `json:"SequenceNumber"`
	EncryptionType string `json:"EncryptionType,omitempty"`
}

func (s *service) putRecord(ctx context.Context, c *protocol.Call) (any, error) {
	var in putRecordInput
	// The engine copies every record before it answers, so the blobs
	// may live in the call's reused buffer.
	if err := c.DecodeTransient(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	if v.required("data", in.Data != nil) {
		v.blobMax("data", in.Data, maxDataModel)
	}
	v.strReq("partitionKey", in.PartitionKey, specPartitionKey)
	v.str("explicitHashKey", in.ExplicitHashKey, specHashKey)
	v.str("sequenceNumberForOrdering", in.SequenceNumberForOrdering, specSequence)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	entry := []stream.PutEntry{{PartitionKey: *in.PartitionKey, Data: in.Data}}
	if in.ExplicitHashKey != nil {
		if _, ok := parseHashKey(*in.ExplicitHashKey); !ok {
			return nil, invalidHashKey(*in.ExplicitHashKey)
		}
		entry[0].ExplicitHashKey = *in.ExplicitHashKey
	}
	st, err := s.e.WriteSettings(reg, name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	if st.EncryptionType == "KMS" {
		if err := s.authorizeKey(ctx, c, reg, name, "kms:GenerateDataKey"); err != nil {
			return nil, err
		}
	}
	if err := tooLarge(c, &st); err != nil {
		return nil, err
	}
	if err := checkRecordSize(&st, &entry[0]); err != nil {
		return nil, err
	}
	results, err := s.e.PutRecords(reg, name, entry)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	if len(results) != 1 {
		return nil, &protocol.Error{Code: codeInternalFailure, Status: 500, Message: internalFailureMessage}
	}
	if results[0].Err != nil {
		return nil, s.wireError(c, results[0].Err)
	}
	return &putRecordOutput{
		ShardId:        results[0].ShardID,
		SequenceNumber: results[0].SequenceNumber,
		EncryptionType: recordEncryption(st.EncryptionType),
	}, nil
}

// checkRecordSize is PutRecord's size limit: AWS names the member 'data'
// (not 'records.N.member.data') when the blob alone is too large.
func checkRecordSize(st *stream.WriteSettings, e *stream.PutEntry) error {
	maxRecord := defaultMaxRecord
	if st.MaxRecordSizeKiB > 0 {
		maxRecord = st.MaxRecordSizeKiB << 10
	}
	if len(e.Data) > maxRecord {
		var v checker
		v.blobMax("data", e.Data, maxRecord)
		return v.err()
	}
	if n := len(e.Data) + len(e.PartitionKey); n > maxRecord {
		return invalidArgument("The record has a size of %d bytes including its partition key, which exceeds the maximum record size of %d bytes.",
			n, maxRecord)
	}
	return nil
}
