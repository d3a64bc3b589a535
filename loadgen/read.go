package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/caudal/caudal/backoff"
	"github.com/caudal/caudal/protocol"
)

// startPoint is where a read pass starts in every shard.
type startPoint struct {
	typ types.ShardIteratorType
	at  time.Time // for AT_TIMESTAMP
}

// readPass is one reader per shard, together checking off the records
// they see in the tracker under one pass.
type readPass struct {
	r    *runner
	pass int
	name string

	c                counters
	corrupt, foreign atomic.Uint64
	firstErr         errOnce

	mu      sync.Mutex
	hist    Histogram // of GetRecords calls; guarded by mu
	err     error     // first reader that gave up; guarded by mu
	elapsed time.Duration
}

func (r *runner) newReadPass(pass int, name string) *readPass {
	return &readPass{r: r, pass: pass, name: name}
}

// readAll reads every shard until, after done is closed, a GetRecords
// call finds the shard's end of data. Everything acknowledged before done
// closed is in the shard by then, so a reader that stops has seen it.
func (rp *readPass) readAll(ctx context.Context, shards []string, sp startPoint, done <-chan struct{}) {
	start := time.Now()
	var wg sync.WaitGroup
	for _, shard := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h Histogram
			err := rp.readShard(ctx, shard, sp, done, &h)
			rp.mu.Lock()
			defer rp.mu.Unlock()
			rp.hist.Merge(&h)
			if err != nil && rp.err == nil {
				rp.err = fmt.Errorf("shard %s: %w", shard, err)
			}
		}()
	}
	wg.Wait()
	rp.elapsed = time.Since(start)
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// idlePoll is how long a consumer that is caught up waits before asking
// again while producers are still writing.
const idlePoll = 10 * time.Millisecond

func (rp *readPass) readShard(ctx context.Context, shard string, sp startPoint, done <-chan struct{}, h *Histogram) error {
	kc := rp.r.kc
	in := &kinesis.GetShardIteratorInput{StreamName: &rp.r.stream, ShardId: &shard, ShardIteratorType: sp.typ}
	if sp.typ == types.ShardIteratorTypeAtTimestamp {
		in.Timestamp = aws.Time(sp.at)
	}
	var lastSeq *string
	iterator := func() (*string, error) {
		for attempt := 0; ; attempt++ {
			if lastSeq != nil {
				in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp = types.ShardIteratorTypeAfterSequenceNumber, lastSeq, nil
			}
			out, err := kc.GetShardIterator(ctx, in)
			if err == nil {
				return out.ShardIterator, nil
			}
			if !isThrottle(err) || attempt >= maxAttempts {
				return nil, fmt.Errorf("GetShardIterator: %w", err)
			}
			rp.c.throttles.Add(1)
			if err := backoff.Sleep(ctx, retryBackoff.Delay(attempt+1)); err != nil {
				return nil, err
			}
		}
	}
	it, err := iterator()
	if err != nil {
		return err
	}
	throttled, failed := 0, 0
	var ws wireReader
	for it != nil {
		caughtUpFinal := closed(done) // asked after the writers stopped
		t0 := time.Now()
		out, err := rp.getRecords(ctx, it, &ws)
		lat := time.Since(t0)
		rp.c.calls.Add(1)
		if err != nil {
			switch {
			case isThrottle(err):
				rp.c.throttles.Add(1)
				throttled++
				if throttled > 10*maxAttempts {
					return fmt.Errorf("GetRecords throttled %d times in a row: %w", throttled, err)
				}
				if err := backoff.Sleep(ctx, retryBackoff.Delay(min(throttled, 5))); err != nil {
					return err
				}
				continue
			case isCode(err, "ExpiredIteratorException"):
				if it, err = iterator(); err != nil {
					return err
				}
				continue
			case errors.Is(err, context.Canceled) || ctx.Err() != nil:
				return ctx.Err()
			}
			rp.c.errors.Add(1)
			rp.firstErr.set(fmt.Errorf("shard %s: GetRecords: %w", shard, err))
			// A call that failed without an AWS error is retried with the
			// same iterator, which stays valid, as the SDK's own retryer
			// (off here) would; AWS errors are final. The common case is
			// the SDK/net/http race of aws-sdk-go-v2#1825 and #2737: the
			// transport's write loop closes a connection whose answer is
			// still being read ("use of closed network connection"). A
			// fast local server makes it frequent; the SDK retries
			// net.ErrClosed by default since aws-sdk-go-v2#2949.
			var api smithy.APIError
			if failed++; errors.As(err, &api) || failed > maxConsecutiveErrors {
				return fmt.Errorf("GetRecords: %w", err)
			}
			if err := backoff.Sleep(ctx, retryBackoff.Delay(failed)); err != nil {
				return err
			}
			continue
		}
		throttled, failed = 0, 0
		h.Record(lat)
		for i := range out.Records {
			rec := &out.Records[i]
			id, err := decodeRecord(rec.Data, rp.r.run, rp.r.cfg.RecordSize)
			switch {
			case errors.Is(err, errForeign):
				rp.foreign.Add(1)
				continue
			case err != nil || !rp.r.tr.saw(rp.pass, id):
				rp.corrupt.Add(1)
				continue
			}
			rp.c.records.Add(1)
			rp.c.bytes.Add(uint64(len(rec.Data)))
		}
		if n := len(out.Records); n > 0 {
			lastSeq = out.Records[n-1].SequenceNumber
		}
		it = out.NextShardIterator
		if len(out.Records) == 0 {
			if caughtUpFinal && aws.ToInt64(out.MillisBehindLatest) == 0 {
				return nil
			}
			if !caughtUpFinal {
				if err := backoff.Sleep(ctx, idlePoll); err != nil {
					return err
				}
			}
		}
	}
	return nil // a closed shard's end
}

func (rp *readPass) phase() *Phase {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	p := newPhase(rp.elapsed, &rp.c, &rp.hist, rp.firstErr.msg())
	if rp.err != nil && p.FirstError == "" {
		p.FirstError = rp.err.Error()
	}
	return p
}

// wireReader is one shard reader's reused state for the wire client.
type wireReader struct {
	body []byte
	ans  bytes.Buffer
	dec  wireDecoder
	out  getRecordsAnswer
}

// getRecords calls GetRecords for up to 10,000 records through the wire
// client, or the SDK with Config.SDK. With the wire client the answer
// (blobs included) is valid until the next call with the same ws.
func (rp *readPass) getRecords(ctx context.Context, it *string, ws *wireReader) (*getRecordsAnswer, error) {
	if w := rp.r.wire; w != nil {
		ws.body = append(ws.body[:0], `{"ShardIterator":`...)
		ws.body = protocol.AppendJSONString(ws.body, *it)
		ws.body = append(ws.body, `,"Limit":10000}`...)
		if err := w.call(ctx, "GetRecords", ws.body, &ws.ans); err != nil {
			return nil, err
		}
		ws.out.Records, ws.out.NextShardIterator, ws.out.MillisBehindLatest = ws.out.Records[:0], nil, nil
		if err := ws.dec.decode(ws.ans.Bytes(), &ws.out); err != nil {
			return nil, err
		}
		return &ws.out, nil
	}
	out, err := rp.r.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(10000)})
	if err != nil {
		return nil, err
	}
	a := &getRecordsAnswer{NextShardIterator: out.NextShardIterator, MillisBehindLatest: out.MillisBehindLatest}
	a.Records = make([]wireRecord, len(out.Records))
	for i := range out.Records {
		a.Records[i] = wireRecord{Data: out.Records[i].Data, SequenceNumber: out.Records[i].SequenceNumber}
	}
	return a, nil
}
