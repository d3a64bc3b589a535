package kinesis

// GetRecords: reads up to Limit (1..10,000, default 10,000) records and at
// most 10 MiB from a shard iterator. Supported: Records with
// ApproximateArrivalTimestamp and EncryptionType, NextShardIterator
// (omitted — null to SDKs — once a closed shard is fully read),
// MillisBehindLatest, ChildShards at the end of a closed shard. A forged or
// corrupted iterator is InvalidArgumentException and an old one
// ExpiredIteratorException (the engine decides both).
//
// Deliberately not: StreamARN is checked (pattern, account, region) but the
// iterator alone says which stream is read; StreamId is ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type getRecordsInput struct {
	ShardIterator *string `json:"ShardIterator,omitempty"`
	Limit         *int64  `json:"Limit,omitempty"`
	StreamARN     *string `json:"StreamARN,omitempty"`
	StreamId      *string `json:"StreamId,omitempty"`
}

type getRecordsOutput struct {
	Records            []recordOut     `json:"Records"`
	NextShardIterator  string          `json:"NextShardIterator,omitempty"`
	MillisBehindLatest int64           `json:"MillisBehindLatest"`
	ChildShards        []childShardOut `json:"ChildShards,omitempty"`
}

type recordOut struct {
	SequenceNumber              string             `json:"SequenceNumber"`
	ApproximateArrivalTimestamp protocol.Timestamp `json:"ApproximateArrivalTimestamp"`
	Data                        []byte             `json:"Data"`
	PartitionKey                string             `json:"PartitionKey"`
	EncryptionType              string             `json:"EncryptionType,omitempty"`
}

const defaultGetRecordsLimit = 10000

func (s *service) getRecords(ctx context.Context, c *protocol.Call) (any, error) {
	var in getRecordsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("shardIterator", in.ShardIterator, specShardIterator)
	v.intRange("limit", in.Limit, 1, 10000)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.StreamARN != nil {
		if _, err := s.streamFromARN(c, *in.StreamARN); err != nil {
			return nil, err
		}
	}
	limit := defaultGetRecordsLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	res, err := s.e.GetRecords(region(c), *in.ShardIterator, limit)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	out := &getRecordsOutput{
		Records:            make([]recordOut, len(res.Records)),
		NextShardIterator:  res.NextIterator,
		MillisBehindLatest: res.MillisBehindLatest,
	}
	for i := range res.Records {
		r := &res.Records[i]
		data := r.Data
		if data == nil {
			data = []byte{} // Data is required: an empty record is "", never null
		}
		out.Records[i] = recordOut{
			SequenceNumber:              r.SequenceNumber,
			ApproximateArrivalTimestamp: protocol.Timestamp(r.ArrivalTime),
			Data:                        data,
			PartitionKey:                r.PartitionKey,
			EncryptionType:              recordEncryption(r.EncryptionType),
		}
	}
	if len(res.ChildShards) > 0 {
		out.ChildShards = toChildShards(res.ChildShards)
	}
	return out, nil
}
