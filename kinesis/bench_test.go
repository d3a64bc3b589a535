package kinesis

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/shardlog"
	"github.com/caudal/caudal/stream"
)

// putRecordsBody is a PutRecords request of n records of size bytes each.
func putRecordsBody(stream string, n, size int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	data := make([]byte, size)
	var b strings.Builder
	b.WriteString(`{"StreamName":"` + stream + `","Records":[`)
	for i := 0; i < n; i++ {
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"PartitionKey":"key-` + string(rune('a'+i%26)) + `","Data":"` + base64.StdEncoding.EncodeToString(data) + `"}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func (h *harness) post(b *testing.B, op string, body []byte) []byte {
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", TargetPrefix+"."+op)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d %s %v", op, resp.StatusCode, out, err)
	}
	return out
}

// BenchmarkPutRecords500x1KiB: one PutRecords of 500 records of 1 KiB,
// end to end over loopback HTTP through protocol.Service, the skin and a
// real engine (fsync per call) on 4 shards.
func BenchmarkPutRecords500x1KiB(b *testing.B) {
	h := newHarness(b)
	h.createStream("bench", 4)
	body := putRecordsBody("bench", 500, 1024)
	b.SetBytes(500 * 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := h.post(b, "PutRecords", body)
		if !bytes.Contains(out[:40], []byte(`"FailedRecordCount":0`)) {
			b.Fatalf("answer %.200s", out)
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkGetRecords10000: one GetRecords answering 10,000 records of
// 512 bytes, end to end over loopback HTTP.
func BenchmarkGetRecords10000(b *testing.B) {
	h := newHarness(b)
	h.createStream("bench", 1)
	for i := 0; i < 20; i++ {
		h.post(b, "PutRecords", putRecordsBody("bench", 500, 512))
	}
	it, err := h.e.GetShardIterator("us-east-1", "bench", "shardId-000000000000", stream.Position{Type: stream.TrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"ShardIterator":"` + it + `","Limit":10000}`)
	var check struct{ Records []json.RawMessage }
	if err := json.Unmarshal(h.post(b, "GetRecords", body), &check); err != nil || len(check.Records) != 10000 {
		b.Fatalf("%d records, %v", len(check.Records), err)
	}
	b.SetBytes(10000 * 512)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.post(b, "GetRecords", body)
	}
	b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPutRecordsHandler measures the skin alone (decode, checks,
// engine call, answer) without HTTP, on an engine that does not fsync, to
// show the skin's own cost and allocations per record.
func BenchmarkPutRecordsHandler(b *testing.B) {
	e, err := stream.Open(stream.Config{Dir: b.TempDir(), AccountID: testAccount, RetentionInterval: -1, Sync: shardlog.SyncNever})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateStream("us-east-1", "bench", stream.CreateOptions{ShardCount: 4}); err != nil {
		b.Fatal(err)
	}
	svc := New(e, testAccount)
	body := putRecordsBody("bench", 500, 1024)
	h := svc.Ops["PutRecords"]
	ctx := auth.WithSubject(context.Background(), rootSubject)
	b.SetBytes(500 * 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := h(ctx, &protocol.Call{Operation: "PutRecords", Body: body, Caller: protocol.Caller{Region: "us-east-1"}})
		if err != nil || out.(*putRecordsOutput).FailedRecordCount != 0 {
			b.Fatalf("%v %+v", err, out)
		}
	}
}
