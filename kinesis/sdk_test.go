package kinesis

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// wantAPIError checks that err is the AWS error code with a message
// containing msg ("" checks only the code).
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// must returns v, failing the test (through catch, deferred by the test
// function) when err is not nil. It lets a call's result be used inline.
func must[T any](v T, err error) T {
	if err != nil {
		panic(mustFailed{err})
	}
	return v
}

type mustFailed struct{ err error }

// catch turns a failed must into a test failure.
func catch(t *testing.T) {
	if p := recover(); p != nil {
		if m, ok := p.(mustFailed); ok {
			t.Fatalf("unexpected error: %v", m.err)
		}
		panic(p)
	}
}

// TestEveryOperationServed checks the operation table against botocore's
// model (its operation list is in testdata, taken from boto3 1.43's
// service-2.json) and against the AWS SDK for Go's client: every model
// operation has a handler, and every handler is an operation the SDK knows.
func TestEveryOperationServed(t *testing.T) {
	svc := New(nil, testAccount)
	b, err := os.ReadFile("testdata/botocore-operations.txt")
	if err != nil {
		t.Fatal(err)
	}
	model := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			model[line] = true
		}
	}
	if len(model) != 39 {
		t.Fatalf("model lists %d operations, want 39", len(model))
	}
	for op := range model {
		if svc.Ops[op] == nil {
			t.Errorf("no handler for %s", op)
		}
	}
	ct := reflect.TypeOf(&kinesis.Client{})
	sdkOps := map[string]bool{}
	for i := 0; i < ct.NumMethod(); i++ {
		if m := ct.Method(i); m.Name != "Options" {
			sdkOps[m.Name] = true
		}
	}
	var notServed []string
	for op := range sdkOps {
		if svc.Ops[op] == nil && !model[op] {
			notServed = append(notServed, op)
		}
	}
	sort.Strings(notServed)
	t.Logf("SDK operations newer than the model, answered UnknownOperationException: %v", notServed)
	for op := range svc.Ops {
		if !sdkOps[op] || !model[op] {
			t.Errorf("handler for %s, which the model or the SDK does not know", op)
		}
	}
	if svc.TargetPrefix != "Kinesis_20131202" {
		t.Errorf("TargetPrefix %q", svc.TargetPrefix)
	}
}

func TestSDKStreamLifecycle(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	must(kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2),
		Tags: map[string]string{"team": "data"}}))
	_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)})
	wantAPIError(t, err, "ResourceInUseException", "orders")

	d := must(kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})).StreamDescription
	if *d.StreamName != "orders" || *d.StreamARN != h.arn("orders") || d.StreamStatus != types.StreamStatusActive ||
		len(d.Shards) != 2 || *d.HasMoreShards || *d.RetentionPeriodHours != 24 || d.EncryptionType != types.EncryptionTypeNone ||
		d.StreamModeDetails.StreamMode != types.StreamModeProvisioned || len(d.EnhancedMonitoring) != 1 || d.StreamCreationTimestamp == nil {
		t.Fatalf("DescribeStream: %+v", d)
	}
	if *d.Shards[0].HashKeyRange.StartingHashKey != "0" || *d.Shards[1].HashKeyRange.EndingHashKey != "340282366920938463463374607431768211455" {
		t.Errorf("hash key ranges %+v %+v", d.Shards[0].HashKeyRange, d.Shards[1].HashKeyRange)
	}
	if time.Since(*d.StreamCreationTimestamp) > time.Minute {
		t.Errorf("StreamCreationTimestamp %v", d.StreamCreationTimestamp)
	}
	// Paging the shard list.
	d = must(kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders"), Limit: aws.Int32(1)})).StreamDescription
	if len(d.Shards) != 1 || !*d.HasMoreShards {
		t.Fatalf("Limit 1: %d shards, more %v", len(d.Shards), *d.HasMoreShards)
	}
	d = must(kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders"), ExclusiveStartShardId: d.Shards[0].ShardId})).StreamDescription
	if len(d.Shards) != 1 || *d.HasMoreShards || *d.Shards[0].ShardId != "shardId-000000000001" {
		t.Fatalf("after first shard: %+v", d.Shards)
	}

	sum := must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(h.arn("orders"))})).StreamDescriptionSummary
	if *sum.OpenShardCount != 2 || *sum.ConsumerCount != 0 || *sum.MaxRecordSizeInKiB != 1024 || *sum.StreamName != "orders" {
		t.Fatalf("DescribeStreamSummary: %+v", sum)
	}

	ls := must(kc.ListStreams(ctx, &kinesis.ListStreamsInput{}))
	if len(ls.StreamNames) != 1 || ls.StreamNames[0] != "orders" || *ls.HasMoreStreams || ls.NextToken != nil ||
		len(ls.StreamSummaries) != 1 || *ls.StreamSummaries[0].StreamARN != h.arn("orders") {
		t.Fatalf("ListStreams: %+v", ls)
	}

	must(kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders"), EnforceConsumerDeletion: aws.Bool(true)}))
	_, err = kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream orders under account "+testAccount+" not found.")
	_, err = kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders")})
	wantAPIError(t, err, "ResourceNotFoundException", "orders")
}

func TestSDKCreateStreamModes(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	must(kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}, MaxRecordSizeInKiB: aws.Int32(2048)}))
	sum := must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})).StreamDescriptionSummary
	if sum.StreamModeDetails.StreamMode != types.StreamModeOnDemand || *sum.OpenShardCount < 1 || *sum.MaxRecordSizeInKiB != 2048 {
		t.Fatalf("on-demand summary: %+v", sum)
	}
	must(kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("noshards")}))
	sum = must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("noshards")})).StreamDescriptionSummary
	if sum.StreamModeDetails.StreamMode != types.StreamModeOnDemand || *sum.OpenShardCount < 1 {
		t.Fatalf("created without ShardCount or mode: %+v", sum)
	}
	_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("prov"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	wantAPIError(t, err, "InvalidArgumentException", "Shard count must be specified for PROVISIONED streams")
	_, err = kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("both"), ShardCount: aws.Int32(1),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	wantAPIError(t, err, "InvalidArgumentException", "ShardCount is not expected when StreamMode=ON_DEMAND")

	// Switching modes (by ARN: UpdateStreamMode has no StreamName).
	must(kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(h.arn("noshards")),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}}))
	sum = must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("noshards")})).StreamDescriptionSummary
	if sum.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Fatalf("after UpdateStreamMode: %+v", sum.StreamModeDetails)
	}
}

func TestSDKPutAndGet(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("events", 2)
	start := time.Now().Add(-time.Second)

	pr := must(kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("events"), PartitionKey: aws.String("k"),
		Data: []byte("first"), ExplicitHashKey: aws.String("0"), SequenceNumberForOrdering: aws.String("0")}))
	if *pr.ShardId != "shardId-000000000000" || *pr.SequenceNumber == "" || pr.EncryptionType != "" {
		t.Fatalf("PutRecord: %+v", pr)
	}
	var entries []types.PutRecordsRequestEntry
	for i := 0; i < 10; i++ {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("1"),
			Data: []byte(fmt.Sprintf("rec-%d", i))})
	}
	entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte{}, ExplicitHashKey: aws.String("340282366920938463463374607431768211455")})
	prs := must(kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamARN: aws.String(h.arn("events")), Records: entries}))
	if *prs.FailedRecordCount != 0 || len(prs.Records) != 11 {
		t.Fatalf("PutRecords: %+v", prs)
	}
	if *prs.Records[10].ShardId != "shardId-000000000001" {
		t.Errorf("max hash key went to %s", *prs.Records[10].ShardId)
	}
	for i := 1; i < 10; i++ {
		if *prs.Records[i].ShardId != "shardId-000000000000" || *prs.Records[i].SequenceNumber <= *prs.Records[i-1].SequenceNumber &&
			len(*prs.Records[i].SequenceNumber) <= len(*prs.Records[i-1].SequenceNumber) {
			t.Errorf("record %d: %+v after %+v", i, prs.Records[i], prs.Records[i-1])
		}
	}

	read := func(it *string, limit int32) *kinesis.GetRecordsOutput {
		t.Helper()
		in := &kinesis.GetRecordsInput{ShardIterator: it}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		return must(kc.GetRecords(ctx, in))
	}
	iter := func(in kinesis.GetShardIteratorInput) *string {
		t.Helper()
		if in.StreamName == nil && in.StreamARN == nil {
			in.StreamName = aws.String("events")
		}
		if in.ShardId == nil {
			in.ShardId = aws.String("shardId-000000000000")
		}
		return must(kc.GetShardIterator(ctx, &in)).ShardIterator
	}

	// TRIM_HORIZON reads everything, in order, byte for byte.
	out := read(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}), 0)
	if len(out.Records) != 11 || string(out.Records[0].Data) != "first" || string(out.Records[10].Data) != "rec-9" ||
		*out.Records[0].PartitionKey != "k" || out.NextShardIterator == nil || out.MillisBehindLatest == nil {
		t.Fatalf("GetRecords TRIM_HORIZON: %d records, %+v", len(out.Records), out)
	}
	if at := *out.Records[0].ApproximateArrivalTimestamp; at.Before(start) || at.After(time.Now().Add(time.Second)) {
		t.Errorf("ApproximateArrivalTimestamp %v", at)
	}
	// Limit.
	lim := read(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}), 3)
	if len(lim.Records) != 3 {
		t.Fatalf("Limit 3 gave %d records", len(lim.Records))
	}
	rest := read(lim.NextShardIterator, 0)
	if len(rest.Records) != 8 || *rest.Records[0].SequenceNumber != *out.Records[3].SequenceNumber {
		t.Fatalf("next page: %d records", len(rest.Records))
	}
	// AT_ and AFTER_SEQUENCE_NUMBER.
	seq := out.Records[5].SequenceNumber
	at := read(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: seq}), 1)
	after := read(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: seq}), 1)
	if *at.Records[0].SequenceNumber != *seq || *after.Records[0].SequenceNumber != *out.Records[6].SequenceNumber {
		t.Fatalf("AT/AFTER_SEQUENCE_NUMBER: %v %v", *at.Records[0].SequenceNumber, *after.Records[0].SequenceNumber)
	}
	// AT_TIMESTAMP before everything reads everything.
	ts := read(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(start)}), 0)
	if len(ts.Records) != 11 {
		t.Fatalf("AT_TIMESTAMP: %d records", len(ts.Records))
	}
	// LATEST sees only what comes after it.
	latest := iter(kinesis.GetShardIteratorInput{StreamARN: aws.String(h.arn("events")), ShardIteratorType: types.ShardIteratorTypeLatest})
	if n := len(read(latest, 0).Records); n != 0 {
		t.Fatalf("LATEST read %d old records", n)
	}
	latest = iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest})
	must(kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("events"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("5"), Data: []byte("new")}))
	got := read(latest, 0)
	if len(got.Records) != 1 || string(got.Records[0].Data) != "new" {
		t.Fatalf("LATEST then put: %+v", got.Records)
	}
	// The other shard holds the empty record.
	other := read(iter(kinesis.GetShardIteratorInput{ShardId: aws.String("shardId-000000000001"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}), 0)
	if len(other.Records) != 1 || len(other.Records[0].Data) != 0 {
		t.Fatalf("shard 1: %+v", other.Records)
	}

	// Errors from the engine keep their AWS codes.
	_, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAforgedAAAA")})
	wantAPIError(t, err, "InvalidArgumentException", "")
	_, err = kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("events"), ShardId: aws.String("shardId-000000000009"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	wantAPIError(t, err, "ResourceNotFoundException", "shardId-000000000009")
	_, err = kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("events"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber})
	wantAPIError(t, err, "InvalidArgumentException", "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.")
	_, err = kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("events"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeAtTimestamp})
	wantAPIError(t, err, "InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP.")
	_, err = kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("events"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(time.Now().Add(time.Hour))})
	wantAPIError(t, err, "InvalidArgumentException", "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ")
	_, err = kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("nope"), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream nope under account "+testAccount+" not found.")
}

func TestSDKStreamARN(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("s", 1)
	must(kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(h.arn("s")), StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")}))

	_, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{})
	wantAPIError(t, err, "InvalidArgumentException", "Either StreamName or StreamARN should be provided.")
	_, err = kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("t"), StreamARN: aws.String(h.arn("s"))})
	wantAPIError(t, err, "InvalidArgumentException", "do not refer to the same stream")
	_, err = kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:999999999999:stream/s")})
	wantAPIError(t, err, "AccessDeniedException", "kinesis:DescribeStreamSummary")
	_, err = kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:eu-west-1:" + testAccount + ":stream/s")})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream s under account")

	// Streams are scoped by region: another region sees none of them.
	eu := h.client("eu-west-1")
	ls := must(eu.ListStreams(ctx, &kinesis.ListStreamsInput{}))
	if len(ls.StreamNames) != 0 {
		t.Fatalf("eu-west-1 lists %v", ls.StreamNames)
	}
	must(eu.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(3)}))
	sum := must(eu.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:eu-west-1:" + testAccount + ":stream/s")})).StreamDescriptionSummary
	if *sum.OpenShardCount != 3 || *sum.StreamARN != "arn:aws:kinesis:eu-west-1:"+testAccount+":stream/s" {
		t.Fatalf("eu-west-1 stream: %+v", sum)
	}
}

func TestSDKListStreamsPagination(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	var want []string
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("s%d", i)
		h.createStream(name, 1)
		want = append(want, name)
	}
	var got []string
	p := kinesis.NewListStreamsPaginator(kc, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out := must(p.NextPage(ctx))
		pages++
		got = append(got, out.StreamNames...)
		if len(out.StreamSummaries) != len(out.StreamNames) {
			t.Fatalf("summaries %d, names %d", len(out.StreamSummaries), len(out.StreamNames))
		}
		if *out.HasMoreStreams != (out.NextToken != nil) {
			t.Fatalf("HasMoreStreams %v with NextToken %v", *out.HasMoreStreams, out.NextToken)
		}
	}
	if !reflect.DeepEqual(got, want) || pages != 3 {
		t.Fatalf("paginated %v in %d pages, want %v in 3", got, pages, want)
	}
	out := must(kc.ListStreams(ctx, &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String("s2")}))
	if !reflect.DeepEqual(out.StreamNames, []string{"s3", "s4"}) || *out.HasMoreStreams {
		t.Fatalf("after s2: %v", out.StreamNames)
	}
	_, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: aws.String("bm90IGEgdG9rZW4=")})
	wantAPIError(t, err, "InvalidArgumentException", "NextToken")

	// A token older than five minutes has expired.
	first := must(kc.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)}))
	now = func() time.Time { return time.Now().Add(6 * time.Minute) }
	t.Cleanup(func() { now = time.Now })
	_, err = kc.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: first.NextToken})
	wantAPIError(t, err, "ExpiredNextTokenException", "")
}

func TestSDKListShards(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("sh", 2)
	created := time.Now()
	time.Sleep(10 * time.Millisecond)
	// Split shard 0 in the middle of its range: shards 2 and 3 replace it.
	d := must(kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("sh")})).StreamDescription
	must(kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("sh"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("85070591730234615865843651857942052864")}))
	_ = d

	ids := func(shards []types.Shard) []string {
		var out []string
		for _, s := range shards {
			out = append(out, *s.ShardId)
		}
		return out
	}
	all := must(kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("sh")}))
	if got := ids(all.Shards); !reflect.DeepEqual(got, []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}) || all.NextToken != nil {
		t.Fatalf("ListShards: %v", got)
	}
	if all.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil || *all.Shards[2].ParentShardId != "shardId-000000000000" {
		t.Fatalf("lineage: %+v %+v", all.Shards[0], all.Shards[2])
	}

	// Pages of one shard, by NextToken (SDK paginator).
	var paged []string
	page := must(kc.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: aws.String(h.arn("sh")), MaxResults: aws.Int32(1)}))
	for {
		paged = append(paged, ids(page.Shards)...)
		if page.NextToken == nil {
			break
		}
		page = must(kc.ListShards(ctx, &kinesis.ListShardsInput{NextToken: page.NextToken, MaxResults: aws.Int32(1)}))
	}
	if !reflect.DeepEqual(paged, ids(all.Shards)) {
		t.Fatalf("paged %v", paged)
	}

	cases := []struct {
		name   string
		filter *types.ShardFilter
		after  *string
		want   []string
	}{
		{"AT_LATEST", &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}, nil, []string{"shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}},
		{"AT_TRIM_HORIZON", &types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon}, nil, []string{"shardId-000000000000", "shardId-000000000001"}},
		{"FROM_TRIM_HORIZON", &types.ShardFilter{Type: types.ShardFilterTypeFromTrimHorizon}, nil, ids(all.Shards)},
		{"AFTER_SHARD_ID", &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000001")}, nil, []string{"shardId-000000000002", "shardId-000000000003"}},
		{"AT_TIMESTAMP before the split", &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(created)}, nil, []string{"shardId-000000000000", "shardId-000000000001"}},
		{"AT_TIMESTAMP now", &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(time.Now().Add(time.Second))}, nil, []string{"shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}},
		{"FROM_TIMESTAMP before the split", &types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(created)}, nil, ids(all.Shards)},
		{"ExclusiveStartShardId", nil, aws.String("shardId-000000000002"), []string{"shardId-000000000003"}},
	}
	for _, c := range cases {
		out := must(kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("sh"), ShardFilter: c.filter, ExclusiveStartShardId: c.after}))
		if got := ids(out.Shards); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	first := must(kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("sh"), MaxResults: aws.Int32(2)}))
	_, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("sh"), NextToken: first.NextToken})
	wantAPIError(t, err, "InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
	_, err = kc.ListShards(ctx, &kinesis.ListShardsInput{})
	wantAPIError(t, err, "InvalidArgumentException", "Either NextToken or StreamName should be provided.")
	_, err = kc.ListShards(ctx, &kinesis.ListShardsInput{NextToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidArgumentException", "NextToken")
	_, err = kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("sh"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}})
	wantAPIError(t, err, "InvalidArgumentException", "Timestamp")
	_, err = kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("sh"), StreamCreationTimestamp: aws.Time(created.Add(-time.Hour))})
	wantAPIError(t, err, "ResourceNotFoundException", "sh")
	sum := must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("sh")})).StreamDescriptionSummary
	must(kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("sh"), StreamCreationTimestamp: sum.StreamCreationTimestamp}))

	// A token outlives neither five minutes nor the stream.
	now = func() time.Time { return time.Now().Add(301 * time.Second) }
	_, err = kc.ListShards(ctx, &kinesis.ListShardsInput{NextToken: first.NextToken})
	now = time.Now
	wantAPIError(t, err, "ExpiredNextTokenException", "")
	must(kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("sh")}))
	_, err = kc.ListShards(ctx, &kinesis.ListShardsInput{NextToken: first.NextToken})
	wantAPIError(t, err, "ResourceNotFoundException", "sh")
}

func TestSDKResharding(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("r", 2)
	must(kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("r"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("0"), Data: []byte("old")}))
	it := must(kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("r"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).ShardIterator

	must(kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("r"), ShardToMerge: aws.String("shardId-000000000000"),
		AdjacentShardToMerge: aws.String("shardId-000000000001")}))
	// Reading the closed shard to its end: no next iterator, the child named.
	out := must(kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it}))
	for len(out.ChildShards) == 0 && out.NextShardIterator != nil {
		out = must(kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator}))
	}
	if out.NextShardIterator != nil || len(out.ChildShards) != 1 || *out.ChildShards[0].ShardId != "shardId-000000000002" ||
		!reflect.DeepEqual(out.ChildShards[0].ParentShards, []string{"shardId-000000000000", "shardId-000000000001"}) {
		t.Fatalf("end of closed shard: next %v, children %+v", out.NextShardIterator, out.ChildShards)
	}

	_, err := kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("r"), ShardToMerge: aws.String("shardId-000000000000"),
		AdjacentShardToMerge: aws.String("shardId-000000000001")})
	wantAPIError(t, err, "InvalidArgumentException", "has already been merged or split")

	usc := must(kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamARN: aws.String(h.arn("r")), TargetShardCount: aws.Int32(2),
		ScalingType: types.ScalingTypeUniformScaling}))
	if *usc.CurrentShardCount != 1 || *usc.TargetShardCount != 2 || *usc.StreamName != "r" || *usc.StreamARN != h.arn("r") {
		t.Fatalf("UpdateShardCount: %+v", usc)
	}
	sum := must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("r")})).StreamDescriptionSummary
	if *sum.OpenShardCount != 2 {
		t.Fatalf("after scaling: %d open shards", *sum.OpenShardCount)
	}
	_, err = kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("r"), ShardToSplit: aws.String("shardId-000000000002"),
		NewStartingHashKey: aws.String("340282366920938463463374607431768211456")})
	wantAPIError(t, err, "InvalidArgumentException", "NewStartingHashKey 340282366920938463463374607431768211456")
}

func TestSDKRetention(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("ret", 1)
	must(kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(48)}))
	d := must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("ret")})).StreamDescriptionSummary
	if *d.RetentionPeriodHours != 48 {
		t.Fatalf("retention %d", *d.RetentionPeriodHours)
	}
	_, err := kc.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(72)})
	wantAPIError(t, err, "InvalidArgumentException", "")
	must(kc.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamARN: aws.String(h.arn("ret")), RetentionPeriodHours: aws.Int32(24)}))
	_, err = kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(23)})
	wantAPIError(t, err, "InvalidArgumentException", "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.")
	_, err = kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(8761)})
	wantAPIError(t, err, "InvalidArgumentException", "Maximum allowed retention period is 8760 hours.")
}

func TestSDKTags(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("tg", 1)
	must(kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tg"), Tags: map[string]string{"b": "2", "a": "1", "c": "3"}}))
	out := must(kc.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tg"), Limit: aws.Int32(2)}))
	if len(out.Tags) != 2 || *out.Tags[0].Key != "a" || *out.Tags[1].Value != "2" || !*out.HasMoreTags {
		t.Fatalf("ListTagsForStream: %+v", out)
	}
	out = must(kc.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tg"), ExclusiveStartTagKey: aws.String("b")}))
	if len(out.Tags) != 1 || *out.Tags[0].Key != "c" || *out.HasMoreTags {
		t.Fatalf("after b: %+v", out)
	}
	must(kc.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("tg"), TagKeys: []string{"a", "zz"}}))

	arn := aws.String(h.arn("tg"))
	must(kc.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"d": "4"}}))
	must(kc.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"b"}}))
	lr := must(kc.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn}))
	var got []string
	for _, tag := range lr.Tags {
		got = append(got, *tag.Key+"="+*tag.Value)
	}
	if !reflect.DeepEqual(got, []string{"c=3", "d=4"}) {
		t.Fatalf("ListTagsForResource: %v", got)
	}

	_, err := kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tg"), Tags: map[string]string{"a;b": "1"}})
	wantAPIError(t, err, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
	_, err = kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tg"), Tags: map[string]string{"a%b": "1"}})
	wantAPIError(t, err, "InvalidArgumentException", "Failed to add tags to stream tg under account "+testAccount+" because some tags contained illegal characters.")
	many := map[string]string{}
	for i := 0; i < 60; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tg"), Tags: many})
	wantAPIError(t, err, "InvalidArgumentException", "")
	_, err = kc.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(h.arn("tg") + "/consumer/c:1")})
	wantAPIError(t, err, "ResourceNotFoundException", "not supported")
}

func TestSDKSettings(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("st", 2)
	lim := must(kc.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}))
	if *lim.OpenShardCount != 2 || *lim.ShardLimit < 2 || lim.OnDemandStreamCount == nil || lim.OnDemandStreamCountLimit == nil {
		t.Fatalf("DescribeLimits: %+v", lim)
	}

	// Account settings.
	as := must(kc.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{}))
	if as.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusDisabled {
		t.Fatalf("DescribeAccountSettings: %+v", as.MinimumThroughputBillingCommitment)
	}
	up := must(kc.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{
		Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}}))
	if up.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled ||
		up.MinimumThroughputBillingCommitment.StartedAt == nil || up.MinimumThroughputBillingCommitment.EarliestAllowedEndAt == nil {
		t.Fatalf("UpdateAccountSettings: %+v", up.MinimumThroughputBillingCommitment)
	}
	up = must(kc.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{
		Status: types.MinimumThroughputBillingCommitmentInputStatusDisabled}}))
	if up.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabledUntilEarliestAllowedEnd {
		t.Fatalf("disable early: %+v", up.MinimumThroughputBillingCommitment)
	}

	// Enhanced monitoring.
	em := must(kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("st"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}}))
	if len(em.CurrentShardLevelMetrics) != 0 || len(em.DesiredShardLevelMetrics) != 1 || *em.StreamName != "st" || *em.StreamARN != h.arn("st") {
		t.Fatalf("EnableEnhancedMonitoring: %+v", em)
	}
	dm := must(kc.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamARN: aws.String(h.arn("st")),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}}))
	if len(dm.CurrentShardLevelMetrics) != 1 || len(dm.DesiredShardLevelMetrics) != 0 {
		t.Fatalf("DisableEnhancedMonitoring: %+v", dm)
	}

	// Encryption: stored, reported, and stamped on records.
	must(kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("st"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}))
	d := must(kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("st")})).StreamDescription
	if d.EncryptionType != types.EncryptionTypeKms || *d.KeyId != "alias/aws/kinesis" {
		t.Fatalf("after StartStreamEncryption: %v %v", d.EncryptionType, d.KeyId)
	}
	pr := must(kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("st"), Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}}))
	if pr.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("PutRecords on an encrypted stream: EncryptionType %q", pr.EncryptionType)
	}
	_, err := kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("st"), EncryptionType: types.EncryptionTypeNone, KeyId: aws.String("k")})
	wantAPIError(t, err, "InvalidArgumentException", "NONE")
	must(kc.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("st"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}))
	d = must(kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("st")})).StreamDescription
	if d.EncryptionType != types.EncryptionTypeNone || d.KeyId != nil {
		t.Fatalf("after StopStreamEncryption: %v %v", d.EncryptionType, d.KeyId)
	}

	// Resource policy.
	arn := aws.String(h.arn("st"))
	gp := must(kc.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn}))
	if *gp.Policy != "{}" {
		t.Fatalf("no policy reads %q", *gp.Policy)
	}
	policy := `{"Version":"2012-10-17","Statement":[]}`
	must(kc.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)}))
	gp = must(kc.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn}))
	if *gp.Policy != policy {
		t.Fatalf("policy reads %q", *gp.Policy)
	}
	_, err = kc.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String("not json")})
	wantAPIError(t, err, "InvalidArgumentException", "Policy")
	must(kc.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn}))
	gp = must(kc.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn}))
	if *gp.Policy != "{}" {
		t.Fatalf("deleted policy reads %q", *gp.Policy)
	}

	// Max record size: a 1.5 MiB record fits only after raising it.
	big := bytes.Repeat([]byte("x"), 1536<<10)
	_, err = kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("st"), PartitionKey: aws.String("k"), Data: big})
	wantAPIError(t, err, "ValidationException", "Member must have length less than or equal to 1048576")
	must(kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(2048)}))
	sum := must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})).StreamDescriptionSummary
	if *sum.MaxRecordSizeInKiB != 2048 {
		t.Fatalf("MaxRecordSizeInKiB %d", *sum.MaxRecordSizeInKiB)
	}
	must(kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("st"), PartitionKey: aws.String("k"), Data: big}))

	// Warm throughput is an on-demand setting.
	_, err = kc.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamARN: arn, WarmThroughputMiBps: aws.Int32(10)})
	wantAPIError(t, err, "InvalidArgumentException", "ON_DEMAND")
	must(kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}))
	wt := must(kc.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamName: aws.String("st"), WarmThroughputMiBps: aws.Int32(10)}))
	if *wt.WarmThroughput.TargetMiBps != 10 || *wt.StreamName != "st" {
		t.Fatalf("UpdateStreamWarmThroughput: %+v", wt)
	}
	sum = must(kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})).StreamDescriptionSummary
	if sum.WarmThroughput == nil || *sum.WarmThroughput.CurrentMiBps != 10 {
		t.Fatalf("summary warm throughput: %+v", sum.WarmThroughput)
	}
}

func TestSDKFanOutNotYet(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("fo", 1)
	arn := aws.String(h.arn("fo"))
	consumer := aws.String(h.arn("fo") + "/consumer/app:1700000000")

	_, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")})
	wantAPIError(t, err, "InvalidArgumentException", "Enhanced fan-out consumers are not supported by caudal yet")
	_, err = kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")})
	wantAPIError(t, err, "ResourceNotFoundException", "not supported")
	_, err = kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: consumer})
	wantAPIError(t, err, "ResourceNotFoundException", "not supported")
	_, err = kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: consumer})
	wantAPIError(t, err, "ResourceNotFoundException", "not supported")
	_, err = kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{})
	wantAPIError(t, err, "InvalidArgumentException", "ConsumerARN")
	lc := must(kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: arn}))
	if len(lc.Consumers) != 0 || lc.NextToken != nil {
		t.Fatalf("ListStreamConsumers: %+v", lc)
	}
	_, err = kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: consumer, ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	wantAPIError(t, err, "ResourceNotFoundException", "not supported")

	// A missing stream is reported as such first.
	missing := aws.String(h.arn("nope"))
	_, err = kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: missing, ConsumerName: aws.String("app")})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream nope under account")
	_, err = kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: missing})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream nope under account")
	_, err = kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(h.arn("nope") + "/consumer/app:1"), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream nope under account")
}

// TestSDKPutRecordsLimits drives the request-level limits through the SDK.
func TestSDKPutRecordsLimits(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("lim", 1)
	_, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("lim"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), Data: []byte("a"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456")}}})
	wantAPIError(t, err, "InvalidArgumentException",
		"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456")
	// Data exactly 1 MiB plus a key: over the record limit.
	_, err = kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("lim"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), Data: make([]byte, 1<<20)}}})
	wantAPIError(t, err, "InvalidArgumentException", "exceeds the maximum record size of 1048576 bytes")
	// Six records of 880 KiB: each fits, together they pass 5 MiB.
	var recs []types.PutRecordsRequestEntry
	for i := 0; i < 6; i++ {
		recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: make([]byte, 880<<10)})
	}
	_, err = kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("lim"), Records: recs})
	wantAPIError(t, err, "InvalidArgumentException", "Records size exceeds 5 MB limit")
	// Nothing of the refused calls was written.
	it := must(kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("lim"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).ShardIterator
	if n := len(must(kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})).Records); n != 0 {
		t.Fatalf("%d records written by refused calls", n)
	}
}

// TestBodyLimits: a 9 MiB record (a 12 MiB body) is accepted on a stream
// whose records may reach 10 MiB, while a body over 7 MiB on a stream of
// 1 MiB records gets AWS's 413.
func TestBodyLimits(t *testing.T) {
	h := newHarness(t)
	defer catch(t)
	ctx := ctxT(t)
	kc := h.kc
	h.createStream("small", 1)
	must(kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("large"), ShardCount: aws.Int32(1), MaxRecordSizeInKiB: aws.Int32(10240)}))
	nine := bytes.Repeat([]byte("n"), 9<<20)
	r := must(kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("large"), PartitionKey: aws.String("k"), Data: nine}))
	it := must(kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("large"), ShardId: r.ShardId,
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: r.SequenceNumber})).ShardIterator
	if got := must(kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1)})); !bytes.Equal(got.Records[0].Data, nine) {
		t.Fatal("9 MiB record did not round-trip")
	}
	var six []string
	chunk := base64.StdEncoding.EncodeToString(make([]byte, 1<<20-1))
	for i := 0; i < 6; i++ {
		six = append(six, `{"PartitionKey":"k","Data":"`+chunk+`"}`)
	}
	status, body := h.raw("PutRecords", "us-east-1", `{"StreamName":"small","Records":[`+strings.Join(six, ",")+`]}`)
	if status != 413 {
		t.Fatalf("8 MiB body on a 1 MiB-record stream: %d %.200s", status, body)
	}
	t.Logf("413 body: %q", body)
	// Over the service's own bound, protocol refuses before any handler.
	huge := base64.StdEncoding.EncodeToString(make([]byte, 11<<20))
	if status, _ := h.raw("PutRecord", "us-east-1", `{"StreamName":"large","PartitionKey":"k","Data":"`+huge+`"}`); status != 413 {
		t.Fatalf("15 MiB body: %d", status)
	}
}
