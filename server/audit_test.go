package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/caudal/caudal/audit"
)

// memSink keeps trail objects in memory.
type memSink struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (m *memSink) Put(_ context.Context, key string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objs == nil {
		m.objs = map[string][]byte{}
	}
	m.objs[key] = append([]byte(nil), body...)
	return nil
}

func auditServer(t testing.TB) (*Server, *audit.Trail) {
	tr, err := audit.Open(audit.Config{Dir: t.TempDir(), Sink: &memSink{}, Account: DefaultAccountID, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{AccountID: DefaultAccountID}}
	s.trail.Store(tr)
	return s, tr
}

// TestAuditWriterKeepsStatusAndFlush: the wrapper records the status
// the handler wrote and still lets event streams flush.
func TestAuditWriterKeepsStatusAndFlush(t *testing.T) {
	s, tr := auditServer(t)
	defer tr.Close()
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header.Set("User-Agent", "test-agent")
	w, r2, finish := s.auditBegin(rec, r)
	ev, ok := audit.EventFrom(r2.Context())
	if !ok {
		t.Fatal("no event in the request context")
	}
	w.Header().Set("x-amzn-RequestId", "rid-1")
	w.Header().Set("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/")
	w.WriteHeader(http.StatusBadRequest)
	w.(http.Flusher).Flush()
	if !rec.Flushed {
		t.Error("Flush did not reach the underlying writer")
	}
	if http.NewResponseController(w).Flush() != nil {
		t.Error("ResponseController cannot flush through the wrapper")
	}
	finish()
	if ev.HTTPStatus != 400 || ev.RequestID != "rid-1" || ev.ErrorCode != "ResourceNotFoundException" ||
		ev.SourceIPAddress != "192.0.2.7" || ev.UserAgent != "test-agent" || ev.UserIdentity.Type != "Unknown" ||
		ev.EventSource != audit.SourceS3 {
		t.Errorf("event = %+v", ev)
	}
}

// TestAuditOffWithoutTrail: with no trail (starting, stopped) the router
// passes the writer and request through untouched.
func TestAuditOffWithoutTrail(t *testing.T) {
	s := &Server{}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w, r2, finish := s.auditBegin(rec, r)
	finish()
	if w != http.ResponseWriter(rec) || r2 != r {
		t.Error("auditBegin wrapped a request with no trail open")
	}
}

// nopWriter is the cheapest ResponseWriter, so the benchmark measures
// the audit middleware alone.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

// BenchmarkAuditPerCall is what the request path pays per API call:
// building the event, the context value, the wrapped writer, finishing
// the event and queuing it (encoding and the journal run on the trail's
// goroutine, measured by BenchmarkAuditTrailThroughput).
func BenchmarkAuditPerCall(b *testing.B) {
	s, tr := auditServer(b)
	defer tr.Close()
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	w := &nopWriter{h: http.Header{}}
	w.h.Set("x-amzn-RequestId", "0b1c2d3e-0000-4000-8000-000000000000")
	b.ReportAllocs()
	for b.Loop() {
		aw, r2, finish := s.auditBegin(w, r)
		if ev, ok := audit.EventFrom(r2.Context()); ok {
			ev.SetOperation(audit.SourceKinesis, "PutRecords")
		}
		aw.WriteHeader(http.StatusOK)
		finish()
	}
	b.StopTimer()
	if d := tr.Dropped(); d > 0 {
		b.Logf("dropped %d of %d events (queue full: the writer is slower than this loop)", d, b.N)
	}
}

// BenchmarkAuditTrailThroughput is the whole cost of an event: the
// request-path part plus encoding, journal write (no fsync) and the put
// into the sink, measured until Close has flushed everything.
func BenchmarkAuditTrailThroughput(b *testing.B) {
	tr, err := audit.Open(audit.Config{Dir: b.TempDir(), Sink: &memSink{}, Account: DefaultAccountID, NoSync: true,
		QueueLen: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		ev := audit.NewEvent(time.Now(), DefaultAccountID)
		ev.SetOperation(audit.SourceKinesis, "PutRecords")
		ev.AddResource("arn:aws:kinesis:us-east-1:000000000000:stream/bench")
		ev.Finish(200, "0b1c2d3e-0000-4000-8000-000000000000", "")
		tr.Record(ev)
	}
	if err := tr.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	if d := tr.Dropped(); d > 0 {
		b.Errorf("dropped %d events", d)
	}
}
