package delivery

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/stream"
)

// cpuNow is the process's user+system CPU time.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchJSON is record i: about 1 KiB of JSON (bench/deliverybench's shape).
func benchJSON(i int) []byte {
	head := fmt.Sprintf(`{"id":%d,"ts":"2026-11-26T04:%02d:%02d.%03dZ","user_id":"user-%d","category":"c%d","amount":%d.%02d,"payload":"`,
		i, i/60%60, i%60, i%1000, i%5000, i%17, i%1000, i%100)
	tail := "\"}\n"
	pad := make([]byte, 1024-len(head)-len(tail))
	for j := range pad {
		pad[j] = "0123456789abcdef"[(i+j*7)%16]
	}
	return append(append([]byte(head), pad...), tail...)
}

// BenchmarkStreamSourceParquet measures a KinesisStreamAsSource delivery
// stream converting to Parquet: N 1 KiB JSON records are put into a
// 4-shard stream (fsynced, as the server runs), then a delivery stream
// starting before them reads and delivers them all (lake fsync on). It
// reports the process's CPU per record (getrusage user+sys, steadier than
// wall time on a loaded machine) for the puts, for the delivery, and for
// both, and the delivery's wall-clock rate (records/s from the delivery
// stream's creation to the last record delivered). One op is 10,000
// records.
func BenchmarkStreamSourceParquet(b *testing.B) {
	dir := b.TempDir()
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(dir, "lake")})
	if err != nil {
		b.Fatal(err)
	}
	defer lk.Close()
	cat, err := catalog.Open(catalog.Config{Dir: filepath.Join(dir, "catalog")})
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	st, err := stream.Open(stream.Config{Dir: filepath.Join(dir, "streams"), AccountID: "123456789012", RetentionInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	lk.CreateBucket("dest", "")
	cat.CreateDatabase(catalog.Database{Name: "bench"})
	cat.CreateTable("bench", catalog.Table{Name: "events", StorageDescriptor: &catalog.StorageDescriptor{Columns: []catalog.Column{
		{Name: "id", Type: "bigint"}, {Name: "ts", Type: "string"}, {Name: "user_id", Type: "string"},
		{Name: "category", Type: "string"}, {Name: "amount", Type: "double"}, {Name: "payload", Type: "string"}}}})
	if err := st.CreateStream(testRegion, "src", stream.CreateOptions{ShardCount: 4}); err != nil {
		b.Fatal(err)
	}
	clk := &clock{}
	e, err := Open(Config{Dir: filepath.Join(dir, "delivery"), Lake: lk, Catalog: cat, Streams: st, AccountID: "123456789012",
		Now: clk.now, PollInterval: 20 * time.Millisecond, RetryInterval: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	d := dest(64, 1)
	d.Prefix = ptr("data/!{timestamp:yyyy}/")
	d.ErrorOutputPrefix = ptr("errors/!{firehose:error-output-type}/")
	d.DataFormatConversionConfiguration = &DataFormatConversionConfiguration{
		SchemaConfiguration:       &SchemaConfiguration{DatabaseName: "bench", TableName: "events"},
		InputFormatConfiguration:  &InputFormatConfiguration{Deserializer: &Deserializer{OpenXJsonSerDe: &OpenXJsonSerDe{}}},
		OutputFormatConfiguration: &OutputFormatConfiguration{Serializer: &Serializer{ParquetSerDe: &ParquetSerDe{Compression: "SNAPPY"}}},
	}
	n := b.N * 10000
	recs := make([][]byte, 500)
	for i := range recs {
		recs[i] = benchJSON(i)
	}
	b.SetBytes(1024 * 10000)
	b.ResetTimer()
	cpu0 := cpuNow()
	entries := make([]stream.PutEntry, len(recs))
	for put := 0; put < n; put += len(recs) {
		for i := range entries {
			entries[i] = stream.PutEntry{PartitionKey: fmt.Sprint("k", put+i), Data: recs[i]}
		}
		res, err := st.PutRecords(testRegion, "src", entries)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	cpuPut := cpuNow() - cpu0
	// A DeliveryStartTimestamp before the puts: the delivery stream reads
	// the records already in the stream.
	clk.set(-time.Hour)
	if _, err := e.Create(testRegion, CreateInput{Name: "fromstream", Type: TypeKinesisSource, Extended: true,
		Source:      &KinesisSource{KinesisStreamARN: st.ARN(testRegion, "src"), RoleARN: "arn:aws:iam::123456789012:role/r"},
		Destination: d}); err != nil {
		b.Fatal(err)
	}
	clk.set(0)
	cpu1 := cpuNow()
	t1 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for {
		if m := e.Metrics(); m[0].RecordsDelivered >= int64(n) {
			if m[0].RecordsFailed != 0 {
				b.Fatalf("%d records failed", m[0].RecordsFailed)
			}
			break
		}
		if ctx.Err() != nil {
			b.Fatalf("not delivered: %+v", e.Metrics()[0])
		}
		time.Sleep(5 * time.Millisecond)
	}
	cpuAll := cpuNow() - cpu0
	wall := time.Since(t1)
	b.StopTimer()
	b.ReportMetric(float64(cpuPut.Nanoseconds())/1e3/float64(n), "put-cpu-µs/rec")
	b.ReportMetric(float64(cpuAll.Nanoseconds())/1e3/float64(n), "cpu-µs/rec")
	b.ReportMetric(float64((cpuAll-(cpu1-cpu0)).Nanoseconds())/1e3/float64(n), "delivery-cpu-µs/rec")
	b.ReportMetric(float64(n)/wall.Seconds(), "delivery-rec/s")
}
