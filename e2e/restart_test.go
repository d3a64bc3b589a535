package e2e

// What survives a restart: every stream setting, iterators handed out
// before it, and a stream whose resharding was cut short by SIGKILL.

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// streamState is everything a client can observe about a stream's settings.
func streamState(t testing.TB, c *kinesis.Client, name string) string {
	t.Helper()
	ctx := ctxT(t)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeStreamSummary %s: %v", name, err)
	}
	s := sum.StreamDescriptionSummary
	tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: s.StreamARN})
	if err != nil {
		t.Fatal(err)
	}
	var metrics []string
	for _, em := range s.EnhancedMonitoring {
		for _, m := range em.ShardLevelMetrics {
			metrics = append(metrics, string(m))
		}
	}
	sort.Strings(metrics)
	mode := ""
	if s.StreamModeDetails != nil {
		mode = string(s.StreamModeDetails.StreamMode)
	}
	return fmt.Sprintf("arn=%s status=%s created=%d retention=%d open=%d enc=%s key=%s mode=%s maxKiB=%d metrics=%v tags=%v policy=%s shards=%s",
		aws.ToString(s.StreamARN), s.StreamStatus, aws.ToTime(s.StreamCreationTimestamp).UnixMilli(), aws.ToInt32(s.RetentionPeriodHours),
		aws.ToInt32(s.OpenShardCount), s.EncryptionType, aws.ToString(s.KeyId), mode, aws.ToInt32(s.MaxRecordSizeInKiB), metrics,
		tagMap(tags.Tags), aws.ToString(pol.Policy), shardIDs(listAllShards(t, c, name, nil)))
}

// TestE2ERestartKeepsEverything changes every setting of a stream, then
// checks that a SIGTERM restart and a SIGKILL restart both bring back exactly
// the same observable state and records.
func TestE2ERestartKeepsEverything(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)
	ctx := ctxT(t)
	const name = "keep"
	arn := createStream(t, c, name, 2)
	steps := []func() error{
		func() error {
			_, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: map[string]string{"a": "1", "b": ""}})
			return err
		},
		func() error {
			_, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(72)})
			return err
		},
		func() error {
			_, err := c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(name), ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingRecords}})
			return err
		},
		func() error {
			_, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(name), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
			return err
		},
		func() error {
			_, err := c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn), Policy: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
			return err
		},
		func() error {
			_, err := c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(arn), MaxRecordSizeInKiB: aws.Int32(2048)})
			return err
		},
		func() error {
			sh := listAllShards(t, c, name, nil)
			splitAtMiddle(t, c, name, sh[1])
			return nil
		},
		func() error {
			_, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(arn), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("setting step %d: %v", i, err)
		}
		waitActive(t, c, name)
	}
	var seqs []string
	for i := 0; i < 10; i++ {
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String(fmt.Sprint(i)), Data: []byte(fmt.Sprint("r", i))})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	records := func() string {
		var all []string
		for _, r := range readLineage(t, c, name) {
			for _, rec := range r.Records {
				all = append(all, r.ShardID+"/"+aws.ToString(rec.SequenceNumber)+"/"+string(rec.Data)+"/"+string(rec.EncryptionType))
			}
		}
		sort.Strings(all)
		return fmt.Sprint(all)
	}
	wantState, wantRecords := streamState(t, c, name), records()

	if code := s.Stop(); code != 0 {
		t.Errorf("SIGTERM exit code %d", code)
	}
	s.Restart()
	if got := streamState(t, c, name); got != wantState {
		t.Errorf("after SIGTERM restart:\n got %s\nwant %s", got, wantState)
	}
	if got := records(); got != wantRecords {
		t.Errorf("records after SIGTERM restart:\n got %s\nwant %s", got, wantRecords)
	}
	s.Kill()
	s.Restart()
	if got := streamState(t, c, name); got != wantState {
		t.Errorf("after SIGKILL restart:\n got %s\nwant %s", got, wantState)
	}
	if got := records(); got != wantRecords {
		t.Errorf("records after SIGKILL restart:\n got %s\nwant %s", got, wantRecords)
	}
	// New records get new, larger sequence numbers.
	out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("0"), Data: []byte("after")})
	if err != nil {
		t.Fatal(err)
	}
	for _, sq := range seqs {
		if sq == aws.ToString(out.SequenceNumber) {
			t.Errorf("sequence number %s reused after restart", sq)
		}
	}
}

// TestE2ERestartIteratorAcrossRestart: a consumer holding an iterator while
// the server restarts must be able to carry on — or be told to fetch a new
// iterator with ExpiredIteratorException, which every Kinesis consumer
// (KCL included) handles. An InvalidArgumentException would look to the
// consumer like its own bug.
func TestE2ERestartIteratorAcrossRestart(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)
	ctx := ctxT(t)
	createStream(t, c, "iter-restart", 1)
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("iter-restart"), PartitionKey: aws.String("k"), Data: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("iter-restart"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	s.Restart()
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ExpiredIteratorException" {
			t.Fatalf("GetRecords with an iterator from before a restart: %v; want records or ExpiredIteratorException", err)
		}
		return
	}
	if len(out.Records) != 1 || string(out.Records[0].Data) != "before" {
		t.Errorf("GetRecords with an iterator from before a restart: %d records", len(out.Records))
	}
}

// TestE2ECrashDuringResharding SIGKILLs the server right after a
// SplitShard, MergeShards or UpdateShardCount was accepted, with producers
// writing; after each restart the stream must become ACTIVE with open
// shards tiling the hash space, a readable lineage, and every acknowledged
// record in place.
func TestE2ECrashDuringResharding(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	s := startServer(t, withQuotasOff())
	c := s.KinesisClient(t)
	const name = "crash-reshard"
	createStream(t, c, name, 2)
	acked := map[string]bool{}
	var mu sync.Mutex

	for cycle := 0; cycle < 8; cycle++ {
		var stop atomic.Bool
		var n atomic.Int64
		var wg sync.WaitGroup
		for p := 0; p < 3; p++ {
			wg.Add(1)
			go func(p int) {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					var entries []types.PutRecordsRequestEntry
					for j := 0; j < 20; j++ {
						entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(p, "-", j)), Data: []byte(fmt.Sprintf("c%d-p%d-%d-%d", cycle, p, i, j))})
					}
					out, err := c.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
					if err != nil {
						time.Sleep(5 * time.Millisecond)
						continue
					}
					mu.Lock()
					for j, r := range out.Records {
						if r.ErrorCode == nil {
							acked[string(entries[j].Data)] = true
							n.Add(1)
						}
					}
					mu.Unlock()
				}
			}(p)
		}
		eventually(t, 30*time.Second, func() bool { return n.Load() >= 100 }, "cycle %d: no writes acknowledged", cycle)

		open := openShards(listAllShards(t, c, name, nil))
		sort.Slice(open, func(i, j int) bool {
			return bigDec(t, aws.ToString(open[i].HashKeyRange.StartingHashKey)).Cmp(bigDec(t, aws.ToString(open[j].HashKeyRange.StartingHashKey))) < 0
		})
		var what string
		var err error
		switch op := cycle % 3; {
		case op == 0 || len(open) < 2:
			what = "SplitShard " + aws.ToString(open[0].ShardId)
			lo := bigDec(t, aws.ToString(open[0].HashKeyRange.StartingHashKey))
			hi := bigDec(t, aws.ToString(open[0].HashKeyRange.EndingHashKey))
			mid := lo.Add(lo, hi)
			mid.Rsh(mid, 1)
			_, err = c.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: open[0].ShardId, NewStartingHashKey: aws.String(mid.String())})
		case op == 1:
			what = "MergeShards " + aws.ToString(open[0].ShardId) + "+" + aws.ToString(open[1].ShardId)
			_, err = c.MergeShards(ctxT(t), &kinesis.MergeShardsInput{StreamName: aws.String(name), ShardToMerge: open[0].ShardId, AdjacentShardToMerge: open[1].ShardId})
		default:
			target := int32(len(open) + 1)
			what = fmt.Sprintf("UpdateShardCount %d→%d", len(open), target)
			_, err = c.UpdateShardCount(ctxT(t), &kinesis.UpdateShardCountInput{StreamName: aws.String(name), TargetShardCount: aws.Int32(target), ScalingType: types.ScalingTypeUniformScaling})
		}
		if err != nil {
			t.Fatalf("cycle %d: %s: %v", cycle, what, err)
		}
		time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond) // a random moment, not a synchronisation
		s.Kill()
		stop.Store(true)
		wg.Wait()
		s.Restart()

		waitActive(t, c, name)
		all := listAllShards(t, c, name, nil)
		checkCoverage(t, openShards(all))
		seen := map[string]int{}
		for _, r := range readLineage(t, c, name) {
			for _, rec := range r.Records {
				seen[string(rec.Data)]++
			}
		}
		mu.Lock()
		missing, dups := 0, 0
		for d := range acked {
			if seen[d] == 0 {
				missing++
			}
		}
		for _, k := range seen {
			if k > 1 {
				dups++
			}
		}
		mu.Unlock()
		if missing+dups > 0 {
			t.Fatalf("cycle %d (killed after %s): %d acknowledged records missing, %d duplicated", cycle, what, missing, dups)
		}
		t.Logf("cycle %d: killed after %s; %d shards, %d open, %d records intact", cycle, what, len(all), len(openShards(all)), len(seen))
	}
}

// TestE2ECrashAfterControlPlaneAck: a control-plane change that was
// acknowledged survives an immediate SIGKILL — a created stream exists, a
// deleted one stays deleted, tags and retention stick.
func TestE2ECrashAfterControlPlaneAck(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)
	ctx := ctxT(t)
	for cycle := 0; cycle < 5; cycle++ {
		created := fmt.Sprintf("cp-new-%d", cycle)
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(created), ShardCount: aws.Int32(int32(cycle%3 + 1))}); err != nil {
			t.Fatal(err)
		}
		var deleted string
		if cycle > 0 {
			deleted = fmt.Sprintf("cp-new-%d", cycle-1)
			if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(deleted)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(created), Tags: map[string]string{"cycle": fmt.Sprint(cycle)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(created), RetentionPeriodHours: aws.Int32(int32(25 + cycle))}); err != nil {
			t.Fatal(err)
		}
		s.Kill()
		s.Restart()

		waitActive(t, c, created)
		if got := retention(t, c, created); got != int32(25+cycle) {
			t.Errorf("cycle %d: retention %d after SIGKILL, acknowledged %d", cycle, got, 25+cycle)
		}
		tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(created)})
		if err != nil {
			t.Fatal(err)
		}
		if tagMap(tags.Tags)["cycle"] != fmt.Sprint(cycle) {
			t.Errorf("cycle %d: acknowledged tag lost after SIGKILL: %v", cycle, tagMap(tags.Tags))
		}
		if n := len(listAllShards(t, c, created, nil)); n != cycle%3+1 {
			t.Errorf("cycle %d: %d shards after SIGKILL, created with %d", cycle, n, cycle%3+1)
		}
		if deleted != "" {
			waitGone(t, c, deleted)
		}
	}
}
