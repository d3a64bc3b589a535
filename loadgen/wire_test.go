package loadgen

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestAppendRecordDataMatchesRecord checks the cached-tail encoding
// against encoding/base64 of encodeRecord's bytes, for sizes around the
// cache boundary and every counter residue.
func TestAppendRecordDataMatchesRecord(t *testing.T) {
	for _, size := range []int{16, 17, 18, 19, 20, 21, 100, 1024, 1025} {
		tails := tailsFor(size)
		rec := make([]byte, size)
		for c := uint64(0); c < 600; c += 7 {
			id := recordID{producer: 3, counter: c<<20 | c}
			encodeRecord(rec, 0xdeadbeef, id)
			want := `"` + base64.StdEncoding.EncodeToString(rec) + `"`
			for _, tl := range []*[256][]byte{tails, nil} {
				if got := string(appendRecordData([]byte("x"), size, 0xdeadbeef, id, tl)); got != "x"+want {
					t.Fatalf("size %d counter %d (cache %v): %s, want %s", size, id.counter, tl != nil, got, want)
				}
			}
		}
	}
}

// TestPutRecordsBody checks the wire body is the JSON the SDK would send:
// it decodes to the stream, the keys and the records' bytes.
func TestPutRecordsBody(t *testing.T) {
	keys := []*string{aws.String("k-0"), aws.String(`k"1\`)}
	p := &producer{r: &runner{cfg: Config{RecordSize: 40}, run: 9, stream: "s"}, id: 2, keys: keys, tails: tailsFor(40)}
	body := p.putRecordsBody(nil, []uint64{5, 6, 7}, []int32{1, 0, 1})
	var got struct {
		StreamName string
		Records    []struct {
			Data         []byte
			PartitionKey string
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if got.StreamName != "s" || len(got.Records) != 3 {
		t.Fatalf("decoded %+v", got)
	}
	for i, want := range []uint64{5, 6, 7} {
		id, err := decodeRecord(got.Records[i].Data, 9, 40)
		if err != nil || id != (recordID{producer: 2, counter: want}) || got.Records[i].PartitionKey != *keys[[]int{1, 0, 1}[i]] {
			t.Errorf("record %d: id %+v err %v key %q", i, id, err, got.Records[i].PartitionKey)
		}
	}
}

// BenchmarkPutRecordsBody: building one 500 × 1 KiB PutRecords body,
// the generator's per-call encoding. Budget: no allocation.
func BenchmarkPutRecordsBody(b *testing.B) {
	keys := make([]*string, 1024)
	for i := range keys {
		keys[i] = aws.String(fmt.Sprint("k-", i))
	}
	p := &producer{r: &runner{cfg: Config{RecordSize: 1024}, run: 9, stream: "bench"}, keys: keys, tails: tailsFor(1024)}
	ids, ki := make([]uint64, 500), make([]int32, 500)
	for i := range ids {
		ids[i], ki[i] = uint64(i), int32(i*7%1024)
	}
	body := p.putRecordsBody(nil, ids, ki)
	b.SetBytes(500 * 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body = p.putRecordsBody(body[:0], ids, ki)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/record")
	if a := testing.AllocsPerRun(3, func() { body = p.putRecordsBody(body[:0], ids, ki) }); a > 0 {
		b.Fatalf("%v allocations per body, budget 0", a)
	}
}

// BenchmarkDecodeGetRecordsAnswer: decoding one GetRecords answer of
// 10,000 records of 1 KiB as the wire client does. Budget: one allocation
// per record (its sequence number) plus a few per answer.
func BenchmarkDecodeGetRecordsAnswer(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"Records":[`)
	data := base64.StdEncoding.EncodeToString(make([]byte, 1024))
	for i := range 10000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"SequenceNumber":"49671234567890123456789012345678901234567890%012d","ApproximateArrivalTimestamp":1.7e9,"Data":"%s","PartitionKey":"k-1"}`, i, data)
	}
	sb.WriteString(`],"NextShardIterator":"AAAA","MillisBehindLatest":0}`)
	body := []byte(sb.String())
	var d wireDecoder
	var out getRecordsAnswer
	decode := func() {
		out.Records = out.Records[:0]
		if err := d.decode(body, &out); err != nil || len(out.Records) != 10000 || len(out.Records[9999].Data) != 1024 {
			b.Fatalf("%v, %d records", err, len(out.Records))
		}
	}
	decode()
	b.SetBytes(10000 * 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		decode()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/record")
	if a := testing.AllocsPerRun(2, decode); a > 2*10000+10 {
		b.Fatalf("%v allocations per answer, budget %d", a, 2*10000+10)
	}
}
