package e2e

// The AWS SDK for Go v2 against a real caudal process: every Kinesis
// operation caudal supports, StreamARN in place of StreamName, error codes
// and HTTP statuses, and resharding while producers write.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// allBytes is a payload holding every byte value, so that any text/base64
// mangling on the wire shows.
func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestE2EGoSDK runs the functional surface against one server with the
// default settings (quotas on). Subtests use distinct streams.
func TestE2EGoSDK(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)

	t.Run("CreateDescribe", func(t *testing.T) { testCreateDescribe(t, c) })
	t.Run("ListStreams", func(t *testing.T) { testListStreams(t, c) })
	t.Run("PutAndIterators", func(t *testing.T) { testPutAndIterators(t, c) })
	t.Run("ListShardsFilters", func(t *testing.T) { testListShardsFilters(t, c) })
	t.Run("SplitMergeLineage", func(t *testing.T) { testSplitMerge(t, c) })
	t.Run("UpdateShardCount", func(t *testing.T) { testUpdateShardCount(t, c) })
	t.Run("Retention", func(t *testing.T) { testRetention(t, c) })
	t.Run("Tags", func(t *testing.T) { testTags(t, c) })
	t.Run("LimitsAndAccount", func(t *testing.T) { testLimitsAndAccount(t, c) })
	t.Run("EnhancedMonitoring", func(t *testing.T) { testEnhancedMonitoring(t, c) })
	t.Run("Encryption", func(t *testing.T) { testEncryption(t, c) })
	t.Run("StreamMode", func(t *testing.T) { testStreamMode(t, c) })
	t.Run("ResourcePolicy", func(t *testing.T) { testResourcePolicy(t, c) })
	t.Run("MaxRecordSize", func(t *testing.T) { testMaxRecordSize(t, c) })
	t.Run("StreamARN", func(t *testing.T) { testStreamARN(t, c) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, c) })
	t.Run("WriteQuota", func(t *testing.T) { testWriteQuota(t, c) })
	t.Run("ReadQuota", func(t *testing.T) { testReadQuota(t, s) })
	t.Run("ConsumersAnswerAWSErrors", func(t *testing.T) { testConsumerOps(t, c) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, c) })
	t.Run("RequestID", func(t *testing.T) { testRequestID(t, s) })
}

func testCreateDescribe(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	before := time.Now().Add(-time.Second)
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("cd-three"), ShardCount: aws.Int32(3)})
	if err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	arn := waitActive(t, c, "cd-three")
	if want := "arn:aws:kinesis:us-east-1:"; !strings.HasPrefix(arn, want) || !strings.HasSuffix(arn, ":stream/cd-three") {
		t.Errorf("StreamARN = %q, want arn:aws:kinesis:us-east-1:<account>:stream/cd-three", arn)
	}

	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("cd-three")})
	if err != nil {
		t.Fatalf("DescribeStream: %v", err)
	}
	sd := d.StreamDescription
	if len(sd.Shards) != 3 || aws.ToBool(sd.HasMoreShards) {
		t.Errorf("DescribeStream: %d shards, HasMoreShards=%v; want 3, false", len(sd.Shards), aws.ToBool(sd.HasMoreShards))
	}
	checkCoverage(t, sd.Shards)
	for i, sh := range sd.Shards {
		if want := fmt.Sprintf("shardId-%012d", i); aws.ToString(sh.ShardId) != want {
			t.Errorf("shard %d id = %q, want %q", i, aws.ToString(sh.ShardId), want)
		}
		if sh.SequenceNumberRange == nil || sh.SequenceNumberRange.StartingSequenceNumber == nil || sh.SequenceNumberRange.EndingSequenceNumber != nil {
			t.Errorf("shard %d SequenceNumberRange = %+v, want a start and no end", i, sh.SequenceNumberRange)
		}
		if sh.ParentShardId != nil {
			t.Errorf("shard %d of a new stream has a parent", i)
		}
	}
	if aws.ToInt32(sd.RetentionPeriodHours) != 24 || sd.EncryptionType != types.EncryptionTypeNone ||
		sd.StreamModeDetails == nil || sd.StreamModeDetails.StreamMode != types.StreamModeProvisioned || aws.ToString(sd.StreamARN) != arn {
		t.Errorf("DescribeStream: retention %d, encryption %q, mode %+v, arn %q", aws.ToInt32(sd.RetentionPeriodHours), sd.EncryptionType, sd.StreamModeDetails, aws.ToString(sd.StreamARN))
	}
	if ts := aws.ToTime(sd.StreamCreationTimestamp); ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
		t.Errorf("StreamCreationTimestamp = %v, not around now", ts)
	}

	// Shard pagination in DescribeStream: Limit and ExclusiveStartShardId.
	var ids []string
	var start *string
	for i := 0; i < 5; i++ {
		p, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("cd-three"), Limit: aws.Int32(2), ExclusiveStartShardId: start})
		if err != nil {
			t.Fatalf("DescribeStream Limit=2: %v", err)
		}
		for _, sh := range p.StreamDescription.Shards {
			ids = append(ids, aws.ToString(sh.ShardId))
		}
		if !aws.ToBool(p.StreamDescription.HasMoreShards) {
			break
		}
		start = p.StreamDescription.Shards[len(p.StreamDescription.Shards)-1].ShardId
	}
	if fmt.Sprint(ids) != "[shardId-000000000000 shardId-000000000001 shardId-000000000002]" {
		t.Errorf("DescribeStream pages gave shards %v", ids)
	}

	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("cd-three")})
	if err != nil {
		t.Fatalf("DescribeStreamSummary: %v", err)
	}
	ss := sum.StreamDescriptionSummary
	if aws.ToInt32(ss.OpenShardCount) != 3 || aws.ToInt32(ss.ConsumerCount) != 0 || aws.ToString(ss.StreamName) != "cd-three" || ss.StreamStatus != types.StreamStatusActive {
		t.Errorf("summary: open %d, consumers %d, name %q, status %q", aws.ToInt32(ss.OpenShardCount), aws.ToInt32(ss.ConsumerCount), aws.ToString(ss.StreamName), ss.StreamStatus)
	}
	if len(ss.EnhancedMonitoring) != 1 || len(ss.EnhancedMonitoring[0].ShardLevelMetrics) != 0 {
		t.Errorf("summary EnhancedMonitoring = %+v, want one entry with no metrics (as AWS reports)", ss.EnhancedMonitoring)
	}

	// Same name again: ResourceInUseException.
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("cd-three"), ShardCount: aws.Int32(1)})
	wantAPIError(t, err, "ResourceInUseException", 400)

	// ON_DEMAND without ShardCount: 4 shards, mode reported.
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("cd-ondemand"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if err != nil {
		t.Fatalf("CreateStream ON_DEMAND: %v", err)
	}
	waitActive(t, c, "cd-ondemand")
	od, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("cd-ondemand")})
	if err != nil {
		t.Fatal(err)
	}
	if m := od.StreamDescriptionSummary.StreamModeDetails; m == nil || m.StreamMode != types.StreamModeOnDemand || aws.ToInt32(od.StreamDescriptionSummary.OpenShardCount) != 4 {
		t.Errorf("ON_DEMAND stream: mode %+v, open shards %d; want ON_DEMAND, 4", m, aws.ToInt32(od.StreamDescriptionSummary.OpenShardCount))
	}

	// Tags at creation.
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("cd-tagged"), ShardCount: aws.Int32(1), Tags: map[string]string{"team": "data", "env": "test"}})
	if err != nil {
		t.Fatalf("CreateStream with Tags: %v", err)
	}
	waitActive(t, c, "cd-tagged")
	tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("cd-tagged")})
	if err != nil {
		t.Fatal(err)
	}
	if got := tagMap(tags.Tags); got["team"] != "data" || got["env"] != "test" || len(got) != 2 {
		t.Errorf("tags from CreateStream = %v", got)
	}
}

func tagMap(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, tg := range tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func testListStreams(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	want := []string{"ls-a", "ls-b", "ls-c", "ls-d", "ls-e"}
	for _, n := range want {
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(n), ShardCount: aws.Int32(1)}); err != nil {
			t.Fatalf("CreateStream %s: %v", n, err)
		}
	}
	for _, n := range want {
		waitActive(t, c, n)
	}

	// NextToken pagination with Limit 2 (the Go SDK's paginator follows
	// NextToken).
	var names []string
	summaries := map[string]types.StreamSummary{}
	p := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > 100 {
			t.Fatal("ListStreams pagination does not end")
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListStreams page %d: %v", pages, err)
		}
		if len(out.StreamNames) > 2 {
			t.Errorf("ListStreams Limit=2 returned %d names", len(out.StreamNames))
		}
		if len(out.StreamSummaries) != len(out.StreamNames) {
			t.Errorf("ListStreams: %d StreamSummaries for %d StreamNames", len(out.StreamSummaries), len(out.StreamNames))
		}
		if aws.ToBool(out.HasMoreStreams) != (out.NextToken != nil) {
			t.Errorf("ListStreams: HasMoreStreams=%v but NextToken=%v", aws.ToBool(out.HasMoreStreams), aws.ToString(out.NextToken))
		}
		names = append(names, out.StreamNames...)
		for _, s := range out.StreamSummaries {
			summaries[aws.ToString(s.StreamName)] = s
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("ListStreams names not in order: %v", names)
	}
	seen := map[string]int{}
	for _, n := range names {
		seen[n]++
	}
	for _, n := range want {
		if seen[n] != 1 {
			t.Errorf("stream %s listed %d times in %v", n, seen[n], names)
		}
		s := summaries[n]
		if !strings.HasSuffix(aws.ToString(s.StreamARN), ":stream/"+n) || s.StreamStatus != types.StreamStatusActive ||
			s.StreamModeDetails == nil || s.StreamCreationTimestamp == nil {
			t.Errorf("StreamSummary for %s = %+v", n, s)
		}
	}

	// ExclusiveStartStreamName: the legacy pagination.
	out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String("ls-b"), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatalf("ListStreams ExclusiveStartStreamName: %v", err)
	}
	if fmt.Sprint(out.StreamNames) != "[ls-c ls-d]" || !aws.ToBool(out.HasMoreStreams) {
		t.Errorf("ListStreams after ls-b, limit 2 = %v (more=%v), want [ls-c ls-d] (more=true)", out.StreamNames, aws.ToBool(out.HasMoreStreams))
	}

	// A forged NextToken is refused, not a 500.
	_, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: aws.String("not-a-token")})
	if code := wantClientError(t, err, "ListStreams with a forged NextToken"); code != "InvalidArgumentException" && code != "ExpiredNextTokenException" {
		t.Errorf("forged NextToken: %s, want InvalidArgumentException or ExpiredNextTokenException", code)
	}
}

func testPutAndIterators(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "put-iter"
	createStream(t, c, name, 2)
	shards := listAllShards(t, c, name, nil)
	// A hash key in the middle of shard 1's range routes there.
	lo := bigDec(t, aws.ToString(shards[1].HashKeyRange.StartingHashKey))
	hi := bigDec(t, aws.ToString(shards[1].HashKeyRange.EndingHashKey))
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1).String()

	payload := allBytes()
	var seqs []string
	var arrivals []time.Time
	for i := 0; i < 6; i++ {
		data := append([]byte{byte(i)}, payload...)
		in := &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("pk"), ExplicitHashKey: aws.String(mid), Data: data}
		if i > 0 {
			in.SequenceNumberForOrdering = aws.String(seqs[i-1])
		}
		out, err := c.PutRecord(ctx, in)
		if err != nil {
			t.Fatalf("PutRecord %d: %v", i, err)
		}
		if aws.ToString(out.ShardId) != aws.ToString(shards[1].ShardId) {
			t.Fatalf("ExplicitHashKey %s routed to %s, want %s", mid, aws.ToString(out.ShardId), aws.ToString(shards[1].ShardId))
		}
		if out.EncryptionType != types.EncryptionTypeNone && out.EncryptionType != "" {
			t.Errorf("PutRecord EncryptionType = %q on an unencrypted stream", out.EncryptionType)
		}
		if i > 0 && bigDec(t, aws.ToString(out.SequenceNumber)).Cmp(bigDec(t, seqs[i-1])) <= 0 {
			t.Errorf("sequence %s not greater than %s", aws.ToString(out.SequenceNumber), seqs[i-1])
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
		// Keep arrivals on distinct milliseconds so AT_TIMESTAMP has a
		// well-defined answer: wait for the clock, not for the server.
		t0 := time.Now()
		for time.Since(t0) < 3*time.Millisecond {
			time.Sleep(time.Millisecond)
		}
	}
	shardID := aws.ToString(shards[1].ShardId)

	iter := func(in kinesis.GetShardIteratorInput) *string {
		t.Helper()
		in.StreamName = aws.String(name)
		in.ShardId = aws.String(shardID)
		out, err := c.GetShardIterator(ctx, &in)
		if err != nil {
			t.Fatalf("GetShardIterator %s: %v", in.ShardIteratorType, err)
		}
		if aws.ToString(out.ShardIterator) == "" {
			t.Fatalf("GetShardIterator %s: empty iterator", in.ShardIteratorType)
		}
		return out.ShardIterator
	}
	get := func(it *string, limit int32) *kinesis.GetRecordsOutput {
		t.Helper()
		in := &kinesis.GetRecordsInput{ShardIterator: it}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		for attempt := 0; ; attempt++ {
			out, err := c.GetRecords(ctx, in)
			var pt *types.ProvisionedThroughputExceededException
			if errors.As(err, &pt) && attempt < 50 {
				time.Sleep(210 * time.Millisecond) // 5 reads/s per shard with quotas on
				continue
			}
			if err != nil {
				t.Fatalf("GetRecords: %v", err)
			}
			return out
		}
	}

	// TRIM_HORIZON: everything, byte for byte, with arrival timestamps.
	all := get(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}), 0)
	if len(all.Records) != len(seqs) {
		t.Fatalf("TRIM_HORIZON read %d records, want %d", len(all.Records), len(seqs))
	}
	for i, r := range all.Records {
		if aws.ToString(r.SequenceNumber) != seqs[i] || aws.ToString(r.PartitionKey) != "pk" || !bytes.Equal(r.Data, append([]byte{byte(i)}, payload...)) {
			t.Errorf("record %d: seq %s pk %q data %d bytes; want seq %s", i, aws.ToString(r.SequenceNumber), aws.ToString(r.PartitionKey), len(r.Data), seqs[i])
		}
		at := aws.ToTime(r.ApproximateArrivalTimestamp)
		if time.Since(at) > time.Minute || time.Until(at) > time.Second {
			t.Errorf("record %d ApproximateArrivalTimestamp = %v, not around now", i, at)
		}
		arrivals = append(arrivals, at)
	}
	if all.NextShardIterator == nil || aws.ToInt64(all.MillisBehindLatest) != 0 {
		t.Errorf("GetRecords at the tip of an open shard: next iterator %v, MillisBehindLatest %d", all.NextShardIterator, aws.ToInt64(all.MillisBehindLatest))
	}

	// Limit and NextShardIterator chaining.
	it := iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	var chained []string
	for i := 0; i < len(seqs); i++ {
		out := get(it, 1)
		if len(out.Records) != 1 {
			t.Fatalf("GetRecords Limit=1 step %d returned %d records", i, len(out.Records))
		}
		chained = append(chained, aws.ToString(out.Records[0].SequenceNumber))
		it = out.NextShardIterator
	}
	if fmt.Sprint(chained) != fmt.Sprint(seqs) {
		t.Errorf("chained reads = %v, want %v", chained, seqs)
	}

	// AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER.
	at := get(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seqs[2])}), 0)
	if len(at.Records) != 4 || aws.ToString(at.Records[0].SequenceNumber) != seqs[2] {
		t.Errorf("AT_SEQUENCE_NUMBER %s: got %d records starting %v", seqs[2], len(at.Records), firstSeq(at.Records))
	}
	after := get(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: aws.String(seqs[2])}), 0)
	if len(after.Records) != 3 || aws.ToString(after.Records[0].SequenceNumber) != seqs[3] {
		t.Errorf("AFTER_SEQUENCE_NUMBER %s: got %d records starting %v", seqs[2], len(after.Records), firstSeq(after.Records))
	}

	// AT_TIMESTAMP: the first record whose arrival is at or after the
	// timestamp, and everything after it.
	ts := arrivals[3]
	wantFrom := 0
	for wantFrom < len(arrivals) && arrivals[wantFrom].Before(ts) {
		wantFrom++
	}
	atTS := get(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(ts)}), 0)
	if len(atTS.Records) != len(seqs)-wantFrom || len(atTS.Records) == 0 || aws.ToString(atTS.Records[0].SequenceNumber) != seqs[wantFrom] {
		t.Errorf("AT_TIMESTAMP %v: got %d records starting %v; want %d starting %s", ts, len(atTS.Records), firstSeq(atTS.Records), len(seqs)-wantFrom, seqs[wantFrom])
	}
	// AT_TIMESTAMP before the stream existed: from the trim horizon.
	early := get(iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(time.Now().Add(-time.Hour))}), 0)
	if len(early.Records) != len(seqs) {
		t.Errorf("AT_TIMESTAMP an hour ago: got %d records, want %d", len(early.Records), len(seqs))
	}

	// LATEST: only what arrives after the iterator was made.
	latest := iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest})
	if out := get(latest, 0); len(out.Records) != 0 {
		t.Errorf("LATEST before a new put returned %d records", len(out.Records))
	}
	latest = iter(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest})
	np, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("pk"), ExplicitHashKey: aws.String(mid), Data: []byte("after-latest")})
	if err != nil {
		t.Fatal(err)
	}
	if out := get(latest, 0); len(out.Records) != 1 || aws.ToString(out.Records[0].SequenceNumber) != aws.ToString(np.SequenceNumber) {
		t.Errorf("LATEST then one put: got %d records (%v), want exactly %s", len(out.Records), firstSeq(out.Records), aws.ToString(np.SequenceNumber))
	}

	// PutRecords: results in request order, routed by MD5 of the key.
	var entries []types.PutRecordsRequestEntry
	for i := 0; i < 20; i++ {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", i)), Data: []byte(fmt.Sprintf("batch-%d", i))})
	}
	entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("x"), ExplicitHashKey: aws.String("0"), Data: payload})
	pr, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	if err != nil {
		t.Fatalf("PutRecords: %v", err)
	}
	if aws.ToInt32(pr.FailedRecordCount) != 0 || len(pr.Records) != len(entries) {
		t.Fatalf("PutRecords: %d failed, %d results for %d entries", aws.ToInt32(pr.FailedRecordCount), len(pr.Records), len(entries))
	}
	if got := aws.ToString(pr.Records[len(entries)-1].ShardId); got != aws.ToString(shards[0].ShardId) {
		t.Errorf("ExplicitHashKey 0 routed to %s, want %s", got, aws.ToString(shards[0].ShardId))
	}
	for i, e := range entries[:20] {
		wantShard := shardFor(t, shards, md5Hash(aws.ToString(e.PartitionKey)))
		if got := aws.ToString(pr.Records[i].ShardId); got != wantShard {
			t.Errorf("PartitionKey %q routed to %s, MD5 says %s", aws.ToString(e.PartitionKey), got, wantShard)
		}
	}
	// AT_SEQUENCE_NUMBER of a PutRecords result gives back that entry.
	last := pr.Records[len(entries)-1]
	out, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: last.ShardId, ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: last.SequenceNumber})
	if err != nil {
		t.Fatal(err)
	}
	if r := get(out.ShardIterator, 1); len(r.Records) != 1 || !bytes.Equal(r.Records[0].Data, payload) {
		t.Errorf("reading back the PutRecords entry by its sequence number failed: %+v", r.Records)
	}
}

func firstSeq(rs []types.Record) string {
	if len(rs) == 0 {
		return "<none>"
	}
	return aws.ToString(rs[0].SequenceNumber)
}

func retention(t testing.TB, c *kinesis.Client, name string) int32 {
	t.Helper()
	sum, err := c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToInt32(sum.StreamDescriptionSummary.RetentionPeriodHours)
}

func testRetention(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "retention"
	createStream(t, c, name, 1)
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(168)}); err != nil {
		t.Fatalf("IncreaseStreamRetentionPeriod 168: %v", err)
	}
	waitActive(t, c, name)
	if got := retention(t, c, name); got != 168 {
		t.Errorf("retention after increase = %d, want 168", got)
	}
	// Increasing to a smaller value, decreasing to a larger one, and going
	// outside 24..8760 are InvalidArgumentException; none changes anything.
	_, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(48)})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(200)})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(8761)})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(23)})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	if got := retention(t, c, name); got != 168 {
		t.Errorf("retention after refused changes = %d, want 168", got)
	}
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(8760)}); err != nil {
		t.Fatalf("IncreaseStreamRetentionPeriod 8760: %v", err)
	}
	waitActive(t, c, name)
	if _, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(24)}); err != nil {
		t.Fatalf("DecreaseStreamRetentionPeriod 24: %v", err)
	}
	waitActive(t, c, name)
	if got := retention(t, c, name); got != 24 {
		t.Errorf("retention after decrease = %d, want 24", got)
	}
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("no-such-stream"), RetentionPeriodHours: aws.Int32(48)})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
}

func testTags(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "tags"
	arn := createStream(t, c, name, 1)
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: map[string]string{"a": "1", "b": "2", "c": "3", "empty": ""}}); err != nil {
		t.Fatalf("AddTagsToStream: %v", err)
	}
	// Overwrite and paginate (Limit, ExclusiveStartTagKey, HasMoreTags).
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: map[string]string{"a": "one"}}); err != nil {
		t.Fatal(err)
	}
	p1, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Tags) != 2 || !aws.ToBool(p1.HasMoreTags) {
		t.Fatalf("ListTagsForStream Limit=2: %d tags, more=%v", len(p1.Tags), aws.ToBool(p1.HasMoreTags))
	}
	p2, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name), ExclusiveStartTagKey: p1.Tags[1].Key})
	if err != nil {
		t.Fatal(err)
	}
	got := tagMap(append(p1.Tags, p2.Tags...))
	if aws.ToBool(p2.HasMoreTags) || fmt.Sprint(got) != "map[a:one b:2 c:3 empty:]" {
		t.Errorf("tags = %v (more=%v)", got, aws.ToBool(p2.HasMoreTags))
	}
	if _, err := c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String(name), TagKeys: []string{"b", "not-there"}}); err != nil {
		t.Fatalf("RemoveTagsFromStream: %v", err)
	}

	// The resource-tag API sees the same tags, through the ARN.
	if _, err := c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"d": "4"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	lr, err := c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	if got := fmt.Sprint(tagMap(lr.Tags)); got != "map[a:one c:3 d:4 empty:]" {
		t.Errorf("ListTagsForResource = %s", got)
	}
	if _, err := c.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"a", "d"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	ls, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamARN: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tagMap(ls.Tags)); got != "map[c:3 empty:]" {
		t.Errorf("ListTagsForStream after UntagResource = %s", got)
	}

	// More than 50 tags in total is refused and adds none.
	many := map[string]string{}
	for i := 0; i < 49; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: many})
	wantClientError(t, err, "AddTagsToStream beyond 50 tags")
	ls, err = c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Tags) != 2 {
		t.Errorf("refused AddTagsToStream left %d tags, want 2", len(ls.Tags))
	}
	_, err = c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope"), Tags: map[string]string{"x": "y"}})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
	_, err = c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
}

func testLimitsAndAccount(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	// Count open shards and on-demand streams the way DescribeLimits should.
	var open, onDemand int32
	p := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range out.StreamNames {
			sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(n)})
			if err != nil {
				t.Fatal(err)
			}
			open += aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount)
			if m := sum.StreamDescriptionSummary.StreamModeDetails; m != nil && m.StreamMode == types.StreamModeOnDemand {
				onDemand++
			}
		}
	}
	l, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil {
		t.Fatalf("DescribeLimits: %v", err)
	}
	if aws.ToInt32(l.ShardLimit) <= 0 || aws.ToInt32(l.OpenShardCount) != open ||
		aws.ToInt32(l.OnDemandStreamCount) != onDemand || aws.ToInt32(l.OnDemandStreamCountLimit) <= 0 {
		t.Errorf("DescribeLimits = shard limit %d, open %d (want %d), on-demand %d (want %d), on-demand limit %d",
			aws.ToInt32(l.ShardLimit), aws.ToInt32(l.OpenShardCount), open, aws.ToInt32(l.OnDemandStreamCount), onDemand, aws.ToInt32(l.OnDemandStreamCountLimit))
	}

	if _, err := c.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{}); err != nil {
		t.Fatalf("DescribeAccountSettings: %v", err)
	}
	up, err := c.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}})
	if err != nil {
		t.Fatalf("UpdateAccountSettings ENABLED: %v", err)
	}
	if m := up.MinimumThroughputBillingCommitment; m == nil || m.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled {
		t.Errorf("UpdateAccountSettings output = %+v, want status ENABLED", m)
	}
	d, err := c.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if m := d.MinimumThroughputBillingCommitment; m == nil || m.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled || m.StartedAt == nil {
		t.Errorf("DescribeAccountSettings after enabling = %+v, want ENABLED with StartedAt", m)
	}
}

func testEnhancedMonitoring(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "monitoring"
	createStream(t, c, name, 1)
	en, err := c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(name), ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameOutgoingRecords}})
	if err != nil {
		t.Fatalf("EnableEnhancedMonitoring: %v", err)
	}
	if len(en.CurrentShardLevelMetrics) != 0 || metrics(en.DesiredShardLevelMetrics) != "[IncomingBytes OutgoingRecords]" || aws.ToString(en.StreamName) != name {
		t.Errorf("EnableEnhancedMonitoring output: current %v desired %v name %q", en.CurrentShardLevelMetrics, en.DesiredShardLevelMetrics, aws.ToString(en.StreamName))
	}
	waitActive(t, c, name)
	if got := streamMetrics(t, c, name); got != "[IncomingBytes OutgoingRecords]" {
		t.Errorf("metrics after enable = %s", got)
	}
	en, err = c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(name), ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	if err != nil {
		t.Fatalf("EnableEnhancedMonitoring ALL: %v", err)
	}
	waitActive(t, c, name)
	all := "[IncomingBytes IncomingRecords IteratorAgeMilliseconds OutgoingBytes OutgoingRecords ReadProvisionedThroughputExceeded WriteProvisionedThroughputExceeded]"
	if got := streamMetrics(t, c, name); got != all {
		t.Errorf("metrics after ALL = %s, want %s", got, all)
	}
	dis, err := c.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String(name), ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
	if err != nil {
		t.Fatalf("DisableEnhancedMonitoring: %v", err)
	}
	if metrics(dis.CurrentShardLevelMetrics) != all || strings.Contains(metrics(dis.DesiredShardLevelMetrics), "IncomingBytes") {
		t.Errorf("DisableEnhancedMonitoring output: current %v desired %v", dis.CurrentShardLevelMetrics, dis.DesiredShardLevelMetrics)
	}
	waitActive(t, c, name)
	if got := streamMetrics(t, c, name); strings.Contains(got, "IncomingBytes") || !strings.Contains(got, "IncomingRecords") {
		t.Errorf("metrics after disabling IncomingBytes = %s", got)
	}
	_, err = c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(name), ShardLevelMetrics: []types.MetricsName{"NoSuchMetric"}})
	wantAPIError(t, err, "ValidationException", 400)
}

func metrics(ms []types.MetricsName) string {
	var s []string
	for _, m := range ms {
		s = append(s, string(m))
	}
	sort.Strings(s)
	return fmt.Sprint(s)
}

func streamMetrics(t testing.TB, c *kinesis.Client, name string) string {
	t.Helper()
	sum, err := c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	em := sum.StreamDescriptionSummary.EnhancedMonitoring
	if len(em) != 1 {
		t.Fatalf("EnhancedMonitoring has %d entries, want 1", len(em))
	}
	return metrics(em[0].ShardLevelMetrics)
}

func testEncryption(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "encryption"
	createStream(t, c, name, 1)
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(name), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatalf("StartStreamEncryption: %v", err)
	}
	waitActive(t, c, name)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.StreamDescriptionSummary; s.EncryptionType != types.EncryptionTypeKms || aws.ToString(s.KeyId) != "alias/aws/kinesis" {
		t.Errorf("after StartStreamEncryption: type %q key %q", s.EncryptionType, aws.ToString(s.KeyId))
	}
	pr, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	if pr.EncryptionType != types.EncryptionTypeKms {
		t.Errorf("PutRecord on an encrypted stream: EncryptionType %q, want KMS", pr.EncryptionType)
	}
	r := readShard(t, c, name, aws.ToString(pr.ShardId))
	if len(r.Records) != 1 || r.Records[0].EncryptionType != types.EncryptionTypeKms || string(r.Records[0].Data) != "secret" {
		t.Errorf("GetRecords on an encrypted stream: %+v", r.Records)
	}
	if _, err := c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String(name), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatalf("StopStreamEncryption: %v", err)
	}
	waitActive(t, c, name)
	sum, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.StreamDescriptionSummary; s.EncryptionType != types.EncryptionTypeNone {
		t.Errorf("after StopStreamEncryption: type %q", s.EncryptionType)
	}
	_, err = c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("nope"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
}

func testStreamMode(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "mode"
	arn := createStream(t, c, name, 2)
	if _, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(arn), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatalf("UpdateStreamMode ON_DEMAND: %v", err)
	}
	waitActive(t, c, name)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if m := sum.StreamDescriptionSummary.StreamModeDetails; m == nil || m.StreamMode != types.StreamModeOnDemand {
		t.Errorf("mode after UpdateStreamMode = %+v", m)
	}
	if _, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(arn), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}}); err != nil {
		t.Fatalf("UpdateStreamMode PROVISIONED: %v", err)
	}
	waitActive(t, c, name)
	sum, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if m := sum.StreamDescriptionSummary.StreamModeDetails; m == nil || m.StreamMode != types.StreamModeProvisioned {
		t.Errorf("mode after switching back = %+v", m)
	}
	_, err = c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
}

func testResourcePolicy(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "policy"
	arn := createStream(t, c, name, 1)
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"r","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kinesis:GetRecords","Resource":%q}]}`, arn)
	if _, err := c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("PutResourcePolicy: %v", err)
	}
	got, err := c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetResourcePolicy: %v", err)
	}
	if !jsonEqual(aws.ToString(got.Policy), policy) {
		t.Errorf("GetResourcePolicy = %s, want %s", aws.ToString(got.Policy), policy)
	}
	if _, err := c.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(arn)}); err != nil {
		t.Fatalf("DeleteResourcePolicy: %v", err)
	}
	got, err = c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetResourcePolicy after delete: %v", err)
	}
	if p := aws.ToString(got.Policy); p != "" && p != "{}" {
		t.Errorf("GetResourcePolicy after delete = %q, want empty", p)
	}
	_, err = c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn), Policy: aws.String("{not json")})
	wantClientError(t, err, "PutResourcePolicy with malformed JSON")
	_, err = c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

func testMaxRecordSize(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "maxsize"
	arn := createStream(t, c, name, 1)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(sum.StreamDescriptionSummary.MaxRecordSizeInKiB); got != 1024 {
		t.Errorf("default MaxRecordSizeInKiB = %d, want 1024", got)
	}
	big := bytes.Repeat([]byte{0xAB}, 1<<20+100)
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: big})
	wantClientError(t, err, "PutRecord above 1 MiB")
	if _, err := c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(arn), MaxRecordSizeInKiB: aws.Int32(2048)}); err != nil {
		t.Fatalf("UpdateMaxRecordSize 2048: %v", err)
	}
	waitActive(t, c, name)
	sum, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(sum.StreamDescriptionSummary.MaxRecordSizeInKiB); got != 2048 {
		t.Errorf("MaxRecordSizeInKiB after update = %d, want 2048", got)
	}
}

func testStreamARN(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "by-arn"
	arn := createStream(t, c, name, 1)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(arn)})
	if err != nil || aws.ToString(sum.StreamDescriptionSummary.StreamName) != name {
		t.Fatalf("DescribeStreamSummary by ARN: %v", err)
	}
	if _, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String(arn)}); err != nil {
		t.Fatalf("DescribeStream by ARN: %v", err)
	}
	pr, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(arn), PartitionKey: aws.String("k"), Data: []byte("via-arn")})
	if err != nil {
		t.Fatalf("PutRecord by ARN: %v", err)
	}
	prs, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamARN: aws.String(arn), Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("via-arn-2")}}})
	if err != nil || aws.ToInt32(prs.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords by ARN: %v", err)
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamARN: aws.String(arn), ShardId: pr.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatalf("GetShardIterator by ARN: %v", err)
	}
	gr, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, StreamARN: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetRecords with StreamARN: %v", err)
	}
	if len(gr.Records) != 2 || string(gr.Records[0].Data) != "via-arn" {
		t.Errorf("GetRecords by ARN: %d records", len(gr.Records))
	}
	if _, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: aws.String(arn)}); err != nil {
		t.Fatalf("ListShards by ARN: %v", err)
	}
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamARN: aws.String(arn), Tags: map[string]string{"x": "y"}}); err != nil {
		t.Fatalf("AddTagsToStream by ARN: %v", err)
	}
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamARN: aws.String(arn), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatalf("IncreaseStreamRetentionPeriod by ARN: %v", err)
	}
	waitActive(t, c, name)
	// An ARN of another region or a malformed ARN is refused.
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(strings.Replace(arn, "us-east-1", "eu-west-1", 1))})
	wantClientError(t, err, "ARN of another region")
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("not-an-arn")})
	wantAPIError(t, err, "ValidationException", 400)
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamARN: aws.String(arn)}); err != nil {
		t.Fatalf("DeleteStream by ARN: %v", err)
	}
	waitGone(t, c, name)
}

func testDelete(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "to-delete"
	createStream(t, c, name, 2)
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)}); err != nil {
		t.Fatalf("DeleteStream: %v", err)
	}
	waitGone(t, c, name)
	out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if contains(out.StreamNames, name) {
		t.Errorf("deleted stream still listed")
	}
	// The name is free again, and the new stream starts empty.
	createStream(t, c, name, 1)
	r := readShard(t, c, name, "shardId-000000000000")
	if len(r.Records) != 0 {
		t.Errorf("re-created stream has %d records of its predecessor", len(r.Records))
	}
}

// testRequestID checks x-amzn-RequestId on success and on error.
func testRequestID(t *testing.T, s *Server) {
	for _, body := range []string{`{}`, `{"StreamName":"no-such"}`} {
		resp := signedJSON(t, s, testRegion, "DescribeStreamSummary", []byte(body), nil)
		if resp.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s answer %d has no x-amzn-RequestId", body, resp.StatusCode)
		}
	}
}
