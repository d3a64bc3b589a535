package kinesis

import (
	"bytes"
	"testing"
	"time"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

// getRecordsCases are answers covering every member and edge the JSON
// appender writes.
func getRecordsCases() []stream.Records {
	at := time.UnixMilli(1700000000123)
	return []stream.Records{
		{},
		{Records: []stream.Record{}, NextIterator: "AAAA+/==", MillisBehindLatest: 0},
		{
			Records: []stream.Record{
				{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ArrivalTime: at, PartitionKey: "k", Data: []byte("hello")},
				{SequenceNumber: "2", ArrivalTime: time.UnixMilli(-1500), PartitionKey: "<&> \"q\" \\ \u2028 \xff caf\u00e9", Data: nil},
				{SequenceNumber: "3", ArrivalTime: time.UnixMilli(0), PartitionKey: "\x00\n", Data: []byte{}, EncryptionType: "KMS"},
				{SequenceNumber: "4", ArrivalTime: at, PartitionKey: "x", Data: bytes.Repeat([]byte{0xfb, 0xff, 0}, 400), EncryptionType: "NONE"},
			},
			NextIterator:       "it-123",
			MillisBehindLatest: 12345,
		},
		{
			Records: []stream.Record{{SequenceNumber: "9", ArrivalTime: at, PartitionKey: "p", Data: []byte{1}}},
			ChildShards: []stream.ChildShard{
				{ShardID: "shardId-000000000002", ParentShards: []string{"shardId-000000000000", "shardId-000000000001"},
					HashKeyStart: stream.HashKey{}, HashKeyEnd: stream.HashKey{Hi: ^uint64(0), Lo: ^uint64(0)}},
				{ShardID: "shardId-000000000003"},
			},
		},
	}
}

// TestGetRecordsAppendJSONMatchesEncodingJSON: the self-encoded answer is
// byte for byte what encoding/json writes for the struct answer.
func TestGetRecordsAppendJSONMatchesEncodingJSON(t *testing.T) {
	for i, res := range getRecordsCases() {
		want, err := protocol.Marshal(protocol.JSON, toGetRecordsOutput(&res))
		if err != nil {
			t.Fatal(err)
		}
		got := (&getRecordsAnswer{res: res}).AppendJSON([]byte("prefix"))
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("case %d:\n got %s\nwant prefix%s", i, got, want)
		}
	}
}

// FuzzGetRecordsAppendJSON: for any record contents the appender and
// encoding/json agree.
func FuzzGetRecordsAppendJSON(f *testing.F) {
	f.Add("k", []byte("data"), int64(1700000000123), "it", "", int64(5))
	f.Add("\u2028<\xff", []byte(nil), int64(-1), "", "KMS", int64(0))
	f.Fuzz(func(t *testing.T, key string, data []byte, ms int64, next, enc string, behind int64) {
		ms %= 1 << 45 // within what time.Time and Timestamp represent exactly
		res := stream.Records{
			Records:            []stream.Record{{SequenceNumber: "1", ArrivalTime: time.UnixMilli(ms), PartitionKey: key, Data: data, EncryptionType: enc}},
			NextIterator:       next,
			MillisBehindLatest: behind,
		}
		want, err := protocol.Marshal(protocol.JSON, toGetRecordsOutput(&res))
		if err != nil {
			t.Fatal(err)
		}
		if got := (&getRecordsAnswer{res: res}).AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}

// TestGetRecordsAppendJSONAllocs: encoding an answer allocates nothing per
// record once the destination has room.
func TestGetRecordsAppendJSONAllocs(t *testing.T) {
	recs := make([]stream.Record, 1000)
	for i := range recs {
		recs[i] = stream.Record{SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
			ArrivalTime: time.UnixMilli(1700000000123), PartitionKey: "partition-key", Data: make([]byte, 512)}
	}
	a := &getRecordsAnswer{res: stream.Records{Records: recs, NextIterator: "it"}}
	buf := a.AppendJSON(nil)
	if n := testing.AllocsPerRun(20, func() { buf = a.AppendJSON(buf[:0]) }); n != 0 {
		t.Errorf("AppendJSON of 1,000 records: %v allocs, want 0", n)
	}
}

// TestPutRecordsAppendJSONMatchesEncodingJSON: the self-encoded PutRecords
// answer is byte for byte what encoding/json writes.
func TestPutRecordsAppendJSONMatchesEncodingJSON(t *testing.T) {
	for i, out := range []putRecordsOutput{
		{},
		{Records: []putRecordsResultEntry{}},
		{Records: []putRecordsResultEntry{
			{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ShardId: "shardId-000000000000"},
			{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000001 in stream s under account 123456789012."},
			{ErrorCode: "InternalFailure", ErrorMessage: "odd \"quoted\" <&> \u2028 \xff"},
			{},
		}, FailedRecordCount: 2, EncryptionType: "KMS"},
	} {
		type plain putRecordsOutput // the same members, encoded by encoding/json
		want, err := protocol.Marshal(protocol.JSON, (*plain)(&out))
		if err != nil {
			t.Fatal(err)
		}
		if got := out.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
