package kpl

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

type vectorFile struct {
	Vectors []struct {
		Name    string      `json:"name"`
		Data    string      `json:"data"`
		Records [][3]string `json:"records"`
	} `json:"vectors"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/kpl_generated.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return f
}

// TestKPLGeneratedRecords de-aggregates records the real KPL produced and
// checks that Aggregate reproduces them byte for byte.
func TestKPLGeneratedRecords(t *testing.T) {
	for _, v := range loadVectors(t).Vectors {
		t.Run(v.Name, func(t *testing.T) {
			data, err := base64.StdEncoding.DecodeString(v.Data)
			if err != nil {
				t.Fatal(err)
			}
			got, aggregated, err := Deaggregate(data)
			if err != nil {
				t.Fatalf("Deaggregate: %v", err)
			}
			if v.Records == nil {
				if aggregated || got != nil {
					t.Fatalf("plain record reported aggregated=%v with %d records", aggregated, len(got))
				}
				return
			}
			if !aggregated {
				t.Fatal("KPL record not recognised as aggregated")
			}
			var want []Record
			for _, r := range v.Records {
				want = append(want, Record{PartitionKey: r[0], ExplicitHashKey: r[1], Data: []byte(r[2])})
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("records:\n got %q\nwant %q", got, want)
			}
			if again := Aggregate(want); !bytes.Equal(again, data) {
				t.Fatalf("Aggregate differs from the KPL's encoding:\n got %x\nwant %x", again, data)
			}
		})
	}
}

// seal wraps a protobuf body as an aggregated record with a valid digest.
func seal(body []byte) []byte {
	sum := md5.Sum(body)
	out := append(append([]byte(nil), Magic[:]...), body...)
	return append(out, sum[:]...)
}

func TestNotAggregated(t *testing.T) {
	valid := Aggregate([]Record{{PartitionKey: "a", Data: []byte("x")}})
	badDigest := append([]byte(nil), valid...)
	badDigest[len(badDigest)-1] ^= 1
	badBody := append([]byte(nil), valid...)
	badBody[6] ^= 1
	cases := map[string][]byte{
		"empty":                 nil,
		"short":                 []byte("No"),
		"magic only":            Magic[:],
		"magic and short tail":  append(append([]byte(nil), Magic[:]...), make([]byte, 15)...),
		"wrong magic":           append([]byte{0xF3, 0x89, 0x9A, 0xC3}, valid[4:]...),
		"magic shifted":         valid[1:],
		"digest mismatch":       badDigest,
		"body changed":          badBody,
		"truncated":             valid[:len(valid)-1],
		"json":                  []byte(`{"a":1}`),
		"magic then json bytes": append(append([]byte(nil), Magic[:]...), []byte(`{"customer_id":"1234567890"}`)...),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			recs, aggregated, err := Deaggregate(data)
			if err != nil || aggregated || recs != nil {
				t.Fatalf("got %d records, aggregated=%v, err=%v; want plain record", len(recs), aggregated, err)
			}
		})
	}
}

func TestEmptyAggregate(t *testing.T) {
	data := Aggregate(nil)
	if len(data) != len(Magic)+md5.Size {
		t.Fatalf("empty aggregate is %d bytes", len(data))
	}
	recs, aggregated, err := Deaggregate(data)
	if err != nil || !aggregated || len(recs) != 0 {
		t.Fatalf("got %v, %v, %v", recs, aggregated, err)
	}
}

// field helpers for hand-built bodies.
func vf(field, v uint64) []byte { return appendVarintField(nil, field, v) }
func bf(field uint64, v []byte) []byte {
	return appendBytesField(nil, field, v)
}
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestUnknownFieldsSkipped(t *testing.T) {
	rec := cat(vf(1, 0), vf(9, 300), cat([]byte{byte(10<<3 | wireI64)}, make([]byte, 8)),
		bf(3, []byte("payload")), cat([]byte{byte(11<<3 | wireI32)}, make([]byte, 4)),
		bf(4, cat(bf(1, []byte("k")), bf(2, []byte("v")))))
	body := cat(bf(1, []byte("pk")), bf(15, []byte("ignored")), vf(16, 1), bf(3, rec))
	recs, aggregated, err := Deaggregate(seal(body))
	if err != nil || !aggregated {
		t.Fatalf("aggregated=%v err=%v", aggregated, err)
	}
	want := []Record{{PartitionKey: "pk", Data: []byte("payload")}}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("got %q want %q", recs, want)
	}
}

func TestMalformed(t *testing.T) {
	okRec := cat(vf(1, 0), bf(3, []byte("d")))
	cases := map[string][]byte{
		"truncated varint key":       {0x80},
		"truncated length":           {byte(1<<3 | wireBytes), 0x80},
		"length past end":            {byte(1<<3 | wireBytes), 5, 'a'},
		"huge length":                {byte(1<<3 | wireBytes), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"varint over 10 bytes":       cat([]byte{byte(9 << 3)}, bytes.Repeat([]byte{0x80}, 10), []byte{0}),
		"varint overflows 64 bits":   cat([]byte{byte(9 << 3)}, bytes.Repeat([]byte{0xff}, 9), []byte{0x02}),
		"field zero":                 {0x00, 0x00},
		"group wire type":            {byte(5<<3 | wireSGroup)},
		"wire type 6":                {byte(5<<3 | 6)},
		"truncated fixed64":          {byte(5<<3 | wireI64), 1, 2},
		"truncated fixed32":          {byte(5<<3 | wireI32), 1},
		"pk index out of range":      cat(bf(1, []byte("a")), bf(3, cat(vf(1, 1), bf(3, nil)))),
		"pk index huge":              cat(bf(1, []byte("a")), bf(3, cat(vf(1, 1<<63), bf(3, nil)))),
		"no pk table":                bf(3, okRec),
		"ehk index out of range":     cat(bf(1, []byte("a")), bf(3, cat(vf(1, 0), vf(2, 0), bf(3, nil)))),
		"missing pk index":           cat(bf(1, []byte("a")), bf(3, bf(3, []byte("d")))),
		"missing data":               cat(bf(1, []byte("a")), bf(3, vf(1, 0))),
		"tag without key":            cat(bf(1, []byte("a")), bf(3, cat(okRec, bf(4, bf(2, []byte("v")))))),
		"truncated record":           cat(bf(1, []byte("a")), bf(3, okRec[:len(okRec)-1])),
		"record field wrong type":    cat(bf(1, []byte("a")), bf(3, cat(okRec, []byte{byte(1<<3 | wireBytes), 9}))),
		"partition key table varint": cat([]byte{byte(1<<3 | wireVarint)}, []byte{0x80}),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			recs, aggregated, err := Deaggregate(seal(body))
			if !aggregated {
				t.Fatal("a record with a valid digest must count as aggregated")
			}
			if err == nil || !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %d records, err=%v; want ErrMalformed", len(recs), err)
			}
			if recs != nil {
				t.Fatalf("records returned alongside an error: %q", recs)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 100_000)
	in := []Record{
		{PartitionKey: "a", Data: []byte("one")},
		{PartitionKey: "b", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("two")},
		{PartitionKey: "a", ExplicitHashKey: "0", Data: nil},
		{PartitionKey: "", Data: []byte{0, 0xff, 0xF3, 0x89}},
		{PartitionKey: strings.Repeat("ü", 128), ExplicitHashKey: "340282366920938463463374607431768211455", Data: big},
	}
	data := Aggregate(in)
	out, aggregated, err := Deaggregate(data)
	if err != nil || !aggregated {
		t.Fatalf("aggregated=%v err=%v", aggregated, err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d records, want %d", len(out), len(in))
	}
	for i := range in {
		if out[i].PartitionKey != in[i].PartitionKey || out[i].ExplicitHashKey != in[i].ExplicitHashKey || !bytes.Equal(out[i].Data, in[i].Data) {
			t.Fatalf("record %d differs", i)
		}
	}
	// Keys are stored once: the two "a" records share one table entry.
	if n := bytes.Count(data, []byte("340282366920938463463374607431768211455")); n != 1 {
		t.Fatalf("explicit hash key stored %d times", n)
	}
}

// FuzzDeaggregate: Deaggregate never panics; records it returns lie within
// the input; re-aggregating them de-aggregates to the same records. The
// input is also split into records to round-trip Aggregate.
func FuzzDeaggregate(f *testing.F) {
	for _, v := range loadVectors(f).Vectors {
		data, _ := base64.StdEncoding.DecodeString(v.Data)
		f.Add(data)
	}
	f.Add(Aggregate([]Record{{PartitionKey: "k", ExplicitHashKey: "1", Data: []byte("v")}}))
	f.Add(seal(cat(bf(1, []byte("a")), bf(3, cat(vf(1, 0), bf(3, []byte("x")))))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, aggregated, err := Deaggregate(data)
		if !aggregated && (err != nil || recs != nil) {
			t.Fatalf("not aggregated but err=%v records=%d", err, len(recs))
		}
		if err != nil && recs != nil {
			t.Fatal("records alongside error")
		}
		total := 0
		for _, r := range recs {
			total += len(r.Data)
		}
		if total > len(data) {
			t.Fatalf("records hold %d bytes from a %d-byte input", total, len(data))
		}
		if aggregated && err == nil {
			checkRoundTrip(t, recs)
		}
		// Build records from the raw bytes and round-trip them.
		var built []Record
		for i, part := range bytes.Split(data, []byte{0}) {
			r := Record{PartitionKey: fmt.Sprint(len(part) % 7), Data: part}
			if i%2 == 1 {
				r.ExplicitHashKey = string(part)
			}
			built = append(built, r)
		}
		checkRoundTrip(t, built)
	})
}

func checkRoundTrip(t *testing.T, recs []Record) {
	t.Helper()
	again, aggregated, err := Deaggregate(Aggregate(recs))
	if err != nil || !aggregated {
		t.Fatalf("round trip: aggregated=%v err=%v", aggregated, err)
	}
	if len(again) != len(recs) {
		t.Fatalf("round trip: %d records, want %d", len(again), len(recs))
	}
	for i := range recs {
		if again[i].PartitionKey != recs[i].PartitionKey || again[i].ExplicitHashKey != recs[i].ExplicitHashKey || !bytes.Equal(again[i].Data, recs[i].Data) {
			t.Fatalf("round trip: record %d differs", i)
		}
	}
}

func benchRecords() []Record {
	recs := make([]Record, 100)
	for i := range recs {
		recs[i] = Record{PartitionKey: fmt.Sprintf("pk-%d", i%10), Data: bytes.Repeat([]byte{byte(i)}, 1000)}
	}
	return recs
}

func BenchmarkDeaggregate(b *testing.B) {
	data := Aggregate(benchRecords())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := Deaggregate(data); err != nil || !ok {
			b.Fatal(err)
		}
	}
}

func BenchmarkAggregate(b *testing.B) {
	recs := benchRecords()
	b.SetBytes(int64(len(Aggregate(recs))))
	b.ReportAllocs()
	for b.Loop() {
		Aggregate(recs)
	}
}
