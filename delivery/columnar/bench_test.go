package columnar

import (
	"fmt"
	"io"
	"strings"
	"testing"
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
				for b.Loop() {
					n, failed, err := c.Convert(recs, io.Discard)
					if err != nil || len(failed) != 0 || n != len(recs) {
						b.Fatalf("n=%d failed=%v err=%v", n, failed[:min(len(failed), 3)], err)
					}
				}
				b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}
