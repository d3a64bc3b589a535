package e2e

// Helpers shared by the Go SDK, auth and crash tests: stream set-up with
// bounded polling, AWS error assertions, hash-key arithmetic, and reading a
// whole stream back following shard lineage.

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// activeTimeout bounds how long a stream may stay CREATING/UPDATING.
const activeTimeout = 30 * time.Second

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// createStream creates a PROVISIONED stream and waits until it is ACTIVE.
// It returns the stream's ARN.
func createStream(t testing.TB, c *kinesis.Client, name string, shards int32) string {
	t.Helper()
	_, err := c.CreateStream(ctxT(t), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)})
	if err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
	return waitActive(t, c, name)
}

// waitActive polls DescribeStreamSummary until the stream is ACTIVE and
// returns its ARN.
func waitActive(t testing.TB, c *kinesis.Client, name string) string {
	t.Helper()
	deadline := time.Now().Add(activeTimeout)
	var last string
	for time.Now().Before(deadline) {
		out, err := c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			last = err.Error()
		} else {
			s := out.StreamDescriptionSummary
			if s.StreamStatus == types.StreamStatusActive {
				return aws.ToString(s.StreamARN)
			}
			last = string(s.StreamStatus)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("stream %s not ACTIVE within %v (last: %s)", name, activeTimeout, last)
	return ""
}

// waitGone polls until the stream is not found.
func waitGone(t testing.TB, c *kinesis.Client, name string) {
	t.Helper()
	eventually(t, activeTimeout, func() bool {
		_, err := c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		var nf *types.ResourceNotFoundException
		return errors.As(err, &nf)
	}, "stream %s still exists after DeleteStream", name)
}

// wantAPIError asserts err is an AWS error with code and HTTP status and
// returns its message.
func wantAPIError(t testing.TB, err error, code string, status int) string {
	t.Helper()
	if err == nil {
		t.Fatalf("got success, want %s (%d)", code, status)
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got non-API error %v, want %s (%d)", err, code, status)
		return ""
	}
	if ae.ErrorCode() != code {
		t.Errorf("error code = %q (%s), want %q", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if st := httpStatus(err); st != status {
		t.Errorf("%s: HTTP status = %d, want %d", code, st, status)
	}
	return ae.ErrorMessage()
}

// wantClientError asserts err is an AWS-shaped 4xx error (some code, not
// 404) — for behaviour where several AWS codes are defensible.
func wantClientError(t testing.TB, err error, what string) string {
	t.Helper()
	var ae smithy.APIError
	if err == nil || !errors.As(err, &ae) {
		t.Fatalf("%s: got %v, want an AWS-shaped 4xx error", what, err)
		return ""
	}
	if st := httpStatus(err); st < 400 || st >= 500 || st == 404 || ae.ErrorCode() == "" {
		t.Errorf("%s: got %s (HTTP %d), want an AWS-shaped 4xx error other than 404", what, ae.ErrorCode(), st)
	}
	return ae.ErrorCode()
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// maxHashKey is 2^128-1, the top of the Kinesis hash-key space.
var maxHashKey = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

func bigDec(t testing.TB, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("not a decimal number: %q", s)
	}
	return n
}

// checkCoverage asserts the shards' hash ranges tile 0..2^128-1 exactly.
func checkCoverage(t testing.TB, shards []types.Shard) {
	t.Helper()
	type rng struct{ lo, hi *big.Int }
	var rs []rng
	for _, s := range shards {
		rs = append(rs, rng{bigDec(t, aws.ToString(s.HashKeyRange.StartingHashKey)), bigDec(t, aws.ToString(s.HashKeyRange.EndingHashKey))})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].lo.Cmp(rs[j].lo) < 0 })
	next := big.NewInt(0)
	for _, r := range rs {
		if r.lo.Cmp(next) != 0 {
			t.Fatalf("hash ranges do not tile: expected a range starting at %s, got %s", next, r.lo)
		}
		if r.hi.Cmp(r.lo) < 0 {
			t.Fatalf("empty hash range %s..%s", r.lo, r.hi)
		}
		next = new(big.Int).Add(r.hi, big.NewInt(1))
	}
	if next.Cmp(new(big.Int).Add(maxHashKey, big.NewInt(1))) != 0 {
		t.Fatalf("hash ranges end at %s, want 2^128-1", new(big.Int).Sub(next, big.NewInt(1)))
	}
}

// listAllShards pages through ListShards with MaxResults small enough to
// exercise NextToken.
func listAllShards(t testing.TB, c *kinesis.Client, name string, filter *types.ShardFilter) []types.Shard {
	t.Helper()
	var shards []types.Shard
	in := &kinesis.ListShardsInput{StreamName: aws.String(name), MaxResults: aws.Int32(2), ShardFilter: filter}
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatalf("ListShards never ends")
		}
		out, err := c.ListShards(ctxT(t), in)
		if err != nil {
			t.Fatalf("ListShards %s (page %d): %v", name, page, err)
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil {
			return shards
		}
		// With NextToken, AWS forbids StreamName and ShardFilter.
		in = &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(2)}
	}
}

func openShards(shards []types.Shard) []types.Shard {
	var open []types.Shard
	for _, s := range shards {
		if s.SequenceNumberRange.EndingSequenceNumber == nil {
			open = append(open, s)
		}
	}
	return open
}

// shardRead is everything read from one shard.
type shardRead struct {
	ShardID     string
	Records     []types.Record
	Closed      bool // reached the end: null NextShardIterator
	ChildShards []types.ChildShard
}

// readShard reads one shard from TRIM_HORIZON. For a closed shard it reads
// until NextShardIterator is null; for an open one until a GetRecords
// returns nothing and MillisBehindLatest is 0 (the caller has stopped all
// writers).
func readShard(t testing.TB, c *kinesis.Client, stream, shardID string) shardRead {
	t.Helper()
	it, err := c.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: aws.String(shardID), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatalf("GetShardIterator %s/%s TRIM_HORIZON: %v", stream, shardID, err)
	}
	r := shardRead{ShardID: shardID}
	iter := it.ShardIterator
	empties, throttles := 0, 0
	for calls := 0; ; calls++ {
		if calls > 100000 {
			t.Fatalf("GetRecords on %s never reached the end", shardID)
		}
		out, err := c.GetRecords(ctxT(t), &kinesis.GetRecordsInput{ShardIterator: iter})
		var pt *types.ProvisionedThroughputExceededException
		if errors.As(err, &pt) && throttles < 100 {
			// Quotas on: 5 GetRecords/s per shard. Back off and retry
			// the same iterator.
			throttles++
			time.Sleep(210 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("GetRecords %s/%s after %d calls: %v", stream, shardID, calls, err)
		}
		if len(out.Records) == 0 {
			empties++
			if empties > 1000 {
				t.Fatalf("GetRecords on open shard %s: 1000 empty pages and MillisBehindLatest still %d", shardID, aws.ToInt64(out.MillisBehindLatest))
			}
		}
		r.Records = append(r.Records, out.Records...)
		if out.NextShardIterator == nil {
			r.Closed = true
			r.ChildShards = out.ChildShards
			return r
		}
		if len(out.ChildShards) > 0 {
			t.Errorf("GetRecords %s: ChildShards set while NextShardIterator is not null", shardID)
		}
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			return r
		}
		iter = out.NextShardIterator
	}
}

// readLineage reads every shard of a stream, parents before children, and
// returns the reads in that order. It checks that each closed shard ends
// with ChildShards that match ListShards' lineage and that sequence numbers
// grow strictly within each shard.
func readLineage(t testing.TB, c *kinesis.Client, stream string) []shardRead {
	t.Helper()
	shards := listAllShards(t, c, stream, nil)
	byID := map[string]types.Shard{}
	children := map[string][]string{}
	for _, s := range shards {
		id := aws.ToString(s.ShardId)
		byID[id] = s
	}
	for _, s := range shards {
		for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
			if p != nil {
				children[*p] = append(children[*p], aws.ToString(s.ShardId))
			}
		}
	}
	done := map[string]bool{}
	var reads []shardRead
	for len(done) < len(shards) {
		progressed := false
		for _, s := range shards {
			id := aws.ToString(s.ShardId)
			if done[id] {
				continue
			}
			ready := true
			for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
				if p != nil && byID[*p].ShardId != nil && !done[*p] {
					ready = false
				}
			}
			if !ready {
				continue
			}
			r := readShard(t, c, stream, id)
			closed := s.SequenceNumberRange.EndingSequenceNumber != nil
			if closed != r.Closed {
				t.Errorf("shard %s: ListShards says closed=%v, GetRecords reached a null iterator=%v", id, closed, r.Closed)
			}
			if r.Closed {
				var got []string
				for _, cs := range r.ChildShards {
					got = append(got, aws.ToString(cs.ShardId))
					if !contains(cs.ParentShards, id) {
						t.Errorf("child %s of %s does not list it among ParentShards %v", aws.ToString(cs.ShardId), id, cs.ParentShards)
					}
				}
				want := append([]string(nil), children[id]...)
				sort.Strings(got)
				sort.Strings(want)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("shard %s: ChildShards at its end = %v, ListShards lineage says %v", id, got, want)
				}
			}
			var prev *big.Int
			for _, rec := range r.Records {
				n := bigDec(t, aws.ToString(rec.SequenceNumber))
				if prev != nil && n.Cmp(prev) <= 0 {
					t.Errorf("shard %s: sequence numbers not increasing: %s after %s", id, n, prev)
				}
				prev = n
			}
			reads = append(reads, r)
			done[id] = true
			progressed = true
		}
		if !progressed {
			t.Fatalf("shard lineage has a cycle or a missing parent: %d of %d shards readable", len(done), len(shards))
		}
	}
	return reads
}

// md5Hash is the hash key Kinesis derives from a partition key: MD5 read
// as a big-endian 128-bit number.
func md5Hash(key string) *big.Int {
	sum := md5.Sum([]byte(key))
	return new(big.Int).SetBytes(sum[:])
}

// shardFor returns the open shard whose hash range holds h.
func shardFor(t testing.TB, shards []types.Shard, h *big.Int) string {
	t.Helper()
	for _, s := range openShards(shards) {
		lo := bigDec(t, aws.ToString(s.HashKeyRange.StartingHashKey))
		hi := bigDec(t, aws.ToString(s.HashKeyRange.EndingHashKey))
		if h.Cmp(lo) >= 0 && h.Cmp(hi) <= 0 {
			return aws.ToString(s.ShardId)
		}
	}
	t.Fatalf("no open shard holds hash key %s", h)
	return ""
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
