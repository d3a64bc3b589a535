package stream

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/shardlog"
)

const testRegion = "us-east-1"

// fakeClock is an injectable clock; it starts at a fixed instant.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func memoryLogs(dir string, opts shardlog.Options) (shardlog.Log, error) {
	return shardlog.NewMemory(opts), nil
}

// testConfig is a file-backed engine config in a fresh temp dir, with the
// background loop off and a fake clock.
func testConfig(t testing.TB) (Config, *fakeClock) {
	clk := newClock()
	return Config{Dir: t.TempDir(), Now: clk.Now, RetentionInterval: -1, Keys: testKeys(t)}, clk
}

// testKeys is a keystore in a fresh temp dir with a fixed master key.
func testKeys(t testing.TB) *keystore.Store {
	t.Helper()
	ks, err := keystore.Open(keystore.Config{Dir: t.TempDir(), MasterKey: bytes.Repeat([]byte{7}, 32), ConfigDir: t.TempDir()})
	if err != nil {
		t.Fatalf("keystore: %v", err)
	}
	return ks
}

func openEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func mustCreate(t testing.TB, e *Engine, name string, shards int) {
	t.Helper()
	if err := e.CreateStream(testRegion, name, CreateOptions{ShardCount: shards}); err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
}

// put writes n records with keys pk-0.. and data prefix-i and fails on any
// error; it returns the results.
func put(t testing.TB, e *Engine, name, prefix string, n int) []PutResult {
	t.Helper()
	entries := make([]PutEntry, n)
	for i := range entries {
		entries[i] = PutEntry{PartitionKey: fmt.Sprintf("pk-%d", i), Data: []byte(fmt.Sprintf("%s-%d", prefix, i))}
	}
	res, err := e.PutRecords(testRegion, name, entries)
	if err != nil {
		t.Fatalf("PutRecords: %v", err)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("PutRecords record %d: %v", i, r.Err)
		}
	}
	return res
}

func putTo(t testing.TB, e *Engine, name, hashKey string, data ...string) []PutResult {
	t.Helper()
	entries := make([]PutEntry, len(data))
	for i, d := range data {
		entries[i] = PutEntry{PartitionKey: "k", ExplicitHashKey: hashKey, Data: []byte(d)}
	}
	res, err := e.PutRecords(testRegion, name, entries)
	if err != nil {
		t.Fatalf("PutRecords: %v", err)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("PutRecords record %d: %v", i, r.Err)
		}
	}
	return res
}

func iter(t testing.TB, e *Engine, name, shard string, pos Position) string {
	t.Helper()
	it, err := e.GetShardIterator(testRegion, name, shard, pos)
	if err != nil {
		t.Fatalf("GetShardIterator %s %v: %v", shard, pos.Type, err)
	}
	return it
}

func getAll(t testing.TB, e *Engine, it string) ([]Record, Records) {
	t.Helper()
	var out []Record
	var last Records
	for i := 0; it != "" && i < 1000; i++ {
		r, err := e.GetRecords(testRegion, it, 0)
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		out = append(out, r.Records...)
		last = r
		if len(r.Records) == 0 {
			break
		}
		it = r.NextIterator
	}
	return out, last
}

// wantErr checks err's kind and that its message contains substr.
func wantErr(t testing.TB, err error, kind error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %v error containing %q, got nil", kind, substr)
	}
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *stream.Error", err)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("want kind %v, got %v (%s)", kind, se.Kind, se.Message)
	}
	if !strings.Contains(se.Message, substr) {
		t.Fatalf("message %q does not contain %q", se.Message, substr)
	}
}
