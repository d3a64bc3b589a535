package shardlog

// Group commit.
//
// Every Append queues a request and waits; one writer goroutine per log
// takes everything queued, frames it into one buffer, writes it with one
// write call and (SyncAlways) one fsync, publishes it to readers and only
// then wakes the appenders. While it writes and syncs, new appends queue up
// and form the next batch, so concurrent producers share fsyncs without any
// artificial delay; a lone producer pays one write + one fsync.
//
// The writer sleeps on a 1-slot channel (wake) when there is nothing to do:
// an appender that queues a request drops a token into the slot if it is
// empty; a token already there covers it, since the writer takes the
// queue after taking the token. A batch holds at most maxBatchBytes; the
// writer leaves itself a token when more is queued. Under SyncInterval a
// timer is armed only while written data is unsynced, so an idle log costs
// no wakeups.
//
// Invariants:
//   - Records are published (visible to Read, counted by Bounds) only after
//     their write (and sync, per SyncMode) succeeded, and appenders are
//     answered only after publication, so a Read never returns data a
//     crash could lose under SyncAlways.
//   - After a failed write or sync the error is sticky: the batch and every
//     later Append fail with it (fsync failures leave the page cache in an
//     unknown state, so retrying could ack lost data). Reopening the log is
//     the recovery.
//   - A segment is complete and synced (in every SyncMode) before the next
//     one is created; a new segment's directory entry is synced before any
//     record in it is acknowledged.
//
// Tried and rejected: a leader/follower scheme (the first appender writes
// for everyone, as Pebble's commit pipeline does) avoids a goroutine
// hand-off, but under steady load the leader keeps writing for others long
// after its own records are durable; the fsync dominates either way.

import (
	"fmt"
	"sync"
	"time"
)

type appendReq struct {
	entries []Entry
	size    int64 // framed bytes
	first   uint64
	ts      int64
	err     error
	done    chan struct{} // 1-slot; signalled once the request is answered
	// cb, when set, is called by the writer instead of signalling done
	// (AppendAsync); the writer then recycles the request.
	cb func(first uint64, ts int64, err error)
}

var reqPool = sync.Pool{New: func() any { return &appendReq{done: make(chan struct{}, 1)} }}

func (l *fileLog) Append(entries []Entry) (uint64, int64, error) {
	size, err := checkEntries(entries)
	if err != nil {
		return 0, 0, err
	}
	l.qmu.Lock()
	switch {
	case l.qclosed:
		l.qmu.Unlock()
		return 0, 0, ErrClosed
	case l.err != nil:
		err := l.err
		l.qmu.Unlock()
		return 0, 0, err
	}
	r := reqPool.Get().(*appendReq)
	r.entries, r.size = entries, size
	l.queue = append(l.queue, r)
	l.qmu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	<-r.done
	first, ts, err := r.first, r.ts, r.err
	*r = appendReq{done: r.done}
	reqPool.Put(r)
	return first, ts, err
}

// AppendAsync queues entries as Append does and returns at once; done is
// called exactly once, from the log's writer goroutine (or from this call
// when the log is closed or failed), with what Append would have returned.
// entries must stay unchanged until then; done must not block.
func (l *fileLog) AppendAsync(entries []Entry, done func(first uint64, ts int64, err error)) {
	size, err := checkEntries(entries)
	if err != nil {
		done(0, 0, err)
		return
	}
	l.qmu.Lock()
	switch {
	case l.qclosed:
		l.qmu.Unlock()
		done(0, 0, ErrClosed)
		return
	case l.err != nil:
		err := l.err
		l.qmu.Unlock()
		done(0, 0, err)
		return
	}
	r := reqPool.Get().(*appendReq)
	r.entries, r.size, r.cb = entries, size, done
	l.queue = append(l.queue, r)
	l.qmu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// stickyErr returns the error that stopped the log, if any.
func (l *fileLog) stickyErr() error {
	l.qmu.Lock()
	defer l.qmu.Unlock()
	return l.err
}

func (l *fileLog) setErr(err error) {
	l.qmu.Lock()
	if l.err == nil {
		l.err = err
	}
	l.qmu.Unlock()
}

// writer is the state of a log's writer goroutine; only it touches these.
type writer struct {
	l        *fileLog
	active   *segment
	next     uint64 // offset of the next record
	lastTs   int64
	buf      []byte       // framed records for the active segment, not yet written
	batch    []*appendReq // the batch being committed (reused)
	staged   []stagedIndex
	touched  []*segment // segments written by the current batch
	created  []*segment // segments created by the current batch
	timer    *time.Timer
	armed    bool  // timer running (SyncInterval)
	dirty    bool  // active segment has written, unsynced data
	closeErr error // result of the final flush, for Close
}

type stagedIndex struct {
	s *segment
	e indexEntry
}

func (w *writer) init(l *fileLog) {
	w.l = l
	w.active = l.segs[len(l.segs)-1]
	w.next = l.next
	w.lastTs = l.lastTs
	w.timer = time.NewTimer(time.Hour)
	w.timer.Stop()
}

// run is the writer goroutine.
func (l *fileLog) run() {
	w := &l.w
	defer close(l.exited)
	for {
		var tick <-chan time.Time
		if w.armed {
			tick = w.timer.C
		}
		select {
		case <-l.wake:
			w.commitQueued()
		case <-tick:
			w.armed = false
			w.syncDirty()
		case <-l.quit:
			// Close marked the queue closed before signalling quit, so
			// this takes every request that will ever be queued.
			for w.commitQueued() {
			}
			w.timer.Stop()
			w.closeErr = w.l.stickyErr()
			if w.closeErr == nil {
				if err := w.active.f.Sync(); err != nil {
					w.closeErr = fmt.Errorf("shardlog: sync %s: %w", w.active.path, err)
				}
			}
			return
		}
	}
}

// commitQueued commits the queued requests, up to maxBatchBytes of them
// (at least one). If more remain it leaves a wake token, so the writer
// comes back to them after checking its other channels (a SyncInterval
// timer must not starve under constant load), and reports that.
func (w *writer) commitQueued() (more bool) {
	l := w.l
	l.qmu.Lock()
	q := l.queue
	k, size := 0, int64(0)
	for k < len(q) && (k == 0 || size+q[k].size <= maxBatchBytes) {
		size += q[k].size
		k++
	}
	batch := append(w.batch[:0], q[:k]...)
	rest := copy(q, q[k:])
	clear(q[rest:])
	l.queue = q[:rest]
	l.qmu.Unlock()
	if rest > 0 {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	if len(batch) > 0 {
		w.commit(batch)
	}
	clear(batch)
	w.batch = batch[:0]
	if cap(w.buf) > 2*maxBatchBytes {
		w.buf = nil // a burst's buffer is not worth keeping per idle shard
	}
	return rest > 0
}

// maxBatchBytes bounds one group commit, and so the writer's buffer.
// Larger batches gain nothing: at this size the write, not the fsync,
// dominates.
const maxBatchBytes = 8 << 20

// commit writes one batch, publishes it and answers its appenders.
func (w *writer) commit(batch []*appendReq) {
	l := w.l
	if err := l.stickyErr(); err != nil {
		answer(batch, err)
		return
	}
	ts := max(l.opts.Now().UnixMilli(), w.lastTs)
	next, err := w.stage(batch, ts)
	if err != nil {
		for _, s := range w.created {
			s.f.Close()
		}
		l.setErr(err)
		answer(batch, err)
		return
	}

	l.mu.Lock()
	for _, s := range w.touched {
		if s.wnext > s.next {
			if s.empty() {
				s.firstTs = ts
			}
			s.lastTs = ts
		}
		s.size, s.next = s.wpos, s.wnext
	}
	for _, st := range w.staged {
		st.s.index = append(st.s.index, st.e)
	}
	l.segs = append(l.segs, w.created...)
	l.next, l.lastTs = next, ts
	l.mu.Unlock()
	w.next, w.lastTs = next, ts
	answer(batch, nil)
}

// stage frames, writes and syncs a batch, rolling segments as needed, and
// returns the offset after it. Nothing is published yet.
func (w *writer) stage(batch []*appendReq, ts int64) (uint64, error) {
	l := w.l
	w.buf = w.buf[:0]
	w.staged = w.staged[:0]
	w.touched = append(w.touched[:0], w.active)
	w.created = w.created[:0]
	next := w.next
	for _, r := range batch {
		a := w.active
		// Records of one Append stay in one segment; a segment exceeds
		// SegmentBytes only when a single Append alone does.
		if a.wnext > a.base && a.wpos+r.size > l.opts.SegmentBytes {
			if err := w.roll(next); err != nil {
				return 0, err
			}
			a = w.active
		}
		r.first, r.ts = next, ts
		for i := range r.entries {
			e := &r.entries[i]
			if a.wpos-a.widx >= indexEveryBytes {
				w.staged = append(w.staged, stagedIndex{a, indexEntry{offset: next, pos: a.wpos, ts: ts}})
				a.widx = a.wpos
			}
			w.buf = appendRecord(w.buf, next, ts, e.PartitionKey, e.Data)
			a.wpos += frameSize(len(e.PartitionKey), len(e.Data))
			next++
		}
		a.wnext = next
	}
	if err := w.flush(); err != nil {
		return 0, err
	}
	switch l.opts.Sync {
	case SyncAlways:
		if err := w.active.f.Sync(); err != nil {
			return 0, fmt.Errorf("shardlog: sync %s: %w", w.active.path, err)
		}
	case SyncInterval:
		w.dirty = true
		if !w.armed {
			w.timer.Reset(l.opts.SyncInterval)
			w.armed = true
		}
	}
	if len(w.created) > 0 {
		if err := l.fs.SyncDir(l.dir); err != nil {
			return 0, fmt.Errorf("shardlog: sync directory %s: %w", l.dir, err)
		}
	}
	return next, nil
}

// flush writes the buffered bytes to the active segment.
func (w *writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.active.f.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("shardlog: write %s: %w", w.active.path, err)
	}
	return nil
}

// roll completes the active segment and starts one whose base is base.
func (w *writer) roll(base uint64) error {
	l := w.l
	old := w.active
	if err := w.flush(); err != nil {
		return err
	}
	// Even under SyncNever: a segment that could lose its tail after its
	// successor exists would leave a hole in the offsets (served as
	// ErrCorrupt forever), and one fsync per segment costs nothing.
	if err := old.f.Sync(); err != nil {
		return fmt.Errorf("shardlog: sync %s: %w", old.path, err)
	}
	s, err := l.createSegmentFile(base)
	if err != nil {
		return fmt.Errorf("shardlog: roll: %w", err)
	}
	s.firstTs, s.lastTs = w.lastTs, w.lastTs
	w.created = append(w.created, s)
	w.touched = append(w.touched, s)
	w.buf = appendSegHeader(w.buf, base)
	w.active = s
	w.dirty = false // old is synced; the new one is marked dirty when written
	return nil
}

// syncDirty fsyncs the active segment under SyncInterval.
func (w *writer) syncDirty() {
	if !w.dirty || w.l.stickyErr() != nil {
		return
	}
	w.dirty = false
	if err := w.active.f.Sync(); err != nil {
		w.l.setErr(fmt.Errorf("shardlog: sync %s: %w", w.active.path, err))
	}
}

// answer completes every request of a batch with err.
func answer(batch []*appendReq, err error) {
	for _, r := range batch {
		if err != nil {
			r.first, r.ts = 0, 0
		}
		if cb := r.cb; cb != nil {
			first, ts := r.first, r.ts
			*r = appendReq{done: r.done}
			reqPool.Put(r)
			cb(first, ts, err)
			continue
		}
		r.err = err
		r.done <- struct{}{}
	}
}
