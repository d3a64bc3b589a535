package delivery

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/delivery/prefix"
	"github.com/caudal/caudal/kpl"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/stream"
)

func TestFlushBySize(t *testing.T) {
	h := newHarness(t)
	h.create("size", dest(1, 900))
	big := strings.Repeat("a", 600<<10)
	h.put("size", big+"1")
	h.put("size", big+"2") // 1.2 MiB buffered: past SizeInMBs 1
	keys, bodies := h.waitObjects("", 1, "")
	all := ""
	for _, k := range keys {
		all += bodies[k]
	}
	if all != big+"1"+big+"2" {
		t.Fatalf("delivered %d bytes in %v, want both records concatenated in order", len(all), keys)
	}
	m := h.e.Metrics()
	if len(m) != 1 || m[0].RecordsDelivered != 2 || m[0].PendingRecords != 0 {
		t.Fatalf("metrics after delivery: %+v", m)
	}
}

func TestFlushByIntervalWithDefaultPrefixAndName(t *testing.T) {
	h := newHarness(t)
	h.create("tick", dest(5, 60))
	h.put("tick", `{"a":1}`, `{"a":2}`)
	if keys, _ := h.objects(""); len(keys) != 0 {
		t.Fatalf("delivered before the interval: %v", keys)
	}
	arrival := h.clk.now()
	h.clk.advance(61 * time.Second)
	keys, bodies := h.waitObjects("", 1, "tick")
	if len(keys) != 1 {
		t.Fatalf("objects: %v", keys)
	}
	want := prefix.DefaultTimePrefix(arrival)
	if !strings.HasPrefix(keys[0], want+"tick-1-") {
		t.Fatalf("key %q: want default time prefix %q and object name tick-1-…", keys[0], want)
	}
	if got := bodies[keys[0]]; got != `{"a":1}{"a":2}` {
		t.Fatalf("body %q", got)
	}
}

func TestRestartRedeliversUndelivered(t *testing.T) {
	h := newHarness(t)
	h.create("dur", dest(5, 900))
	ids := h.put("dur", "r1\n", "r2\n")
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("record ids %v", ids)
	}
	h.reopen() // nothing delivered yet: the records are only in the log
	if keys, _ := h.objects(""); len(keys) != 0 {
		t.Fatalf("delivered before the interval: %v", keys)
	}
	h.put("dur", "r3\n")
	h.clk.advance(901 * time.Second)
	// One object, or two when the restarted worker read the log's end
	// before r3 was appended and flushed r1 and r2 alone: either way each
	// record exactly once.
	var keys []string
	for deadline := time.Now().Add(15 * time.Second); ; {
		var bodies map[string]string
		keys, bodies = h.waitObjects("", 1, "dur")
		var recs []string
		total := 0
		for _, k := range keys {
			recs = append(recs, strings.Fields(bodies[k])...)
			total += len(bodies[k])
		}
		slices.Sort(recs)
		if slices.Equal(recs, []string{"r1", "r2", "r3"}) && total == len("r1\nr2\nr3\n") {
			break
		}
		if len(recs) >= 3 || time.Now().After(deadline) {
			t.Fatalf("after restart delivered %q in %d objects", recs, len(keys))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The checkpoint holds: another restart delivers nothing again.
	h.reopen()
	h.clk.advance(901 * time.Second)
	h.kick("dur")
	time.Sleep(100 * time.Millisecond)
	if keys2, _ := h.objects(""); len(keys2) != len(keys) {
		t.Fatalf("redelivered after checkpoint: %v then %v", keys, keys2)
	}
	if d, err := h.e.Describe(testRegion, "dur"); err != nil || d.VersionID != 1 {
		t.Fatalf("describe after restart: %+v %v", d, err)
	}
}

func TestGzipAndDelimiter(t *testing.T) {
	h := newHarness(t)
	d := dest(1, 0)
	d.CompressionFormat = "GZIP"
	d.Prefix = ptr("logs/")
	d.ProcessingConfiguration = &ProcessingConfiguration{Enabled: ptr(true), Processors: []Processor{{Type: "AppendDelimiterToRecord"}}}
	h.create("gz", d)
	h.put("gz", "x", "y")
	keys, bodies := h.waitObjects("logs/", 1, "gz")
	if !strings.HasSuffix(keys[0], ".gz") {
		t.Fatalf("key %q lacks .gz", keys[0])
	}
	zr, err := gzip.NewReader(strings.NewReader(bodies[keys[0]]))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	if string(b) != "x\ny\n" {
		t.Fatalf("gunzipped %q", b)
	}
}

func TestDynamicPartitioningErrorsGoToErrorPrefix(t *testing.T) {
	h := newHarness(t)
	d := dest(64, 1)
	d.Prefix = ptr("data/customer=!{partitionKeyFromQuery:customer}/")
	d.ErrorOutputPrefix = ptr("errors/!{firehose:error-output-type}/")
	d.DynamicPartitioningConfiguration = &DynamicPartitioningConfiguration{Enabled: ptr(true)}
	d.ProcessingConfiguration = &ProcessingConfiguration{Enabled: ptr(true), Processors: []Processor{
		{Type: "MetadataExtraction", Parameters: []ProcessorParameter{
			{ParameterName: "MetadataExtractionQuery", ParameterValue: "{customer: .customer}"},
			{ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6"}}},
		{Type: "AppendDelimiterToRecord"},
	}}
	h.create("dyn", d)
	h.put("dyn", `{"customer":"a","n":1}`, `not json`, `{"customer":"b","n":2}`, `{"customer":"a","n":3}`)
	_, errs := h.waitObjects("errors/", 1, "dyn")
	keys, bodies := h.waitObjects("data/", 2, "dyn")
	if len(keys) != 2 || !strings.HasPrefix(keys[0], "data/customer=a/") || !strings.HasPrefix(keys[1], "data/customer=b/") {
		t.Fatalf("partitioned keys %v", keys)
	}
	if bodies[keys[0]] != "{\"customer\":\"a\",\"n\":1}\n{\"customer\":\"a\",\"n\":3}\n" {
		t.Fatalf("partition a holds %q", bodies[keys[0]])
	}
	if len(errs) != 1 {
		t.Fatalf("error objects %v", errs)
	}
	for k, body := range errs {
		if !strings.HasPrefix(k, "errors/partitioning-failed/") {
			t.Fatalf("error key %q", k)
		}
		var er map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &er); err != nil {
			t.Fatalf("error record %q: %v", body, err)
		}
		raw, _ := base64.StdEncoding.DecodeString(er["rawData"].(string))
		if string(raw) != "not json" || er["errorCode"] == "" || er["attemptsMade"] != float64(1) || er["arrivalTimestamp"] == nil {
			t.Fatalf("error record %v", er)
		}
	}
	if m := h.e.Metrics(); m[0].RecordsFailed != 1 || m[0].RecordsDelivered != 3 {
		t.Fatalf("metrics %+v", m[0])
	}
}

func TestStreamSourceFollowsSplit(t *testing.T) {
	h := newHarness(t)
	if err := h.streams.CreateStream(testRegion, "src", stream.CreateOptions{ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	putStream := func(from, to int) {
		var entries []stream.PutEntry
		for i := from; i < to; i++ {
			entries = append(entries, stream.PutEntry{PartitionKey: fmt.Sprint("k", i), Data: []byte(fmt.Sprintf("%d\n", i))})
		}
		res, err := h.streams.PutRecords(testRegion, "src", entries)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
	}
	_, err := h.e.Create(testRegion, CreateInput{Name: "fromstream", Type: TypeKinesisSource, Extended: true,
		Source:      &KinesisSource{KinesisStreamARN: h.streams.ARN(testRegion, "src"), RoleARN: "arn:aws:iam::123456789012:role/r"},
		Destination: dest(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.e.Put(testRegion, "fromstream", [][]byte{[]byte("x")}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("PutRecord on a stream source: %v", err)
	}
	time.Sleep(5 * time.Millisecond)
	putStream(0, 50)
	st, _ := h.streams.Describe(testRegion, "src")
	if err := h.streams.SplitShard(testRegion, "src", st.Shards[0].ID, stream.HashKey{Hi: 1 << 63}); err != nil {
		t.Fatal(err)
	}
	putStream(50, 100)
	deadline := time.Now().Add(15 * time.Second)
	for {
		keys, bodies := h.objects("")
		seen := map[string]int{}
		for _, k := range keys {
			for _, line := range strings.Split(strings.TrimSpace(bodies[k]), "\n") {
				if line != "" {
					seen[line]++
				}
			}
		}
		if len(seen) == 100 {
			for k, n := range seen {
				if n != 1 {
					t.Fatalf("record %s delivered %d times", k, n)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of 100 records", len(seen))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The checkpoint names the parent as done.
	ds, _ := h.e.lookup(testRegion, "fromstream")
	ck, err := h.e.loadCheckpoint(ds.meta.ID)
	if err != nil || len(ck.Done) != 1 || ck.Done[0] != st.Shards[0].ID {
		t.Fatalf("checkpoint %+v %v", ck, err)
	}
}

// TestStreamSourceEmptyRecords: stream records without data are delivered
// too (Kinesis accepts a zero-length blob); the buffer is judged by its
// records, not its bytes.
func TestStreamSourceEmptyRecords(t *testing.T) {
	h := newHarness(t)
	if err := h.streams.CreateStream(testRegion, "empty", stream.CreateOptions{ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := h.e.Create(testRegion, CreateInput{Name: "fromempty", Type: TypeKinesisSource, Extended: true,
		Source:      &KinesisSource{KinesisStreamARN: h.streams.ARN(testRegion, "empty"), RoleARN: "arn:aws:iam::123456789012:role/r"},
		Destination: dest(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if _, err := h.streams.PutRecords(testRegion, "empty", []stream.PutEntry{{PartitionKey: "a"}, {PartitionKey: "b"}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := h.e.Metrics(); m[0].RecordsDelivered == 2 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("metrics %+v", m[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCreateRefusals(t *testing.T) {
	h := newHarness(t)
	h.create("one", dest(1, 60))
	if _, err := h.e.Create(testRegion, CreateInput{Name: "one", Destination: dest(1, 60)}); !errors.Is(err, ErrInUse) {
		t.Fatalf("duplicate: %v", err)
	}
	d := dest(1, 60)
	d.BucketARN = "arn:aws:s3:::nope"
	if _, err := h.e.Create(testRegion, CreateInput{Name: "two", Destination: d}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("missing bucket: %v", err)
	}
	if _, err := h.e.Describe(testRegion, "two"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("describe refused: %v", err)
	}
	err := h.e.UpdateDestination(testRegion, "one", 7, DestinationID, func(*S3Destination, bool) error { return nil })
	if !errors.Is(err, ErrConcurrentModification) {
		t.Fatalf("stale version: %v", err)
	}
	if err := h.e.UpdateDestination(testRegion, "one", 1, DestinationID, func(d *S3Destination, _ bool) error {
		d.Prefix = ptr("new/")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := h.e.Describe(testRegion, "one")
	if got.VersionID != 2 || *got.Destination.Prefix != "new/" {
		t.Fatalf("after update: %+v", got)
	}
	if err := h.e.Delete(testRegion, "one"); err != nil {
		t.Fatal(err)
	}
	if names, _ := h.e.List(testRegion, "", "", 0); len(names) != 0 {
		t.Fatalf("after delete: %v", names)
	}
}

func BenchmarkFlushGzip(b *testing.B) {
	h := newHarness(b)
	d := dest(128, 900)
	d.CompressionFormat = "GZIP"
	h.create("bench", d)
	ds, _ := h.e.lookup(testRegion, "bench")
	p := ds.currentPlan()
	batch := make([]rec, 10000)
	line := []byte(`{"ts":"2026-11-26T03:00:00Z","user":"u123","event":"click","value":42}` + "\n")
	for i := range batch {
		batch[i] = rec{data: line, arrival: time.Now().UnixMilli(), subSeq: -1}
	}
	b.SetBytes(int64(len(line) * len(batch)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ds.deliver(p, batch, false); err != nil {
			b.Fatal(err)
		}
	}
}

var _ = bytes.NewReader

func TestParquetConversionAndErrorRecords(t *testing.T) {
	h := newHarness(t)
	if err := h.cat.CreateDatabase(catalog.Database{Name: "db"}); err != nil {
		t.Fatal(err)
	}
	if err := h.cat.CreateTable("db", catalog.Table{Name: "events", StorageDescriptor: &catalog.StorageDescriptor{
		Columns: []catalog.Column{{Name: "id", Type: "int"}, {Name: "name", Type: "string"}}}}); err != nil {
		t.Fatal(err)
	}
	d := dest(64, 0)
	d.Prefix = ptr("pq/")
	d.DataFormatConversionConfiguration = &DataFormatConversionConfiguration{
		SchemaConfiguration:       &SchemaConfiguration{DatabaseName: "db", TableName: "events", RoleARN: "arn:aws:iam::123456789012:role/r"},
		InputFormatConfiguration:  &InputFormatConfiguration{Deserializer: &Deserializer{OpenXJsonSerDe: &OpenXJsonSerDe{}}},
		OutputFormatConfiguration: &OutputFormatConfiguration{Serializer: &Serializer{ParquetSerDe: &ParquetSerDe{}}},
	}
	h.create("pq", d)
	h.put("pq", `{"id":1,"name":"a"}`, `{"id":"not a number","name":"b"}`, `{"id":3,"name":"c"}`)
	keys, bodies := h.waitObjects("pq/", 1, "pq")
	if !strings.HasSuffix(keys[0], ".parquet") || !strings.HasPrefix(bodies[keys[0]], "PAR1") {
		t.Fatalf("object %q does not look like Parquet", keys[0])
	}
	_, errs := h.waitObjects("format-conversion-failed/", 1, "pq")
	for _, body := range errs {
		var er map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &er); err != nil {
			t.Fatalf("error record %q: %v", body, err)
		}
		raw, _ := base64.StdEncoding.DecodeString(er["rawData"].(string))
		tbl, _ := er["dataCatalogTable"].(map[string]any)
		if string(raw) != `{"id":"not a number","name":"b"}` || er["ErrorCode"] == "" || tbl["tableName"] != "events" {
			t.Fatalf("error record %v", er)
		}
	}
}

func TestStreamSourceResumesAfterRestart(t *testing.T) {
	h := newHarness(t)
	if err := h.streams.CreateStream(testRegion, "s2", stream.CreateOptions{ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	_, err := h.e.Create(testRegion, CreateInput{Name: "resume", Type: TypeKinesisSource, Extended: true,
		Source:      &KinesisSource{KinesisStreamARN: h.streams.ARN(testRegion, "s2"), RoleARN: "arn:aws:iam::123456789012:role/r"},
		Destination: dest(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	put := func(from, to int) {
		var entries []stream.PutEntry
		for i := from; i < to; i++ {
			entries = append(entries, stream.PutEntry{PartitionKey: fmt.Sprint(i), Data: []byte(fmt.Sprintf("%d\n", i))})
		}
		if _, err := h.streams.PutRecords(testRegion, "s2", entries); err != nil {
			t.Fatal(err)
		}
	}
	count := func() map[string]int {
		keys, bodies := h.objects("")
		seen := map[string]int{}
		for _, k := range keys {
			for _, l := range strings.Fields(bodies[k]) {
				seen[l]++
			}
		}
		return seen
	}
	waitN := func(n int) map[string]int {
		deadline := time.Now().Add(15 * time.Second)
		for {
			if s := count(); len(s) >= n {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivered %d of %d", len(count()), n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	put(0, 40)
	waitN(40)
	h.reopen()
	put(40, 80)
	seen := waitN(80)
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("record %s delivered %d times after a clean restart", k, n)
		}
	}
}

func TestCatalogPartitionRegistration(t *testing.T) {
	h := newHarness(t)
	h.cat.CreateDatabase(catalog.Database{Name: "db"})
	if err := h.cat.CreateTable("db", catalog.Table{Name: "clicks",
		StorageDescriptor: &catalog.StorageDescriptor{Columns: []catalog.Column{{Name: "n", Type: "int"}}, Location: "s3://dest/clicks/"},
		PartitionKeys:     []catalog.Column{{Name: "customer", Type: "string"}}}); err != nil {
		t.Fatal(err)
	}
	d := dest(64, 1)
	d.Prefix = ptr("clicks/customer=!{partitionKeyFromQuery:customer}/")
	d.ErrorOutputPrefix = ptr("errors/")
	d.DynamicPartitioningConfiguration = &DynamicPartitioningConfiguration{Enabled: ptr(true)}
	d.ProcessingConfiguration = &ProcessingConfiguration{Processors: []Processor{{Type: "MetadataExtraction", Parameters: []ProcessorParameter{
		{ParameterName: "MetadataExtractionQuery", ParameterValue: "{customer: .customer}"}}}}}
	_, err := h.e.Create(testRegion, CreateInput{Name: "reg", Extended: true, Destination: d,
		Tags: []Tag{{Key: CatalogTableTag, Value: ptr("db.clicks")}}})
	if err != nil {
		t.Fatal(err)
	}
	h.put("reg", `{"customer":"x","n":1}`, `{"customer":"y","n":2}`)
	h.waitObjects("clicks/", 2, "reg")
	deadline := time.Now().Add(10 * time.Second)
	for {
		parts, _, err := h.cat.GetPartitions("db", "clicks", catalog.PartitionQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(parts) == 2 {
			got := map[string]string{}
			for _, p := range parts {
				got[p.Values[0]] = p.StorageDescriptor.Location
			}
			if got["x"] != "s3://dest/clicks/customer=x/" || got["y"] != "s3://dest/clicks/customer=y/" {
				t.Fatalf("partitions %v", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("registered %d partitions", len(parts))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPartitionOf(t *testing.T) {
	keys := []catalog.Column{{Name: "year"}, {Name: "Month"}}
	vals, loc, ok := partitionOf("t/year=2026/month=11/x/obj", keys)
	if !ok || vals[0] != "2026" || vals[1] != "11" || loc != "t/year=2026/month=11/" {
		t.Fatalf("%v %q %v", vals, loc, ok)
	}
	if _, _, ok := partitionOf("t/year=2026/obj-month=11", keys); ok {
		t.Fatal("a partition value in the object name is not a directory")
	}
}

func TestLakeFailureKeepsRecordsAndRetries(t *testing.T) {
	h := newHarness(t)
	if err := h.lake.CreateBucket("flaky", ""); err != nil {
		t.Fatal(err)
	}
	d := dest(1, 0)
	d.BucketARN = "arn:aws:s3:::flaky"
	h.create("retry", d)
	// The bucket vanishes before the first flush: delivery fails and
	// retries, keeping the records in the log.
	if err := h.lake.DeleteBucket("flaky"); err != nil {
		t.Fatal(err)
	}
	h.put("retry", "a\n", "b\n")
	deadline := time.Now().Add(10 * time.Second)
	for h.e.Metrics()[0].FlushFailures == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no failed flush recorded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := h.lake.CreateBucket("flaky", ""); err != nil {
		t.Fatal(err)
	}
	for {
		res, err := h.lake.List("flaky", lake.ListOptions{MaxKeys: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Objects) == 1 {
			obj, _ := h.lake.GetObject("flaky", res.Objects[0].Key)
			b, _ := io.ReadAll(obj.Body)
			obj.Close()
			if string(b) != "a\nb\n" {
				t.Fatalf("after retry delivered %q", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not delivered after the bucket came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for m := h.e.Metrics()[0]; m.LastError == "" || m.PendingRecords != 0; m = h.e.Metrics()[0] {
		if time.Now().After(deadline) {
			t.Fatalf("metrics %+v", m)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDynamicPartitioningFixedAtCreation(t *testing.T) {
	h := newHarness(t)
	h.create("plain", dest(64, 60))
	err := h.e.UpdateDestination(testRegion, "plain", 1, DestinationID, func(d *S3Destination, _ bool) error {
		d.ErrorOutputPrefix = ptr("e/")
		d.DynamicPartitioningConfiguration = &DynamicPartitioningConfiguration{Enabled: ptr(true)}
		d.ProcessingConfiguration = &ProcessingConfiguration{Processors: []Processor{{Type: "MetadataExtraction",
			Parameters: []ProcessorParameter{{ParameterName: "MetadataExtractionQuery", ParameterValue: "{a:.a}"}}}}}
		return nil
	})
	if !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("enabling dynamic partitioning by update: %v", err)
	}
}

func TestCustomTimeZoneDefaultPrefix(t *testing.T) {
	h := newHarness(t)
	d := dest(1, 0)
	d.CustomTimeZone = ptr("Asia/Tokyo")
	h.create("tz", d)
	h.put("tz", "x")
	at := h.clk.now()
	keys, _ := h.waitObjects("", 1, "tz")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	want := at.In(tokyo).Format("2006/01/02/15") + "/"
	if !strings.HasPrefix(keys[0], want) {
		t.Fatalf("key %q, want the Tokyo hour prefix %q", keys[0], want)
	}
}

func TestKPLDeaggregation(t *testing.T) {
	h := newHarness(t)
	d := dest(1, 0)
	d.ProcessingConfiguration = &ProcessingConfiguration{Processors: []Processor{
		{Type: "RecordDeAggregation", Parameters: []ProcessorParameter{{ParameterName: "SubRecordType", ParameterValue: "KPL"}}},
		{Type: "AppendDelimiterToRecord"},
	}}
	h.create("kpl", d)
	agg := kpl.Aggregate([]kpl.Record{{PartitionKey: "a", Data: []byte("one")}, {PartitionKey: "b", Data: []byte("two")}})
	if _, err := h.e.Put(testRegion, "kpl", [][]byte{agg, []byte("plain")}); err != nil {
		t.Fatal(err)
	}
	keys, bodies := h.waitObjects("", 1, "kpl")
	if got := bodies[keys[0]]; got != "one\ntwo\nplain\n" {
		t.Fatalf("de-aggregated %q", got)
	}
}
