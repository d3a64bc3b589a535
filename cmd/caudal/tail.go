package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/spf13/cobra"

	"github.com/caudal/caudal/backoff"
)

// pollInterval is how long tail waits before polling shards that had
// nothing new. It keeps a follower under the 5 GetRecords/s shard quota.
const pollInterval = 250 * time.Millisecond

func newTailCmd(e *env, g *globals) *cobra.Command {
	var from string
	var follow, jsonOut bool
	cmd := &cobra.Command{
		Use:   "tail STREAM",
		Short: "Print a stream's records from every shard",
		Long: `Print the records of every shard of STREAM: the data as one line each, or with
--json one object per record (shardId, sequenceNumber, partitionKey,
approximateArrivalTimestamp, data as a UTF-8 string or base64 with its encoding).

Reading starts at --from: trim-horizon (the oldest retained record, the default),
latest (only new records) or an RFC 3339 time. When a shard is closed by a split
or merge, tail continues with its child shards, so no record is missed. Without
--follow it stops once every shard is caught up; with --follow it waits for new
records until interrupted.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t := &tailer{e: e, stream: args[0], follow: follow, jsonOut: jsonOut}
			if err := t.parseFrom(from); err != nil {
				return usageError{err}
			}
			ctx := cmd.Context()
			c, err := newClient(ctx, e, g)
			if err != nil {
				return err
			}
			t.c = c
			t.out = bufio.NewWriterSize(e.stdout, 64<<10)
			err = t.run(ctx)
			if ferr := t.out.Flush(); err == nil {
				err = ferr
			}
			if follow && errors.Is(err, context.Canceled) {
				return nil // interrupted: the normal end of a follow
			}
			return err
		},
	}
	cmd.Flags().StringVar(&from, "from", "trim-horizon", "where to start: trim-horizon, latest or an RFC 3339 time")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep waiting for new records")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print one JSON object per record")
	return cmd
}

// tailer reads every shard of one stream. It polls its active shards in
// turn from one goroutine, so each shard's records come out in order.
//
// Lineage: a shard starts once all of its parents that tail is reading
// have ended (a closed shard's last GetRecords has no next iterator). The
// children then start from TRIM_HORIZON (or the --from time), which is
// what guarantees that no record written after a split or merge is
// skipped.
type tailer struct {
	c       *client
	e       *env
	out     *bufio.Writer
	stream  string
	follow  bool
	jsonOut bool

	fromType types.ShardIteratorType
	fromTime *time.Time

	active   []*shardReader
	started  map[string]bool
	finished map[string]bool
}

type shardReader struct {
	id      string
	iter    *string
	lastSeq string
	// firstType is the iterator type the shard was started with, used
	// again if its iterator expires before it returned a record.
	firstType types.ShardIteratorType
	next      time.Time // do not poll before this
}

func (t *tailer) parseFrom(from string) error {
	switch strings.ToLower(from) {
	case "trim-horizon", "trim_horizon", "":
		t.fromType = types.ShardIteratorTypeTrimHorizon
	case "latest":
		t.fromType = types.ShardIteratorTypeLatest
	default:
		ts, err := time.Parse(time.RFC3339Nano, from)
		if err != nil {
			return fmt.Errorf("--from %q: want trim-horizon, latest or an RFC 3339 time such as 2026-01-02T15:04:05Z", from)
		}
		t.fromType = types.ShardIteratorTypeAtTimestamp
		t.fromTime = &ts
	}
	return nil
}

// childType is the iterator type for shards started because their parents
// ended: everything in a child came after tail began on its parents.
func (t *tailer) childType() types.ShardIteratorType {
	if t.fromType == types.ShardIteratorTypeAtTimestamp {
		return t.fromType
	}
	return types.ShardIteratorTypeTrimHorizon
}

func (t *tailer) run(ctx context.Context) error {
	t.started, t.finished = map[string]bool{}, map[string]bool{}
	shards, err := t.c.listShards(ctx, t.stream)
	if err != nil {
		return t.c.explainStream(err, t.stream)
	}
	known := map[string]bool{}
	for _, s := range shards {
		known[aws.ToString(s.ShardId)] = true
	}
	for _, s := range shards {
		id := aws.ToString(s.ShardId)
		open := s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber == nil
		var root bool
		if t.fromType == types.ShardIteratorTypeLatest {
			root = open // closed shards hold nothing newer than now
		} else {
			// A shard whose parents are gone (expired) is read directly.
			root = !known[aws.ToString(s.ParentShardId)] && !known[aws.ToString(s.AdjacentParentShardId)]
		}
		if root {
			if err := t.start(ctx, id, t.fromType); err != nil {
				return err
			}
		}
	}

	for len(t.active) > 0 {
		progressed := false
		now := time.Now()
		earliest := now.Add(pollInterval)
		for _, sr := range append([]*shardReader(nil), t.active...) {
			if sr.next.After(now) {
				earliest = minTime(earliest, sr.next)
				continue
			}
			p, err := t.poll(ctx, sr)
			if err != nil {
				return err
			}
			progressed = progressed || p
			if !sr.next.IsZero() {
				earliest = minTime(earliest, sr.next)
			}
		}
		if err := t.out.Flush(); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		if !progressed && len(t.active) > 0 {
			if err := backoff.Sleep(ctx, time.Until(earliest)); err != nil {
				return err
			}
		}
	}
	return nil
}

// poll reads one batch from sr and reports whether anything changed.
func (t *tailer) poll(ctx context.Context, sr *shardReader) (bool, error) {
	out, err := t.c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: sr.iter, Limit: aws.Int32(10000)})
	switch {
	case err == nil:
	case isCode(err, "ProvisionedThroughputExceededException"):
		sr.next = time.Now().Add(pollInterval)
		return false, nil
	case isCode(err, "ExpiredIteratorException"):
		return true, t.renew(ctx, sr)
	default:
		return false, t.c.explainStream(err, t.stream)
	}
	for i := range out.Records {
		if err := t.emit(sr.id, &out.Records[i]); err != nil {
			return false, err
		}
		sr.lastSeq = aws.ToString(out.Records[i].SequenceNumber)
	}
	if out.NextShardIterator == nil {
		// The shard is closed and fully read: hand over to its children.
		t.finish(sr)
		return true, t.startChildren(ctx, sr.id, out.ChildShards)
	}
	sr.iter = out.NextShardIterator
	caughtUp := len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0
	switch {
	case !caughtUp:
		sr.next = time.Time{}
		return true, nil
	case !t.follow:
		// Caught up on an open shard: nothing more to print now.
		t.finish(sr)
		return true, nil
	default:
		sr.next = time.Now().Add(pollInterval)
		return false, nil
	}
}

func (t *tailer) start(ctx context.Context, id string, typ types.ShardIteratorType) error {
	if t.started[id] {
		return nil
	}
	t.started[id] = true
	sr := &shardReader{id: id, firstType: typ}
	if err := t.iterator(ctx, sr, typ, ""); err != nil {
		return err
	}
	t.active = append(t.active, sr)
	return nil
}

func (t *tailer) iterator(ctx context.Context, sr *shardReader, typ types.ShardIteratorType, afterSeq string) error {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(t.stream), ShardId: aws.String(sr.id), ShardIteratorType: typ}
	switch typ {
	case types.ShardIteratorTypeAtTimestamp:
		in.Timestamp = t.fromTime
	case types.ShardIteratorTypeAfterSequenceNumber:
		in.StartingSequenceNumber = aws.String(afterSeq)
	}
	out, err := t.c.GetShardIterator(ctx, in)
	if err != nil {
		return t.c.explainStream(err, t.stream)
	}
	sr.iter = out.ShardIterator
	return nil
}

// renew replaces an expired iterator, resuming after the last record seen.
func (t *tailer) renew(ctx context.Context, sr *shardReader) error {
	if sr.lastSeq != "" {
		return t.iterator(ctx, sr, types.ShardIteratorTypeAfterSequenceNumber, sr.lastSeq)
	}
	return t.iterator(ctx, sr, sr.firstType, "")
}

func (t *tailer) finish(sr *shardReader) {
	t.finished[sr.id] = true
	for i, a := range t.active {
		if a == sr {
			t.active = append(t.active[:i], t.active[i+1:]...)
			break
		}
	}
}

// startChildren starts each child of a shard that just ended whose
// parents (those tail reads) have all ended. GetRecords names the
// children; ListShards is the fallback for a server that does not.
func (t *tailer) startChildren(ctx context.Context, parent string, children []types.ChildShard) error {
	type child struct {
		id      string
		parents []string
	}
	var kids []child
	for _, c := range children {
		kids = append(kids, child{aws.ToString(c.ShardId), c.ParentShards})
	}
	if len(kids) == 0 {
		shards, err := t.c.listShards(ctx, t.stream)
		if err != nil {
			return t.c.explainStream(err, t.stream)
		}
		for _, s := range shards {
			p, a := aws.ToString(s.ParentShardId), aws.ToString(s.AdjacentParentShardId)
			if p == parent || a == parent {
				kids = append(kids, child{aws.ToString(s.ShardId), nonEmpty(p, a)})
			}
		}
	}
	for _, k := range kids {
		ready := true
		for _, p := range k.parents {
			if t.started[p] && !t.finished[p] {
				ready = false // the other parent of a merge is still being read
			}
		}
		if ready {
			if err := t.start(ctx, k.id, t.childType()); err != nil {
				return err
			}
		}
	}
	return nil
}

// tailRecord is the --json output shape.
type tailRecord struct {
	ShardID                     string `json:"shardId"`
	SequenceNumber              string `json:"sequenceNumber"`
	PartitionKey                string `json:"partitionKey"`
	ApproximateArrivalTimestamp string `json:"approximateArrivalTimestamp"`
	Data                        string `json:"data"`
	Encoding                    string `json:"encoding"` // "utf-8" or "base64"
}

func (t *tailer) emit(shardID string, r *types.Record) error {
	if !t.jsonOut {
		t.out.Write(r.Data)
		return t.out.WriteByte('\n')
	}
	tr := tailRecord{
		ShardID:        shardID,
		SequenceNumber: aws.ToString(r.SequenceNumber),
		PartitionKey:   aws.ToString(r.PartitionKey),
		Data:           string(r.Data),
		Encoding:       "utf-8",
	}
	if r.ApproximateArrivalTimestamp != nil {
		tr.ApproximateArrivalTimestamp = r.ApproximateArrivalTimestamp.UTC().Format(time.RFC3339Nano)
	}
	if !utf8.Valid(r.Data) {
		tr.Data, tr.Encoding = base64.StdEncoding.EncodeToString(r.Data), "base64"
	}
	b, err := json.Marshal(tr)
	if err != nil {
		return fmt.Errorf("encode record: %w", err)
	}
	t.out.Write(b)
	return t.out.WriteByte('\n')
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
