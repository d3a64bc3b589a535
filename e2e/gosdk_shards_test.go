package e2e

// TestE2EGoSDK's shard subtests: ListShards filters and pagination, split
// and merge lineage with ChildShards at a closed shard's end, and uniform
// UpdateShardCount.

import (
	"fmt"
	"math/big"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func testListShardsFilters(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "ls-filters"
	arn := createStream(t, c, name, 4)
	all := listAllShards(t, c, name, nil)
	if len(all) != 4 {
		t.Fatalf("ListShards: %d shards, want 4", len(all))
	}
	checkCoverage(t, all)

	// The NextToken page must not repeat StreamName (AWS rule).
	first, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), MaxResults: aws.Int32(1)})
	if err != nil || first.NextToken == nil || len(first.Shards) != 1 {
		t.Fatalf("ListShards MaxResults=1: %v, %+v", err, first)
	}
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), NextToken: first.NextToken})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{NextToken: aws.String("garbage-token")})
	if code := wantClientError(t, err, "ListShards with a forged NextToken"); code != "InvalidArgumentException" && code != "ExpiredNextTokenException" {
		t.Errorf("forged NextToken: %s", code)
	}

	// ExclusiveStartShardId.
	ex, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: aws.String(arn), ExclusiveStartShardId: aws.String("shardId-000000000001")})
	if err != nil {
		t.Fatal(err)
	}
	if got := shardIDs(ex.Shards); got != "[shardId-000000000002 shardId-000000000003]" {
		t.Errorf("ExclusiveStartShardId=1: %s", got)
	}

	// Split shard 0 so that the filters have something to tell apart.
	tBefore := time.Now()
	waitClock(tBefore.Add(5 * time.Millisecond))
	splitAtMiddle(t, c, name, all[0])
	waitActive(t, c, name)
	waitClock(time.Now().Add(5 * time.Millisecond))
	tAfter := time.Now()

	cases := []struct {
		f    types.ShardFilter
		want string
	}{
		{types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000002")}, "[shardId-000000000003 shardId-000000000004 shardId-000000000005]"},
		// "All the shards that were open at TRIM_HORIZON" (API_ShardFilter):
		// nothing has been trimmed, so the shards open at creation.
		{types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon}, "[shardId-000000000000 shardId-000000000001 shardId-000000000002 shardId-000000000003]"},
		{types.ShardFilter{Type: types.ShardFilterTypeFromTrimHorizon}, "[shardId-000000000000 shardId-000000000001 shardId-000000000002 shardId-000000000003 shardId-000000000004 shardId-000000000005]"},
		{types.ShardFilter{Type: types.ShardFilterTypeAtLatest}, "[shardId-000000000001 shardId-000000000002 shardId-000000000003 shardId-000000000004 shardId-000000000005]"},
		{types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(tBefore)}, "[shardId-000000000000 shardId-000000000001 shardId-000000000002 shardId-000000000003]"},
		{types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(tAfter)}, "[shardId-000000000001 shardId-000000000002 shardId-000000000003 shardId-000000000004 shardId-000000000005]"},
		{types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(tBefore)}, "[shardId-000000000000 shardId-000000000001 shardId-000000000002 shardId-000000000003 shardId-000000000004 shardId-000000000005]"},
		{types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(tAfter)}, "[shardId-000000000001 shardId-000000000002 shardId-000000000003 shardId-000000000004 shardId-000000000005]"},
	}
	for _, tc := range cases {
		f := tc.f
		got := shardIDs(listAllShards(t, c, name, &f))
		if got != tc.want {
			t.Errorf("ListShards filter %s: %s, want %s", f.Type, got, tc.want)
		}
	}
	// AFTER_SHARD_ID without ShardId is refused.
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId}})
	wantClientError(t, err, "AFTER_SHARD_ID without ShardId")
}

// waitClock waits until the wall clock passes t (a few milliseconds), so
// that timestamps taken on either side of an operation differ.
func waitClock(t time.Time) {
	for time.Now().Before(t) {
		time.Sleep(time.Millisecond)
	}
}

func shardIDs(shards []types.Shard) string {
	var ids []string
	for _, s := range shards {
		ids = append(ids, aws.ToString(s.ShardId))
	}
	sort.Strings(ids)
	return fmt.Sprint(ids)
}

func splitAtMiddle(t testing.TB, c *kinesis.Client, name string, sh types.Shard) {
	t.Helper()
	lo := bigDec(t, aws.ToString(sh.HashKeyRange.StartingHashKey))
	hi := bigDec(t, aws.ToString(sh.HashKeyRange.EndingHashKey))
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
	mid.Add(mid, big.NewInt(1))
	_, err := c.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: sh.ShardId, NewStartingHashKey: aws.String(mid.String())})
	if err != nil {
		t.Fatalf("SplitShard %s at %s: %v", aws.ToString(sh.ShardId), mid, err)
	}
}

func testSplitMerge(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "split-merge"
	createStream(t, c, name, 2)
	shards := listAllShards(t, c, name, nil)
	parent := aws.ToString(shards[0].ShardId)

	// A few records in the parent before the split.
	putN := func(n int, tag string) map[string]int {
		counts := map[string]int{}
		for i := 0; i < n; i++ {
			out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String(fmt.Sprintf("%s-%d", tag, i)), Data: []byte(tag)})
			if err != nil {
				t.Fatalf("PutRecord: %v", err)
			}
			counts[aws.ToString(out.ShardId)]++
		}
		return counts
	}
	before := putN(20, "before")

	// A hash key outside the shard's range is refused and changes nothing.
	_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String(parent), NewStartingHashKey: aws.String(maxHashKey.String())})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String("shardId-000000000099"), NewStartingHashKey: aws.String("1")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
	if n := len(listAllShards(t, c, name, nil)); n != 2 {
		t.Fatalf("refused SplitShard changed the shard count to %d", n)
	}

	splitAtMiddle(t, c, name, shards[0])
	waitActive(t, c, name)
	after := listAllShards(t, c, name, nil)
	if len(after) != 4 {
		t.Fatalf("after SplitShard: %d shards, want 4", len(after))
	}
	checkCoverage(t, openShards(after))
	var kids []string
	for _, s := range after {
		if aws.ToString(s.ParentShardId) == parent {
			kids = append(kids, aws.ToString(s.ShardId))
			if s.AdjacentParentShardId != nil {
				t.Errorf("split child %s has AdjacentParentShardId %s", aws.ToString(s.ShardId), aws.ToString(s.AdjacentParentShardId))
			}
		}
		if aws.ToString(s.ShardId) == parent && s.SequenceNumberRange.EndingSequenceNumber == nil {
			t.Errorf("split parent %s has no EndingSequenceNumber", parent)
		}
	}
	if len(kids) != 2 {
		t.Fatalf("split parent %s has children %v, want 2", parent, kids)
	}

	// Writes now land in the children only.
	during := putN(20, "after")
	if during[parent] != 0 {
		t.Errorf("%d records went to the closed parent %s", during[parent], parent)
	}

	// Reading the parent to its end: every record, then a null iterator
	// with ChildShards naming both children.
	r := readShard(t, c, name, parent)
	if !r.Closed || len(r.Records) != before[parent] {
		t.Errorf("parent read: closed=%v records=%d, want closed with %d", r.Closed, len(r.Records), before[parent])
	}
	var got []string
	for _, cs := range r.ChildShards {
		got = append(got, aws.ToString(cs.ShardId))
		if fmt.Sprint(cs.ParentShards) != fmt.Sprint([]string{parent}) || cs.HashKeyRange == nil {
			t.Errorf("ChildShard %+v: want ParentShards [%s] and a hash range", cs, parent)
		}
	}
	sort.Strings(got)
	sort.Strings(kids)
	if fmt.Sprint(got) != fmt.Sprint(kids) {
		t.Errorf("ChildShards at the parent's end = %v, want %v", got, kids)
	}

	// Merge: non-adjacent shards are refused; adjacent ones give one child
	// with both parents.
	open := openShards(after)
	sort.Slice(open, func(i, j int) bool {
		return bigDec(t, aws.ToString(open[i].HashKeyRange.StartingHashKey)).Cmp(bigDec(t, aws.ToString(open[j].HashKeyRange.StartingHashKey))) < 0
	})
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(name), ShardToMerge: open[0].ShardId, AdjacentShardToMerge: open[2].ShardId})
	wantAPIError(t, err, "InvalidArgumentException", 400)
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(name), ShardToMerge: aws.String(parent), AdjacentShardToMerge: open[0].ShardId})
	if code := wantClientError(t, err, "MergeShards with a closed shard"); code != "InvalidArgumentException" && code != "ResourceNotFoundException" && code != "ResourceInUseException" {
		t.Errorf("merging a closed shard: %s", code)
	}
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(name), ShardToMerge: open[1].ShardId, AdjacentShardToMerge: open[2].ShardId})
	if err != nil {
		t.Fatalf("MergeShards %s + %s: %v", aws.ToString(open[1].ShardId), aws.ToString(open[2].ShardId), err)
	}
	waitActive(t, c, name)
	merged := listAllShards(t, c, name, nil)
	if len(merged) != 5 {
		t.Fatalf("after MergeShards: %d shards, want 5", len(merged))
	}
	checkCoverage(t, openShards(merged))
	m := merged[len(merged)-1]
	parents := []string{aws.ToString(m.ParentShardId), aws.ToString(m.AdjacentParentShardId)}
	sort.Strings(parents)
	want := []string{aws.ToString(open[1].ShardId), aws.ToString(open[2].ShardId)}
	sort.Strings(want)
	if fmt.Sprint(parents) != fmt.Sprint(want) {
		t.Errorf("merged shard %s has parents %v, want %v", aws.ToString(m.ShardId), parents, want)
	}
	putN(20, "merged")

	// The whole stream reads back following lineage.
	total := 0
	for _, r := range readLineage(t, c, name) {
		total += len(r.Records)
	}
	if total != 60 {
		t.Errorf("read %d records following lineage, want 60", total)
	}
}

func testUpdateShardCount(t *testing.T, c *kinesis.Client) {
	ctx := ctxT(t)
	const name = "usc"
	arn := createStream(t, c, name, 2)
	out, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(name), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
	if err != nil {
		t.Fatalf("UpdateShardCount 2→4: %v", err)
	}
	if aws.ToInt32(out.CurrentShardCount) != 2 || aws.ToInt32(out.TargetShardCount) != 4 || aws.ToString(out.StreamName) != name || aws.ToString(out.StreamARN) != arn {
		t.Errorf("UpdateShardCount output = current %d target %d name %q arn %q", aws.ToInt32(out.CurrentShardCount), aws.ToInt32(out.TargetShardCount), aws.ToString(out.StreamName), aws.ToString(out.StreamARN))
	}
	waitActive(t, c, name)
	checkUniform(t, c, name, 4)

	// Down to 3 (not a power-of-two step), then refuse more than double.
	if _, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamARN: aws.String(arn), TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatalf("UpdateShardCount 4→3: %v", err)
	}
	waitActive(t, c, name)
	checkUniform(t, c, name, 3)
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(name), TargetShardCount: aws.Int32(7), ScalingType: types.ScalingTypeUniformScaling})
	wantClientError(t, err, "UpdateShardCount to more than double")
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(name), TargetShardCount: aws.Int32(1), ScalingType: types.ScalingTypeUniformScaling})
	wantClientError(t, err, "UpdateShardCount to less than half")
	checkUniform(t, c, name, 3)

	// Lineage stays readable after uniform scaling.
	readLineage(t, c, name)
}

// checkUniform asserts n open shards tile the hash space in near-equal parts.
func checkUniform(t testing.TB, c *kinesis.Client, name string, n int) {
	t.Helper()
	open := listAllShards(t, c, name, &types.ShardFilter{Type: types.ShardFilterTypeAtLatest})
	if len(open) != n {
		t.Fatalf("%d open shards, want %d", len(open), n)
	}
	checkCoverage(t, open)
	ideal := new(big.Int).Div(new(big.Int).Add(maxHashKey, big.NewInt(1)), big.NewInt(int64(n)))
	tolerance := new(big.Int).Div(ideal, big.NewInt(100)) // 1%
	for _, s := range open {
		size := new(big.Int).Sub(bigDec(t, aws.ToString(s.HashKeyRange.EndingHashKey)), bigDec(t, aws.ToString(s.HashKeyRange.StartingHashKey)))
		if new(big.Int).Abs(new(big.Int).Sub(size, ideal)).Cmp(tolerance) > 0 {
			t.Errorf("shard %s spans %s keys, want about %s (uniform scaling)", aws.ToString(s.ShardId), size, ideal)
		}
	}
	sum, err := c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); got != int32(n) {
		t.Errorf("OpenShardCount = %d, want %d", got, n)
	}
}
