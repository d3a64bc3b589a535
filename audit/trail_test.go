package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// memSink keeps put objects in memory; fail makes puts fail.
type memSink struct {
	mu   sync.Mutex
	objs map[string][]byte
	puts int
	fail bool
}

func (s *memSink) Put(_ context.Context, key string, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts++
	if s.fail {
		return errors.New("lake unavailable")
	}
	if s.objs == nil {
		s.objs = map[string][]byte{}
	}
	s.objs[key] = bytes.Clone(body)
	return nil
}

// events decodes every line of every object.
func (s *memSink) events(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for key, body := range s.objs {
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("object %s: line %q: %v", key, sc.Text(), err)
			}
			out = append(out, m)
		}
	}
	return out
}

func (s *memSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.objs)
}

func testEvent(name string) *Event {
	e := NewEvent(time.Now(), "000000000000")
	e.SetOperation(SourceKinesis, name)
	e.Finish(200, "rid-"+name, "")
	return e
}

func openTrail(t testing.TB, dir string, sink Sink, mod func(*Config)) *Trail {
	t.Helper()
	cfg := Config{Dir: dir, Sink: sink, Account: "000000000000", Region: "us-east-1"}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTrailCloseFlushesEverything(t *testing.T) {
	sink := &memSink{}
	dir := t.TempDir()
	tr := openTrail(t, dir, sink, nil)
	for i := range 100 {
		tr.Record(testEvent("Op" + string(rune('A'+i%26))))
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(sink.events(t)); got != 100 {
		t.Fatalf("events in the sink = %d, want 100", got)
	}
	if tr.Pending() != 0 {
		t.Errorf("journal still holds %d segments after a clean close", tr.Pending())
	}
	for key := range sink.objs {
		if !strings.HasPrefix(key, "AWSLogs/000000000000/CloudTrail/us-east-1/"+time.Now().UTC().Format("2006/01/02")+"/000000000000_CloudTrail_us-east-1_") ||
			!strings.HasSuffix(key, ".json") {
			t.Errorf("object key %q is not CloudTrail's naming", key)
		}
	}
	tr.Record(testEvent("Late"))
	if tr.Dropped() != 1 {
		t.Errorf("Dropped after close = %d, want 1", tr.Dropped())
	}
}

func TestTrailFlushesOnInterval(t *testing.T) {
	sink := &memSink{}
	tr := openTrail(t, t.TempDir(), sink, func(c *Config) {
		c.SyncInterval = 5 * time.Millisecond
		c.FlushInterval = 20 * time.Millisecond
	})
	defer tr.Close()
	tr.Record(testEvent("PutRecord"))
	deadline := time.Now().Add(10 * time.Second)
	for sink.count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no object put within 10 s of a 20 ms flush interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
	ev := sink.events(t)
	if len(ev) != 1 || ev[0]["eventName"] != "PutRecord" || ev[0]["eventSource"] != SourceKinesis ||
		ev[0]["requestID"] != "rid-PutRecord" || ev[0]["eventVersion"] != "1.08" {
		t.Fatalf("events = %v", ev)
	}
	// A second batch goes into a new object (one object per flush).
	tr.Record(testEvent("GetRecords"))
	for sink.count() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("second flush never happened")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTrailRotatesAtMaxObjectBytes(t *testing.T) {
	sink := &memSink{}
	tr := openTrail(t, t.TempDir(), sink, func(c *Config) { c.MaxObjectBytes = 2000 })
	for range 50 {
		tr.Record(testEvent("PutRecords"))
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if sink.count() < 5 {
		t.Errorf("objects = %d; 50 events of ~400 bytes with a 2000-byte bound should make several", sink.count())
	}
	for k, b := range sink.objs {
		if len(b) > 2000+1000 {
			t.Errorf("object %s is %d bytes, past the bound by more than one event", k, len(b))
		}
	}
	if got := len(sink.events(t)); got != 50 {
		t.Errorf("events = %d, want 50", got)
	}
}

// TestTrailReplaysJournal: a sink that fails keeps segments in the
// journal; the next Open puts them, under the same keys.
func TestTrailReplaysJournal(t *testing.T) {
	dir := t.TempDir()
	bad := &memSink{fail: true}
	tr := openTrail(t, dir, bad, nil)
	tr.Record(testEvent("CreateStream"))
	tr.Record(testEvent("DeleteStream"))
	if err := tr.Close(); err == nil {
		t.Fatal("Close with a failing sink returned nil")
	}
	if tr.Pending() != 1 {
		t.Fatalf("journal segments = %d, want 1", tr.Pending())
	}
	good := &memSink{}
	tr2 := openTrail(t, dir, good, nil)
	if err := tr2.Close(); err != nil {
		t.Fatal(err)
	}
	ev := good.events(t)
	if len(ev) != 2 {
		t.Fatalf("replayed events = %d, want 2", len(ev))
	}
	if tr2.Pending() != 0 {
		t.Errorf("journal not emptied after replay")
	}
}

// TestTrailCutsTornLine: a kill -9 mid-write leaves a partial last line;
// recovery keeps the whole lines before it.
func TestTrailCutsTornLine(t *testing.T) {
	dir := t.TempDir()
	whole, _ := testEvent("PutRecord").appendJSON(nil)
	seg := filepath.Join(dir, "20261126T0350Z_0123456789abcdef.jsonl")
	if err := os.WriteFile(seg, append(append(whole, '\n'), `{"eventVersion":"1.0`...), 0o600); err != nil {
		t.Fatal(err)
	}
	// A segment with nothing complete is removed.
	if err := os.WriteFile(filepath.Join(dir, "20261126T0351Z_fedcba9876543210.jsonl"), []byte(`{"ev`), 0o600); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	tr := openTrail(t, dir, sink, nil)
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if sink.count() != 1 {
		t.Fatalf("objects = %d, want 1", sink.count())
	}
	body := sink.objs["AWSLogs/000000000000/CloudTrail/us-east-1/2026/11/26/000000000000_CloudTrail_us-east-1_20261126T0350Z_0123456789abcdef.json"]
	if !bytes.Equal(body, append(whole, '\n')) {
		t.Fatalf("replayed object = %q", body)
	}
}

// TestTrailDropsWhenFull: Record never blocks; past the queue bound it
// counts drops.
func TestTrailDropsWhenFull(t *testing.T) {
	tr := &Trail{cfg: Config{QueueLen: 2}}
	for range 5 {
		tr.Record(testEvent("PutRecord"))
	}
	if tr.Dropped() != 3 {
		t.Fatalf("Dropped = %d, want 3", tr.Dropped())
	}
}

func TestObjectKeyRefusesForeignNames(t *testing.T) {
	tr := &Trail{cfg: Config{Account: "000000000000", Region: "eu-west-1"}}
	for _, name := range []string{"x.jsonl", "2026_x.jsonl", "20261126T0350Z_.jsonl", "20261126T0350Z_ab.txt"} {
		if k, err := tr.ObjectKey(name); err == nil {
			t.Errorf("ObjectKey(%q) = %q, want an error", name, k)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		src, name, cat string
		ro             bool
	}{
		{SourceKinesis, "PutRecords", CategoryData, false},
		{SourceKinesis, "GetRecords", CategoryData, true},
		{SourceKinesis, "CreateStream", CategoryManagement, false},
		{SourceKinesis, "DescribeStream", CategoryManagement, true},
		{SourceS3, "GetObject", CategoryData, true},
		{SourceS3, "HeadObject", CategoryData, true},
		{SourceS3, "UploadPart", CategoryData, false},
		{SourceS3, "CreateBucket", CategoryManagement, false},
		{SourceS3, "ListBuckets", CategoryManagement, true},
		{SourceGlue, "GetTable", CategoryManagement, true},
		{SourceAthena, "StartQueryExecution", CategoryManagement, false},
	} {
		if got := Category(c.src, c.name); got != c.cat {
			t.Errorf("Category(%s, %s) = %s, want %s", c.src, c.name, got, c.cat)
		}
		if got := ReadOnly(c.name); got != c.ro {
			t.Errorf("ReadOnly(%s) = %v, want %v", c.name, got, c.ro)
		}
	}
	if got := S3OperationName("GetBucket:object-lock"); got != "GetBucketObjectLock" {
		t.Errorf("S3OperationName = %q", got)
	}
	if got := S3OperationName("PutObject"); got != "PutObject" {
		t.Errorf("S3OperationName = %q", got)
	}
}

func BenchmarkRecord(b *testing.B) {
	tr := openTrail(b, b.TempDir(), &memSink{}, func(c *Config) { c.NoSync = true })
	defer tr.Close()
	b.ReportAllocs()
	for b.Loop() {
		e := NewEvent(time.Now(), "000000000000")
		e.SetOperation(SourceKinesis, "PutRecords")
		e.Finish(200, "rid", "")
		tr.Record(e)
	}
}
