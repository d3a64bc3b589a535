package e2e

// A clean restart (SIGTERM) in the middle of buffering: every record put
// before and after it is delivered exactly once — duplicates are allowed
// only after a crash — for a direct-put and a stream-sourced delivery
// stream, and the delivery streams are still there.

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestE2EFirehoseCleanRestartExactlyOnce(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	mustCreateBucket(t, c, "fh-restart")
	fh := s.FirehoseClient(t)
	kc := s.KinesisClient(t)
	dest := func(prefix string) map[string]any {
		return map[string]any{
			"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::fh-restart", "Prefix": prefix,
			// Longer than the test takes to restart: the records are
			// still buffered when SIGTERM arrives.
			"BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": 30},
		}
	}
	arn := createStream(t, kc, "restart-src", 2)
	fh.must(t, "CreateDeliveryStream", map[string]any{"DeliveryStreamName": "restart-direct", "ExtendedS3DestinationConfiguration": dest("direct/")})
	fh.must(t, "CreateDeliveryStream", map[string]any{"DeliveryStreamName": "restart-stream", "DeliveryStreamType": "KinesisStreamAsSource",
		"KinesisStreamSourceConfiguration":   map[string]any{"KinesisStreamARN": arn, "RoleARN": "arn:aws:iam::123456789012:role/firehose"},
		"ExtendedS3DestinationConfiguration": dest("stream/")})
	fh.waitDeliveryActive(t, "restart-direct")
	fh.waitDeliveryActive(t, "restart-stream")

	put := func(prefix string, from, n int) {
		t.Helper()
		var recs [][]byte
		var entries []types.PutRecordsRequestEntry
		for _, l := range numbered(prefix, from, n) {
			recs = append(recs, []byte(l))
			entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(l), PartitionKey: aws.String(l)})
		}
		out, err := fh.putBatch(ctxT(t), "restart-direct", recs)
		if err != nil || out.FailedPutCount != 0 {
			t.Fatalf("PutRecordBatch: %+v %v", out, err)
		}
		k, err := kc.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String("restart-src"), Records: entries})
		if err != nil || aws.ToInt32(k.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords: %v %v", k, err)
		}
	}
	put("r", 0, 200)
	s.Restart() // SIGTERM, then start again on the same data directory
	put("r", 200, 200)
	// Shorten the wait for the second half: an UpdateDestination to a
	// 1 s interval (version 2).
	for _, n := range []string{"restart-direct", "restart-stream"} {
		fh.must(t, "UpdateDestination", map[string]any{"DeliveryStreamName": n, "CurrentDeliveryStreamVersionId": "1",
			"DestinationId":               "destinationId-000000000001",
			"ExtendedS3DestinationUpdate": map[string]any{"BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": 1}}})
	}
	want := numbered("r", 0, 400)
	for _, p := range []string{"direct/", "stream/"} {
		objs := waitLines(t, c, "fh-restart", p, "", want, nil)
		t.Logf("%s: 400 records exactly once in %d objects", p, len(objs))
	}
	if got := fmt.Sprint(fh.must(t, "ListDeliveryStreams", map[string]any{})["DeliveryStreamNames"]); got != "[restart-direct restart-stream]" {
		t.Errorf("ListDeliveryStreams after the restart: %s", got)
	}
}
