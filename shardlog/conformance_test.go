package shardlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The conformance suite: every Log implementation, under every option
// permutation, must pass these (after nats' testAllStoreAllPermutations).

// impl makes logs of one implementation. reopen is nil for implementations
// without durability.
type impl struct {
	name   string
	open   func(t *testing.T, opts Options) Log
	reopen func(t *testing.T, l Log, opts Options) Log
}

func impls() []impl {
	fileImpl := func(name string, mkfs func() FS) impl {
		dirs := map[*testing.T]string{}
		fss := map[*testing.T]FS{}
		var mu sync.Mutex
		return impl{
			name: name,
			open: func(t *testing.T, opts Options) Log {
				mu.Lock()
				dir, ok := dirs[t]
				if !ok {
					dir = t.TempDir()
					dirs[t] = dir
					fss[t] = mkfs()
				}
				opts.FS = fss[t]
				mu.Unlock()
				l, err := Open(dir, opts)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				t.Cleanup(func() { l.Close() })
				return l
			},
			reopen: func(t *testing.T, l Log, opts Options) Log {
				if err := l.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				mu.Lock()
				dir := dirs[t]
				opts.FS = fss[t]
				mu.Unlock()
				l2, err := Open(dir, opts)
				if err != nil {
					t.Fatalf("reopen: %v", err)
				}
				t.Cleanup(func() { l2.Close() })
				return l2
			},
		}
	}
	return []impl{
		{name: "memory", open: func(t *testing.T, opts Options) Log { return NewMemory(opts) }},
		fileImpl("file", func() FS { return OSFS() }),
		fileImpl("crashfs", func() FS { return NewCrashFS() }),
	}
}

// permutations are the option sets the suite runs under.
func permutations() []struct {
	name string
	opts Options
} {
	var out []struct {
		name string
		opts Options
	}
	for _, sm := range []struct {
		name string
		mode SyncMode
	}{{"always", SyncAlways}, {"interval", SyncInterval}, {"never", SyncNever}} {
		for _, seg := range []int64{0, 1000} {
			out = append(out, struct {
				name string
				opts Options
			}{
				name: fmt.Sprintf("%s/seg=%d", sm.name, seg),
				opts: Options{Sync: sm.mode, SegmentBytes: seg, SyncInterval: 5 * time.Millisecond},
			})
		}
	}
	return out
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct{ ms atomic.Int64 }

func newClock(ms int64) *fakeClock { c := &fakeClock{}; c.ms.Store(ms); return c }

func (c *fakeClock) Now() time.Time { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) set(ms int64)   { c.ms.Store(ms) }

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, im impl, opts Options)
	}{
		{"AppendRead", testAppendRead},
		{"StartOffset", testStartOffset},
		{"ReadLimits", testReadLimits},
		{"ReadAppendsToBuf", testReadAppendsToBuf},
		{"Timestamps", testTimestamps},
		{"SeekTime", testSeekTime},
		{"Expire", testExpire},
		{"Concurrent", testConcurrent},
		{"AppendAsync", testAppendAsync},
		{"Errors", testErrors},
		{"Closed", testClosed},
		{"Reopen", testReopen},
		{"LargeRecords", testLargeRecords},
	}
	for _, im := range impls() {
		for _, p := range permutations() {
			for _, tc := range tests {
				t.Run(im.name+"/"+p.name+"/"+tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, im, p.opts)
				})
			}
		}
	}
}

// payload returns a deterministic payload for offset i of size n.
func payload(i uint64, n int) []byte {
	b := make([]byte, n+8)
	r := rand.New(rand.NewPCG(i, uint64(n)))
	for j := 0; j < n; j += 8 {
		binary.LittleEndian.PutUint64(b[j:], r.Uint64())
	}
	return b[:n:n]
}

func keyFor(i uint64) string { return fmt.Sprintf("key-%d", i%7) }

// appendN appends n records (one per Append) with payload(off, size(off)).
func appendN(t *testing.T, l Log, n int, size func(uint64) int) {
	t.Helper()
	_, next := l.Bounds()
	for i := 0; i < n; i++ {
		off := next + uint64(i)
		first, _, err := l.Append([]Entry{{PartitionKey: keyFor(off), Data: payload(off, size(off))}})
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		if first != off {
			t.Fatalf("Append got offset %d, want %d", first, off)
		}
	}
}

func sizeMod(off uint64) int { return int(off % 97) }

// readAll reads [from, next) in small steps and checks every record's
// content against payload/keyFor and size.
func checkRange(t *testing.T, l Log, from, to uint64, size func(uint64) int) {
	t.Helper()
	var buf []Record
	off := from
	for off < to {
		var err error
		buf, err = l.Read(off, 3, 0, buf[:0])
		if err != nil {
			t.Fatalf("Read(%d): %v", off, err)
		}
		if len(buf) == 0 {
			t.Fatalf("Read(%d) returned nothing; want records up to %d", off, to)
		}
		for _, r := range buf {
			if off == to {
				break
			}
			if r.Offset != off {
				t.Fatalf("Read got offset %d, want %d", r.Offset, off)
			}
			if r.PartitionKey != keyFor(off) || !bytes.Equal(r.Data, payload(off, size(off))) {
				t.Fatalf("record %d: key %q data %d bytes, content mismatch", off, r.PartitionKey, len(r.Data))
			}
			off++
		}
	}
}

func testAppendRead(t *testing.T, im impl, opts Options) {
	l := im.open(t, opts)
	if first, next := l.Bounds(); first != 0 || next != 0 {
		t.Fatalf("empty Bounds = %d, %d", first, next)
	}
	if recs, err := l.Read(0, 10, 0, nil); err != nil || len(recs) != 0 {
		t.Fatalf("Read of empty log = %v, %v", recs, err)
	}
	appendN(t, l, 50, sizeMod)
	// A multi-entry append gets consecutive offsets.
	entries := []Entry{{PartitionKey: keyFor(50), Data: payload(50, sizeMod(50))}, {PartitionKey: keyFor(51), Data: payload(51, sizeMod(51))}, {PartitionKey: keyFor(52), Data: payload(52, sizeMod(52))}}
	first, _, err := l.Append(entries)
	if err != nil || first != 50 {
		t.Fatalf("Append batch = %d, %v; want 50", first, err)
	}
	if first, next := l.Bounds(); first != 0 || next != 53 {
		t.Fatalf("Bounds = %d, %d; want 0, 53", first, next)
	}
	checkRange(t, l, 0, 53, sizeMod)
	recs, err := l.Read(0, 0, 0, nil)
	if err != nil || len(recs) != 53 {
		t.Fatalf("Read all = %d records, %v", len(recs), err)
	}
	if recs, err := l.Read(53, 10, 0, nil); err != nil || len(recs) != 0 {
		t.Fatalf("Read at next = %d records, %v", len(recs), err)
	}
	for _, from := range []uint64{1000, math.MaxUint64} {
		if recs, err := l.Read(from, 10, 0, nil); err != nil || len(recs) != 0 {
			t.Fatalf("Read(%d) past next = %d records, %v", from, len(recs), err)
		}
	}
}

func testStartOffset(t *testing.T, im impl, opts Options) {
	opts.StartOffset = 1 << 40
	l := im.open(t, opts)
	if first, next := l.Bounds(); first != 1<<40 || next != 1<<40 {
		t.Fatalf("Bounds = %d, %d; want StartOffset", first, next)
	}
	appendN(t, l, 20, sizeMod)
	checkRange(t, l, 1<<40, 1<<40+20, sizeMod)
	recs, err := l.Read(0, 1, 0, nil)
	if err != nil || len(recs) != 1 || recs[0].Offset != 1<<40 {
		t.Fatalf("Read below first = %v, %v; want first record", recs, err)
	}
}

func testReadLimits(t *testing.T, im impl, opts Options) {
	l := im.open(t, opts)
	appendN(t, l, 40, func(uint64) int { return 10 })
	cases := []struct {
		from         uint64
		maxRec, maxB int
		wantN        int
	}{
		{0, 5, 0, 5},
		{0, 0, 25, 2},
		{0, 0, 30, 3},
		{0, 0, 5, 1}, // at least one record
		{38, 10, 0, 2},
		{10, 3, 1000, 3},
		{0, 100, 1000, 40},
	}
	for _, c := range cases {
		recs, err := l.Read(c.from, c.maxRec, c.maxB, nil)
		if err != nil || len(recs) != c.wantN {
			t.Fatalf("Read(%d, %d, %d) = %d records, %v; want %d", c.from, c.maxRec, c.maxB, len(recs), err, c.wantN)
		}
		for i, r := range recs {
			if r.Offset != c.from+uint64(i) {
				t.Fatalf("Read(%d...)[%d].Offset = %d", c.from, i, r.Offset)
			}
		}
	}
}

func testReadAppendsToBuf(t *testing.T, im impl, opts Options) {
	l := im.open(t, opts)
	appendN(t, l, 10, sizeMod)
	buf := []Record{{Offset: 999}}
	buf, err := l.Read(3, 2, 0, buf)
	if err != nil || len(buf) != 3 || buf[0].Offset != 999 || buf[1].Offset != 3 || buf[2].Offset != 4 {
		t.Fatalf("Read appended wrongly: %+v, %v", buf, err)
	}
	// Reusing buf gives the right data again (slots are recycled).
	for from := uint64(0); from < 10; from++ {
		buf, err = l.Read(from, 3, 0, buf[:0])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range buf {
			if !bytes.Equal(r.Data, payload(r.Offset, sizeMod(r.Offset))) || r.PartitionKey != keyFor(r.Offset) {
				t.Fatalf("reused buf: record %d wrong", r.Offset)
			}
		}
	}
}

func testTimestamps(t *testing.T, im impl, opts Options) {
	clk := newClock(1_000_000)
	opts.Now = clk.Now
	l := im.open(t, opts)
	if ts := l.LastTimestamp(); ts != 0 {
		t.Fatalf("LastTimestamp of empty log = %d", ts)
	}
	_, ts, err := l.Append([]Entry{{PartitionKey: "a", Data: []byte("x")}})
	if err != nil || ts != 1_000_000 {
		t.Fatalf("Append = ts %d, %v", ts, err)
	}
	clk.set(500) // the clock steps back: timestamps must not
	_, ts, err = l.Append([]Entry{{PartitionKey: "a", Data: []byte("y")}})
	if err != nil || ts != 1_000_000 {
		t.Fatalf("Append after clock step back = ts %d, %v; want 1000000", ts, err)
	}
	clk.set(2_000_000)
	_, ts, err = l.Append([]Entry{{PartitionKey: "a", Data: []byte("z")}, {PartitionKey: "b"}})
	if err != nil || ts != 2_000_000 {
		t.Fatalf("Append = ts %d, %v", ts, err)
	}
	if got := l.LastTimestamp(); got != 2_000_000 {
		t.Fatalf("LastTimestamp = %d", got)
	}
	recs, err := l.Read(0, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{1_000_000, 1_000_000, 2_000_000, 2_000_000}
	for i, r := range recs {
		if r.Timestamp != want[i] {
			t.Fatalf("record %d timestamp %d, want %d", i, r.Timestamp, want[i])
		}
	}
}

func testSeekTime(t *testing.T, im impl, opts Options) {
	clk := newClock(1000)
	opts.Now = clk.Now
	l := im.open(t, opts)
	if off, err := l.SeekTime(5); err != nil || off != 0 {
		t.Fatalf("SeekTime on empty log = %d, %v", off, err)
	}
	// 200 records; record i has timestamp 1000 + 10*(i/4).
	for i := uint64(0); i < 200; i++ {
		clk.set(1000 + 10*int64(i/4))
		if _, _, err := l.Append([]Entry{{PartitionKey: keyFor(i), Data: payload(i, sizeMod(i))}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		ms   int64
		want uint64
	}{
		{0, 0}, {1000, 0}, {1001, 4}, {1010, 4}, {1015, 8}, {1490, 196}, {1491, 200}, {99999, 200},
	} {
		if off, err := l.SeekTime(c.ms); err != nil || off != c.want {
			t.Fatalf("SeekTime(%d) = %d, %v; want %d", c.ms, off, err, c.want)
		}
	}
	for i := int64(0); i < 50; i++ {
		ms := 1000 + 10*i
		if off, err := l.SeekTime(ms); err != nil || off != uint64(4*i) {
			t.Fatalf("SeekTime(%d) = %d, %v; want %d", ms, off, err, 4*i)
		}
	}
}

func testExpire(t *testing.T, im impl, opts Options) {
	clk := newClock(1000)
	opts.Now = clk.Now
	l := im.open(t, opts)
	for i := uint64(0); i < 100; i++ {
		clk.set(1000 + int64(i))
		if _, _, err := l.Append([]Entry{{PartitionKey: keyFor(i), Data: payload(i, sizeMod(i))}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.ExpireBefore(1050); err != nil {
		t.Fatal(err)
	}
	first, next := l.Bounds()
	if next != 100 || first > 50 {
		t.Fatalf("after ExpireBefore(1050): Bounds = %d, %d; want first <= 50, next 100", first, next)
	}
	if opts.SegmentBytes > 0 && opts.SegmentBytes < 1000 && first == 0 {
		t.Fatalf("with tiny segments ExpireBefore removed nothing")
	}
	checkRange(t, l, first, 100, sizeMod)
	recs, err := l.Read(0, 1, 0, nil)
	if err != nil || len(recs) != 1 || recs[0].Offset != first {
		t.Fatalf("Read(0) after expiry = %v, %v; want offset %d", recs, err, first)
	}
	if off, err := l.SeekTime(0); err != nil || off != first {
		t.Fatalf("SeekTime(0) after expiry = %d, %v; want %d", off, err, first)
	}
	// Expire everything: the active segment stays, offsets continue.
	if err := l.ExpireBefore(1 << 50); err != nil {
		t.Fatal(err)
	}
	first, next = l.Bounds()
	if next != 100 {
		t.Fatalf("after expiring all: next = %d, want 100", next)
	}
	appendN(t, l, 5, sizeMod)
	checkRange(t, l, first, 105, sizeMod)
	if im.reopen != nil {
		l = im.reopen(t, l, opts)
		if f2, n2 := l.Bounds(); f2 != first || n2 != 105 {
			t.Fatalf("after reopen Bounds = %d, %d; want %d, 105", f2, n2, first)
		}
		if err := l.ExpireBefore(1 << 50); err != nil {
			t.Fatal(err)
		}
		l = im.reopen(t, l, opts)
		if _, n2 := l.Bounds(); n2 != 105 {
			t.Fatalf("after expiring all and reopening next = %d, want 105", n2)
		}
		appendN(t, l, 1, sizeMod)
	}
}

func testConcurrent(t *testing.T, im impl, opts Options) {
	l := im.open(t, opts)
	const writers, appends = 8, 60
	type ack struct {
		first uint64
		n     int
		id    int
	}
	acks := make(chan ack, writers*appends)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < appends; i++ {
				id := w*1000 + i
				n := 1 + id%3
				entries := make([]Entry, n)
				for j := range entries {
					entries[j] = Entry{PartitionKey: fmt.Sprint(id), Data: payload(uint64(id), 5+j)}
				}
				first, _, err := l.Append(entries)
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				acks <- ack{first, n, id}
			}
		}()
	}
	// Readers run alongside and must only ever see whole, valid records.
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	for r := 0; r < 2; r++ {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			var buf []Record
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, next := l.Bounds()
				var err error
				buf, err = l.Read(next-min(next, 10), 10, 0, buf[:0])
				if err != nil {
					t.Errorf("concurrent Read: %v", err)
					return
				}
				for _, r := range buf {
					if len(r.Data) < 5 || len(r.Data) > 7 {
						t.Errorf("concurrent Read: record %d has %d bytes", r.Offset, len(r.Data))
						return
					}
				}
				time.Sleep(20 * time.Microsecond) // leave the CPUs to the writers
			}
		}()
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(acks)
	seen := map[uint64]ack{}
	total := 0
	for a := range acks {
		for j := 0; j < a.n; j++ {
			if prev, dup := seen[a.first+uint64(j)]; dup {
				t.Fatalf("offset %d given to appends %d and %d", a.first+uint64(j), prev.id, a.id)
			}
			seen[a.first+uint64(j)] = a
		}
		total += a.n
	}
	if _, next := l.Bounds(); next != uint64(total) {
		t.Fatalf("next = %d after %d records", next, total)
	}
	recs, err := l.Read(0, 0, 0, nil)
	if err != nil || len(recs) != total {
		t.Fatalf("Read all = %d, %v; want %d", len(recs), err, total)
	}
	var prevTs int64
	for i, r := range recs {
		a, ok := seen[r.Offset]
		if !ok || r.Offset != uint64(i) {
			t.Fatalf("record %d: offset %d not acked", i, r.Offset)
		}
		j := int(r.Offset - a.first)
		if r.PartitionKey != fmt.Sprint(a.id) || !bytes.Equal(r.Data, payload(uint64(a.id), 5+j)) {
			t.Fatalf("record %d: content mismatch", r.Offset)
		}
		if r.Timestamp < prevTs {
			t.Fatalf("record %d: timestamp went back", r.Offset)
		}
		prevTs = r.Timestamp
	}
}

// testAppendAsync: AppendAsync's done is called once per call with what
// Append would answer (consecutive offsets across concurrent callers, the
// records readable afterwards), including Append's refusals, and after
// Close with ErrClosed.
func testAppendAsync(t *testing.T, im impl, opts Options) {
	l := im.open(t, opts)
	const calls = 40
	type result struct {
		first uint64
		ts    int64
		err   error
	}
	results := make([]chan result, calls)
	for i := range results {
		results[i] = make(chan result, 2) // room to catch a second call of done
		entries := []Entry{{PartitionKey: keyFor(uint64(i)), Data: payload(uint64(i), 10+i)}, {PartitionKey: "b", Data: payload(uint64(i), 3)}}
		ch := results[i]
		l.AppendAsync(entries, func(first uint64, ts int64, err error) { ch <- result{first, ts, err} })
	}
	seen := map[uint64]int{}
	for i, ch := range results {
		r := <-ch
		if r.err != nil || r.ts == 0 {
			t.Fatalf("call %d: done(%d, %d, %v)", i, r.first, r.ts, r.err)
		}
		if j, dup := seen[r.first]; dup {
			t.Fatalf("calls %d and %d both got offset %d", j, i, r.first)
		}
		seen[r.first] = i
		recs, err := l.Read(r.first, 2, 0, nil)
		if err != nil || len(recs) != 2 || !bytes.Equal(recs[0].Data, payload(uint64(i), 10+i)) || recs[1].PartitionKey != "b" {
			t.Fatalf("call %d: records at %d = %v, %v", i, r.first, recs, err)
		}
	}
	if _, next := l.Bounds(); next != opts.StartOffset+2*calls {
		t.Fatalf("next = %d after %d two-record calls", next, calls)
	}
	for i, ch := range results {
		select {
		case r := <-ch:
			t.Fatalf("done of call %d called twice (%v)", i, r)
		default:
		}
	}
	got := make(chan error, 2)
	l.AppendAsync(nil, func(_ uint64, _ int64, err error) { got <- err })
	if err := <-got; !errors.Is(err, ErrEmptyAppend) {
		t.Fatalf("AppendAsync(nil): %v, want ErrEmptyAppend", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l.AppendAsync([]Entry{{PartitionKey: "k"}}, func(_ uint64, _ int64, err error) { got <- err })
	if err := <-got; !errors.Is(err, ErrClosed) {
		t.Fatalf("AppendAsync after Close: %v, want ErrClosed", err)
	}
}

func testErrors(t *testing.T, im impl, opts Options) {
	l := im.open(t, opts)
	if _, _, err := l.Append(nil); !errors.Is(err, ErrEmptyAppend) {
		t.Fatalf("Append(nil) = %v, want ErrEmptyAppend", err)
	}
	long := string(make([]byte, MaxKeyBytes+1))
	if _, _, err := l.Append([]Entry{{PartitionKey: "ok"}, {PartitionKey: long}}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Append with long key = %v, want ErrTooLarge", err)
	}
	if _, next := l.Bounds(); next != 0 {
		t.Fatalf("rejected appends stored records: next = %d", next)
	}
	appendN(t, l, 3, sizeMod)
}

func testClosed(t *testing.T, im impl, opts Options) {
	l := im.open(t, opts)
	appendN(t, l, 3, sizeMod)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Append([]Entry{{PartitionKey: "k"}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close = %v", err)
	}
	if _, err := l.Read(0, 1, 0, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close = %v", err)
	}
	if _, err := l.SeekTime(0); !errors.Is(err, ErrClosed) {
		t.Fatalf("SeekTime after Close = %v", err)
	}
	if err := l.ExpireBefore(0); !errors.Is(err, ErrClosed) {
		t.Fatalf("ExpireBefore after Close = %v", err)
	}
}

func testReopen(t *testing.T, im impl, opts Options) {
	if im.reopen == nil {
		return // nothing to reopen: the memory log has no durability
	}
	clk := newClock(5000)
	opts.Now = clk.Now
	opts.StartOffset = 77
	l := im.open(t, opts)
	appendN(t, l, 30, sizeMod)
	l = im.reopen(t, l, opts)
	if first, next := l.Bounds(); first != 77 || next != 107 {
		t.Fatalf("reopened Bounds = %d, %d", first, next)
	}
	if ts := l.LastTimestamp(); ts != 5000 {
		t.Fatalf("reopened LastTimestamp = %d", ts)
	}
	clk.set(10) // timestamps stay non-decreasing across restarts
	_, ts, err := l.Append([]Entry{{PartitionKey: keyFor(107), Data: payload(107, sizeMod(107))}})
	if err != nil || ts != 5000 {
		t.Fatalf("Append after reopen = ts %d, %v", ts, err)
	}
	appendN(t, l, 10, sizeMod)
	l = im.reopen(t, l, opts)
	checkRange(t, l, 77, 118, sizeMod)
	if off, err := l.SeekTime(5000); err != nil || off != 77 {
		t.Fatalf("SeekTime after reopen = %d, %v", off, err)
	}
}

func testLargeRecords(t *testing.T, im impl, opts Options) {
	l := im.open(t, opts)
	// Records larger than the read buffer and than tiny segments.
	size := func(off uint64) int { return []int{0, 200 << 10, 1, 70 << 10}[off%4] }
	appendN(t, l, 9, size)
	checkRange(t, l, 0, 9, size)
	// Concurrent appends beyond one group commit's byte bound.
	var wg sync.WaitGroup
	for w := range 6 { // 6 × 1.5 MiB > maxBatchBytes
		wg.Add(1)
		go func() {
			defer wg.Done()
			big := []Entry{{PartitionKey: "big", Data: payload(uint64(w), 3<<19)}}
			if _, _, err := l.Append(big); err != nil {
				t.Errorf("Append 1.5 MiB: %v", err)
			}
		}()
	}
	wg.Wait()
	if _, next := l.Bounds(); next != 15 {
		t.Fatalf("next = %d after 15 records", next)
	}
	for off := uint64(9); off < 15; off++ {
		recs, err := l.Read(off, 1, 0, nil)
		if err != nil || len(recs) != 1 || len(recs[0].Data) != 3<<19 {
			t.Fatalf("Read(%d) of a 1.5 MiB record = %d records, %v", off, len(recs), err)
		}
	}
	recs, err := l.Read(2, 0, 100<<10, nil) // 1 + 70 KiB + 0 fit, 200 KiB does not
	if err != nil || len(recs) != 3 {
		t.Fatalf("Read with maxBytes = %d records, %v; want 3", len(recs), err)
	}
}
