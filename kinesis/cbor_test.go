package kinesis

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/caudal/caudal/protocol"
	"github.com/fxamacker/cbor/v2"
)

// TestCBORRoundTrip speaks CBOR (as the Java SDK and KCL do) to the skin:
// the request and answer shapes must work in both codecs, blobs as byte
// strings, timestamps as the protocol package encodes them.
func TestCBORRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.createStream("cb", 1)
	call := func(op string, in, out any) (int, []byte) {
		t.Helper()
		body, err := protocol.Marshal(protocol.CBOR, in)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
		req.Header.Set("X-Amz-Target", TargetPrefix+"."+op)
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-cbor-1.1" {
			t.Fatalf("%s answered %s", op, ct)
		}
		if out != nil && resp.StatusCode == 200 {
			if err := cbor.Unmarshal(b, out); err != nil {
				t.Fatalf("%s: decode answer: %v", op, err)
			}
		}
		return resp.StatusCode, b
	}
	payload := []byte{0, 1, 2, 0xff, 'x'}
	var put putRecordsOutput
	if st, b := call("PutRecords", putRecordsInput{StreamName: strPtr("cb"), Records: []putRecordsEntry{
		{PartitionKey: strPtr("k"), Data: payload}, {PartitionKey: strPtr("k"), Data: []byte{}}}}, &put); st != 200 || put.FailedRecordCount != 0 || len(put.Records) != 2 {
		t.Fatalf("PutRecords: %d %x %+v", st, b, put)
	}
	var it getShardIteratorOutput
	call("GetShardIterator", getShardIteratorInput{StreamName: strPtr("cb"), ShardId: strPtr("shardId-000000000000"),
		ShardIteratorType: strPtr("AT_TIMESTAMP"), Timestamp: tsPtr(time.Now().Add(-time.Minute))}, &it)
	if it.ShardIterator == "" {
		t.Fatal("no iterator")
	}
	var got getRecordsOutput
	if st, b := call("GetRecords", getRecordsInput{ShardIterator: &it.ShardIterator}, &got); st != 200 || len(got.Records) != 2 {
		t.Fatalf("GetRecords: %d %x", st, b)
	}
	if !bytes.Equal(got.Records[0].Data, payload) || len(got.Records[1].Data) != 0 || got.Records[0].SequenceNumber != put.Records[0].SequenceNumber {
		t.Fatalf("records: %+v", got.Records)
	}
	if at := time.Time(got.Records[0].ApproximateArrivalTimestamp); time.Since(at) > time.Minute || time.Since(at) < 0 {
		t.Fatalf("ApproximateArrivalTimestamp %v", at)
	}
	// Errors come back in CBOR too, with the same code and message.
	st, b := call("PutRecords", putRecordsInput{StreamName: strPtr("cb")}, nil)
	var e struct {
		Type    string `cbor:"__type"`
		Message string `cbor:"message"`
	}
	if err := cbor.Unmarshal(b, &e); err != nil || st != 400 || e.Type != "ValidationException" ||
		e.Message != "1 validation error detected: Value null at 'records' failed to satisfy constraint: Member must not be null" {
		t.Fatalf("CBOR error: %d %+v %v", st, e, err)
	}
}
