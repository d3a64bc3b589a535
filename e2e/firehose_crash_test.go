package e2e

// Firehose's crash test: SIGKILL the server again and again while
// producers put records into a DirectPut delivery stream (PutRecordBatch)
// and into a Kinesis stream that a second delivery stream reads, restart
// it on the same data directory, let delivery finish, then read every
// object in the lake. Every record either delivery stream's producer saw
// acknowledged must be there, whole; duplicates are allowed (delivery is
// at-least-once across a crash) and counted.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func firehoseCrashCycles(t *testing.T) int {
	if v := os.Getenv("CAUDAL_FIREHOSE_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CAUDAL_FIREHOSE_CRASH_CYCLES=%q: want a positive integer", v)
		}
		return n
	}
	return 5
}

// fhRecord is a self-verifying newline-terminated record:
// "<id>|<random hex>|<sha256(id|random hex) hex>\n".
func fhRecord(rng *rand.Rand, id string) []byte {
	pad := make([]byte, 16+rng.IntN(400))
	for i := range pad {
		pad[i] = byte(rng.Uint32())
	}
	body := id + "|" + hex.EncodeToString(pad)
	sum := sha256.Sum256([]byte(body))
	return []byte(body + "|" + hex.EncodeToString(sum[:]) + "\n")
}

// parseFHRecord verifies one delivered line and returns its id.
func parseFHRecord(line string) (string, error) {
	s, ok := strings.CutSuffix(line, "\n")
	i := strings.LastIndexByte(s, '|')
	if !ok || i < 0 {
		return "", fmt.Errorf("torn record %q", truncate([]byte(line), 60))
	}
	sum := sha256.Sum256([]byte(s[:i]))
	if hex.EncodeToString(sum[:]) != s[i+1:] {
		return "", fmt.Errorf("record fails its checksum (corrupt or mixed): %q", truncate([]byte(line), 60))
	}
	return s[:strings.IndexByte(s, '|')], nil
}

// ackSet is the ids acknowledged so far, safe for concurrent producers.
type ackSet struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (a *ackSet) add(ids ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		a.ids[id] = true
	}
}

func (a *ackSet) snapshot() map[string]bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]bool, len(a.ids))
	for k := range a.ids {
		out[k] = true
	}
	return out
}

func TestE2EFirehoseCrashKill9(t *testing.T) {
	cycles := firehoseCrashCycles(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d cycles", seed, cycles)
	rng := rand.New(rand.NewPCG(seed, 0xf12e))

	s := startServer(t, withQuotasOff())
	c := s.S3Client(t)
	const bucket = "fh-crash"
	mustCreateBucket(t, c, bucket)
	fh := s.FirehoseClient(t)
	kc := s.KinesisClient(t)
	// Buffer intervals longer than a load cycle: most kills hit records
	// that were acknowledged but not yet written to the lake.
	dest := func(prefix string, interval int) map[string]any {
		return map[string]any{
			"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::" + bucket,
			"Prefix": prefix, "BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": interval},
		}
	}
	fh.must(t, "CreateDeliveryStream", map[string]any{"DeliveryStreamName": "crash-direct", "DeliveryStreamType": "DirectPut",
		"ExtendedS3DestinationConfiguration": dest("direct/", 5)})
	arn := createStream(t, kc, "crash-src", 2)
	if !strings.HasPrefix(arn, "arn:") {
		d, err := kc.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("crash-src")})
		if err != nil {
			t.Fatal(err)
		}
		arn = aws.ToString(d.StreamDescriptionSummary.StreamARN)
	}
	fh.must(t, "CreateDeliveryStream", map[string]any{"DeliveryStreamName": "crash-stream", "DeliveryStreamType": "KinesisStreamAsSource",
		"KinesisStreamSourceConfiguration":   map[string]any{"KinesisStreamARN": arn, "RoleARN": "arn:aws:iam::123456789012:role/firehose"},
		"ExtendedS3DestinationConfiguration": dest("stream/", 3)})
	fh.waitDeliveryActive(t, "crash-direct")
	fh.waitDeliveryActive(t, "crash-stream")

	direct := &ackSet{ids: map[string]bool{}}
	stream := &ackSet{ids: map[string]bool{}}
	sent := 0
	for cycle := 0; cycle < cycles; cycle++ {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var mu sync.Mutex
		for p := 0; p < 3; p++ { // DirectPut producers
			wg.Add(1)
			prng := rand.New(rand.NewPCG(rng.Uint64(), uint64(p)))
			go func(p int) {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ {
					var recs [][]byte
					var ids []string
					for i := 0; i < 50; i++ {
						id := fmt.Sprintf("d%d-c%d-n%d-%d", p, cycle, n, i)
						ids = append(ids, id)
						recs = append(recs, fhRecord(prng, id))
					}
					mu.Lock()
					sent += len(recs)
					mu.Unlock()
					out, err := fh.putBatch(ctx, "crash-direct", recs)
					if err != nil {
						return // the server died under the request: unknown
					}
					for i, r := range out.RequestResponses {
						if r.ErrorCode == "" && r.RecordId != "" {
							direct.add(ids[i])
						}
					}
				}
			}(p)
		}
		for p := 0; p < 2; p++ { // Kinesis producers feeding crash-stream
			wg.Add(1)
			prng := rand.New(rand.NewPCG(rng.Uint64(), uint64(10+p)))
			go func(p int) {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ {
					var entries []types.PutRecordsRequestEntry
					var ids []string
					for i := 0; i < 50; i++ {
						id := fmt.Sprintf("k%d-c%d-n%d-%d", p, cycle, n, i)
						ids = append(ids, id)
						entries = append(entries, types.PutRecordsRequestEntry{Data: fhRecord(prng, id), PartitionKey: aws.String(id)})
					}
					mu.Lock()
					sent += len(entries)
					mu.Unlock()
					out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("crash-src"), Records: entries})
					if err != nil {
						return
					}
					for i, r := range out.Records {
						if r.ErrorCode == nil && r.SequenceNumber != nil {
							stream.add(ids[i])
						}
					}
				}
			}(p)
		}
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		s.Kill()
		cancel()
		wg.Wait()
		s.Restart()
	}

	// Let delivery finish: wait until every acknowledged id is in the lake.
	wantDirect, wantStream := direct.snapshot(), stream.snapshot()
	if len(wantDirect) == 0 || len(wantStream) == 0 {
		t.Fatalf("no acknowledged records (direct %d, stream %d): the load never reached the server", len(wantDirect), len(wantStream))
	}
	type tally struct {
		seen           map[string]int
		objects, lines int
	}
	read := func(prefix string) tally {
		tl := tally{seen: map[string]int{}}
		for _, o := range readObjects(t, c, bucket, prefix) {
			tl.objects++
			if len(o.Body) == 0 || o.Body[len(o.Body)-1] != '\n' {
				t.Fatalf("object %s is empty or ends inside a record (%d bytes)", o.Key, len(o.Body))
			}
			for _, line := range splitLines(o.Body) {
				id, err := parseFHRecord(line)
				if err != nil {
					t.Fatalf("object %s: %v", o.Key, err)
				}
				tl.seen[id]++
				tl.lines++
			}
		}
		return tl
	}
	missingOf := func(tl tally, want map[string]bool) []string {
		var m []string
		for id := range want {
			if tl.seen[id] == 0 {
				m = append(m, id)
			}
		}
		return m
	}
	var dt, st tally
	deadline := time.Now().Add(2 * deliveryTimeout)
	for {
		dt, st = read("direct/"), read("stream/")
		md, ms := missingOf(dt, wantDirect), missingOf(st, wantStream)
		if len(md)+len(ms) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d kill -9 cycles: %d of %d acknowledged direct-put records missing (e.g. %q), %d of %d stream records missing (e.g. %q)",
				cycles, len(md), len(wantDirect), firstN(md, 3), len(ms), len(wantStream), firstN(ms, 3))
		}
		time.Sleep(500 * time.Millisecond)
	}
	dups := func(tl tally) (n int) {
		for _, k := range tl.seen {
			n += k - 1
		}
		return n
	}
	for _, x := range []struct {
		name string
		tl   tally
		want map[string]bool
	}{{"direct put", dt, wantDirect}, {"stream source", st, wantStream}} {
		unacked := 0
		for id := range x.tl.seen {
			if !x.want[id] {
				unacked++
			}
		}
		t.Logf("%s: %d acknowledged records all delivered in %d objects (%d lines): %d duplicates, %d unacknowledged records delivered too",
			x.name, len(x.want), x.tl.objects, x.tl.lines, dups(x.tl), unacked)
	}
	t.Logf("%d records sent in %d cycles", sent, cycles)
}
