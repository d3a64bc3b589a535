package kinesis

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/caudal/caudal/stream"
)

// TestSDKQuotasAndExpiry drives the engine's throughput quotas and iterator
// expiry through the skin, on a frozen clock so that nothing depends on
// timing: per-record ProvisionedThroughputExceededException in PutRecords,
// the whole-call error in PutRecord and GetRecords, ExpiredIteratorException.
func TestSDKQuotasAndExpiry(t *testing.T) {
	clk := &clock{t: time.Now()}
	h := newHarnessWith(t, func(c *stream.Config) {
		c.Quotas = true
		c.Now = clk.Now
	})
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("q", 1)
	batch := make([]types.PutRecordsRequestEntry, 500)
	for i := range batch {
		batch[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
	}
	for i := 0; i < 2; i++ {
		out := must(kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("q"), Records: batch}))
		if *out.FailedRecordCount != 0 {
			t.Fatalf("batch %d within the 1,000 records/s burst: %d failed", i, *out.FailedRecordCount)
		}
	}
	out := must(kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("q"), Records: batch}))
	if *out.FailedRecordCount != 500 {
		t.Fatalf("third batch in the same instant: %d failed, want 500", *out.FailedRecordCount)
	}
	r := out.Records[0]
	if r.SequenceNumber != nil || r.ShardId != nil || *r.ErrorCode != "ProvisionedThroughputExceededException" ||
		*r.ErrorMessage != "Rate exceeded for shard shardId-000000000000 in stream q under account "+testAccount+"." {
		t.Fatalf("failed record: %+v", r)
	}
	_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("q"), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantAPIError(t, err, "ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000")

	it := must(kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("q"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).ShardIterator
	for i := 0; i < 5; i++ {
		must(kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1)}))
	}
	_, err = kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1)})
	wantAPIError(t, err, "ProvisionedThroughputExceededException", "")

	clk.Add(6 * time.Minute)
	_, err = kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	wantAPIError(t, err, "ExpiredIteratorException", "Iterator expired.")
}
