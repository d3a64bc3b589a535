package delivery

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
)

// BenchmarkPutBatch measures durable PutRecordBatch-sized appends (500
// records of 100 bytes, fsynced) to a DirectPut delivery stream.
func BenchmarkPutBatch(b *testing.B) {
	dir := b.TempDir()
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(dir, "lake"), NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer lk.Close()
	lk.CreateBucket("dest", "")
	e, err := Open(Config{Dir: filepath.Join(dir, "delivery"), Lake: lk, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Create(testRegion, CreateInput{Name: "p", Extended: true, Destination: dest(128, 900)}); err != nil {
		b.Fatal(err)
	}
	batch := make([][]byte, 500)
	for i := range batch {
		batch[i] = []byte(fmt.Sprintf(`{"i":%03d,"pad":"%085d"}`, i, i))
	}
	b.SetBytes(500 * 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Put(testRegion, "p", batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlushParquet measures the JSON → Parquet flush path: 10,000
// records through the converter into one lake object.
func BenchmarkFlushParquet(b *testing.B) {
	h := newHarness(b)
	h.cat.CreateDatabase(catalog.Database{Name: "db"})
	h.cat.CreateTable("db", catalog.Table{Name: "t", StorageDescriptor: &catalog.StorageDescriptor{Columns: []catalog.Column{
		{Name: "ts", Type: "string"}, {Name: "user", Type: "string"}, {Name: "event", Type: "string"}, {Name: "value", Type: "bigint"}}}})
	d := dest(128, 900)
	d.DataFormatConversionConfiguration = &DataFormatConversionConfiguration{
		SchemaConfiguration:       &SchemaConfiguration{DatabaseName: "db", TableName: "t"},
		InputFormatConfiguration:  &InputFormatConfiguration{Deserializer: &Deserializer{OpenXJsonSerDe: &OpenXJsonSerDe{}}},
		OutputFormatConfiguration: &OutputFormatConfiguration{Serializer: &Serializer{ParquetSerDe: &ParquetSerDe{}}},
	}
	h.create("bench", d)
	ds, _ := h.e.lookup(testRegion, "bench")
	p := ds.currentPlan()
	batch := make([]rec, 10000)
	size := 0
	for i := range batch {
		line := []byte(fmt.Sprintf(`{"ts":"2026-11-26T03:00:00Z","user":"u%d","event":"click","value":%d}`, i%100, i))
		batch[i] = rec{data: line, arrival: time.Now().UnixMilli(), subSeq: -1}
		size += len(line)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ds.deliver(p, batch, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(batch)*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPutToLake measures the delay from an acknowledged Put to its
// object being readable in the lake, with IntervalInSeconds 0 (deliver
// at once): one op is one record put and waited for.
func BenchmarkPutToLake(b *testing.B) {
	h := newHarness(b)
	h.create("lat", dest(1, 0))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.put("lat", fmt.Sprintf("r%d\n", i))
		for {
			res, err := h.lake.List("dest", lake.ListOptions{MaxKeys: 1000})
			if err != nil {
				b.Fatal(err)
			}
			if m := h.e.Metrics(); len(res.Objects) > 0 && m[0].RecordsDelivered == int64(i+1) {
				break
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
}
