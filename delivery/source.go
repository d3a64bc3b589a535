package delivery

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caudal/caudal/stream"
)

// A stream source is read by two goroutines: the reader reads the shards
// ahead (GetRecords: read from the shard log, checksum, copy) while the
// worker converts and writes the batch before, so with a backlog the two
// halves of delivery's CPU run on two cores at once.
//
// Checkpoint invariant (unchanged by the read-ahead): a shard's position,
// and its being read to its end, reach the checkpoint only in flushSource,
// after every object of the batch holding those records is in the lake.
// The reader's own positions are never persisted; after a restart it starts
// again from the checkpoint, so delivery stays at-least-once, with
// duplicates only after a crash.

// chunk is one GetRecords answer from one shard.
type chunk struct {
	shard string
	recs  stream.Records // released once the batch holding it is delivered
	last  string         // sequence number of its last record; "" when none
	ended bool           // the shard is read to its end
	bytes int64          // record data in recs
}

// sourceState is a stream source's worker-owned state: the chunks taken
// from the reader and not yet delivered, as one batch.
type sourceState struct {
	rd     *reader
	buf    []rec
	held   []stream.Records // the answers buf's data lives in
	bytes  int64
	oldest int64 // arrival (ms) of the oldest buffered record; 0 when empty
	// read and ended say, for the buffered records, the last sequence
	// number read from each shard and which shards were read to their
	// end; they become the checkpoint once the buffer is delivered.
	read    map[string]string
	ended   map[string]bool
	lastLen int // records in the last flushed buffer: the next one's capacity
}

func newSourceState() *sourceState {
	return &sourceState{read: map[string]string{}, ended: map[string]bool{}}
}

// stepSource takes what the reader has read, then flushes as long as the
// hints say so; it returns how long to wait for more (the reader wakes the
// worker whenever it hands over a chunk).
func (ds *dstream) stepSource() (time.Duration, error) {
	s := ds.src
	for {
		p := ds.currentPlan()
		s.take(p)
		// len(buf), not bytes: a stream record may hold no data, and it
		// is delivered as well.
		if len(s.buf) == 0 && len(s.ended) == 0 {
			return time.Hour, nil
		}
		age := ds.e.cfg.Now().Sub(time.UnixMilli(s.oldest))
		if s.bytes < p.sizeBytes && age < p.interval && len(s.buf) > 0 {
			return p.interval - age, nil
		}
		if err := ds.flushSource(p); err != nil {
			return 0, err
		}
		if ds.ctx.Err() != nil {
			return 0, nil
		}
	}
}

// take moves the chunks the reader has handed over into the buffer, until
// it holds the plan's size. It never waits.
func (s *sourceState) take(p *plan) {
	for s.bytes < p.sizeBytes && s.bytes < maxBufferBytesTotal {
		var c chunk
		select {
		case c = <-s.rd.chunks:
		default:
			return
		}
		s.rd.took(c.bytes)
		// The buffer keeps the records' Data as GetRecords returned it,
		// without a copy; the answer is released after the flush.
		if len(s.buf) == 0 && cap(s.buf) < s.lastLen {
			s.buf = make([]rec, 0, s.lastLen)
		}
		for _, r := range c.recs.Records {
			ms := r.ArrivalTime.UnixMilli()
			s.buf = append(s.buf, rec{data: r.Data, arrival: ms, seq: r.SequenceNumber, subSeq: -1})
			if s.oldest == 0 || ms < s.oldest {
				s.oldest = ms
			}
		}
		s.bytes += c.bytes
		s.held = append(s.held, c.recs)
		if c.last != "" {
			s.read[c.shard] = c.last
		}
		if c.ended {
			s.ended[c.shard] = true
		}
	}
}

// flushSource delivers the whole buffer, then checkpoints the shards'
// positions and the shards read to their end.
func (ds *dstream) flushSource(p *plan) error {
	s := ds.src
	if len(s.buf) > 0 {
		if err := ds.deliver(p, s.buf, true); err != nil {
			return err
		}
	}
	nck := checkpoint{Offset: ds.ck.Offset, Shards: map[string]string{}, Done: slices.Clone(ds.ck.Done)}
	for k, v := range ds.ck.Shards {
		nck.Shards[k] = v
	}
	for k, v := range s.read {
		nck.Shards[k] = v
	}
	for k := range s.ended {
		if !slices.Contains(nck.Done, k) {
			nck.Done = append(nck.Done, k)
		}
		delete(nck.Shards, k)
	}
	if err := ds.e.saveCheckpoint(ds.meta.ID, &nck); err != nil {
		return err
	}
	ds.ck = nck
	s.lastLen = len(s.buf)
	// Nothing refers to the records' data any more (the objects are
	// written, and build copies what error records keep): hand the
	// answers' memory back to the stream engine for its next reads.
	clear(s.buf)
	s.buf = s.buf[:0]
	for i := range s.held {
		s.held[i].Release()
	}
	clear(s.held)
	s.held = s.held[:0]
	s.bytes, s.oldest = 0, 0
	clear(s.read)
	clear(s.ended)
	return nil
}

// reader reads a stream source's shards on its own goroutine and hands
// the answers to the worker in the order it read them.
//
// Ordering: a shard is read only once its parents are read to their end,
// by this reader or (ck.Done) before it started, so a parent's last records
// are in the same batch as its children's first or an earlier one, and a
// batch's checkpoint never names a child's position without its parents'
// being done.
//
// Flow: it reads at most lead bytes ahead of what the worker has taken
// (the plan's size, capped), so the worker finds a next batch ready when it
// finishes a flush; a shard that answered a full GetRecords is read again
// at once, and a round in which none did waits PollInterval.
type reader struct {
	ds     *dstream
	chunks chan chunk
	space  chan struct{} // one slot: the worker took chunks
	ahead  atomic.Int64  // bytes handed over and not yet taken

	// What it reads, from the delivery stream's metadata (which an
	// update may replace, but never its source).
	deliveryStream     string
	region, streamName string
	start              time.Time // DeliveryStartTimestamp

	// Owned by the reader goroutine.
	cursors map[string]*cursor
	done    map[string]bool // shards read to their end
	lastErr string          // the last error logged
}

// cursor follows one shard.
type cursor struct {
	iter string // "" when one must be fetched
	last string // sequence number of the last record read; "" for none yet
}

// maxReadAhead caps the reader's lead: a stream source holds at most its
// buffer (the size hint, up to 128 MiB) plus this, each overshooting by at
// most one GetRecords answer (10 MiB).
const maxReadAhead = 64 << 20

// newReader starts from the checkpoint: the worker's state when no batch
// is buffered.
func newReader(ds *dstream, ck checkpoint) *reader {
	m := ds.snapshot()
	region, _, name, _ := ParseStreamARN(m.Source.KinesisStreamARN)
	r := &reader{ds: ds, chunks: make(chan chunk, 64), space: make(chan struct{}, 1),
		deliveryStream: m.Name, region: region, streamName: name, start: m.Source.StartTime,
		cursors: map[string]*cursor{}, done: map[string]bool{}}
	for _, id := range ck.Done {
		r.done[id] = true
	}
	for id, seq := range ck.Shards {
		r.cursors[id] = &cursor{last: seq}
	}
	return r
}

// took is the worker's receipt for n bytes.
func (r *reader) took(n int64) {
	r.ahead.Add(-n)
	select {
	case r.space <- struct{}{}:
	default:
	}
}

// run reads until ctx is done.
func (r *reader) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		more, err := r.round(ctx)
		if err != nil {
			// Log a failing source once per distinct error, not every round.
			if msg := err.Error(); msg != r.lastErr {
				r.lastErr = msg
				r.ds.stats.setError(err)
				r.ds.e.cfg.Log.Warn("delivery: read source stream", "deliveryStream", r.deliveryStream, "err", err)
			}
		} else {
			r.lastErr = ""
		}
		if more && err == nil {
			continue
		}
		timer.Reset(r.ds.e.cfg.PollInterval)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}

// round reads one answer from every readable shard. more says some shard
// answered in full, so it likely holds more already.
func (r *reader) round(ctx context.Context) (more bool, err error) {
	st, err := r.ds.e.cfg.Streams.Describe(r.region, r.streamName)
	if err != nil {
		return false, err
	}
	retained := map[string]bool{}
	for _, sh := range st.Shards {
		retained[sh.ID] = true
	}
	done := func(id string) bool { return id == "" || !retained[id] || r.done[id] }
	for _, sh := range st.Shards {
		if r.done[sh.ID] || !done(sh.ParentShardID) || !done(sh.AdjacentParentShardID) {
			continue
		}
		if !r.wait(ctx) {
			return false, nil
		}
		c := r.cursors[sh.ID]
		if c == nil {
			c = &cursor{}
			r.cursors[sh.ID] = c
		}
		full, err := r.read(ctx, sh.ID, c)
		if err != nil {
			return more, err
		}
		more = more || full
	}
	return more, nil
}

// wait blocks while the reader is lead bytes ahead of the worker. It
// returns false when ctx is done.
func (r *reader) wait(ctx context.Context) bool {
	for {
		lead := min(r.ds.currentPlan().sizeBytes, maxReadAhead)
		if r.ahead.Load() < lead {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-r.space:
		}
	}
}

// read hands one GetRecords answer from shard id to the worker. full says
// the answer was cut by GetRecords' limits rather than the shard's tip.
func (r *reader) read(ctx context.Context, id string, c *cursor) (full bool, err error) {
	ds, region, name := r.ds, r.region, r.streamName
	if c.iter == "" {
		pos := stream.Position{Type: stream.AtTimestamp, Timestamp: r.start}
		if c.last != "" {
			pos = stream.Position{Type: stream.AfterSequenceNumber, SequenceNumber: c.last}
		}
		if c.iter, err = ds.e.cfg.Streams.GetShardIterator(region, name, id, pos); err != nil {
			return false, err
		}
	}
	out, err := ds.e.cfg.Streams.GetRecords(region, c.iter, stream.MaxGetRecordsLimit)
	if err != nil {
		c.iter = ""
		if errors.Is(err, stream.ErrExpiredIterator) {
			return true, nil // fetch a new one at once
		}
		if errors.Is(err, stream.ErrThroughputExceeded) {
			return false, nil
		}
		return false, err
	}
	ch := chunk{shard: id, recs: out}
	n := len(out.Records)
	for _, rec := range out.Records {
		ch.bytes += int64(len(rec.Data))
	}
	if n > 0 {
		ch.last = out.Records[n-1].SequenceNumber
		c.last = ch.last
	}
	c.iter = out.NextIterator
	if c.iter == "" {
		ch.ended = true
		r.done[id] = true
	}
	if n == 0 && !ch.ended {
		out.Release()
		return false, nil
	}
	r.ahead.Add(ch.bytes)
	select {
	case r.chunks <- ch:
	case <-ctx.Done():
		return false, nil
	}
	ds.poke()
	// Half the byte limit: an answer cut by bytes holds at least the limit
	// less one record, and records are at most 1 MiB by default.
	return n == stream.MaxGetRecordsLimit || ch.bytes >= stream.MaxGetRecordsBytes/2, nil
}

// startReader runs the reader of a stream source until the worker's
// context ends; the returned wait blocks until it has.
func (ds *dstream) startReader() (wait func()) {
	ds.src.rd = newReader(ds, ds.ck)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ds.src.rd.run(ds.ctx)
	}()
	return wg.Wait
}
