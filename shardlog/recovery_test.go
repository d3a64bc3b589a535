package shardlog

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Recovery, crash and fault-injection tests of the file log.

func mustOpen(t *testing.T, dir string, opts Options) Log {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func segFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+segSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFormatV1Golden pins the v1 byte layout: if this test fails, the
// format changed, which needs a new version and a reader for v1.
func TestFormatV1Golden(t *testing.T) {
	hdr := appendSegHeader(nil, 42)
	// Built by hand from the documented layout, not with the encoder.
	var h []byte
	h = append(h, "CAUDSLOG"...)
	h = append(h, 1, 0, 0, 0)
	h = append(h, 42, 0, 0, 0, 0, 0, 0, 0)
	h = binary.LittleEndian.AppendUint32(h, crc32.Checksum(h, crc32.MakeTable(crc32.Castagnoli)))
	if !bytes.Equal(hdr, h) {
		t.Fatalf("header\n got %x\nwant %x", hdr, h)
	}
	rec := appendRecord(nil, 42, 1700000000123, "pk", []byte("hello"))
	body := []byte{}
	body = binary.LittleEndian.AppendUint32(body, 18+2+5)
	body = binary.LittleEndian.AppendUint64(body, 42)
	body = binary.LittleEndian.AppendUint64(body, 1700000000123)
	body = append(body, 2, 0, 'p', 'k', 'h', 'e', 'l', 'l', 'o')
	want := binary.LittleEndian.AppendUint32(nil, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	want = append(want, body...)
	if !bytes.Equal(rec, want) {
		t.Fatalf("record\n got %x\nwant %x", rec, want)
	}
	// And the literal bytes, so that a change in the hand-built version
	// above is caught too.
	const goldenHdr = "43415544534c4f47010000002a00000000000000eaf9adfb"
	const golden = "348a4f5a190000002a000000000000007b68e5cf8b0100000200706b68656c6c6f"
	if got := hex.EncodeToString(hdr); got != goldenHdr {
		t.Fatalf("header bytes changed:\n got %s\nwant %s", got, goldenHdr)
	}
	if got := hex.EncodeToString(rec); got != golden {
		t.Fatalf("record bytes changed:\n got %s\nwant %s", got, golden)
	}
	v, err := decodeRecord(rec, true)
	if err != nil || v.offset != 42 || v.ts != 1700000000123 || string(v.key) != "pk" || string(v.data) != "hello" || v.size != len(rec) {
		t.Fatalf("decode = %+v, %v", v, err)
	}
	if base, err := parseSegHeader(hdr); err != nil || base != 42 {
		t.Fatalf("parseSegHeader = %d, %v", base, err)
	}
}

func TestUnsupportedVersion(t *testing.T) {
	dir := t.TempDir()
	h := appendSegHeader(nil, 0)
	binary.LittleEndian.PutUint16(h[8:], 2)
	binary.LittleEndian.PutUint32(h[20:], crc32.Checksum(h[:20], castagnoli))
	if err := os.WriteFile(filepath.Join(dir, segName(0)), h, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, Options{})
	if !errors.Is(err, ErrUnsupportedVersion) {
		t.Fatalf("Open of a v2 segment = %v, want ErrUnsupportedVersion", err)
	}
	// And the file is left alone.
	got, _ := os.ReadFile(filepath.Join(dir, segName(0)))
	if !bytes.Equal(got, h) {
		t.Fatal("Open modified a segment of an unsupported version")
	}
}

// TestTornTail writes garbage after the valid records of a real segment
// file, as a crash mid-write leaves it, and checks that Open truncates it.
func TestTornTail(t *testing.T) {
	future := time.Now().Add(time.Hour).UnixMilli() // after the records' timestamps
	valid := appendRecord(nil, 20, future, "k", []byte("a whole record"))
	badCRC := bytes.Clone(valid)
	badCRC[len(badCRC)-1] ^= 1
	wrongOffset := appendRecord(nil, 99, 5, "k", []byte("x"))
	garbage := map[string][]byte{
		"random":             bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, 0x01}, 40),
		"zeros":              make([]byte, 4096),
		"half-record":        valid[:len(valid)/2],
		"header-only":        valid[:recHeaderSize],
		"four-bytes":         valid[:4],
		"bad-crc":            badCRC,
		"wrong-offset":       wrongOffset,
		"huge-length":        {0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f},
		"valid-then-garbage": append(bytes.Clone(valid), 1, 2, 3),
	}
	for name, g := range garbage {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{}
			l := mustOpen(t, dir, opts)
			appendN(t, l, 20, sizeMod)
			l.Close()
			files := segFiles(t, dir)
			last := files[len(files)-1]
			fi, _ := os.Stat(last)
			f, err := os.OpenFile(last, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(g)
			f.Close()

			l = mustOpen(t, dir, opts)
			wantNext := uint64(20)
			wantSize := fi.Size()
			if name == "valid-then-garbage" {
				wantNext, wantSize = 21, fi.Size()+int64(len(valid))
			}
			if _, next := l.Bounds(); next != wantNext {
				t.Fatalf("next after recovery = %d, want %d", next, wantNext)
			}
			checkRange(t, l, 0, 20, sizeMod)
			if fi2, _ := os.Stat(last); fi2.Size() != wantSize {
				t.Fatalf("segment size after recovery = %d, want %d", fi2.Size(), wantSize)
			}
			if wantNext == 21 {
				return
			}
			appendN(t, l, 5, sizeMod)
			l.Close()
			l = mustOpen(t, dir, opts)
			checkRange(t, l, 0, 25, sizeMod)
		})
	}
}

// TestTornActiveHeader: a crash while rolling left the new segment with a
// partial header. Open restarts it empty at its base offset.
func TestTornActiveHeader(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir, Options{})
	appendN(t, l, 10, sizeMod)
	l.Close()
	if err := os.WriteFile(filepath.Join(dir, segName(10)), appendSegHeader(nil, 10)[:7], 0o644); err != nil {
		t.Fatal(err)
	}
	l = mustOpen(t, dir, Options{})
	if first, next := l.Bounds(); first != 0 || next != 10 {
		t.Fatalf("Bounds = %d, %d; want 0, 10", first, next)
	}
	appendN(t, l, 5, sizeMod)
	checkRange(t, l, 0, 15, sizeMod)
}

// TestCorruptOlderSegment flips a byte inside a sealed segment: reads stop
// there with ErrCorrupt, everything before and after is served.
func TestCorruptOlderSegment(t *testing.T) {
	dir := t.TempDir()
	clk := newClock(1000)
	opts := Options{SegmentBytes: 400, Now: clk.Now}
	l := mustOpen(t, dir, opts)
	size := func(uint64) int { return 40 }
	for i := range uint64(40) { // record i has timestamp 1000+i
		clk.set(1000 + int64(i))
		appendN(t, l, 1, size)
	}
	l.Close()
	files := segFiles(t, dir)
	if len(files) < 4 {
		t.Fatalf("want several segments, got %d", len(files))
	}
	// Damage the third record of the second segment.
	second, _ := parseSegName(filepath.Base(files[1]))
	third, _ := parseSegName(filepath.Base(files[2]))
	frame := int64(recHeaderSize + len(keyFor(0)) + 40)
	flipByte(t, files[1], segHeaderSize+2*frame+recHeaderSize+3)

	l = mustOpen(t, dir, opts)
	if first, next := l.Bounds(); first != 0 || next != 40 {
		t.Fatalf("Bounds = %d, %d", first, next)
	}
	checkRange(t, l, 0, second+2, size)
	recs, err := l.Read(second, 100, 0, nil)
	if err != nil || len(recs) != 2 {
		t.Fatalf("Read up to the damage = %d records, %v; want 2", len(recs), err)
	}
	for off := second + 2; off < third; off++ {
		if _, err := l.Read(off, 1, 0, nil); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Read(%d) in damaged range = %v, want ErrCorrupt", off, err)
		}
	}
	checkRange(t, l, third, 40, size)
	// SeekTime does not skip the damage either: a time that may fall in
	// the damaged range answers with its start, where Read reports it.
	if off, err := l.SeekTime(1000 + int64(second) + 3); err != nil || off != second+2 {
		t.Fatalf("SeekTime into the damaged range = %d, %v; want %d", off, err, second+2)
	}
	if off, err := l.SeekTime(1000 + int64(third) + 1); err != nil || off != third+1 {
		t.Fatalf("SeekTime after the damaged range = %d, %v; want %d", off, err, third+1)
	}
	if off, err := l.SeekTime(1000 + int64(second) + 1); err != nil || off != second+1 {
		t.Fatalf("SeekTime before the damage = %d, %v; want %d", off, err, second+1)
	}
	appendN(t, l, 3, size)
	checkRange(t, l, third, 43, size)
}

// TestCorruptionAfterOpen: damage that appears while the log is open is
// caught by the checksum on Read.
func TestCorruptionAfterOpen(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir, Options{})
	size := func(uint64) int { return 100 }
	appendN(t, l, 10, size)
	frame := int64(recHeaderSize + len(keyFor(0)) + 100)
	flipByte(t, segFiles(t, dir)[0], segHeaderSize+5*frame+recHeaderSize+50)
	recs, err := l.Read(0, 100, 0, nil)
	if err != nil || len(recs) != 5 {
		t.Fatalf("Read up to damage = %d, %v; want 5 records", len(recs), err)
	}
	if _, err := l.Read(5, 100, 0, nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Read of damaged record = %v, want ErrCorrupt", err)
	}
}

func flipByte(t *testing.T, path string, at int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := []byte{0}
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x10
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

// crashEntry makes self-describing content, so that any record served after
// a crash can be checked against what was attempted.
func crashEntry(w, i int) Entry {
	key := fmt.Sprintf("w%d-%d", w, i)
	return Entry{PartitionKey: key, Data: payload(uint64(w<<20|i), 1+(w*31+i*7)%300)}
}

func checkCrashRecord(t *testing.T, r Record) {
	t.Helper()
	var w, i int
	if _, err := fmt.Sscanf(r.PartitionKey, "w%d-%d", &w, &i); err != nil {
		t.Fatalf("record %d: unexpected key %q", r.Offset, r.PartitionKey)
	}
	if want := crashEntry(w, i); !bytes.Equal(r.Data, want.Data) {
		t.Fatalf("record %d (%s): data differs from what was appended", r.Offset, r.PartitionKey)
	}
}

// TestCrash appends from several goroutines, cuts the power at a random
// moment and checks after reopening that every acknowledged record is there
// (SyncAlways), that what is served is whole and dense, and that the log
// goes on.
func TestCrash(t *testing.T) {
	for _, sm := range []SyncMode{SyncAlways, SyncInterval, SyncNever} {
		for _, torn := range []bool{false, true} {
			for _, seg := range []int64{0, 700} {
				name := fmt.Sprintf("sync=%d/torn=%v/seg=%d", sm, torn, seg)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					for iter := 0; iter < 15; iter++ {
						crashOnce(t, sm, torn, seg, uint64(iter))
					}
				})
			}
		}
	}
}

func crashOnce(t *testing.T, sm SyncMode, torn bool, seg int64, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, uint64(seg)))
	cfs := NewCrashFS()
	opts := Options{FS: cfs, Sync: sm, SegmentBytes: seg, SyncInterval: time.Millisecond}
	l, err := Open("/data/shard", opts)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[uint64]Entry{}
	const writers = 4
	target := 10 + rng.IntN(150)
	crashed := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				n := 1 + (w+i)%3
				entries := make([]Entry, n)
				for j := range entries {
					entries[j] = crashEntry(w, i*3+j)
				}
				first, _, err := l.Append(entries)
				if err != nil {
					select {
					case <-crashed:
						return // expected: the disk went away
					default:
						t.Errorf("Append before crash: %v", err)
						return
					}
				}
				mu.Lock()
				for j, e := range entries {
					acked[first+uint64(j)] = e
				}
				done := len(acked) >= target
				mu.Unlock()
				if done {
					return
				}
			}
		}()
	}
	// Crash once enough is acked, while the other writers are mid-flight.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= target/2 {
			break
		}
		time.Sleep(100 * time.Microsecond)
	}
	mu.Lock()
	close(crashed)
	if torn {
		cfs = cfs.CrashTorn(rng)
	} else {
		cfs = cfs.Crash()
	}
	durable := map[uint64]Entry{}
	for off, e := range acked { // acked before the crash
		durable[off] = e
	}
	mu.Unlock()
	wg.Wait()
	l.Close()

	l2, err := Open("/data/shard", Options{FS: cfs, Sync: sm, SegmentBytes: seg})
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer l2.Close()
	first, next := l2.Bounds()
	recs, err := l2.Read(first, 0, 0, nil)
	if err != nil {
		t.Fatalf("Read after crash: %v", err)
	}
	if uint64(len(recs)) != next-first {
		for _, s := range l2.(*fileLog).segs {
			t.Logf("seg base=%d next=%d size=%d damaged=%v", s.base, s.next, s.size, s.damaged)
		}
		t.Fatalf("Read returned %d records, Bounds %d..%d", len(recs), first, next)
	}
	for i, r := range recs {
		if r.Offset != first+uint64(i) {
			t.Fatalf("record %d has offset %d", i, r.Offset)
		}
		checkCrashRecord(t, r)
	}
	if sm == SyncAlways {
		for off, e := range durable {
			if off >= next {
				t.Fatalf("acked offset %d lost in crash (next %d)", off, next)
			}
			r := recs[off-first]
			if r.PartitionKey != e.PartitionKey || !bytes.Equal(r.Data, e.Data) {
				t.Fatalf("acked record %d: got %s, want %s", off, r.PartitionKey, e.PartitionKey)
			}
		}
	}
	// The log goes on from where it recovered.
	got, _, err := l2.Append([]Entry{crashEntry(9, 0)})
	if err != nil || got != next {
		t.Fatalf("Append after recovery = %d, %v; want %d", got, err, next)
	}
}

// TestSyncErrorSticky: a failed fsync fails that Append and every later
// one, even once the disk recovers; earlier records stay readable.
func TestSyncErrorSticky(t *testing.T) {
	for _, fault := range []string{"sync", "write", "full"} {
		t.Run(fault, func(t *testing.T) {
			cfs := NewCrashFS()
			opts := Options{FS: cfs}
			l := mustOpen(t, "/d", opts)
			appendN(t, l, 10, sizeMod)
			errBoom := errors.New("boom")
			var want error = errBoom
			switch fault {
			case "sync":
				cfs.FailSyncs(errBoom)
			case "write":
				cfs.FailWrites(errBoom)
			case "full":
				cfs.SetCapacity(cfs.used + 100)
				want = errENOSPC
			}
			_, _, err := l.Append([]Entry{{PartitionKey: "k", Data: make([]byte, 1000)}})
			if !errors.Is(err, want) {
				t.Fatalf("Append on failing disk = %v, want %v", err, want)
			}
			cfs.FailSyncs(nil)
			cfs.FailWrites(nil)
			cfs.SetCapacity(0)
			if _, _, err := l.Append([]Entry{{PartitionKey: "k"}}); !errors.Is(err, want) {
				t.Fatalf("Append after the disk recovered = %v, want the sticky %v", err, want)
			}
			if _, next := l.Bounds(); next != 10 {
				t.Fatalf("next = %d after failed appends, want 10", next)
			}
			checkRange(t, l, 0, 10, sizeMod)
			if err := l.Close(); !errors.Is(err, want) {
				t.Fatalf("Close = %v, want the sticky error", err)
			}
			// Reopening is the recovery.
			l = mustOpen(t, "/d", opts)
			checkRange(t, l, 0, 10, sizeMod)
			_, next := l.Bounds()
			got, _, err := l.Append([]Entry{{PartitionKey: "k"}})
			if err != nil || got != next {
				t.Fatalf("Append after reopen = %d, %v", got, err)
			}
		})
	}
}

// TestSyncIntervalError: under SyncInterval a failed background fsync makes
// later Appends fail.
func TestSyncIntervalError(t *testing.T) {
	cfs := NewCrashFS()
	l := mustOpen(t, "/d", Options{FS: cfs, Sync: SyncInterval, SyncInterval: time.Millisecond})
	errBoom := errors.New("boom")
	cfs.FailSyncs(errBoom)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, err := l.Append([]Entry{{PartitionKey: "k"}})
		if errors.Is(err, errBoom) {
			return
		}
		if err != nil {
			t.Fatalf("Append = %v, want boom", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("background sync error never surfaced")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRollSyncsDirectory: segments created by rolling survive a crash
// (their directory entries were synced before the acks).
func TestRollSyncsDirectory(t *testing.T) {
	cfs := NewCrashFS()
	opts := Options{FS: cfs, SegmentBytes: 300}
	l := mustOpen(t, "/d", opts)
	appendN(t, l, 30, sizeMod)
	opts.FS = cfs.Crash()
	l.Close()
	l = mustOpen(t, "/d", opts)
	if _, next := l.Bounds(); next != 30 {
		t.Fatalf("next after crash = %d, want 30 (segments lost?)", next)
	}
	checkRange(t, l, 0, 30, sizeMod)
}

// TestExpireCrash: removed segments stay removed, and the next offset
// survives, after a crash.
func TestExpireCrash(t *testing.T) {
	cfs := NewCrashFS()
	clk := newClock(1)
	opts := Options{FS: cfs, SegmentBytes: 300, Now: clk.Now}
	l := mustOpen(t, "/d", opts)
	appendN(t, l, 30, sizeMod)
	clk.set(100)
	if err := l.ExpireBefore(50); err != nil {
		t.Fatal(err)
	}
	first, _ := l.Bounds()
	opts.FS = cfs.Crash()
	l.Close()
	l = mustOpen(t, "/d", opts)
	if f2, n2 := l.Bounds(); f2 != first || n2 != 30 {
		t.Fatalf("after crash Bounds = %d, %d; want %d, 30", f2, n2, first)
	}
}

func TestReadAllocs(t *testing.T) {
	for _, im := range impls() {
		t.Run(im.name, func(t *testing.T) {
			l := im.open(t, Options{Sync: SyncNever})
			appendN(t, l, 200, func(uint64) int { return 100 })
			buf, _ := l.Read(0, 100, 0, nil)
			allocs := testing.AllocsPerRun(50, func() {
				var err error
				buf, err = l.Read(50, 100, 0, buf[:0])
				if err != nil || len(buf) != 100 {
					t.Fatalf("Read = %d, %v", len(buf), err)
				}
			})
			if allocs > 0 {
				t.Fatalf("steady-state Read of 100 records allocates %.1f times, want 0", allocs)
			}
		})
	}
}

func TestAppendAllocs(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{Sync: SyncNever})
	entries := make([]Entry, 100)
	for i := range entries {
		entries[i] = Entry{PartitionKey: "key", Data: make([]byte, 100)}
	}
	l.Append(entries) // warm up buffers
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := l.Append(entries); err != nil {
			t.Fatal(err)
		}
	})
	// Budget: no per-record allocation; occasional index growth only.
	if allocs > 1 {
		t.Fatalf("Append of 100 records allocates %.1f times, want <= 1", allocs)
	}
}

var errENOSPC = syscall.ENOSPC

// TestCloseDuringAppends: Close lets queued appends finish; every Append
// either fails with ErrClosed or is durable, never hangs.
func TestCloseDuringAppends(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir, Options{})
	var mu sync.Mutex
	acked := map[uint64]Entry{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				e := crashEntry(w, i)
				off, _, err := l.Append([]Entry{e})
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				mu.Lock()
				acked[off] = e
				mu.Unlock()
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	l = mustOpen(t, dir, Options{})
	_, next := l.Bounds()
	if next != uint64(len(acked)) {
		t.Fatalf("next = %d, acked %d", next, len(acked))
	}
	recs, err := l.Read(0, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if e := acked[r.Offset]; e.PartitionKey != r.PartitionKey || !bytes.Equal(e.Data, r.Data) {
			t.Fatalf("record %d differs from the acked append", r.Offset)
		}
	}
}

// TestLazyLoad: sealed segments are scanned on first use, by whichever of
// many concurrent readers, seekers and expirers gets there first.
func TestLazyLoad(t *testing.T) {
	dir := t.TempDir()
	clk := newClock(0)
	opts := Options{SegmentBytes: 2000, Sync: SyncNever, Now: clk.Now}
	l := mustOpen(t, dir, opts)
	for i := range uint64(300) {
		clk.set(int64(i))
		appendN(t, l, 1, sizeMod)
	}
	l.Close()
	l = mustOpen(t, dir, opts)
	unloaded := 0
	for _, s := range l.(*fileLog).segs {
		if !s.loaded {
			unloaded++
			if s.f != nil {
				t.Fatalf("unloaded segment %s holds an open file", s.path)
			}
		}
	}
	if unloaded < 5 {
		t.Fatalf("Open loaded sealed segments eagerly: %d of %d unloaded", unloaded, len(l.(*fileLog).segs))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch g % 3 {
			case 0:
				checkRange(t, l, 150, 300, sizeMod)
			case 1:
				for ms := int64(150); ms < 300; ms += 7 {
					if off, err := l.SeekTime(ms); err != nil || off != uint64(ms) {
						t.Errorf("SeekTime(%d) = %d, %v", ms, off, err)
						return
					}
				}
			case 2:
				if err := l.ExpireBefore(100); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if first, _ := l.Bounds(); first == 0 || first > 100 {
		t.Fatalf("first after ExpireBefore(100) = %d", first)
	}
}

// TestOpenSyncsDirectory: a segment created by a process killed before it
// synced the directory is visible at the next Open; records acknowledged
// into it must survive a later power loss.
func TestOpenSyncsDirectory(t *testing.T) {
	cfs := NewCrashFS()
	opts := Options{FS: cfs}
	l := mustOpen(t, "/d", opts)
	appendN(t, l, 5, sizeMod)
	l.Close()
	// What a kill -9 between "create the next segment" and "sync the
	// directory" leaves behind.
	f, err := cfs.OpenFile(filepath.Join("/d", segName(5)), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(appendSegHeader(nil, 5))
	f.Sync()
	f.Close()

	l = mustOpen(t, "/d", opts)
	appendN(t, l, 3, sizeMod)
	opts.FS = cfs.Crash()
	l.Close()
	l = mustOpen(t, "/d", opts)
	if _, next := l.Bounds(); next != 8 {
		t.Fatalf("next after crash = %d, want 8: acknowledged records lost", next)
	}
	checkRange(t, l, 0, 8, sizeMod)
}

// TestReadFailures: an I/O error is passed on as such, a file that shrank
// under the log is damage.
func TestReadFailures(t *testing.T) {
	cfs := NewCrashFS()
	l := mustOpen(t, "/d", Options{FS: cfs})
	appendN(t, l, 10, func(uint64) int { return 100 })
	boom := errors.New("disk read error")
	cfs.FailReads(boom)
	if _, err := l.Read(0, 10, 0, nil); !errors.Is(err, boom) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("Read with failing disk = %v, want the I/O error, not ErrCorrupt", err)
	}
	if _, err := l.SeekTime(0); err != nil {
		t.Fatalf("SeekTime(0) needs no read: %v", err)
	}
	cfs.FailReads(nil)

	dir := t.TempDir()
	l = mustOpen(t, dir, Options{})
	appendN(t, l, 10, func(uint64) int { return 100 })
	if err := os.Truncate(segFiles(t, dir)[0], segHeaderSize+5); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Read(0, 10, 0, nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Read of a file that shrank = %v, want ErrCorrupt", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{{SegmentBytes: -1}, {Sync: SyncMode(7)}, {SyncInterval: -time.Second}} {
		if _, err := Open(t.TempDir(), o); err == nil {
			t.Fatalf("Open(%+v) accepted invalid options", o)
		}
	}
}

// TestColdSegmentsUnload: ExpireBefore leaves only the newest
// keepLoadedSegments sealed segments loaded (no open file, no index for the
// others), so memory and file descriptors do not grow with retained data;
// unloaded segments read, seek and expire exactly as before, loading again
// on demand, also while readers run concurrently.
func TestColdSegmentsUnload(t *testing.T) {
	clk := newClock(0)
	opts := Options{SegmentBytes: 2000, Sync: SyncNever, Now: clk.Now}
	l := mustOpen(t, t.TempDir(), opts)
	defer l.Close()
	for i := range uint64(400) {
		clk.set(int64(i))
		appendN(t, l, 1, sizeMod)
	}
	fl := l.(*fileLog)
	loaded := func() (n, sealed int) {
		fl.mu.RLock()
		defer fl.mu.RUnlock()
		for _, s := range fl.segs[:len(fl.segs)-1] {
			sealed++
			if s.loaded {
				n++
			} else if s.f != nil || s.index != nil {
				t.Fatalf("unloaded segment %s keeps its file or index", s.path)
			}
		}
		return n, sealed
	}
	if n, sealed := loaded(); n != sealed || sealed < 3*keepLoadedSegments {
		t.Fatalf("before: %d of %d sealed segments loaded, want all and at least %d", n, sealed, 3*keepLoadedSegments)
	}
	if err := l.ExpireBefore(-1); err != nil { // nothing is that old
		t.Fatal(err)
	}
	if n, _ := loaded(); n != keepLoadedSegments {
		t.Fatalf("after ExpireBefore: %d sealed segments loaded, want %d", n, keepLoadedSegments)
	}
	if first, next := l.Bounds(); first != 0 || next != 400 {
		t.Fatalf("Bounds = %d, %d", first, next)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch g % 3 {
			case 0:
				checkRange(t, l, 0, 400, sizeMod)
			case 1:
				for ms := int64(0); ms < 400; ms += 11 {
					if off, err := l.SeekTime(ms); err != nil || off != uint64(ms) {
						t.Errorf("SeekTime(%d) = %d, %v", ms, off, err)
						return
					}
				}
			case 2:
				for range 5 {
					if err := l.ExpireBefore(-1); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := l.ExpireBefore(100); err != nil {
		t.Fatal(err)
	}
	if first, _ := l.Bounds(); first == 0 || first > 100 {
		t.Fatalf("first after ExpireBefore(100) = %d", first)
	}
	checkRange(t, l, 100, 400, sizeMod)
	if n, _ := loaded(); n > keepLoadedSegments+1 {
		// checkRange loaded what it read; the next pass unloads it again.
		if err := l.ExpireBefore(100); err != nil {
			t.Fatal(err)
		}
		if n, _ := loaded(); n != keepLoadedSegments {
			t.Fatalf("after a second pass: %d loaded", n)
		}
	}
	// Appends continue into the active segment after all of this.
	appendN(t, l, 1, sizeMod)
	checkRange(t, l, 395, 401, sizeMod)
}
