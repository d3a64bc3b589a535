package protocol

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// testRecord and testInput are shaped like the service structs: json tags
// only, strings, integers, blobs, nested lists, maps and timestamps.
type testRecord struct {
	Data            []byte  `json:"Data,omitempty"`
	PartitionKey    string  `json:"PartitionKey,omitempty"`
	ExplicitHashKey *string `json:"ExplicitHashKey,omitempty"`
}

type testInput struct {
	StreamName string            `json:"StreamName,omitempty"`
	Limit      *int              `json:"Limit,omitempty"`
	Count      int64             `json:"Count,omitempty"`
	Records    []testRecord      `json:"Records,omitempty"`
	Nested     [][]string        `json:"Nested,omitempty"`
	Tags       map[string]string `json:"Tags,omitempty"`
	At         *Timestamp        `json:"At,omitempty"`
	When       Timestamp         `json:"When"`
	Flag       *bool             `json:"Flag,omitempty"`
}

func ptr[T any](v T) *T { return &v }

func sampleInput() testInput {
	at := NewTimestamp(time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.UTC))
	return testInput{
		StreamName: "orders",
		Limit:      ptr(10000),
		Count:      1 << 40,
		Records: []testRecord{
			{Data: []byte{0, 1, 2, 0xff, '"', '\\'}, PartitionKey: "pk-1"},
			{Data: []byte("hello"), PartitionKey: "pk-2", ExplicitHashKey: ptr("340282366920938463463374607431768211455")},
		},
		Nested: [][]string{{"a", "b"}, {}, {"c"}},
		Tags:   map[string]string{"env": "prod", "ünïcode": "✓"},
		At:     &at,
		When:   NewTimestamp(time.Unix(0, 0).UTC()),
		Flag:   ptr(true),
	}
}

func equalInput(t *testing.T, got, want testInput) {
	t.Helper()
	// Timestamps compare as instants; time.Time's location is not data.
	if got.At == nil || want.At == nil || !got.At.Time().Equal(want.At.Time()) || !got.When.Time().Equal(want.When.Time()) {
		t.Fatalf("timestamps: got %v/%v want %v/%v", got.At, got.When.Time(), want.At, want.When.Time())
	}
	got.At, want.At = nil, nil
	got.When, want.When = Timestamp{}, Timestamp{}
	// An empty inner list may decode as nil or empty; both are [].
	for i := range got.Nested {
		if len(got.Nested[i]) == 0 {
			got.Nested[i] = []string{}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestCodecRoundTrip(t *testing.T) {
	for _, c := range []Codec{JSON, CBOR} {
		in := sampleInput()
		b, err := Marshal(c, in)
		if err != nil {
			t.Fatal(err)
		}
		var out testInput
		if err := (&Call{Codec: c, Body: b}).Decode(&out); err != nil {
			t.Fatalf("codec %d: decode: %v", c, err)
		}
		equalInput(t, out, in)
	}
}

// TestCBORUsesJSONNames checks that CBOR maps are keyed by the json tag
// names, blobs are byte strings, and timestamps are tag 1 + int millis.
func TestCBORUsesJSONNames(t *testing.T) {
	b, err := Marshal(CBOR, sampleInput())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]cbor.RawMessage
	if err := cbor.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"StreamName", "Limit", "Count", "Records", "Nested", "Tags", "At", "When", "Flag"} {
		if _, ok := m[k]; !ok {
			t.Errorf("CBOR map lacks %q (has %v)", k, keys(m))
		}
	}
	var recs []map[string]cbor.RawMessage
	if err := cbor.Unmarshal(m["Records"], &recs); err != nil {
		t.Fatal(err)
	}
	if got := recs[1]["Data"]; !bytes.Equal(got, append([]byte{0x45}, "hello"...)) {
		t.Errorf("Data encoded as % x, want a 5-byte byte string", []byte(got))
	}
	// 1700000000123 ms = 0x18BCFE5687B: tag 1 (0xc1), uint64 follows (0x1b).
	if got, want := hex.EncodeToString(m["At"]), "c11b0000018bcfe5687b"; got != want {
		t.Errorf("At encoded as %s, want %s", got, want)
	}
	if got, want := hex.EncodeToString(m["When"]), "c100"; got != want {
		t.Errorf("When encoded as %s, want %s", got, want)
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestJSONEncoding(t *testing.T) {
	b, err := Marshal(JSON, sampleInput())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"Data":"AAEC/yJc"`, // base64
		`"At":1700000000.123`,
		`"When":0.000`,
		`"Limit":10000`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON %s lacks %s", s, want)
		}
	}
	if strings.HasSuffix(s, "\n") {
		t.Error("JSON ends with a newline")
	}
}

// javaSDKPutRecords is a PutRecords body as the AWS SDK for Java writes it
// with Jackson's CBOR generator: indefinite-length maps and arrays, text
// keys, blobs as byte strings.
func javaSDKPutRecords() []byte {
	var b []byte
	text := func(s string) { b = append(append(b, 0x60|byte(len(s))), s...) }
	b = append(b, 0xbf) // map, indefinite
	text("StreamName")
	text("orders")
	text("Records")
	b = append(b, 0x9f) // array, indefinite
	for _, pk := range []string{"a", "b"} {
		b = append(b, 0xbf)
		text("Data")
		b = append(b, 0x43, 0x00, 0xfe, 0xff) // byte string of 3
		text("PartitionKey")
		text(pk)
		b = append(b, 0xff)
	}
	b = append(b, 0xff)
	text("At")
	b = append(b, 0xc1, 0x1b, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b) // tag 1, 1700000000123 ms
	b = append(b, 0xff)
	return b
}

func TestDecodeJavaSDKCBOR(t *testing.T) {
	var in testInput
	if err := (&Call{Codec: CBOR, Body: javaSDKPutRecords()}).Decode(&in); err != nil {
		t.Fatal(err)
	}
	if in.StreamName != "orders" || len(in.Records) != 2 || !bytes.Equal(in.Records[0].Data, []byte{0, 0xfe, 0xff}) ||
		in.Records[1].PartitionKey != "b" || in.At == nil || in.At.Time().UnixMilli() != 1700000000123 {
		t.Fatalf("decoded %+v", in)
	}
}

func TestDecodeErrors(t *testing.T) {
	type typed struct {
		Name  string            `json:"Name"`
		N     int               `json:"N"`
		L     int64             `json:"L"`
		Data  []byte            `json:"Data"`
		List  []string          `json:"List"`
		Map   map[string]string `json:"Map"`
		Inner *struct{}         `json:"Inner"`
		At    *Timestamp        `json:"At"`
	}
	cborOf := func(v any) string {
		b, err := cbor.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name  string
		codec Codec
		body  string
		msg   string // "" means: no message, as AWS sends for unparseable bodies
		ok    bool
	}{
		{name: "empty is {}", body: "", ok: true},
		{name: "spaces are {}", body: " \n", ok: true},
		{name: "object", body: `{"Name":"x","Unknown":{"deep":[1,2]}}`, ok: true},
		{name: "null members ignored", body: `{"Name":null,"N":null,"At":null}`, ok: true},
		{name: "not JSON", body: "hello"},
		{name: "truncated", body: `{"Name":"x"`},
		{name: "trailing garbage", body: `{"Name":"x"} x`},
		{name: "two objects", body: `{}{}`},
		{name: "top-level null", body: `null`},
		{name: "top-level array", body: `[]`},
		{name: "top-level string", body: `"x"`},
		{name: "number into string", body: `{"Name":1}`, msg: "class java.math.BigDecimal can not be converted to an String"},
		{name: "bool into string", body: `{"Name":true}`, msg: "class java.lang.Boolean can not be converted to an String"},
		{name: "object into string", body: `{"Name":{}}`, msg: "Start of structure or map found where not expected."},
		{name: "array into string", body: `{"Name":[]}`, msg: "Start of list found where not expected"},
		{name: "string into int", body: `{"N":"1"}`, msg: "class java.lang.String can not be converted to an Integer"},
		{name: "string into long", body: `{"L":"1"}`, msg: "class java.lang.String can not be converted to an Long"},
		{name: "fraction into int", body: `{"N":1.5}`, msg: "class java.math.BigDecimal can not be converted to an Integer"},
		{name: "number into blob", body: `{"Data":1}`, msg: "class java.math.BigDecimal can not be converted to a Blob"},
		{name: "bad base64", body: `{"Data":"!!!"}`, msg: "Base64 encoded value is invalid"},
		{name: "string into list", body: `{"List":"x"}`, msg: "Expected list or null"},
		{name: "string into map", body: `{"Map":"x"}`, msg: "Expected map or null"},
		{name: "string into structure", body: `{"Inner":"x"}`, msg: "Expected null"},
		{name: "string timestamp", body: `{"At":"2024-01-01"}`},
		{name: "cbor empty is {}", codec: CBOR, body: "", ok: true},
		{name: "cbor map", codec: CBOR, body: cborOf(map[string]any{"Name": "x", "Unknown": []int{1}}), ok: true},
		{name: "cbor self-described map", codec: CBOR, body: "\xd9\xd9\xf7" + cborOf(map[string]any{"Name": "x"}), ok: true},
		{name: "cbor not a map", codec: CBOR, body: cborOf([]int{1})},
		{name: "cbor truncated", codec: CBOR, body: cborOf(map[string]any{"Name": "x"})[:4]},
		{name: "cbor trailing bytes", codec: CBOR, body: cborOf(map[string]any{"Name": "x"}) + "\x00"},
		{name: "cbor number into string", codec: CBOR, body: cborOf(map[string]any{"Name": 1}),
			msg: "class java.math.BigDecimal can not be converted to an String"},
		{name: "cbor text into int", codec: CBOR, body: cborOf(map[string]any{"N": "1"}),
			msg: "class java.lang.String can not be converted to an Integer"},
		{name: "cbor map into list", codec: CBOR, body: cborOf(map[string]any{"List": map[string]int{}}),
			msg: "Start of structure or map found where not expected."},
		{name: "cbor invalid utf-8", codec: CBOR, body: "\xa1\x64Name\x62\xff\xfe"},
		{name: "cbor other tag on timestamp", codec: CBOR, body: "\xa1\x62At\xc0\x00"},
		{name: "cbor text timestamp", codec: CBOR, body: "\xa1\x62At\x61x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v typed
			err := (&Call{Codec: tc.codec, Body: []byte(tc.body)}).Decode(&v)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.Code != "SerializationException" || e.Status != 400 || e.Message != tc.msg {
				t.Errorf("got %+v, want SerializationException 400 %q", e, tc.msg)
			}
		})
	}
}

func TestTimestampJSON(t *testing.T) {
	enc := []struct {
		t    time.Time
		want string
	}{
		{time.UnixMilli(1700000000123), "1700000000.123"},
		{time.UnixMilli(1700000000000), "1700000000.000"},
		{time.Unix(1700000000, 999999999), "1700000000.999"}, // truncated to the millisecond
		{time.UnixMilli(-500), "-0.500"},
		{time.UnixMilli(-1500), "-1.500"},
		{time.Unix(0, 0), "0.000"},
	}
	for _, tc := range enc {
		b, err := NewTimestamp(tc.t).MarshalJSON()
		if err != nil || string(b) != tc.want {
			t.Errorf("MarshalJSON(%v) = %s, %v; want %s", tc.t, b, err, tc.want)
		}
	}
	dec := []struct {
		in     string
		millis int64
		bad    bool
	}{
		{in: "1700000000", millis: 1700000000000},
		{in: "1700000000.123", millis: 1700000000123},
		{in: "1700000000.1", millis: 1700000000100},
		{in: "1.700000000123E9", millis: 1700000000123},
		{in: "1.7e9", millis: 1700000000000},
		{in: "-1.5", millis: -1500},
		{in: "0", millis: 0},
		{in: `"1700000000"`, bad: true},
		{in: "1e300", bad: true},
		{in: "99999999999999999999", bad: true},
		{in: "1.", bad: true},
		{in: "-", bad: true},
		{in: "true", bad: true},
	}
	for _, tc := range dec {
		var ts Timestamp
		err := ts.UnmarshalJSON([]byte(tc.in))
		if tc.bad {
			if err == nil {
				t.Errorf("UnmarshalJSON(%s) accepted", tc.in)
			}
			continue
		}
		if err != nil || ts.Time().UnixMilli() != tc.millis {
			t.Errorf("UnmarshalJSON(%s) = %d, %v; want %d", tc.in, ts.Time().UnixMilli(), err, tc.millis)
		}
	}
	// Sub-millisecond digits are kept exactly when written as a decimal.
	var ts Timestamp
	if err := ts.UnmarshalJSON([]byte("1700000000.123456789")); err != nil || ts.Time().Nanosecond() != 123456789 {
		t.Errorf("nanoseconds %d, %v", ts.Time().Nanosecond(), err)
	}
	ts = NewTimestamp(time.UnixMilli(42))
	if err := ts.UnmarshalJSON([]byte("null")); err != nil || ts.Time().UnixMilli() != 42 {
		t.Errorf("null changed the timestamp: %v %v", ts.Time(), err)
	}
}

func TestTimestampCBOR(t *testing.T) {
	enc := []struct {
		ms   int64
		want string
	}{
		{0, "c100"},
		{23, "c117"},
		{24, "c11818"},
		{1000, "c11903e8"},
		{1700000000123, "c11b0000018bcfe5687b"},
		{-1, "c120"},
		{-1000, "c13903e7"},
	}
	for _, tc := range enc {
		b, err := NewTimestamp(time.UnixMilli(tc.ms)).MarshalCBOR()
		if err != nil || hex.EncodeToString(b) != tc.want {
			t.Errorf("MarshalCBOR(%d ms) = %x, %v; want %s", tc.ms, b, err, tc.want)
		}
		var ts Timestamp
		if err := ts.UnmarshalCBOR(b); err != nil || ts.Time().UnixMilli() != tc.ms {
			t.Errorf("UnmarshalCBOR(%x) = %d, %v", b, ts.Time().UnixMilli(), err)
		}
	}
	f64 := func(f float64) string {
		b := []byte{0xfb}
		u := math.Float64bits(f)
		for i := 7; i >= 0; i-- {
			b = append(b, byte(u>>(8*i)))
		}
		return hex.EncodeToString(b)
	}
	dec := []struct {
		in     string // hex
		millis int64
		bad    bool
	}{
		{in: "1b0000018bcfe5687b", millis: 1700000000123},       // untagged integer: millis
		{in: "c1" + f64(1700000000.123), millis: 1700000000123}, // tag 1 + float: seconds (RFC 8949, Smithy rpcv2)
		{in: f64(1.5), millis: 1500},
		{in: "c1f93e00", millis: 1500}, // half-precision 1.5
		{in: "c000", bad: true},        // tag 0 is an RFC 3339 string tag
		{in: "c161" + "78", bad: true}, // tag 1 + text
		{in: "6178", bad: true},        // text
		{in: "c1", bad: true},          // tag without content
		{in: "c1" + f64(math.NaN()), bad: true},
		{in: "c1" + f64(math.Inf(1)), bad: true},
		{in: "1bffffffffffffffff", bad: true}, // beyond int64
	}
	for _, tc := range dec {
		b, _ := hex.DecodeString(tc.in)
		var ts Timestamp
		err := ts.UnmarshalCBOR(b)
		if tc.bad {
			if err == nil {
				t.Errorf("UnmarshalCBOR(%s) accepted: %v", tc.in, ts.Time())
			}
			continue
		}
		if err != nil || ts.Time().UnixMilli() != tc.millis {
			t.Errorf("UnmarshalCBOR(%s) = %d, %v; want %d", tc.in, ts.Time().UnixMilli(), err, tc.millis)
		}
	}
}

func TestCodecOf(t *testing.T) {
	tests := []struct {
		ct    string
		codec Codec
		ok    bool
	}{
		{"application/x-amz-json-1.1", JSON, true},
		{"application/x-amz-json-1.0", JSON, true},
		{"application/x-amz-json-1.1; charset=utf-8", JSON, true},
		{"Application/X-Amz-Json-1.1", JSON, true},
		{"application/x-amz-cbor-1.1", CBOR, true},
		{"application/json", JSON, false},
		{"", JSON, false},
		{"application/x-amz-json-1.2", JSON, false},
	}
	for _, tc := range tests {
		c, ok := CodecOf(tc.ct)
		if c != tc.codec || ok != tc.ok {
			t.Errorf("CodecOf(%q) = %v, %v; want %v, %v", tc.ct, c, ok, tc.codec, tc.ok)
		}
	}
}

// FuzzDecodeJSON: arbitrary bytes never panic the decoder, and every
// failure is a SerializationException *Error.
func FuzzDecodeJSON(f *testing.F) {
	good, _ := Marshal(JSON, sampleInput())
	f.Add(good)
	f.Add([]byte(`{"Records":[{"Data":"AA==","PartitionKey":"k"}],"At":1.7e9,"Nested":[["a"]]}`))
	f.Add([]byte(`{"At":"x","Limit":1e99}`))
	f.Add([]byte(`null`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecode(t, JSON, b)
	})
}

// FuzzDecodeCBOR: the same properties for CBOR.
func FuzzDecodeCBOR(f *testing.F) {
	good, _ := Marshal(CBOR, sampleInput())
	f.Add(good)
	f.Add(javaSDKPutRecords())
	f.Add([]byte{0xa1, 0x62, 'A', 't', 0xc1, 0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xbf, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecode(t, CBOR, b)
	})
}

func checkDecode(t *testing.T, c Codec, b []byte) {
	var v testInput
	err := (&Call{Codec: c, Body: b}).Decode(&v)
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != "SerializationException" || e.Status != 400 {
		t.Fatalf("decode error %v (%T), want SerializationException", err, err)
	}
}
