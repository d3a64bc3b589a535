package shardlog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestModel drives the file log and the in-memory log (the reference) with
// the same random operations and clock and requires identical answers,
// including Bounds after retention, which depends on both rolling segments
// at the same sizes. The file log is reopened (and crashed) now and then.
func TestModel(t *testing.T) {
	for seed := uint64(0); seed < 12; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 99))
			clk := newClock(1_000)
			segBytes := []int64{0, 500, 2000, 9000}[seed%4]
			opts := Options{SegmentBytes: segBytes, Now: clk.Now, StartOffset: seed * 1000}
			mem := NewMemory(opts)
			cfs := NewCrashFS()
			fopts := opts
			fopts.FS = cfs
			file, err := Open("/m", fopts)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { file.Close() }()
			var buf []Record
			for step := 0; step < 1000; step++ {
				switch op := rng.IntN(100); {
				case op < 50:
					n := 1 + rng.IntN(6)
					entries := make([]Entry, n)
					for i := range entries {
						entries[i] = Entry{PartitionKey: fmt.Sprint(rng.IntN(50)), Data: payload(rng.Uint64(), rng.IntN(400))}
					}
					if rng.IntN(4) == 0 {
						clk.set(clk.ms.Load() + int64(rng.IntN(100)) - 30) // sometimes backwards
					}
					f1, ts1, err1 := mem.Append(entries)
					f2, ts2, err2 := file.Append(entries)
					if f1 != f2 || ts1 != ts2 || (err1 == nil) != (err2 == nil) {
						t.Fatalf("step %d Append: memory %d,%d,%v file %d,%d,%v", step, f1, ts1, err1, f2, ts2, err2)
					}
				case op < 80:
					first, next := mem.Bounds()
					from := first + uint64(rng.IntN(int(next-first)+3)) - 1
					maxRec, maxB := rng.IntN(20), rng.IntN(3000)
					want, err1 := mem.Read(from, maxRec, maxB, nil)
					var err2 error
					buf, err2 = file.Read(from, maxRec, maxB, buf[:0])
					if err1 != nil || err2 != nil || len(want) != len(buf) {
						t.Fatalf("step %d Read(%d,%d,%d): memory %d records %v, file %d records %v", step, from, maxRec, maxB, len(want), err1, len(buf), err2)
					}
					for i := range want {
						a, b := want[i], buf[i]
						if a.Offset != b.Offset || a.Timestamp != b.Timestamp || a.PartitionKey != b.PartitionKey || !bytes.Equal(a.Data, b.Data) {
							t.Fatalf("step %d Read(%d) record %d: memory %d/%d/%s file %d/%d/%s", step, from, i, a.Offset, a.Timestamp, a.PartitionKey, b.Offset, b.Timestamp, b.PartitionKey)
						}
					}
				case op < 88:
					ms := clk.ms.Load() - int64(rng.IntN(400))
					o1, err1 := mem.SeekTime(ms)
					o2, err2 := file.SeekTime(ms)
					if o1 != o2 || err1 != nil || err2 != nil {
						t.Fatalf("step %d SeekTime(%d): memory %d %v, file %d %v", step, ms, o1, err1, o2, err2)
					}
				case op < 94:
					ms := clk.ms.Load() - int64(rng.IntN(300))
					if err := mem.ExpireBefore(ms); err != nil {
						t.Fatal(err)
					}
					if err := file.ExpireBefore(ms); err != nil {
						t.Fatal(err)
					}
				case op < 97:
					file.Close()
					if file, err = Open("/m", fopts); err != nil {
						t.Fatalf("step %d reopen: %v", step, err)
					}
				default:
					// Power loss: SyncAlways acknowledged everything durably.
					fopts.FS = cfs.Crash()
					cfs = fopts.FS.(*CrashFS)
					file.Close()
					if file, err = Open("/m", fopts); err != nil {
						t.Fatalf("step %d reopen after crash: %v", step, err)
					}
				}
				f1, n1 := mem.Bounds()
				f2, n2 := file.Bounds()
				if f1 != f2 || n1 != n2 || mem.LastTimestamp() != file.LastTimestamp() {
					t.Fatalf("step %d: Bounds memory %d..%d ts %d, file %d..%d ts %d", step, f1, n1, mem.LastTimestamp(), f2, n2, file.LastTimestamp())
				}
			}
		})
	}
}
