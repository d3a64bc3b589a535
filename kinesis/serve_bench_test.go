package kinesis

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/shardlog"
	"github.com/caudal/caudal/stream"
)

// discardWriter is an http.ResponseWriter that keeps only the status and
// the byte count, so server-side benchmarks measure the server and not a
// client or a recorder's buffer.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// serveBench is the skin over an engine that does not fsync, called
// in-process through ServeHTTP: everything the server does per call except
// the network and the fsync.
type serveBench struct {
	e   *stream.Engine
	svc *protocol.Service
}

func newServeBench(b *testing.B) *serveBench {
	e, err := stream.Open(stream.Config{Dir: b.TempDir(), AccountID: testAccount, RetentionInterval: -1, Sync: shardlog.SyncNever})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	return &serveBench{e: e, svc: New(e, testAccount)}
}

func (s *serveBench) serve(b *testing.B, op string, body []byte) *discardWriter {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", TargetPrefix+"."+op)
	r = r.WithContext(protocol.WithCaller(context.Background(), protocol.Caller{AccessKeyID: "AKIDTEST", Region: "us-east-1", Subject: rootSubject}))
	w := &discardWriter{h: http.Header{}}
	s.svc.ServeHTTP(w, r)
	if w.status != http.StatusOK {
		b.Fatalf("%s: status %d", op, w.status)
	}
	return w
}

// BenchmarkServePutRecords: ServeHTTP of one PutRecords of 500 records of
// 1 KiB into 4 shards (no fsync): the server's CPU per call.
func BenchmarkServePutRecords(b *testing.B) {
	s := newServeBench(b)
	if err := s.e.CreateStream("us-east-1", "bench", stream.CreateOptions{ShardCount: 4}); err != nil {
		b.Fatal(err)
	}
	body := putRecordsBody("bench", 500, 1024)
	b.SetBytes(500 * 1024)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPUClock()
	for i := 0; i < b.N; i++ {
		s.serve(b, "PutRecords", body)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/record")
	b.ReportMetric(float64(cpu.elapsed().Nanoseconds())/float64(b.N*500), "cpu-ns/record")
}

// BenchmarkServeGetRecords: ServeHTTP of one GetRecords answering 10,000
// records of 512 bytes from one shard: the server's CPU per call.
func BenchmarkServeGetRecords(b *testing.B) {
	s := newServeBench(b)
	if err := s.e.CreateStream("us-east-1", "bench", stream.CreateOptions{ShardCount: 1}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		s.serve(b, "PutRecords", putRecordsBody("bench", 500, 512))
	}
	it, err := s.e.GetShardIterator("us-east-1", "bench", "shardId-000000000000", stream.Position{Type: stream.TrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"ShardIterator":"` + it + `","Limit":10000}`)
	b.SetBytes(10000 * 512)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPUClock()
	for i := 0; i < b.N; i++ {
		if w := s.serve(b, "GetRecords", body); w.n < 10000*512 {
			b.Fatalf("answer of %d bytes", w.n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/record")
	b.ReportMetric(float64(cpu.elapsed().Nanoseconds())/float64(b.N*10000), "cpu-ns/record")
}

// cpuClock measures the process's CPU time (user + system, all threads:
// handlers, log writers, GC), which on a shared machine says more about
// cost than wall time does.
type cpuClock struct{ start time.Duration }

func startCPUClock() cpuClock { return cpuClock{processCPU()} }

func (c cpuClock) elapsed() time.Duration { return processCPU() - c.start }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkServePutRecord: ServeHTTP of one single-record PutRecord of
// 1 KiB (no fsync): the fixed cost of a call.
func BenchmarkServePutRecord(b *testing.B) {
	s := newServeBench(b)
	if err := s.e.CreateStream("us-east-1", "bench", stream.CreateOptions{ShardCount: 4}); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"StreamName":"bench","PartitionKey":"key-1","Data":"` + base64.StdEncoding.EncodeToString(make([]byte, 1024)) + `"}`)
	b.SetBytes(1024)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPUClock()
	for i := 0; i < b.N; i++ {
		s.serve(b, "PutRecord", body)
	}
	b.ReportMetric(float64(cpu.elapsed().Nanoseconds())/float64(b.N), "cpu-ns/op")
}
