package delivery

import (
	"io"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/stream"
)

const testRegion = "us-east-1"

// clock is a settable clock for the engine; zero offset is real time.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time            { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration)   { c.offset.Add(int64(d)) }
func (c *clock) set(off time.Duration)     { c.offset.Store(int64(off)) }
func (c *clock) since(t time.Time) float64 { return c.now().Sub(t).Seconds() }

// harness is a real lake, catalog and stream engine on temp dirs with a
// delivery engine over them, reopenable to test recovery.
type harness struct {
	t       testing.TB
	dir     string
	lake    *lake.Lake
	cat     *catalog.Catalog
	streams *stream.Engine
	e       *Engine
	clk     *clock
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), clk: &clock{}}
	var err error
	if h.lake, err = lake.Open(lake.Config{Dir: t.TempDir(), NoSync: true}); err != nil {
		t.Fatal(err)
	}
	if h.cat, err = catalog.Open(catalog.Config{Dir: t.TempDir(), NoSync: true}); err != nil {
		t.Fatal(err)
	}
	if h.streams, err = stream.Open(stream.Config{Dir: t.TempDir(), AccountID: "123456789012", RetentionInterval: -1}); err != nil {
		t.Fatal(err)
	}
	if err := h.lake.CreateBucket("dest", ""); err != nil {
		t.Fatal(err)
	}
	h.open()
	t.Cleanup(func() {
		if h.e != nil {
			h.e.Close()
		}
		h.streams.Close()
		h.cat.Close()
		h.lake.Close()
	})
	return h
}

func (h *harness) open() {
	h.t.Helper()
	e, err := Open(Config{
		Dir: h.dir, Lake: h.lake, Catalog: h.cat, Streams: h.streams, AccountID: "123456789012",
		NoSync: true, Now: h.clk.now, PollInterval: 20 * time.Millisecond, RetryInterval: 20 * time.Millisecond,
	})
	if err != nil {
		h.t.Fatalf("open delivery engine: %v", err)
	}
	h.e = e
}

func (h *harness) reopen() {
	h.t.Helper()
	if err := h.e.Close(); err != nil {
		h.t.Fatalf("close: %v", err)
	}
	h.open()
}

func ptr[T any](v T) *T { return &v }

// dest is an S3 destination into bucket "dest" with the given hints.
func dest(sizeMB, intervalS int) S3Destination {
	return S3Destination{
		RoleARN: "arn:aws:iam::123456789012:role/firehose", BucketARN: "arn:aws:s3:::dest",
		BufferingHints: &BufferingHints{SizeInMBs: ptr(sizeMB), IntervalInSeconds: ptr(intervalS)},
	}
}

func (h *harness) create(name string, d S3Destination) DeliveryStream {
	h.t.Helper()
	ds, err := h.e.Create(testRegion, CreateInput{Name: name, Extended: true, Destination: d})
	if err != nil {
		h.t.Fatalf("create %s: %v", name, err)
	}
	return ds
}

func (h *harness) put(name string, recs ...string) []string {
	h.t.Helper()
	data := make([][]byte, len(recs))
	for i, r := range recs {
		data[i] = []byte(r)
	}
	ids, err := h.e.Put(testRegion, name, data)
	if err != nil {
		h.t.Fatalf("put: %v", err)
	}
	return ids
}

// kick wakes a delivery stream's worker (after the clock moved).
func (h *harness) kick(name string) {
	ds, err := h.e.lookup(testRegion, name)
	if err != nil {
		h.t.Fatal(err)
	}
	ds.poke()
}

// objects returns the keys and bodies in bucket "dest" under prefix.
func (h *harness) objects(prefix string) (keys []string, bodies map[string]string) {
	h.t.Helper()
	bodies = map[string]string{}
	res, err := h.lake.List("dest", lake.ListOptions{Prefix: prefix, MaxKeys: 1000})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, o := range res.Objects {
		obj, err := h.lake.GetObject("dest", o.Key)
		if err != nil {
			h.t.Fatal(err)
		}
		b, _ := io.ReadAll(obj.Body)
		obj.Close()
		keys = append(keys, o.Key)
		bodies[o.Key] = string(b)
	}
	sort.Strings(keys)
	return keys, bodies
}

// waitObjects waits until at least n objects are under prefix.
func (h *harness) waitObjects(prefix string, n int, kick string) ([]string, map[string]string) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		keys, bodies := h.objects(prefix)
		if len(keys) >= n {
			return keys, bodies
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("waited for %d objects under %q; have %v", n, prefix, keys)
		}
		if kick != "" {
			h.kick(kick)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
