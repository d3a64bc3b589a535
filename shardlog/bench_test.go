package shardlog

import (
	"fmt"
	"path/filepath"
	"testing"
)

// Benchmarks run on the real disk (t.TempDir()), so SyncAlways numbers
// include real fsyncs. Record results in docs/benchmarks-shardlog.md.

func benchEntries(n, size int) []Entry {
	entries := make([]Entry, n)
	for i := range entries {
		entries[i] = Entry{PartitionKey: fmt.Sprintf("partition-key-%d", i%100), Data: payload(uint64(i), size)}
	}
	return entries
}

func BenchmarkAppend(b *testing.B) {
	shapes := []struct {
		name    string
		n, size int
	}{
		{"1KiBx500", 500, 1024},
		{"100Bx500", 500, 100},
		{"single100B", 1, 100},
		{"single1KiB", 1, 1024},
	}
	modes := []struct {
		name string
		mode SyncMode
	}{{"always", SyncAlways}, {"never", SyncNever}}
	for _, m := range modes {
		for _, s := range shapes {
			entries := benchEntries(s.n, s.size)
			b.Run(fmt.Sprintf("%s/%s", m.name, s.name), func(b *testing.B) {
				l, err := Open(b.TempDir(), Options{Sync: m.mode})
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				b.SetBytes(int64(s.n * s.size))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := l.Append(entries); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*s.n)/b.Elapsed().Seconds(), "records/s")
			})
			// Many appenders at once: group commit shares each fsync.
			b.Run(fmt.Sprintf("%s/%s/parallel16", m.name, s.name), func(b *testing.B) {
				l, err := Open(b.TempDir(), Options{Sync: m.mode})
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				b.SetBytes(int64(s.n * s.size))
				b.ReportAllocs()
				b.SetParallelism(8) // 8 × GOMAXPROCS goroutines
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, _, err := l.Append(entries); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N*s.n)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

func BenchmarkRead(b *testing.B) {
	for _, s := range []struct {
		name    string
		n, size int
	}{{"1KiBx500", 500, 1024}, {"100Bx500", 500, 100}, {"1KiBx10000", 10000, 1024}} {
		for _, im := range []string{"file", "memory"} {
			b.Run(s.name+"/"+im, func(b *testing.B) {
				var l Log
				if im == "file" {
					var err error
					if l, err = Open(b.TempDir(), Options{Sync: SyncNever}); err != nil {
						b.Fatal(err)
					}
				} else {
					l = NewMemory(Options{})
				}
				defer l.Close()
				entries := benchEntries(500, s.size)
				const appends = 80 // 40 MiB of 1 KiB records
				for range appends {
					if _, _, err := l.Append(entries); err != nil {
						b.Fatal(err)
					}
				}
				_, next := l.Bounds()
				var buf []Record
				var from uint64
				b.SetBytes(int64(s.n * s.size))
				b.ReportAllocs()
				for b.Loop() {
					var err error
					buf, err = l.Read(from, s.n, 0, buf[:0])
					if err != nil || len(buf) != s.n {
						b.Fatalf("Read = %d, %v", len(buf), err)
					}
					from = (from + uint64(s.n)) % (next - uint64(s.n))
				}
				b.ReportMetric(float64(b.N*s.n)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

func BenchmarkSeekTime(b *testing.B) {
	clk := newClock(0)
	l, err := Open(b.TempDir(), Options{Sync: SyncNever, SegmentBytes: 1 << 20, Now: clk.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	entries := benchEntries(100, 200)
	for i := range 1000 { // 100k records, ~22 MiB, ~22 segments
		clk.set(int64(i))
		if _, _, err := l.Append(entries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		if _, err := l.SeekTime(i % 1000); err != nil {
			b.Fatal(err)
		}
		i += 7
	}
}

// BenchmarkOpen measures opening a log of 64 MiB in 16 MiB segments: the
// active segment is scanned, sealed ones only probed (loaded lazily).
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	l, err := Open(dir, Options{Sync: SyncNever, SegmentBytes: 16 << 20})
	if err != nil {
		b.Fatal(err)
	}
	entries := benchEntries(500, 1024)
	for range 128 {
		if _, _, err := l.Append(entries); err != nil {
			b.Fatal(err)
		}
	}
	l.Close()
	for b.Loop() {
		l, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
}

// BenchmarkScanSegment measures validating and indexing one full 16 MiB
// segment (from the page cache): the cost of recovering an active segment
// at Open or of loading a sealed one on first use.
func BenchmarkScanSegment(b *testing.B) {
	dir := b.TempDir()
	l, err := Open(dir, Options{Sync: SyncNever, SegmentBytes: 16 << 20})
	if err != nil {
		b.Fatal(err)
	}
	entries := benchEntries(500, 1024)
	for range 40 {
		if _, _, err := l.Append(entries); err != nil {
			b.Fatal(err)
		}
	}
	l.Close()
	f, err := OSFS().OpenFile(segFilesB(b, dir)[0], 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	buf := make([]byte, 64<<10)
	b.SetBytes(fi.Size())
	for b.Loop() {
		res, err := scanSegment(f, fi.Size(), buf, noLimit, allRecs)
		if err != nil || res.stop != nil {
			b.Fatal(err, res.stop)
		}
	}
}

func segFilesB(b *testing.B, dir string) []string {
	m, err := filepath.Glob(filepath.Join(dir, "*"+segSuffix))
	if err != nil || len(m) == 0 {
		b.Fatal("no segments", err)
	}
	return m
}
