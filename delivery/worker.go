package delivery

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caudal/caudal/shardlog"
)

var (
	jsonMarshal   = json.Marshal
	jsonUnmarshal = json.Unmarshal
)

// dstream is one live delivery stream: its metadata, compiled plan, log
// (DirectPut) and worker.
//
// Locking: mu guards meta and plan. The worker alone touches ck and a
// stream source's buffer; a stream source's reader goroutine alone its
// cursors, and hands the worker what it read through a channel
// (source.go); pending counters are atomics so Put never waits on a flush.
type dstream struct {
	e    *Engine
	mu   sync.Mutex
	meta DeliveryStream
	plan *plan

	log shardlog.Log // DirectPut only; nil for a stream source

	wake   chan struct{} // one slot: "something changed"
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	// worker-owned
	ck       checkpoint
	oldestAt uint64 // offset whose arrival time oldestMs caches
	oldestMs int64
	src      *sourceState // stream source only
	// registered remembers partition locations already in the catalog
	// (partitions.go).
	registered map[string]bool
	conv       convCache // the last Parquet converter (pipeline.go)
	outBuf     []byte    // a delivered object's body, reused by the next conversion (pipeline.go)

	ckOff     atomic.Uint64 // ck.Offset, readable by Metrics
	pendBytes atomic.Int64  // DirectPut: bytes put and not yet delivered (approximate)
	stats     stats
}

func newDstream(e *Engine, m DeliveryStream, p *plan, ck checkpoint) *dstream {
	ctx, cancel := context.WithCancel(context.Background())
	ds := &dstream{e: e, meta: m, plan: p, ck: ck, wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, done: make(chan struct{}), oldestAt: ^uint64(0)}
	if m.Type == TypeKinesisSource {
		ds.src = newSourceState()
	}
	return ds
}

func (ds *dstream) snapshot() DeliveryStream {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	m := ds.meta
	m.Destination = cloneDestination(m.Destination)
	m.Tags = append([]Tag(nil), m.Tags...)
	if m.Source != nil {
		s := *m.Source
		m.Source = &s
	}
	return m
}

func (ds *dstream) currentPlan() *plan {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return ds.plan
}

func (ds *dstream) poke() {
	select {
	case ds.wake <- struct{}{}:
	default:
	}
}

func (ds *dstream) start() { go ds.run() }

// shutdown stops the worker (abandoning a flush in progress) and closes
// the log. Safe to call more than once.
func (ds *dstream) shutdown() error {
	var err error
	ds.once.Do(func() {
		ds.cancel()
		<-ds.done
		if ds.log != nil {
			if cerr := ds.log.Close(); cerr != nil {
				err = fmt.Errorf("delivery: close log of %s: %w", ds.meta.Name, cerr)
			}
		}
	})
	return err
}

// recordID encodes a log offset and the delivery stream's incarnation.
func recordID(id string, offset uint64) string {
	return fmt.Sprintf("%016x%s%016x", offset, id, offset^0x5a5a5a5a5a5a5a5a)
}

// RecordOffset decodes a record id's log offset (tests and tools).
func RecordOffset(recordID string) (uint64, bool) {
	if len(recordID) < 16 {
		return 0, false
	}
	b, err := hex.DecodeString(recordID[:16])
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(hex.EncodeToString(b), 16, 64)
	return n, err == nil
}

var entriesPool = sync.Pool{New: func() any { s := make([]shardlog.Entry, 0, MaxBatchRecords); return &s }}

func (ds *dstream) put(records [][]byte) ([]string, error) {
	if ds.log == nil {
		return nil, invalid("This operation is not permitted on KinesisStreamAsSource type delivery stream.")
	}
	if len(records) == 0 {
		return nil, nil
	}
	ep := entriesPool.Get().(*[]shardlog.Entry)
	entries := (*ep)[:0]
	var n int64
	for _, r := range records {
		entries = append(entries, shardlog.Entry{Data: r})
		n += int64(len(r))
	}
	first, _, err := ds.log.Append(entries)
	clear(entries)
	*ep = entries[:0]
	entriesPool.Put(ep)
	if err != nil {
		if errors.Is(err, shardlog.ErrClosed) {
			return nil, ds.e.notFound(ds.meta.Name)
		}
		return nil, internal(err, "append to delivery stream %s", ds.meta.Name)
	}
	ds.pendBytes.Add(n)
	ds.poke()
	ids := make([]string, len(records))
	for i := range ids {
		ids[i] = recordID(ds.meta.ID, first+uint64(i))
	}
	return ids, nil
}

// recoverPending counts the bytes in the log past the checkpoint, so a
// restart flushes them by size as well as by age.
func (ds *dstream) recoverPending() error {
	first, next := ds.log.Bounds()
	if ds.ck.Offset < first {
		ds.ck.Offset = first
	}
	var n int64
	var buf []shardlog.Record
	for off := ds.ck.Offset; off < next; {
		recs, err := ds.log.Read(off, 4096, 0, buf[:0])
		if err != nil {
			return fmt.Errorf("delivery: read log of %s: %w", ds.meta.Name, err)
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			n += int64(len(r.Data))
		}
		off = recs[len(recs)-1].Offset + 1
		buf = recs
	}
	ds.pendBytes.Store(n)
	ds.ckOff.Store(ds.ck.Offset)
	return nil
}

func (ds *dstream) checkpointOffset() uint64 { return ds.ckOff.Load() }

// run is the worker: it waits for a put, a timer or a poll, flushes when
// the buffering hints say so, and retries failed flushes with backoff.
func (ds *dstream) run() {
	defer close(ds.done)
	if ds.src != nil {
		defer ds.startReader()()
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	retry := time.Duration(0)
	for {
		wait, err := ds.step()
		if ds.ctx.Err() != nil {
			return
		}
		if err != nil {
			ds.stats.failures.Add(1)
			ds.stats.setError(err)
			ds.e.cfg.Log.Warn("delivery: flush failed; will retry", "deliveryStream", ds.meta.Name, "err", err)
			if retry == 0 {
				retry = ds.e.cfg.RetryInterval
			} else if retry *= 2; retry > time.Minute {
				retry = time.Minute
			}
			wait = retry
		} else {
			retry = 0
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-ds.ctx.Done():
			return
		case <-ds.wake:
		case <-timer.C:
		}
	}
}

// step flushes as many batches as are due and returns how long to wait
// before the next check.
func (ds *dstream) step() (time.Duration, error) {
	if ds.src != nil {
		return ds.stepSource()
	}
	for {
		p := ds.currentPlan()
		// Load the byte count before the bounds: Put counts bytes after
		// its append is published, so every counted byte lies below next.
		pending := ds.pendBytes.Load()
		_, next := ds.log.Bounds()
		if next <= ds.ck.Offset {
			return time.Hour, nil
		}
		oldest, err := ds.oldestPending()
		if err != nil {
			return 0, err
		}
		age := ds.e.cfg.Now().Sub(time.UnixMilli(oldest))
		if pending < p.sizeBytes && age < p.interval {
			return p.interval - age, nil
		}
		if err := ds.flushLog(p, next); err != nil {
			return 0, err
		}
		if ds.ctx.Err() != nil {
			return 0, nil
		}
	}
}

// oldestPending returns the arrival time (ms) of the first undelivered
// record, reading it from the log once per checkpoint.
func (ds *dstream) oldestPending() (int64, error) {
	if ds.oldestAt == ds.ck.Offset {
		return ds.oldestMs, nil
	}
	recs, err := ds.log.Read(ds.ck.Offset, 1, 0, nil)
	if err != nil {
		return 0, fmt.Errorf("delivery: read log of %s: %w", ds.meta.Name, err)
	}
	if len(recs) == 0 {
		return ds.e.cfg.Now().UnixMilli(), nil
	}
	ds.oldestAt, ds.oldestMs = ds.ck.Offset, recs[0].Timestamp
	return ds.oldestMs, nil
}

// flushLog delivers one batch from the checkpoint: records up to the
// plan's size (at least one), all below next.
func (ds *dstream) flushLog(p *plan, next uint64) error {
	var batch []rec
	var bytes int64
	off := ds.ck.Offset
	for off < next && bytes < p.sizeBytes {
		recs, err := ds.log.Read(off, int(min(next-off, 10000)), int(p.sizeBytes-bytes), nil)
		if err != nil {
			return fmt.Errorf("delivery: read log of %s: %w", ds.meta.Name, err)
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			if r.Offset >= next {
				break
			}
			batch = append(batch, rec{data: r.Data, arrival: r.Timestamp, seq: strconv.FormatUint(r.Offset, 10), subSeq: -1})
			bytes += int64(len(r.Data))
			off = r.Offset + 1
		}
	}
	if len(batch) == 0 {
		return nil
	}
	if err := ds.deliver(p, batch, false); err != nil {
		return err
	}
	nck := ds.ck
	nck.Offset = off
	if err := ds.e.saveCheckpoint(ds.meta.ID, &nck); err != nil {
		return err
	}
	ds.ck = nck
	ds.ckOff.Store(nck.Offset)
	if v := ds.pendBytes.Add(-bytes); v < 0 {
		ds.pendBytes.Store(0)
	}
	// Whole segments before the first undelivered record are delivered.
	if ms, err := ds.oldestPending(); err == nil && off < next {
		ds.log.ExpireBefore(ms)
	} else if off >= next {
		ds.log.ExpireBefore(batch[len(batch)-1].arrival)
	}
	return nil
}
