package e2e

// CBOR over the wire, built by hand the way the AWS SDK for Java sends it
// (the Java SDK and the KCL talk CBOR to Kinesis by default; no Go or
// Python client does, so nothing else here exercises this path).
//
// What the Java SDK puts on the wire, and where that is written down:
//
//   - Content-Type application/x-amz-cbor-1.1, X-Amz-Target as in JSON 1.1
//     (aws-sdk-java-v2 core/protocols/aws-cbor-protocol AwsCborProtocolFactory:
//     content type "application/x-amz-cbor-" + the service's JSON version).
//   - Maps and arrays come from Jackson's CBORGenerator, which writes them
//     with indefinite length (0xBF … 0xFF, 0x9F … 0xFF); strings are text
//     strings; blobs (Data) are byte strings, not base64 text.
//   - Timestamps are tag 1 followed by an INTEGER count of epoch
//     MILLISECONDS, not RFC 8949's seconds: aws-sdk-java-v2
//     SdkCborGenerator.writeValue(Instant) does writeTag(1) then
//     writeNumber(instant.toEpochMilli()); AwsCborProtocolFactory sets the
//     payload timestamp format to UNIX_TIMESTAMP_MILLIS "rather than epoch
//     seconds with millisecond decimal precision like JSON protocols". A
//     wire capture of GetShardIterator AT_TIMESTAMP shows
//     "c1 1b 000001a013accc38" (tag 1, uint64 1787036486712 ms) — see
//     aws/aws-sdk-java-v2 issue #4661 and floci-io/floci issue #2368.
//   - Responses are parsed with the same format: the SDK reads a
//     timestamp as a long of epoch milliseconds (aws-sdk-java-v2 issue #184:
//     "In V1 we parse it as a long"; a float such as 1.603149588042E9 fails,
//     localstack issue #3134), so ApproximateArrivalTimestamp must come back
//     as an integer of milliseconds (tag 1 or bare).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// cborEnc writes CBOR the way Jackson's CBORGenerator does for the AWS SDK
// for Java: indefinite-length containers, minimal-length integer heads.
type cborEnc struct{ bytes.Buffer }

func (e *cborEnc) head(major byte, n uint64) {
	m := major << 5
	switch {
	case n < 24:
		e.WriteByte(m | byte(n))
	case n <= math.MaxUint8:
		e.WriteByte(m | 24)
		e.WriteByte(byte(n))
	case n <= math.MaxUint16:
		e.WriteByte(m | 25)
		e.Write(binary.BigEndian.AppendUint16(nil, uint16(n)))
	case n <= math.MaxUint32:
		e.WriteByte(m | 26)
		e.Write(binary.BigEndian.AppendUint32(nil, uint32(n)))
	default:
		e.WriteByte(m | 27)
		e.Write(binary.BigEndian.AppendUint64(nil, n))
	}
}

func (e *cborEnc) mapStart() *cborEnc { e.WriteByte(0xBF); return e }
func (e *cborEnc) arrStart() *cborEnc { e.WriteByte(0x9F); return e }
func (e *cborEnc) end() *cborEnc      { e.WriteByte(0xFF); return e }
func (e *cborEnc) str(s string) *cborEnc {
	e.head(3, uint64(len(s)))
	e.WriteString(s)
	return e
}
func (e *cborEnc) blob(b []byte) *cborEnc {
	e.head(2, uint64(len(b)))
	e.Write(b)
	return e
}
func (e *cborEnc) uint(n uint64) *cborEnc { e.head(0, n); return e }

// timestamp writes tag 1 and integer epoch milliseconds, as the Java SDK does.
func (e *cborEnc) timestamp(t time.Time) *cborEnc {
	e.WriteByte(0xC1)
	e.head(0, uint64(t.UnixMilli()))
	return e
}

// kv writes a text key; the caller writes the value next.
func (e *cborEnc) key(k string) *cborEnc { return e.str(k) }

// cborCall sends a signed CBOR call and decodes the answer's top-level map.
func cborCall(t testing.TB, s *Server, op string, body []byte) (int, map[string]cbor.RawMessage, http.Header) {
	t.Helper()
	req := newKinesisRequest(t, s, op, contentTypeCBOR, body)
	signRequest(t, req, body, s.AccessKeyID, s.SecretAccessKey, testRegion, time.Now())
	r := doRaw(t, req)
	if ct := r.Header.Get("Content-Type"); ct != contentTypeCBOR {
		t.Errorf("%s: answer Content-Type %q, want %q (CBOR requests get CBOR answers); HTTP %d body %q", op, ct, contentTypeCBOR, r.StatusCode, r.Body)
	}
	var m map[string]cbor.RawMessage
	if len(r.Body) > 0 {
		if err := cbor.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("%s: answer is not a CBOR map: %v; HTTP %d body %q", op, err, r.StatusCode, r.Body)
		}
	}
	return r.StatusCode, m, r.Header
}

func cborOK(t testing.TB, s *Server, op string, body []byte) map[string]cbor.RawMessage {
	t.Helper()
	status, m, _ := cborCall(t, s, op, body)
	if status != 200 {
		t.Fatalf("%s over CBOR: HTTP %d, __type %q message %q", op, status, cborString(t, m["__type"]), cborString(t, m["message"]))
	}
	return m
}

func cborString(t testing.TB, raw cbor.RawMessage) string {
	t.Helper()
	if raw == nil {
		return ""
	}
	var s string
	if err := cbor.Unmarshal(raw, &s); err != nil {
		t.Fatalf("not a CBOR text string: %x (%v)", []byte(raw), err)
	}
	return s
}

// cborMillis decodes a timestamp as the Java SDK reads it: tag 1 optional,
// then an integer of epoch milliseconds.
func cborMillis(t testing.TB, raw cbor.RawMessage) time.Time {
	t.Helper()
	b := []byte(raw)
	if len(b) > 0 && b[0] == 0xC1 {
		b = b[1:]
	}
	var v any
	if err := cbor.Unmarshal(b, &v); err != nil {
		t.Fatalf("timestamp %x: %v", []byte(raw), err)
	}
	switch n := v.(type) {
	case uint64:
		return time.UnixMilli(int64(n))
	case int64:
		return time.UnixMilli(n)
	default:
		t.Fatalf("timestamp %x decodes to %T %v; the Java SDK reads an integer of epoch milliseconds", []byte(raw), v, v)
		return time.Time{}
	}
}

func TestE2ECBOR(t *testing.T) {
	s := startServer(t)
	const name = "cbor-stream"

	// CreateStream, then DescribeStreamSummary until ACTIVE — both CBOR.
	cborOK(t, s, "CreateStream", new(cborEnc).mapStart().key("StreamName").str(name).key("ShardCount").uint(2).end().Bytes())
	var summary map[string]cbor.RawMessage
	eventually(t, activeTimeout, func() bool {
		m := cborOK(t, s, "DescribeStreamSummary", new(cborEnc).mapStart().key("StreamName").str(name).end().Bytes())
		var sd map[string]cbor.RawMessage
		if err := cbor.Unmarshal(m["StreamDescriptionSummary"], &sd); err != nil {
			t.Fatalf("StreamDescriptionSummary: %v", err)
		}
		summary = sd
		return cborString(t, sd["StreamStatus"]) == "ACTIVE"
	}, "stream %s not ACTIVE over CBOR", name)
	if created := cborMillis(t, summary["StreamCreationTimestamp"]); time.Since(created) > time.Minute || time.Until(created) > time.Second {
		t.Errorf("StreamCreationTimestamp decodes (as epoch ms) to %v, not around now", created)
	}

	// PutRecord with every byte value, routed to shard 0 by ExplicitHashKey.
	payload := allBytes()
	before := time.Now().Add(-time.Second)
	put := cborOK(t, s, "PutRecord", new(cborEnc).mapStart().
		key("StreamName").str(name).
		key("Data").blob(payload).
		key("PartitionKey").str("pk-0").
		key("ExplicitHashKey").str("0").
		end().Bytes())
	seq0 := cborString(t, put["SequenceNumber"])
	if shard := cborString(t, put["ShardId"]); shard != "shardId-000000000000" || seq0 == "" {
		t.Fatalf("PutRecord over CBOR: ShardId %q SequenceNumber %q", shard, seq0)
	}

	// PutRecords: three records, including an empty-ish one and a large one.
	big := bytes.Repeat(payload, 1024) // 256 KiB
	datas := [][]byte{append([]byte{0xFF, 0x00}, payload...), {0x00}, big}
	recs := new(cborEnc).mapStart().key("Records").arrStart()
	for i, d := range datas {
		recs.mapStart().key("Data").blob(d).key("ExplicitHashKey").str("1").key("PartitionKey").str(fmt.Sprintf("pk-%d", i+1)).end()
	}
	recs.end().key("StreamName").str(name).end()
	prs := cborOK(t, s, "PutRecords", recs.Bytes())
	var failed uint64
	if err := cbor.Unmarshal(prs["FailedRecordCount"], &failed); err != nil || failed != 0 {
		t.Fatalf("PutRecords over CBOR: FailedRecordCount %d (%v)", failed, err)
	}
	var results []map[string]cbor.RawMessage
	if err := cbor.Unmarshal(prs["Records"], &results); err != nil || len(results) != 3 {
		t.Fatalf("PutRecords over CBOR: Records %v (%v)", results, err)
	}
	for _, r := range results {
		if cborString(t, r["ShardId"]) != "shardId-000000000000" {
			t.Errorf("PutRecords entry went to %q", cborString(t, r["ShardId"]))
		}
	}
	after := time.Now().Add(time.Second)

	// GetShardIterator TRIM_HORIZON, GetRecords: byte-for-byte round trip.
	it := cborOK(t, s, "GetShardIterator", new(cborEnc).mapStart().
		key("StreamName").str(name).key("ShardId").str("shardId-000000000000").key("ShardIteratorType").str("TRIM_HORIZON").end().Bytes())
	iter := cborString(t, it["ShardIterator"])
	gr := cborOK(t, s, "GetRecords", new(cborEnc).mapStart().key("ShardIterator").str(iter).end().Bytes())
	var records []map[string]cbor.RawMessage
	if err := cbor.Unmarshal(gr["Records"], &records); err != nil {
		t.Fatalf("GetRecords Records: %v", err)
	}
	want := append([][]byte{payload}, datas...)
	if len(records) != len(want) {
		t.Fatalf("GetRecords over CBOR: %d records, want %d", len(records), len(want))
	}
	var arrivals []time.Time
	for i, r := range records {
		// Data must be a CBOR byte string (major type 2), as the Java SDK
		// expects for a blob.
		if len(r["Data"]) == 0 || r["Data"][0]>>5 != 2 {
			t.Errorf("record %d: Data is not a CBOR byte string (first byte %#x)", i, r["Data"][0])
		}
		var data []byte
		if err := cbor.Unmarshal(r["Data"], &data); err != nil {
			t.Fatalf("record %d Data: %v", i, err)
		}
		if !bytes.Equal(data, want[i]) {
			t.Errorf("record %d: data of %d bytes differs from the %d bytes sent", i, len(data), len(want[i]))
		}
		if pk := cborString(t, r["PartitionKey"]); pk != fmt.Sprintf("pk-%d", i) {
			t.Errorf("record %d: PartitionKey %q", i, pk)
		}
		at := cborMillis(t, r["ApproximateArrivalTimestamp"])
		if at.Before(before) || at.After(after) {
			t.Errorf("record %d: ApproximateArrivalTimestamp decodes (as epoch ms) to %v, outside [%v, %v]", i, at, before, after)
		}
		arrivals = append(arrivals, at)
	}
	if cborString(t, records[0]["SequenceNumber"]) != seq0 {
		t.Errorf("first record's SequenceNumber %q, PutRecord said %q", cborString(t, records[0]["SequenceNumber"]), seq0)
	}
	var behind any
	if err := cbor.Unmarshal(gr["MillisBehindLatest"], &behind); err != nil {
		t.Errorf("MillisBehindLatest: %v", err)
	}
	if cborString(t, gr["NextShardIterator"]) == "" {
		t.Errorf("GetRecords over CBOR: no NextShardIterator on an open shard")
	}

	// AT_TIMESTAMP with a CBOR timestamp (tag 1, epoch ms): the last record's
	// arrival time gives the records arriving at or after it.
	ts := arrivals[len(arrivals)-1]
	wantFrom := 0
	for wantFrom < len(arrivals) && arrivals[wantFrom].Before(ts) {
		wantFrom++
	}
	it = cborOK(t, s, "GetShardIterator", new(cborEnc).mapStart().
		key("StreamName").str(name).key("ShardId").str("shardId-000000000000").
		key("ShardIteratorType").str("AT_TIMESTAMP").key("Timestamp").timestamp(ts).end().Bytes())
	gr = cborOK(t, s, "GetRecords", new(cborEnc).mapStart().key("ShardIterator").str(cborString(t, it["ShardIterator"])).end().Bytes())
	records = nil
	if err := cbor.Unmarshal(gr["Records"], &records); err != nil {
		t.Fatal(err)
	}
	if len(records) != len(want)-wantFrom {
		t.Errorf("AT_TIMESTAMP %v (sent as tag 1 + %d ms): %d records, want %d — a server reading the value as seconds lands in year ~%d",
			ts, ts.UnixMilli(), len(records), len(want)-wantFrom, 1970+ts.UnixMilli()/31_557_600)
	}

	// Errors come back in CBOR too, with __type.
	status, m, h := cborCall(t, s, "DescribeStreamSummary", new(cborEnc).mapStart().key("StreamName").str("no-such-stream").end().Bytes())
	if status != 400 || !strings.HasSuffix(cborString(t, m["__type"]), "ResourceNotFoundException") {
		t.Errorf("CBOR error: HTTP %d __type %q, want 400 ResourceNotFoundException", status, cborString(t, m["__type"]))
	}
	if cborString(t, m["message"]) == "" && cborString(t, m["Message"]) == "" {
		t.Errorf("CBOR error has no message: %v", m)
	}
	if h.Get("x-amzn-RequestId") == "" {
		t.Errorf("CBOR error has no x-amzn-RequestId")
	}

	// A validation error (bad stream name) in CBOR.
	status, m, _ = cborCall(t, s, "CreateStream", new(cborEnc).mapStart().key("StreamName").str("bad name!").key("ShardCount").uint(1).end().Bytes())
	if status != 400 || !strings.HasSuffix(cborString(t, m["__type"]), "ValidationException") {
		t.Errorf("CBOR validation error: HTTP %d __type %q", status, cborString(t, m["__type"]))
	}

	// A corrupted CBOR body is a 400 SerializationException, not a 500.
	status, m, _ = cborCall(t, s, "PutRecord", []byte{0xBF, 0x6A, 'S', 't', 'r'})
	if status != 400 || !strings.HasSuffix(cborString(t, m["__type"]), "SerializationException") {
		t.Errorf("truncated CBOR: HTTP %d __type %q, want 400 SerializationException", status, cborString(t, m["__type"]))
	}
	// Data sent as a text string instead of a byte string: refused as the
	// Java SDK would never send it — accept SerializationException or a
	// validation error, but no success and no 500.
	status, m, _ = cborCall(t, s, "PutRecord", new(cborEnc).mapStart().key("StreamName").str(name).key("Data").str("text").key("PartitionKey").str("k").end().Bytes())
	if status >= 500 {
		t.Errorf("Data as a text string: HTTP %d __type %q", status, cborString(t, m["__type"]))
	}
}

// TestE2ECBORResharding checks the CBOR shapes a KCL consumer depends on
// around resharding: ListShards with a tag-1 timestamp filter, and the end
// of a closed shard (no NextShardIterator, ChildShards present).
func TestE2ECBORResharding(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)
	const name = "cbor-reshard"
	createStream(t, c, name, 1)
	cborOK(t, s, "PutRecord", new(cborEnc).mapStart().key("StreamName").str(name).key("Data").blob([]byte{0, 1, 2}).key("PartitionKey").str("k").end().Bytes())
	beforeSplit := time.Now()
	waitClock(beforeSplit.Add(5 * time.Millisecond))
	splitAtMiddle(t, c, name, listAllShards(t, c, name, nil)[0])
	waitActive(t, c, name)

	// AT_TIMESTAMP before the split: only the parent.
	ls := cborOK(t, s, "ListShards", new(cborEnc).mapStart().key("StreamName").str(name).
		key("ShardFilter").mapStart().key("Type").str("AT_TIMESTAMP").key("Timestamp").timestamp(beforeSplit).end().end().Bytes())
	var shards []map[string]cbor.RawMessage
	if err := cbor.Unmarshal(ls["Shards"], &shards); err != nil {
		t.Fatalf("ListShards Shards: %v", err)
	}
	if len(shards) != 1 || cborString(t, shards[0]["ShardId"]) != "shardId-000000000000" {
		var ids []string
		for _, sh := range shards {
			ids = append(ids, cborString(t, sh["ShardId"]))
		}
		t.Errorf("ListShards AT_TIMESTAMP (tag 1 + %d ms) before the split = %v, want [shardId-000000000000]", beforeSplit.UnixMilli(), ids)
	}

	// Read the closed parent to its end over CBOR.
	it := cborOK(t, s, "GetShardIterator", new(cborEnc).mapStart().
		key("StreamName").str(name).key("ShardId").str("shardId-000000000000").key("ShardIteratorType").str("TRIM_HORIZON").end().Bytes())
	iter := cborString(t, it["ShardIterator"])
	for calls := 0; ; calls++ {
		if calls > 20 {
			t.Fatalf("closed shard never ended over CBOR")
		}
		gr := cborOK(t, s, "GetRecords", new(cborEnc).mapStart().key("ShardIterator").str(iter).end().Bytes())
		next, present := gr["NextShardIterator"]
		if present && !bytes.Equal(next, []byte{0xF6}) && cborString(t, next) != "" {
			iter = cborString(t, next)
			continue
		}
		var children []map[string]cbor.RawMessage
		if err := cbor.Unmarshal(gr["ChildShards"], &children); err != nil || len(children) != 2 {
			t.Fatalf("end of a closed shard over CBOR: ChildShards %v (%v)", children, err)
		}
		for _, ch := range children {
			var parents []string
			if err := cbor.Unmarshal(ch["ParentShards"], &parents); err != nil || len(parents) != 1 || parents[0] != "shardId-000000000000" {
				t.Errorf("ChildShard ParentShards = %v (%v)", parents, err)
			}
			var hk map[string]string
			if err := cbor.Unmarshal(ch["HashKeyRange"], &hk); err != nil || hk["StartingHashKey"] == "" || hk["EndingHashKey"] == "" {
				t.Errorf("ChildShard HashKeyRange = %v (%v)", hk, err)
			}
		}
		break
	}
}

// TestE2ECBORErrorsBeforeTheHandler: errors raised before an operation runs
// (authentication, unknown operation) still answer a CBOR request in CBOR —
// the Java SDK parses error bodies with the protocol's parser.
func TestE2ECBORErrorsBeforeTheHandler(t *testing.T) {
	s := startServer(t)
	body := new(cborEnc).mapStart().key("StreamName").str("x").end().Bytes()
	for _, tc := range []struct {
		name, op, secret, code string
	}{
		{"WrongSecret", "DescribeStreamSummary", s.SecretAccessKey + "x", "InvalidSignatureException"},
		{"UnknownOperation", "NoSuchOperation", s.SecretAccessKey, "UnknownOperationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newKinesisRequest(t, s, tc.op, contentTypeCBOR, body)
			signRequest(t, req, body, s.AccessKeyID, tc.secret, testRegion, time.Now())
			r := doRaw(t, req)
			if ct := r.Header.Get("Content-Type"); ct != contentTypeCBOR {
				t.Errorf("Content-Type %q, want %q; body %q", ct, contentTypeCBOR, r.Body)
			}
			var m map[string]any
			if err := cbor.Unmarshal(r.Body, &m); err != nil {
				t.Fatalf("error body is not CBOR: %v (%q)", err, r.Body)
			}
			if typ, _ := m["__type"].(string); r.StatusCode != 400 || !strings.HasSuffix(typ, tc.code) {
				t.Errorf("HTTP %d __type %v, want 400 %s", r.StatusCode, m["__type"], tc.code)
			}
		})
	}
}

// TestCBOREncoderMatchesJava pins the hand encoder to the Java SDK's bytes
// for a timestamp (the wire capture cited above) and to fxamacker's decoder.
func TestCBOREncoderMatchesJava(t *testing.T) {
	got := new(cborEnc).timestamp(time.UnixMilli(1787036486712)).Bytes()
	want := []byte{0xC1, 0x1B, 0x00, 0x00, 0x01, 0xA0, 0x13, 0xAC, 0xCC, 0x38}
	if !bytes.Equal(got, want) {
		t.Fatalf("timestamp encodes as % x, want % x", got, want)
	}
	enc := new(cborEnc).mapStart().key("Data").blob([]byte{0, 255}).key("N").uint(300).key("L").arrStart().str("x").end().end().Bytes()
	var v struct {
		Data []byte
		N    int
		L    []string
	}
	if err := cbor.Unmarshal(enc, &v); err != nil || !bytes.Equal(v.Data, []byte{0, 255}) || v.N != 300 || len(v.L) != 1 {
		t.Fatalf("round trip through fxamacker: %+v, %v", v, err)
	}
}
