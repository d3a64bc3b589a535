package e2e

// Record processors. KPL aggregation through a stream-sourced delivery
// stream: AWS documents that Firehose de-aggregates records the Kinesis
// Producer Library aggregated before it delivers them, so the lake holds
// the user records, not the aggregate envelope. The aggregate is built
// here by hand from the KPL's documented format: the magic F3 89 9A C2, a
// protobuf AggregatedRecord, and the MD5 of the protobuf.

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// kplAggregate encodes records as one KPL aggregated record, every record
// under partition key index 0.
func kplAggregate(pk string, records [][]byte) []byte {
	field := func(b []byte, num int, payload []byte) []byte {
		b = binary.AppendUvarint(b, uint64(num<<3|2))
		b = binary.AppendUvarint(b, uint64(len(payload)))
		return append(b, payload...)
	}
	var pb []byte
	pb = field(pb, 1, []byte(pk)) // partition_key_table
	for _, r := range records {
		var rec []byte
		rec = binary.AppendUvarint(rec, 1<<3|0) // partition_key_index
		rec = binary.AppendUvarint(rec, 0)
		rec = field(rec, 3, r) // data
		pb = field(pb, 3, rec) // records
	}
	sum := md5.Sum(pb)
	out := append([]byte{0xF3, 0x89, 0x9A, 0xC2}, pb...)
	return append(out, sum[:]...)
}

func TestE2EFirehoseKPLDeaggregation(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	mustCreateBucket(t, c, "fh-kpl")
	kc := s.KinesisClient(t)
	arn := createStream(t, kc, "kpl-src", 1)
	fh := s.FirehoseClient(t)
	start := time.Now()
	fh.must(t, "CreateDeliveryStream", map[string]any{
		"DeliveryStreamName": "kpl", "DeliveryStreamType": "KinesisStreamAsSource",
		"KinesisStreamSourceConfiguration": map[string]any{"KinesisStreamARN": arn, "RoleARN": "arn:aws:iam::123456789012:role/firehose"},
		"ExtendedS3DestinationConfiguration": map[string]any{
			"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::fh-kpl", "Prefix": "kpl/",
			"BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": 1},
		},
	})
	fh.waitDeliveryActive(t, "kpl")

	var want []string
	var entries []types.PutRecordsRequestEntry
	for a := 0; a < 2; a++ {
		var recs [][]byte
		for i := 0; i < 50; i++ {
			line := fmt.Sprintf("kpl-%d-%d\n", a, i)
			recs = append(recs, []byte(line))
			want = append(want, line)
		}
		entries = append(entries, types.PutRecordsRequestEntry{Data: kplAggregate(fmt.Sprint("agg-", a), recs), PartitionKey: aws.String(fmt.Sprint("agg-", a))})
	}
	for i := 0; i < 10; i++ { // plain records pass through as they are
		line := fmt.Sprintf("plain-%d\n", i)
		want = append(want, line)
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(line), PartitionKey: aws.String(line)})
	}
	out, err := kc.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String("kpl-src"), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords: %v %v", out, err)
	}
	for _, o := range waitLines(t, c, "fh-kpl", "kpl/", "", want, nil) {
		checkObjectKey(t, o.Key, "kpl/", true, "kpl", "", start, time.Now())
	}
}

// TestE2EFirehoseJSONDeaggregation: with dynamic partitioning, the
// RecordDeAggregation processor (SubRecordType JSON) splits a record that
// holds several JSON objects back to back ({"a":1}{"a":2}) into one record
// each, and each is partitioned on its own key.
func TestE2EFirehoseJSONDeaggregation(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	mustCreateBucket(t, c, "fh-deagg")
	fh := s.FirehoseClient(t)
	start := time.Now()
	fh.must(t, "CreateDeliveryStream", map[string]any{
		"DeliveryStreamName": "deagg",
		"ExtendedS3DestinationConfiguration": map[string]any{
			"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::fh-deagg",
			"Prefix": "k=!{partitionKeyFromQuery:k}/", "ErrorOutputPrefix": "err/!{firehose:error-output-type}/",
			"BufferingHints":                   map[string]any{"SizeInMBs": 64, "IntervalInSeconds": 1},
			"DynamicPartitioningConfiguration": map[string]any{"Enabled": true},
			"ProcessingConfiguration": map[string]any{"Enabled": true, "Processors": []any{
				map[string]any{"Type": "RecordDeAggregation", "Parameters": []any{
					map[string]any{"ParameterName": "SubRecordType", "ParameterValue": "JSON"}}},
				map[string]any{"Type": "MetadataExtraction", "Parameters": []any{
					map[string]any{"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{k:.k}"},
					map[string]any{"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}}},
				map[string]any{"Type": "AppendDelimiterToRecord"},
			}},
		},
	})
	fh.waitDeliveryActive(t, "deagg")
	if _, err := fh.putBatch(ctxT(t), "deagg", [][]byte{
		[]byte(`{"k":"a","n":1}{"k":"b","n":2}`),
		[]byte(`{"k":"a","n":3}`),
	}); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string][]string{
		"a": {`{"k":"a","n":1}` + "\n", `{"k":"a","n":3}` + "\n"},
		"b": {`{"k":"b","n":2}` + "\n"},
	} {
		prefix := "k=" + k + "/"
		for _, o := range waitLines(t, c, "fh-deagg", prefix, "", want, nil) {
			checkObjectKey(t, o.Key, prefix, false, "deagg", "", start, time.Now())
		}
	}
}
