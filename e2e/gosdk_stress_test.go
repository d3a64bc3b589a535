package e2e

// The AWS SDK for Go v2 under concurrency and at the edges: resharding while
// producers write, racing control-plane calls, GetRecords bounds, lag
// reporting, h2c, and character-counted limits.

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// TestE2EGoSDKMillisBehindLatest: a reader one record behind a record that
// arrived 150 ms later is told it is behind; at the tip it is told 0.
func TestE2EGoSDKMillisBehindLatest(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)
	ctx := ctxT(t)
	createStream(t, c, "lag", 1)
	put := func(d string) {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("lag"), PartitionKey: aws.String("k"), Data: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	put("first")
	waitClock(time.Now().Add(150 * time.Millisecond))
	put("second")
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("lag"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if behind := aws.ToInt64(out.MillisBehindLatest); behind < 100 || behind > 60_000 {
		t.Errorf("one record behind a record 150 ms newer: MillisBehindLatest = %d", behind)
	}
	out, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 1 || aws.ToInt64(out.MillisBehindLatest) != 0 {
		t.Errorf("at the tip: %d records, MillisBehindLatest %d; want 1 and 0", len(out.Records), aws.ToInt64(out.MillisBehindLatest))
	}
}

// TestE2EGoSDKReshardUnderLoad splits, merges and rescales a stream while
// producers write continuously, then reads every shard parents-first and
// checks that every acknowledged record is there exactly once, with the
// shard and sequence number it was acknowledged with, in order per
// partition key — and that nothing unacknowledged appears.
func TestE2EGoSDKReshardUnderLoad(t *testing.T) {
	s := startServer(t, withQuotasOff())
	c := s.KinesisClient(t)
	const name = "reshard-load"
	createStream(t, c, name, 2)

	type ack struct {
		key, shard, seq string
		counter         int
	}
	const producers = 4
	var (
		mu       sync.Mutex
		acked    = map[string]ack{}  // data → ack
		unknown  = map[string]bool{} // data of records whose request failed as a whole
		nAcked   atomic.Int64
		stop     atomic.Bool
		wg       sync.WaitGroup
		failures atomic.Int64
	)
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			keys := 8
			counter := make([]int, keys)
			for batch := 0; !stop.Load(); batch++ {
				var entries []types.PutRecordsRequestEntry
				var datas []string
				var meta []ack
				for i := 0; i < 25; i++ {
					k := (batch + i) % keys
					counter[k]++
					key := fmt.Sprintf("p%d-k%d", p, k)
					data := fmt.Sprintf("%s#%06d", key, counter[k])
					entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: []byte(data)})
					datas = append(datas, data)
					meta = append(meta, ack{key: key, counter: counter[k]})
				}
				out, err := c.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
				mu.Lock()
				if err != nil {
					failures.Add(1)
					for _, d := range datas {
						unknown[d] = true
					}
				} else {
					for i, r := range out.Records {
						if r.ErrorCode != nil {
							failures.Add(1)
							continue
						}
						a := meta[i]
						a.shard, a.seq = aws.ToString(r.ShardId), aws.ToString(r.SequenceNumber)
						acked[datas[i]] = a
						nAcked.Add(1)
					}
				}
				mu.Unlock()
			}
		}(p)
	}
	waitAcked := func(n int64) {
		t.Helper()
		target := nAcked.Load() + n
		eventually(t, 30*time.Second, func() bool { return nAcked.Load() >= target }, "producers did not acknowledge %d more records", n)
	}

	waitAcked(300)
	shards := listAllShards(t, c, name, nil)
	splitAtMiddle(t, c, name, shards[0])
	waitActive(t, c, name)
	waitAcked(300)

	open := openShards(listAllShards(t, c, name, nil))
	sort.Slice(open, func(i, j int) bool {
		return bigDec(t, aws.ToString(open[i].HashKeyRange.StartingHashKey)).Cmp(bigDec(t, aws.ToString(open[j].HashKeyRange.StartingHashKey))) < 0
	})
	if _, err := c.MergeShards(ctxT(t), &kinesis.MergeShardsInput{StreamName: aws.String(name), ShardToMerge: open[0].ShardId, AdjacentShardToMerge: open[1].ShardId}); err != nil {
		t.Fatalf("MergeShards under load: %v", err)
	}
	waitActive(t, c, name)
	waitAcked(300)

	if _, err := c.UpdateShardCount(ctxT(t), &kinesis.UpdateShardCountInput{StreamName: aws.String(name), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatalf("UpdateShardCount 2→4 under load: %v", err)
	}
	waitActive(t, c, name)
	waitAcked(300)
	if _, err := c.UpdateShardCount(ctxT(t), &kinesis.UpdateShardCountInput{StreamName: aws.String(name), TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatalf("UpdateShardCount 4→3 under load: %v", err)
	}
	waitActive(t, c, name)
	waitAcked(300)
	stop.Store(true)
	wg.Wait()
	if f := failures.Load(); f > 0 {
		t.Logf("%d records or requests failed during resharding (not acknowledged; allowed)", f)
	}

	reads := readLineage(t, c, name)
	seen := map[string]int{}
	lastCounter := map[string]int{}
	for _, r := range reads {
		for _, rec := range r.Records {
			d := string(rec.Data)
			seen[d]++
			a, ok := acked[d]
			if !ok {
				if !unknown[d] {
					t.Errorf("record %q in %s was never acknowledged and its request did not fail as a whole", d, r.ShardID)
				}
				continue
			}
			if a.shard != r.ShardID || a.seq != aws.ToString(rec.SequenceNumber) {
				t.Errorf("record %q read from %s seq %s, acknowledged as %s seq %s", d, r.ShardID, aws.ToString(rec.SequenceNumber), a.shard, a.seq)
			}
			if aws.ToString(rec.PartitionKey) != a.key {
				t.Errorf("record %q partition key %q, want %q", d, aws.ToString(rec.PartitionKey), a.key)
			}
			if a.counter <= lastCounter[a.key] {
				t.Errorf("key %s: record #%d read after #%d (order per partition key broken)", a.key, a.counter, lastCounter[a.key])
			}
			lastCounter[a.key] = a.counter
		}
	}
	// Sequence numbers are unique within the stream, across shards.
	seqs := map[string]string{}
	for _, r := range reads {
		for _, rec := range r.Records {
			sq := aws.ToString(rec.SequenceNumber)
			if other, dup := seqs[sq]; dup {
				t.Errorf("sequence number %s used in %s and %s", sq, other, r.ShardID)
			}
			seqs[sq] = r.ShardID
		}
	}
	missing := 0
	for d := range acked {
		switch seen[d] {
		case 0:
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged record %q (%s %s) not read", d, acked[d].shard, acked[d].seq)
			}
		case 1:
		default:
			t.Errorf("record %q read %d times", d, seen[d])
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged records missing", missing, len(acked))
	}
	t.Logf("%d records acknowledged across %d shards; all read back exactly once, in order per key", len(acked), len(reads))
}

// TestE2EGoSDKGetRecordsBounds checks GetRecords' two bounds — at most
// 10,000 records and at most 10 MiB of data per call — and that paging by
// NextShardIterator past them loses and repeats nothing.
func TestE2EGoSDKGetRecordsBounds(t *testing.T) {
	s := startServer(t, withQuotasOff())
	c := s.KinesisClient(t)
	ctx := ctxT(t)

	check := func(name string, batches, perBatch, size int) {
		t.Helper()
		createStream(t, c, name, 1)
		n := 0
		for b := 0; b < batches; b++ {
			var entries []types.PutRecordsRequestEntry
			for i := 0; i < perBatch; i++ {
				d := bytes.Repeat([]byte{byte(n)}, size)
				copy(d, fmt.Sprintf("%08d", n))
				entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: d})
				n++
			}
			out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
			if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
				t.Fatalf("PutRecords: %v (%d failed)", err, aws.ToInt32(out.FailedRecordCount))
			}
		}
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter, got, calls := it.ShardIterator, 0, 0
		for got < n {
			if calls++; calls > n+10 {
				t.Fatalf("%s: %d calls and only %d of %d records", name, calls, got, n)
			}
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatalf("GetRecords: %v", err)
			}
			bytesOut := 0
			for _, r := range out.Records {
				if want := fmt.Sprintf("%08d", got); string(r.Data[:8]) != want {
					t.Fatalf("%s: record %s where %s was expected", name, r.Data[:8], want)
				}
				bytesOut += len(r.Data)
				got++
			}
			if len(out.Records) > 10000 || bytesOut > 10<<20 {
				t.Errorf("%s: one GetRecords returned %d records, %d bytes (limits 10,000 and 10 MiB)", name, len(out.Records), bytesOut)
			}
			iter = out.NextShardIterator
		}
		t.Logf("%s: %d records read in %d calls", name, n, calls)
	}
	check("many-small", 23, 500, 16)   // 11,500 records
	check("few-large", 12, 1, 1<<20-1) // 12 MiB
}

// TestE2EGoSDKOverH2C speaks unencrypted HTTP/2 (prior knowledge), as the
// Java SDK does on http:// endpoints, and checks the server answers in kind.
func TestE2EGoSDKOverH2C(t *testing.T) {
	s := startServer(t)
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	var lastProto atomic.Value
	tr := &http.Transport{Protocols: &protos}
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := tr.RoundTrip(r)
		if err == nil {
			lastProto.Store(resp.Proto)
		}
		return resp, err
	})}
	c := kinesis.New(kinesis.Options{
		BaseEndpoint: aws.String(s.Endpoint()),
		Region:       testRegion,
		Credentials:  s.KinesisClient(t).Options().Credentials,
		HTTPClient:   client,
	})
	createStream(t, c, "h2c", 1)
	if _, err := c.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String("h2c"), PartitionKey: aws.String("k"), Data: allBytes()}); err != nil {
		t.Fatalf("PutRecord over h2c: %v", err)
	}
	if p, _ := lastProto.Load().(string); p != "HTTP/2.0" {
		t.Errorf("answer protocol %q, want HTTP/2.0", p)
	}
	r := readShard(t, c, "h2c", "shardId-000000000000")
	if len(r.Records) != 1 || !bytes.Equal(r.Records[0].Data, allBytes()) {
		t.Errorf("read back over h2c: %d records", len(r.Records))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestE2EGoSDKConcurrentControlPlane races control-plane calls against each
// other: exactly one CreateStream of a name wins, exactly one of two splits
// of the same shard wins, and nothing is left half-done.
func TestE2EGoSDKConcurrentControlPlane(t *testing.T) {
	s := startServer(t, withQuotasOff())
	c := s.KinesisClient(t)
	ctx := ctxT(t)

	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := 0; i < racers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("race"), ShardCount: aws.Int32(int32(i + 1))})
		}(i)
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		if err == nil {
			if won >= 0 {
				t.Errorf("CreateStream of one name succeeded twice (racers %d and %d)", won, i)
			}
			won = i
			continue
		}
		wantAPIError(t, err, "ResourceInUseException", 400)
	}
	if won < 0 {
		t.Fatal("no CreateStream won the race")
	}
	waitActive(t, c, "race")
	shards := listAllShards(t, c, "race", nil)
	if len(shards) != won+1 {
		t.Errorf("stream has %d shards; the winning CreateStream asked for %d", len(shards), won+1)
	}

	// Two splits of the same shard at once.
	sh := shards[0]
	lo := bigDec(t, aws.ToString(sh.HashKeyRange.StartingHashKey))
	hi := bigDec(t, aws.ToString(sh.HashKeyRange.EndingHashKey))
	points := []*big.Int{
		new(big.Int).Add(lo, new(big.Int).Div(new(big.Int).Sub(hi, lo), big.NewInt(3))),
		new(big.Int).Add(lo, new(big.Int).Div(new(big.Int).Mul(new(big.Int).Sub(hi, lo), big.NewInt(2)), big.NewInt(3))),
	}
	splitErrs := make([]error, 2)
	for i := range points {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, splitErrs[i] = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("race"), ShardToSplit: sh.ShardId, NewStartingHashKey: aws.String(points[i].String())})
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range splitErrs {
		if err == nil {
			ok++
		} else if code := wantClientError(t, err, "the losing SplitShard"); code != "ResourceInUseException" && code != "InvalidArgumentException" && code != "LimitExceededException" {
			t.Errorf("losing SplitShard: %s", code)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 2 concurrent splits of one shard succeeded, want 1", ok)
	}
	waitActive(t, c, "race")
	after := listAllShards(t, c, "race", nil)
	if len(after) != len(shards)+2 {
		t.Errorf("after the race: %d shards, want %d", len(after), len(shards)+2)
	}
	checkCoverage(t, openShards(after))

	// DeleteStream while writers write: writes end with ResourceNotFound
	// (or in-use while deleting), never a 500.
	createStream(t, c, "race-delete", 2)
	var stop atomic.Bool
	var bad atomic.Value
	for p := 0; p < 3; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("race-delete"), PartitionKey: aws.String("k"), Data: []byte("x")})
				if err == nil {
					continue
				}
				var ae smithy.APIError
				if !errors.As(err, &ae) || (ae.ErrorCode() != "ResourceNotFoundException" && ae.ErrorCode() != "ResourceInUseException") {
					bad.Store(err.Error())
				}
				return
			}
		}()
	}
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("race-delete")}); err != nil {
		t.Fatalf("DeleteStream under writes: %v", err)
	}
	waitGone(t, c, "race-delete")
	stop.Store(true)
	wg.Wait()
	if v := bad.Load(); v != nil {
		t.Errorf("a write racing DeleteStream failed oddly: %v", v)
	}
}

// TestE2EGoSDKUnicodeLimits: AWS counts partition keys, tags and names in
// characters, not bytes; routing hashes the key's UTF-8 bytes.
func TestE2EGoSDKUnicodeLimits(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)
	ctx := ctxT(t)
	name := strings.Repeat("a.b_c-D", 18) + "xy" // 128 characters, every allowed class
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(3)}); err != nil {
		t.Fatalf("CreateStream with a 128-character name of every allowed character class: %v", err)
	}
	waitActive(t, c, name)
	shards := listAllShards(t, c, name, nil)

	pk := strings.Repeat("é", 256) // 256 characters, 512 bytes
	out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String(pk), Data: []byte("unicode")})
	if err != nil {
		t.Fatalf("PutRecord with a 256-character (512-byte) partition key: %v", err)
	}
	if want := shardFor(t, shards, md5Hash(pk)); aws.ToString(out.ShardId) != want {
		t.Errorf("unicode key routed to %s, MD5 of its UTF-8 bytes says %s", aws.ToString(out.ShardId), want)
	}
	r := readShard(t, c, name, aws.ToString(out.ShardId))
	if len(r.Records) != 1 || aws.ToString(r.Records[0].PartitionKey) != pk {
		t.Errorf("partition key did not round-trip")
	}
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String(pk + "é"), Data: []byte("x")})
	wantAPIError(t, err, "ValidationException", 400)

	tags := map[string]string{strings.Repeat("ключ", 32): strings.Repeat("値", 256)} // 128 and 256 characters
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: tags}); err != nil {
		t.Fatalf("AddTagsToStream with a 128-character key and a 256-character value: %v", err)
	}
	lt, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if got := tagMap(lt.Tags); fmt.Sprint(got) != fmt.Sprint(tags) {
		t.Errorf("unicode tags did not round-trip")
	}
}
