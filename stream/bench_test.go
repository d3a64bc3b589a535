package stream

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

func benchEngine(b *testing.B, memory bool) *Engine {
	b.Helper()
	cfg := Config{Dir: b.TempDir(), RetentionInterval: -1}
	if memory {
		cfg.OpenLog = memoryLogs
	}
	return openEngine(b, cfg)
}

// BenchmarkPutRecords: one PutRecords call of 500 records of 1 KiB into a
// 4-shard stream (four concurrent appends, each one group-committed fsync
// on the file log).
func BenchmarkPutRecords(b *testing.B) {
	for _, memory := range []bool{false, true} {
		b.Run(map[bool]string{false: "file", true: "memory"}[memory], func(b *testing.B) {
			e := benchEngine(b, memory)
			if err := e.CreateStream(testRegion, "s", CreateOptions{ShardCount: 4}); err != nil {
				b.Fatal(err)
			}
			entries := make([]PutEntry, 500)
			data := make([]byte, 1024)
			for i := range entries {
				entries[i] = PutEntry{PartitionKey: fmt.Sprintf("key-%d", i), Data: data}
			}
			b.SetBytes(500 * 1024)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				res, err := e.PutRecords(testRegion, "s", entries)
				if err != nil || res[0].Err != nil {
					b.Fatal(err, res[0].Err)
				}
			}
			b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
			// Process CPU (user + system, every goroutine): on the file
			// log it includes the kernel's share of write and fsync.
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N*500), "cpu-ns/record")
		})
	}
}

// BenchmarkGetRecords: one GetRecords call returning 10,000 records of
// 100 bytes from one shard.
func BenchmarkGetRecords(b *testing.B) {
	for _, memory := range []bool{false, true} {
		b.Run(map[bool]string{false: "file", true: "memory"}[memory], func(b *testing.B) {
			e := benchEngine(b, memory)
			if err := e.CreateStream(testRegion, "s", CreateOptions{ShardCount: 1}); err != nil {
				b.Fatal(err)
			}
			entries := make([]PutEntry, 500)
			for i := range entries {
				entries[i] = PutEntry{PartitionKey: "k", Data: make([]byte, 100)}
			}
			for i := 0; i < 20; i++ {
				if _, err := e.PutRecords(testRegion, "s", entries); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(10000 * 100)
			b.ReportAllocs()
			b.ResetTimer()
			var it string
			for i := 0; i < b.N; i++ {
				if i%1000 == 0 { // iterators expire; refresh outside the hot path rarely
					b.StopTimer()
					it, _ = e.GetShardIterator(testRegion, "s", "shardId-000000000000", Position{Type: TrimHorizon})
					b.StartTimer()
				}
				r, err := e.GetRecords(testRegion, it, 10000)
				if err != nil || len(r.Records) != 10000 {
					b.Fatal(err, len(r.Records))
				}
			}
			b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "records/s")
		})
	}
	_ = time.Now
}

// BenchmarkSequenceNumbers formats the sequence numbers of 10,000
// consecutive records, as a GetRecords answer does: each from scratch
// (appendSeq) against one then increments (appendNextSeq).
func BenchmarkSequenceNumbers(b *testing.B) {
	buf := make([]byte, 0, 10000*seqLen)
	b.Run("appendSeq", func(b *testing.B) {
		for b.Loop() {
			buf = buf[:0]
			for off := uint64(1 << 20); off < 1<<20+10000; off++ {
				buf = appendSeq(buf, 1234567890, 3, off)
			}
		}
	})
	b.Run("appendNextSeq", func(b *testing.B) {
		for b.Loop() {
			buf = appendSeq(buf[:0], 1234567890, 3, 1<<20)
			for range 9999 {
				buf = appendNextSeq(buf)
			}
		}
	})
}

// processCPU is the process's CPU time so far (user + system, all threads).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
