package e2e

// TestE2EGoSDK's refusals: error codes and HTTP statuses, write and read
// quotas, and the enhanced-fan-out operations that answer AWS-shaped errors.

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

func testErrors(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "errors"
	createStream(t, c, name, 1)

	_, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("does-not-exist")})
	msg := wantAPIError(t, err, "ResourceNotFoundException", 400)
	if !strings.Contains(msg, "does-not-exist") {
		t.Errorf("ResourceNotFoundException message %q does not name the stream", msg)
	}
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("does-not-exist")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("does-not-exist"), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)

	// Model constraints: ValidationException with AWS's wording.
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bad name!"), ShardCount: aws.Int32(1)})
	msg = wantAPIError(t, err, "ValidationException", 400)
	if !strings.Contains(msg, "1 validation error detected") || !strings.Contains(msg, "streamName") {
		t.Errorf("ValidationException message = %q, want AWS's \"1 validation error detected: ... streamName ...\"", msg)
	}
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(strings.Repeat("n", 129)), ShardCount: aws.Int32(1)})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("zero-shards"), ShardCount: aws.Int32(0)})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("zero-shards")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)

	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String(strings.Repeat("p", 257)), Data: []byte("x")})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("not-a-number"), Data: []byte("x")})
	wantClientError(t, err, "ExplicitHashKey not a number")
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(new(big.Int).Add(maxHashKey, big.NewInt(1)).String()), Data: []byte("x")})
	wantClientError(t, err, "ExplicitHashKey 2^128")

	var tooMany []types.PutRecordsRequestEntry
	for i := 0; i < 501; i++ {
		tooMany = append(tooMany, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")})
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: tooMany})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: []types.PutRecordsRequestEntry{}})
	wantAPIError(t, err, "ValidationException", 400)
	// Just over 5 MiB of records is refused whole. (Keep the base64'd body
	// under the 7 MiB envelope bound, above which Kinesis answers a bare 413.)
	var huge []types.PutRecordsRequestEntry
	for i := 0; i < 5; i++ {
		huge = append(huge, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte{'x'}, 1<<20-1)})
	}
	huge = append(huge, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte{'x'}, 64<<10)})
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: huge})
	wantAPIError(t, err, "InvalidArgumentException", 400)

	// Iterators.
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000007"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtTimestamp})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	// A future AT_TIMESTAMP is refused by AWS: "The timestampInMillis
	// parameter cannot be greater than the currentTimestampInMillis"
	// (InvalidArgumentException, 400; quoted from AWS in aws/aws-sdk-java
	// issue #2588).
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(time.Now().Add(time.Hour))})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: "SIDEWAYS"})
	wantAPIError(t, err, "ValidationException", 400)

	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("garbage")})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	tampered := []byte(aws.ToString(it.ShardIterator))
	i := len(tampered) / 2
	if tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(string(tampered))})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(0)})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(10001)})
	wantAPIError(t, err, "ValidationException", 400)
	// The genuine iterator still works after those refusals.
	if _, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil {
		t.Errorf("GetRecords with a valid iterator after refusals: %v", err)
	}
}

// testWriteQuota checks that quotas (on by default) refuse records per
// record in PutRecords: 3,000 records of 1 KiB into one shard in quick
// succession is three times the per-second record quota and the byte quota,
// whatever the machine's speed within three seconds.
func testWriteQuota(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "quota"
	createStream(t, c, name, 1)
	data := bytes.Repeat([]byte{'q'}, 1024)
	var okSeqs []string
	failed := 0
	start := time.Now()
	for b := 0; b < 6; b++ {
		var entries []types.PutRecordsRequestEntry
		for i := 0; i < 500; i++ {
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: data})
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		if err != nil {
			t.Fatalf("PutRecords batch %d: %v", b, err)
		}
		n := 0
		for _, r := range out.Records {
			if r.ErrorCode != nil {
				n++
				if aws.ToString(r.ErrorCode) != "ProvisionedThroughputExceededException" || r.ErrorMessage == nil || r.SequenceNumber != nil || r.ShardId != nil {
					t.Errorf("failed entry = code %q msg %q seq %v shard %v", aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage), r.SequenceNumber, r.ShardId)
				}
			} else {
				okSeqs = append(okSeqs, aws.ToString(r.SequenceNumber))
			}
		}
		if int(aws.ToInt32(out.FailedRecordCount)) != n {
			t.Errorf("FailedRecordCount = %d, entries with ErrorCode = %d", aws.ToInt32(out.FailedRecordCount), n)
		}
		failed += n
	}
	if elapsed := time.Since(start); elapsed < 3*time.Second && failed == 0 {
		t.Errorf("3,000 KiB-records into one shard within %v: no record refused (quotas are on by default)", elapsed)
	}
	// PutRecord over quota is a whole-call ProvisionedThroughputExceeded.
	if failed > 0 {
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte{'q'}, 1<<20-1)})
		if err != nil {
			wantAPIError(t, err, "ProvisionedThroughputExceededException", 400)
		}
	}
	// Only the accepted records are stored.
	r := readShard(t, c, name, "shardId-000000000000")
	n := 0
	for _, rec := range r.Records {
		if len(rec.Data) == 1024 {
			if n < len(okSeqs) && aws.ToString(rec.SequenceNumber) != okSeqs[n] {
				t.Errorf("stored record %d has seq %s, acknowledged %s", n, aws.ToString(rec.SequenceNumber), okSeqs[n])
			}
			n++
		}
	}
	if n != len(okSeqs) {
		t.Errorf("stored %d quota-test records, acknowledged %d", n, len(okSeqs))
	}
}

// testReadQuota checks the 5 GetRecords/s per shard quota (on by
// default): 25 calls in quick succession on one shard are at least twice
// the quota whatever the machine, unless they took over five seconds.
func testReadQuota(t *testing.T, s *Server) {
	ctx := ctxT(t)
	// No retries: the SDK retries throttling errors, which would hide them.
	c := kinesis.New(s.KinesisClient(t).Options(), func(o *kinesis.Options) { o.Retryer = aws.NopRetryer{} })
	const name = "read-quota"
	createStream(t, c, name, 1)
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest})
	if err != nil {
		t.Fatal(err)
	}
	iter := it.ShardIterator
	throttled := 0
	start := time.Now()
	for i := 0; i < 25; i++ {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			wantAPIError(t, err, "ProvisionedThroughputExceededException", 400)
			throttled++
			continue
		}
		iter = out.NextShardIterator
	}
	if elapsed := time.Since(start); throttled == 0 && elapsed < 5*time.Second {
		t.Errorf("25 GetRecords on one shard in %v: none throttled (quota 5/s, on by default)", elapsed)
	}
}

// testConsumerOps checks that the enhanced-fan-out operations (a later
// issue) answer with an AWS-shaped error or a valid answer — never a 404,
// a 500 or a dropped connection.
func testConsumerOps(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	arn := createStream(t, c, "consumers", 1)
	check := func(op string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Errorf("%s: not an AWS error: %v", op, err)
			return
		}
		if st := httpStatus(err); st == 404 || st >= 500 || ae.ErrorCode() == "" {
			t.Errorf("%s: %s (HTTP %d), want an AWS-shaped client error", op, ae.ErrorCode(), st)
		}
	}
	_, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("c1")})
	check("RegisterStreamConsumer", err)
	_, err = c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn)})
	check("ListStreamConsumers", err)
	_, err = c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("c1")})
	check("DescribeStreamConsumer", err)
	_, err = c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("c1")})
	check("DeregisterStreamConsumer", err)
	_, err = c.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamARN: aws.String(arn), WarmThroughputMiBps: aws.Int32(10)})
	check("UpdateStreamWarmThroughput", err)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	sub, err := c.SubscribeToShard(sctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn + "/consumer/c1:1"), ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err == nil {
		sub.GetStream().Close()
	}
	check("SubscribeToShard", err)
}
