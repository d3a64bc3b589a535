package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/caudal/caudal/backoff"
	"github.com/caudal/caudal/protocol"
)

// maxAttempts bounds how often one batch's throttled records are retried.
const maxAttempts = 30

// maxConsecutiveErrors stops a producer whose calls keep failing (an
// endpoint that went away), instead of spinning until the deadline.
const maxConsecutiveErrors = 5

// write runs the producers and fills rep.Write.
func (r *runner) write(ctx context.Context, rep *Report) error {
	cfg := r.cfg
	keys := make([]*string, cfg.Keys)
	for i := range keys {
		keys[i] = aws.String("k-" + strconv.Itoa(i))
	}
	var remaining atomic.Int64
	remaining.Store(cfg.Records)
	var c counters
	var firstErr errOnce
	hists := make([]Histogram, cfg.Producers)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for p := range cfg.Producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr := &producer{r: r, id: uint32(p), keys: keys, c: &c, hist: &hists[p], firstErr: &firstErr,
				rng: rand.New(rand.NewPCG(uint64(p), uint64(r.run)))}
			if err := pr.run(ctx, start, deadline, &remaining); err != nil {
				firstErr.setFatal(err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var h Histogram
	for i := range hists {
		h.Merge(&hists[i])
	}
	rep.Write = newPhase(elapsed, &c, &h, firstErr.msg())
	if err := firstErr.fatal(); err != nil {
		return err
	}
	return ctx.Err()
}

// producer is one writer goroutine's state. Its buffers are reused for
// every call: the SDK has serialized a request by the time the call
// returns.
type producer struct {
	r        *runner
	id       uint32
	keys     []*string
	c        *counters
	hist     *Histogram
	firstErr *errOnce
	rng      *rand.Rand

	next  uint64       // next counter
	tails *[256][]byte // the wire client's encoded record tails
	body  []byte       // the wire client's request body, reused
	ans   bytes.Buffer // the wire client's answer, reused
	dec   wireDecoder
	out   putRecordsAnswer
	errs  int // consecutive failed calls
	acked []uint64
}

func (p *producer) run(ctx context.Context, start, deadline time.Time, remaining *atomic.Int64) error {
	cfg := p.r.cfg
	size, batch := cfg.RecordSize, cfg.Batch
	// The wire client encodes records straight into the request body;
	// the SDK needs them as entries.
	wire := p.r.wire != nil
	var buf []byte
	var entries []types.PutRecordsRequestEntry
	var keyIdx []int32
	if wire {
		keyIdx = make([]int32, batch)
		p.tails = tailsFor(size)
	} else {
		buf = make([]byte, batch*size)
		entries = make([]types.PutRecordsRequestEntry, batch)
	}
	ids := make([]uint64, batch)
	p.acked = make([]uint64, 0, batch)
	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Duration(float64(batch*cfg.Producers) / cfg.Rate * float64(time.Second))
	}
	// Spread the producers' first calls over one interval.
	sched := start.Add(time.Duration(p.id) * interval / time.Duration(cfg.Producers))
	for ctx.Err() == nil && time.Now().Before(deadline) {
		n := batch
		if cfg.Records > 0 {
			left := remaining.Add(-int64(batch))
			if left < 0 {
				n += int(left)
			}
			if n <= 0 {
				return nil
			}
		}
		for i := range n {
			ids[i] = p.next
			k := p.rng.IntN(len(p.keys))
			if wire {
				keyIdx[i] = int32(k)
			} else {
				rec := buf[i*size : (i+1)*size]
				encodeRecord(rec, p.r.run, recordID{producer: p.id, counter: p.next})
				entries[i] = types.PutRecordsRequestEntry{Data: rec, PartitionKey: p.keys[k]}
			}
			p.next++
		}
		if interval > 0 {
			if wait := time.Until(sched); wait > 0 {
				if err := backoff.Sleep(ctx, wait); err != nil {
					return nil
				}
			}
			sched = sched.Add(interval)
		}
		var err error
		switch {
		case cfg.API == PutRecord && wire:
			err = p.putOneWire(ctx, ids[0], keyIdx[0])
		case cfg.API == PutRecord:
			err = p.putOne(ctx, &entries[0], ids[0])
		case wire:
			err = p.putBatchWire(ctx, ids[:n], keyIdx[:n])
		default:
			err = p.putBatch(ctx, entries[:n], ids[:n])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// callFailed counts a failed call; it returns an error once calls have
// failed too many times in a row.
func (p *producer) callFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	p.c.errors.Add(1)
	p.firstErr.set(fmt.Errorf("producer %d: %w", p.id, err))
	p.errs++
	if p.errs >= maxConsecutiveErrors {
		return fmt.Errorf("producer %d: %d calls in a row failed, last: %w", p.id, p.errs, err)
	}
	return nil
}

// putBatch puts one batch with PutRecords, retrying throttled records
// with backoff. Records refused for other reasons, or in a call that
// failed outright, are left unacknowledged and not retried: a call whose
// answer was lost (see readShard on aws-sdk-go-v2#1825) may have stored
// them, and a retry would then write them twice. Reads report them as
// "unacked", which is not a verification failure.
func (p *producer) putBatch(ctx context.Context, pending []types.PutRecordsRequestEntry, ids []uint64) error {
	size := uint64(p.r.cfg.RecordSize)
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt >= maxAttempts {
			p.c.errors.Add(uint64(len(pending)))
			p.firstErr.set(fmt.Errorf("producer %d: %d records still throttled after %d attempts", p.id, len(pending), attempt))
			return nil
		}
		if attempt > 0 {
			if err := backoff.Sleep(ctx, retryBackoff.Delay(attempt)); err != nil {
				return nil
			}
		}
		t0 := time.Now()
		out, err := p.r.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &p.r.stream, Records: pending})
		p.hist.Record(time.Since(t0))
		p.c.calls.Add(1)
		if err != nil {
			if isThrottle(err) {
				p.c.throttles.Add(uint64(len(pending)))
				continue
			}
			return p.callFailed(ctx, err)
		}
		p.errs = 0
		if len(out.Records) != len(pending) {
			return p.callFailed(ctx, fmt.Errorf("PutRecords answered %d results for %d records", len(out.Records), len(pending)))
		}
		p.acked = p.acked[:0]
		k := 0 // retained (throttled) records are compacted to the front
		for i, res := range out.Records {
			switch {
			case res.ErrorCode == nil:
				p.acked = append(p.acked, ids[i])
			case *res.ErrorCode == "ProvisionedThroughputExceededException" || *res.ErrorCode == "KMSThrottlingException" ||
				*res.ErrorCode == "InternalFailure":
				p.c.throttles.Add(1)
				pending[k], ids[k] = pending[i], ids[i]
				k++
			default:
				p.c.errors.Add(1)
				p.firstErr.set(fmt.Errorf("producer %d: record refused: %s: %s", p.id, *res.ErrorCode, aws.ToString(res.ErrorMessage)))
			}
		}
		p.r.tr.acked(p.id, p.acked)
		p.c.records.Add(uint64(len(p.acked)))
		p.c.bytes.Add(uint64(len(p.acked)) * size)
		pending, ids = pending[:k], ids[:k]
	}
	return nil
}

// putBatchWire is putBatch through the wire client: the same retries and
// accounting, with the body built from the records' ids and keys (indexes
// into p.keys) for every attempt.
func (p *producer) putBatchWire(ctx context.Context, ids []uint64, keys []int32) error {
	size := uint64(p.r.cfg.RecordSize)
	for attempt := 0; len(ids) > 0; attempt++ {
		if attempt >= maxAttempts {
			p.c.errors.Add(uint64(len(ids)))
			p.firstErr.set(fmt.Errorf("producer %d: %d records still throttled after %d attempts", p.id, len(ids), attempt))
			return nil
		}
		if attempt > 0 {
			if err := backoff.Sleep(ctx, retryBackoff.Delay(attempt)); err != nil {
				return nil
			}
		}
		p.body = p.putRecordsBody(p.body[:0], ids, keys)
		t0 := time.Now()
		err := p.r.wire.call(ctx, "PutRecords", p.body, &p.ans)
		if err == nil {
			p.out.Records = p.out.Records[:0]
			err = p.dec.decode(p.ans.Bytes(), &p.out)
		}
		p.hist.Record(time.Since(t0))
		p.c.calls.Add(1)
		if err != nil {
			if isThrottle(err) {
				p.c.throttles.Add(uint64(len(ids)))
				continue
			}
			return p.callFailed(ctx, err)
		}
		p.errs = 0
		if len(p.out.Records) != len(ids) {
			return p.callFailed(ctx, fmt.Errorf("PutRecords answered %d results for %d records", len(p.out.Records), len(ids)))
		}
		p.acked = p.acked[:0]
		k := 0 // retained (throttled) records are compacted to the front
		for i, res := range p.out.Records {
			switch {
			case res.ErrorCode == nil:
				p.acked = append(p.acked, ids[i])
			case *res.ErrorCode == "ProvisionedThroughputExceededException" || *res.ErrorCode == "KMSThrottlingException" ||
				*res.ErrorCode == "InternalFailure":
				p.c.throttles.Add(1)
				ids[k], keys[k] = ids[i], keys[i]
				k++
			default:
				p.c.errors.Add(1)
				p.firstErr.set(fmt.Errorf("producer %d: record refused: %s: %s", p.id, *res.ErrorCode, aws.ToString(res.ErrorMessage)))
			}
		}
		p.r.tr.acked(p.id, p.acked)
		p.c.records.Add(uint64(len(p.acked)))
		p.c.bytes.Add(uint64(len(p.acked)) * size)
		ids, keys = ids[:k], keys[:k]
	}
	return nil
}

// putRecordsBody appends the JSON body of a PutRecords of the records
// ids with partition keys p.keys[keys[i]].
func (p *producer) putRecordsBody(dst []byte, ids []uint64, keys []int32) []byte {
	size := p.r.cfg.RecordSize
	dst = append(dst, `{"StreamName":`...)
	dst = protocol.AppendJSONString(dst, p.r.stream)
	dst = append(dst, `,"Records":[`...)
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"Data":`...)
		dst = appendRecordData(dst, size, p.r.run, recordID{producer: p.id, counter: id}, p.tails)
		dst = append(dst, `,"PartitionKey":`...)
		dst = protocol.AppendJSONString(dst, *p.keys[keys[i]])
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// putOneWire is putOne through the wire client.
func (p *producer) putOneWire(ctx context.Context, id uint64, key int32) error {
	for attempt := 0; ; attempt++ {
		if attempt >= maxAttempts {
			p.c.errors.Add(1)
			p.firstErr.set(fmt.Errorf("producer %d: record still throttled after %d attempts", p.id, attempt))
			return nil
		}
		if attempt > 0 {
			if err := backoff.Sleep(ctx, retryBackoff.Delay(attempt)); err != nil {
				return nil
			}
		}
		p.body = append(p.body[:0], `{"StreamName":`...)
		p.body = protocol.AppendJSONString(p.body, p.r.stream)
		p.body = append(p.body, `,"Data":`...)
		p.body = appendRecordData(p.body, p.r.cfg.RecordSize, p.r.run, recordID{producer: p.id, counter: id}, p.tails)
		p.body = append(p.body, `,"PartitionKey":`...)
		p.body = protocol.AppendJSONString(p.body, *p.keys[key])
		p.body = append(p.body, '}')
		t0 := time.Now()
		err := p.r.wire.call(ctx, "PutRecord", p.body, &p.ans)
		p.hist.Record(time.Since(t0))
		p.c.calls.Add(1)
		if err != nil {
			if isThrottle(err) {
				p.c.throttles.Add(1)
				continue
			}
			return p.callFailed(ctx, err)
		}
		p.errs = 0
		p.acked = append(p.acked[:0], id)
		p.r.tr.acked(p.id, p.acked)
		p.c.records.Add(1)
		p.c.bytes.Add(uint64(p.r.cfg.RecordSize))
		return nil
	}
}

// putOne puts one record with PutRecord, retrying throttling.
func (p *producer) putOne(ctx context.Context, e *types.PutRecordsRequestEntry, id uint64) error {
	for attempt := 0; ; attempt++ {
		if attempt >= maxAttempts {
			p.c.errors.Add(1)
			p.firstErr.set(fmt.Errorf("producer %d: record still throttled after %d attempts", p.id, attempt))
			return nil
		}
		if attempt > 0 {
			if err := backoff.Sleep(ctx, retryBackoff.Delay(attempt)); err != nil {
				return nil
			}
		}
		t0 := time.Now()
		_, err := p.r.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: &p.r.stream, Data: e.Data, PartitionKey: e.PartitionKey})
		p.hist.Record(time.Since(t0))
		p.c.calls.Add(1)
		if err != nil {
			if isThrottle(err) {
				p.c.throttles.Add(1)
				continue
			}
			return p.callFailed(ctx, err)
		}
		p.errs = 0
		p.acked = append(p.acked[:0], id)
		p.r.tr.acked(p.id, p.acked)
		p.c.records.Add(1)
		p.c.bytes.Add(uint64(p.r.cfg.RecordSize))
		return nil
	}
}

// errOnce keeps the first error seen (for the report) and the first error
// that stopped a goroutine (to fail the run).
type errOnce struct {
	mu    sync.Mutex
	first error
	stop  error
}

func (e *errOnce) set(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.first == nil {
		e.first = err
	}
}

func (e *errOnce) setFatal(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.first == nil {
		e.first = err
	}
	if e.stop == nil {
		e.stop = err
	}
}

func (e *errOnce) msg() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.first == nil {
		return ""
	}
	return e.first.Error()
}

func (e *errOnce) fatal() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stop
}
