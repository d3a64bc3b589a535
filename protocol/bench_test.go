package protocol

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Shapes like Kinesis's PutRecords input and GetRecords output, declared
// here so the benchmarks do not depend on the kinesis package.
type benchPutRecordsEntry struct {
	Data            []byte  `json:"Data"`
	ExplicitHashKey *string `json:"ExplicitHashKey,omitempty"`
	PartitionKey    string  `json:"PartitionKey"`
}

type benchPutRecordsInput struct {
	Records    []benchPutRecordsEntry `json:"Records"`
	StreamARN  *string                `json:"StreamARN,omitempty"`
	StreamName *string                `json:"StreamName,omitempty"`
}

type benchRecord struct {
	ApproximateArrivalTimestamp *Timestamp `json:"ApproximateArrivalTimestamp,omitempty"`
	Data                        []byte     `json:"Data"`
	EncryptionType              *string    `json:"EncryptionType,omitempty"`
	PartitionKey                string     `json:"PartitionKey"`
	SequenceNumber              string     `json:"SequenceNumber"`
}

type benchGetRecordsOutput struct {
	MillisBehindLatest *int64        `json:"MillisBehindLatest,omitempty"`
	NextShardIterator  *string       `json:"NextShardIterator,omitempty"`
	Records            []benchRecord `json:"Records"`
}

// putRecordsInput is a PutRecords of 500 records of recSize bytes each.
func putRecordsInput(recSize int) benchPutRecordsInput {
	name := "bench-stream"
	in := benchPutRecordsInput{StreamName: &name, Records: make([]benchPutRecordsEntry, 500)}
	for i := range in.Records {
		data := bytes.Repeat([]byte{byte(i)}, recSize)
		in.Records[i] = benchPutRecordsEntry{Data: data, PartitionKey: fmt.Sprintf("partition-key-%06d", i)}
	}
	return in
}

func benchDecode(b *testing.B, c Codec, recSize int) {
	body, err := Marshal(c, putRecordsInput(recSize))
	if err != nil {
		b.Fatal(err)
	}
	call := &Call{Codec: c, Body: body}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var in benchPutRecordsInput
		if err := call.Decode(&in); err != nil {
			b.Fatal(err)
		}
		if len(in.Records) != 500 {
			b.Fatal("records lost")
		}
	}
}

// BenchmarkDecodePutRecordsJSONTransient decodes 500 records of 1 KiB with
// DecodeTransient as ServeHTTP runs it: blobs go into the call's reused
// buffer, so what is left per call is the record structs and their keys.
func BenchmarkDecodePutRecordsJSONTransient(b *testing.B) {
	body, err := Marshal(JSON, putRecordsInput(1<<10))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		call := &Call{Codec: JSON, Body: body, transient: true}
		var in benchPutRecordsInput
		if err := call.DecodeTransient(&in); err != nil {
			b.Fatal(err)
		}
		if len(in.Records) != 500 || len(in.Records[499].Data) != 1<<10 {
			b.Fatal("records lost")
		}
		call.releaseBlobs()
	}
}

// BenchmarkDecodePutRecordsJSON decodes a 500-record PutRecords JSON body of
// ~6.7 MB (10 KiB records, base64), the largest AWS allows.
func BenchmarkDecodePutRecordsJSON(b *testing.B) { benchDecode(b, JSON, 10<<10) }

// BenchmarkDecodePutRecordsCBOR decodes the same request in CBOR (~5 MB).
func BenchmarkDecodePutRecordsCBOR(b *testing.B) { benchDecode(b, CBOR, 10<<10) }

// BenchmarkDecodePutRecordsSmallJSON: 500 records of 100 bytes, the common
// case for event streams.
func BenchmarkDecodePutRecordsSmallJSON(b *testing.B) { benchDecode(b, JSON, 100) }

// BenchmarkDecodePutRecordsSmallCBOR: the same in CBOR.
func BenchmarkDecodePutRecordsSmallCBOR(b *testing.B) { benchDecode(b, CBOR, 100) }

func getRecordsOutput() *benchGetRecordsOutput {
	now := NewTimestamp(time.UnixMilli(1700000000123))
	it := "AAAAAAAAAAHx2yLq0Gq0bench0iterator0token0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
	behind := int64(0)
	out := &benchGetRecordsOutput{MillisBehindLatest: &behind, NextShardIterator: &it, Records: make([]benchRecord, 10000)}
	data := bytes.Repeat([]byte("0123456789abcdef"), 64) // 1 KiB
	for i := range out.Records {
		out.Records[i] = benchRecord{
			ApproximateArrivalTimestamp: &now,
			Data:                        data,
			PartitionKey:                fmt.Sprintf("partition-key-%06d", i),
			SequenceNumber:              fmt.Sprintf("4963342936432497366759837208547890837726548373%010d", i),
		}
	}
	return out
}

func benchEncode(b *testing.B, c Codec) {
	out := getRecordsOutput()
	buf := getBuf()
	defer putBuf(buf)
	if err := encode(buf, c, out); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := encode(buf, c, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeGetRecordsJSON encodes a GetRecords answer of 10,000 1 KiB
// records (~15 MB of JSON) into a reused buffer, as ServeHTTP does.
func BenchmarkEncodeGetRecordsJSON(b *testing.B) { benchEncode(b, JSON) }

// BenchmarkEncodeGetRecordsCBOR encodes the same answer in CBOR.
func BenchmarkEncodeGetRecordsCBOR(b *testing.B) { benchEncode(b, CBOR) }

func BenchmarkNewRequestID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = NewRequestID()
	}
}

// BenchmarkServeHTTPPutRecord measures the envelope's own cost per call: a
// small PutRecord-like JSON call through ServeHTTP (body read, target
// lookup, decode, encode, headers), in process.
func BenchmarkServeHTTPPutRecord(b *testing.B) {
	svc := &Service{TargetPrefix: "Kinesis_20131202", Ops: map[string]Handler{
		"PutRecord": func(ctx context.Context, c *Call) (any, error) {
			var in benchPutRecordsEntry
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return &struct {
				SequenceNumber string `json:"SequenceNumber"`
				ShardId        string `json:"ShardId"`
			}{"49590338271490256608559692538361571095921575989136588898", "shardId-000000000000"}, nil
		},
	}}
	body := []byte(`{"StreamName":"bench","Data":"` + strings.Repeat("QUJD", 256) + `","PartitionKey":"pk-000001"}`)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", ContentTypeJSON11)
		r.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
