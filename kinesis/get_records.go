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
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
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
	name, err := s.e.IteratorStream(region(c), *in.ShardIterator)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	if err := s.authorize(ctx, c, s.streamARN(region(c), name)); err != nil {
		return nil, err
	}
	if err := s.authorizeKey(ctx, c, region(c), name, "kms:Decrypt"); err != nil {
		return nil, err
	}
	limit := defaultGetRecordsLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	res, err := s.e.GetRecords(region(c), *in.ShardIterator, limit)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	if c.Codec == protocol.JSON {
		return &getRecordsAnswer{res: res}, nil
	}
	return toGetRecordsOutput(&res), nil
}

// toGetRecordsOutput is the answer as the reflection codecs (CBOR) take it.
func toGetRecordsOutput(res *stream.Records) *getRecordsOutput {
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
	return out
}

// getRecordsAnswer is a JSON GetRecords answer that encodes itself
// straight from the engine's records: the same bytes encoding/json writes
// for toGetRecordsOutput (TestGetRecordsAppendJSONMatchesEncodingJSON), with
// no per-record allocation and one pass over the data.
type getRecordsAnswer struct {
	res stream.Records
}

var (
	_ protocol.JSONAppender = (*getRecordsAnswer)(nil)
	_ protocol.Releaser     = (*getRecordsAnswer)(nil)
)

// Release hands the records' memory back to the engine once the answer
// is written.
func (a *getRecordsAnswer) Release() { a.res.Release() }

func (a *getRecordsAnswer) AppendJSON(b []byte) []byte {
	recs := a.res.Records
	// One growth up front: base64 of the data plus the members' framing.
	need := 64 + len(a.res.NextIterator)
	for i := range recs {
		need += base64.StdEncoding.EncodedLen(len(recs[i].Data)) + len(recs[i].PartitionKey) + 160
	}
	b = slices.Grow(b, need)
	b = append(b, `{"Records":[`...)
	for i := range recs {
		r := &recs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"SequenceNumber":`...)
		b = protocol.AppendJSONString(b, r.SequenceNumber)
		b = append(b, `,"ApproximateArrivalTimestamp":`...)
		b = protocol.AppendJSONEpochMillis(b, r.ArrivalTime.UnixMilli())
		b = append(b, `,"Data":"`...)
		b = protocol.AppendBase64(b, r.Data) // nil data is "", never null
		b = append(b, `","PartitionKey":`...)
		b = protocol.AppendJSONString(b, r.PartitionKey)
		if enc := recordEncryption(r.EncryptionType); enc != "" {
			b = append(b, `,"EncryptionType":`...)
			b = protocol.AppendJSONString(b, enc)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if a.res.NextIterator != "" {
		b = append(b, `,"NextShardIterator":`...)
		b = protocol.AppendJSONString(b, a.res.NextIterator)
	}
	b = append(b, `,"MillisBehindLatest":`...)
	b = strconv.AppendInt(b, a.res.MillisBehindLatest, 10)
	if len(a.res.ChildShards) > 0 {
		// Rare (the end of a closed shard) and small: the reflection
		// encoder, as encode would run it.
		children, err := protocol.Marshal(protocol.JSON, toChildShards(a.res.ChildShards))
		if err != nil {
			panic(fmt.Sprintf("kinesis: encode child shards: %v", err)) // strings and slices always encode
		}
		b = append(b, `,"ChildShards":`...)
		b = append(b, children...)
	}
	return append(b, '}')
}
