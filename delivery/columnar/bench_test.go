package columnar

import (
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var benchColumns = []Column{
	{"id", "bigint"}, {"user_id", "string"}, {"event", "string"}, {"ts", "timestamp"},
	{"amount", "double"}, {"qty", "int"}, {"ok", "boolean"}, {"tags", "array<string>"},
	{"attrs", "map<string,string>"}, {"geo", "struct<lat:double,lon:double,city:string>"},
	{"payload", "string"},
}

// benchRecords makes n records of about 1 KiB each, shaped like clickstream
// events with ~10 columns.
func benchRecords(n int) [][]byte {
	events := []string{"click", "view", "purchase", "scroll", "login"}
	recs := make([][]byte, n)
	pad := strings.Repeat("abcdefghij", 60)
	for i := range recs {
		recs[i] = fmt.Appendf(nil, `{"id":%d,"user_id":"user-%06d","event":"%s","ts":"2026-11-26T03:%02d:%02d.%03dZ","amount":%d.%02d,"qty":%d,"ok":%t,"tags":["a%d","b","c"],"attrs":{"browser":"firefox","os":"linux","ref":"https://example.com/p/%d"},"geo":{"lat":40.4168,"lon":-3.7038,"city":"Madrid"},"payload":"%s-%d"}`+"\n",
			i, i%5000, events[i%len(events)], i/60%60, i%60, i%1000, i%997, i%100, i%7, i%2 == 0, i%10, i, pad, i)
	}
	return recs
}

func BenchmarkConvert(b *testing.B) {
	for _, codec := range []string{"SNAPPY", "UNCOMPRESSED", "GZIP", "ZSTD"} {
		for _, dict := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/dict=%t", codec, dict), func(b *testing.B) {
				recs := benchRecords(20000)
				var size int64
				for _, r := range recs {
					size += int64(len(r))
				}
				c, err := New(Options{Columns: benchColumns, Compression: codec, EnableDictionaryCompression: dict})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(size)
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuTime()
				for b.Loop() {
					n, failed, err := c.Convert(recs, io.Discard)
					if err != nil || len(failed) != 0 || n != len(recs) {
						b.Fatalf("n=%d failed=%v err=%v", n, failed[:min(len(failed), 3)], err)
					}
				}
				reportRates(b, len(recs), cpuTime()-cpu0)
			})
		}
	}
}

// BenchmarkDuckDBCopy measures the alternative this package rejected:
// DuckDB converting the same records with COPY (SELECT … FROM read_ndjson)
// TO parquet, through temp files. It converts the whole batch or fails it
// (per-record failures would still need a Go pass like Convert's), so it is
// here only to record the comparison.
func BenchmarkDuckDBCopy(b *testing.B) {
	recs := benchRecords(20000)
	var size int64
	var nd []byte
	for _, r := range recs {
		size += int64(len(r))
		nd = append(nd, r...)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	dir := b.TempDir()
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.parquet")
	cols := `{id: 'BIGINT', user_id: 'VARCHAR', event: 'VARCHAR', ts: 'TIMESTAMP', amount: 'DOUBLE', qty: 'INTEGER', ok: 'BOOLEAN', tags: 'VARCHAR[]', attrs: 'MAP(VARCHAR, VARCHAR)', geo: 'STRUCT(lat DOUBLE, lon DOUBLE, city VARCHAR)', payload: 'VARCHAR'}`
	b.SetBytes(size)
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		if err := os.WriteFile(in, nd, 0o600); err != nil {
			b.Fatal(err)
		}
		q := fmt.Sprintf(`COPY (SELECT * FROM read_ndjson('%s', columns=%s)) TO '%s' (FORMAT parquet, COMPRESSION snappy)`, in, cols, out)
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
		if _, err := os.ReadFile(out); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, len(recs), cpuTime()-cpu0)
}

// cpuTime is the process's user+system CPU time, all threads (DuckDB's
// included): on a shared 2-core machine, records per CPU-second is the
// steadier number.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportRates(b *testing.B, perOp int, cpu time.Duration) {
	b.ReportMetric(float64(perOp)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if cpu > 0 {
		b.ReportMetric(float64(perOp)*float64(b.N)/cpu.Seconds(), "records/cpu-s")
	}
}

// BenchmarkJSONParse measures the JSON parser alone over the records of
// BenchmarkConvert (1 KiB, 11 fields, a 600-byte string) and of
// bench/deliverybench (1 KiB, 6 fields, a 921-byte string).
func BenchmarkJSONParse(b *testing.B) {
	events := make([][]byte, 10000)
	for i := range events {
		head := fmt.Sprintf(`{"id":%d,"ts":"2026-11-26T04:%02d:%02d.%03dZ","user_id":"user-%d","category":"c%d","amount":%d.%02d,"payload":"`,
			i, i/60%60, i%60, i%1000, i%5000, i%17, i%1000, i%100)
		events[i] = []byte(head + strings.Repeat("0123456789abcdef", 64)[:1024-len(head)-3] + "\"}\n")
	}
	for _, tc := range []struct {
		name string
		recs [][]byte
	}{{"clickstream", benchRecords(10000)}, {"events", events}} {
		b.Run(tc.name, func(b *testing.B) {
			var size int64
			for _, r := range tc.recs {
				size += int64(len(r))
			}
			b.SetBytes(size)
			var p jparser
			for b.Loop() {
				for _, r := range tc.recs {
					p.data, p.i, p.nodes = r, 0, p.nodes[:0]
					if _, err := p.parseValue(0); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
