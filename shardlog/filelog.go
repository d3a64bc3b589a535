package shardlog

// The file log: segment files in one directory (format in format.go),
// appended by one writer goroutine (writer.go), read concurrently through a
// sparse in-memory index.
//
// Recovery rules, applied by Open:
//
//   - Every segment header is validated. A header from a newer format
//     version fails Open with ErrUnsupportedVersion: nothing is rewritten
//     that this build cannot read.
//   - The last (active) segment is scanned record by record. Its valid
//     prefix ends at the first incomplete or invalid record; everything after
//     it is a torn write from a crash and is truncated away (and the
//     truncation synced) before anything new is written. A last segment whose
//     header is torn (a crash while rolling) is rewritten empty.
//   - Older segments are scanned the same way, but never modified. If one
//     turns out to hold damage before its end (or a damaged header), its
//     records from that point up to the next segment's base offset are not
//     served: Read returns an error wrapping ErrCorrupt there, and SeekTime
//     answers with the start of that range (not past it) when the time asked
//     for may fall inside it, so that the Read that follows reports it.
//     We stop rather than skip because a silently skipped range looks like
//     data that never existed, and a consumer cannot tell that from a gap.
//     Reads before and after the damaged range work; an operator (or the
//     stream engine) decides what to do, e.g. let retention remove it.
//   - Records are checksummed again on every Read, so damage that appears
//     after Open is also reported as ErrCorrupt, never served.
//
// Offsets are never reused: the active segment is never removed, and its
// name (its base offset) and records determine the next offset on Open.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// fileLog is a Log stored in segment files.
//
// Locking, in acquisition order: fileMu, then mu. qmu is independent.
//   - fileMu is held shared while a segment file is read and exclusively
//     while segment files are closed (ExpireBefore, Close), so no reader uses
//     a closed file. The writer does not take it: it only writes the active
//     segment, which nothing else closes while the writer runs.
//   - mu guards the published state: segs, and each segment's published
//     fields. The writer publishes a batch under mu only once it is written
//     (and synced, per SyncMode), so readers never see unacknowledged data.
//   - qmu guards the append queue and the sticky error.
type fileLog struct {
	dir  string
	fs   FS
	opts Options

	fileMu sync.RWMutex

	mu     sync.RWMutex
	segs   []*segment // ascending base; the last is active; never empty
	next   uint64     // offset the next record gets
	lastTs int64
	closed bool

	qmu     sync.Mutex
	queue   []*appendReq
	qclosed bool  // no more appends are queued
	err     error // sticky write/sync error; every later Append fails with it

	wake   chan struct{} // 1-slot: "the queue may be non-empty"
	quit   chan struct{} // closed by Close
	exited chan struct{} // closed by the writer when it has stopped
	w      writer        // owned by the writer goroutine
}

// segment is one segment file. Published fields are guarded by fileLog.mu;
// w* fields are owned by the writer goroutine.
type segment struct {
	base uint64
	path string
	f    File

	size    int64  // end of the published valid records
	next    uint64 // offset after the last published record (base if none)
	firstTs int64  // of the first record; if none, lastTs of the segment before
	lastTs  int64  // of the last record; if none, as firstTs
	index   []indexEntry
	// damaged: the records from next up to the following segment's base
	// cannot be served (ErrCorrupt). Only ever set on a non-active segment.
	damaged error

	wpos  int64  // file size once buffered bytes are written
	wnext uint64 // offset after the last record staged by the writer
	widx  int64  // position of the last index entry (writer's copy)
}

func (s *segment) empty() bool { return s.next == s.base }

// Open opens the log in dir, creating dir and an empty log (whose first
// offset is opts.StartOffset) if needed, and recovers it (see the recovery
// rules above).
func Open(dir string, opts Options) (Log, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	l := &fileLog{
		dir:    dir,
		fs:     opts.FS,
		opts:   opts,
		wake:   make(chan struct{}, 1),
		quit:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	if err := l.recover(); err != nil {
		for _, s := range l.segs {
			s.f.Close()
		}
		return nil, fmt.Errorf("shardlog: open %s: %w", dir, err)
	}
	l.w.init(l)
	go l.run()
	return l, nil
}

// recover loads the segments of l.dir (creating the first if there is none).
func (l *fileLog) recover() error {
	if err := l.fs.MkdirAll(l.dir, 0o755); err != nil {
		return err
	}
	ents, err := l.fs.ReadDir(l.dir)
	if err != nil {
		return err
	}
	var bases []uint64
	for _, e := range ents {
		if base, ok := parseSegName(e.Name()); ok && !e.IsDir() {
			bases = append(bases, base)
		}
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	if len(bases) == 0 {
		s, err := l.createSegment(l.opts.StartOffset)
		if err != nil {
			return err
		}
		l.segs = []*segment{s}
		l.next = s.base
		return nil
	}
	bufp := getReadBuf()
	defer putReadBuf(bufp)
	var prevTs int64
	for i, base := range bases {
		last := i == len(bases)-1
		s, err := l.loadSegment(base, last, prevTs, *bufp)
		if s != nil {
			l.segs = append(l.segs, s)
		}
		if err != nil {
			return err
		}
		if i > 0 {
			p := l.segs[i-1]
			if p.next > s.base {
				return fmt.Errorf("segment %s holds offsets up to %d, past the next segment's base %d: %w", p.path, p.next-1, s.base, ErrCorrupt)
			}
			if p.next < s.base && p.damaged == nil {
				p.damaged = fmt.Errorf("segment %s ends at offset %d, before the next segment's base %d: %w", p.path, p.next, s.base, ErrCorrupt)
			}
		}
		prevTs = s.lastTs
	}
	active := l.segs[len(l.segs)-1]
	l.next = active.next
	l.lastTs = active.lastTs
	return nil
}

// loadSegment opens and scans the segment with the given base. prevTs is
// the last timestamp of the segment before it (for an empty segment's
// timestamps, which keep segment timestamps monotonic for SeekTime).
func (l *fileLog) loadSegment(base uint64, last bool, prevTs int64, buf []byte) (*segment, error) {
	path := filepath.Join(l.dir, segName(base))
	flag := os.O_RDONLY
	if last {
		flag = os.O_RDWR | os.O_APPEND
	}
	f, err := l.fs.OpenFile(path, flag, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &segment{base: base, path: path, f: f, size: segHeaderSize, next: base, firstTs: prevTs, lastTs: prevTs}
	res, err := scanSegment(f, fi.Size(), buf)
	switch {
	case err == nil && res.base != base:
		err = fmt.Errorf("segment %s: header says base %d: %w", path, res.base, errBad)
	case errors.Is(err, ErrUnsupportedVersion):
		f.Close()
		return nil, fmt.Errorf("segment %s: %w", path, err)
	case err != nil && !errors.Is(err, errShort) && !errors.Is(err, errBad):
		f.Close()
		return nil, fmt.Errorf("segment %s: %w", path, err) // I/O error
	}
	if err != nil {
		// The header is torn or damaged, so nothing in the file can be trusted.
		if !last {
			s.damaged = fmt.Errorf("segment %s: header: %w (%w)", path, ErrCorrupt, err)
			return s, nil
		}
		// A crash while creating the active segment: start it again.
		if err := l.resetSegment(s); err != nil {
			return s, err
		}
		return s, nil
	}
	s.size, s.next, s.index = res.end, res.next, res.index
	if res.next > base {
		s.firstTs, s.lastTs = res.firstTs, res.lastTs
	}
	if res.stop != nil {
		if !last {
			s.damaged = fmt.Errorf("segment %s: offset %d: %w (%w)", path, res.next, ErrCorrupt, res.stop)
		} else if err := l.truncateTail(s, res.end); err != nil {
			return s, err
		}
	}
	s.wpos, s.wnext = s.size, s.next
	s.widx = -indexEveryBytes
	if n := len(s.index); n > 0 {
		s.widx = s.index[n-1].pos
	}
	return s, nil
}

// truncateTail cuts a torn tail off the active segment and makes the cut
// durable before anything can be appended after it.
func (l *fileLog) truncateTail(s *segment, end int64) error {
	if err := s.f.Truncate(end); err != nil {
		return fmt.Errorf("truncate torn tail of %s at %d: %w", s.path, end, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", s.path, err)
	}
	return nil
}

// resetSegment rewrites the active segment s as an empty segment.
func (l *fileLog) resetSegment(s *segment) error {
	if err := s.f.Truncate(0); err != nil {
		return fmt.Errorf("reset %s: %w", s.path, err)
	}
	if _, err := s.f.Write(appendSegHeader(nil, s.base)); err != nil {
		return fmt.Errorf("write header of %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", s.path, err)
	}
	s.size, s.next, s.index = segHeaderSize, s.base, nil
	s.wpos, s.wnext, s.widx = segHeaderSize, s.base, -indexEveryBytes
	return nil
}

// createSegment creates a durable, empty segment file for base: header
// written and synced, directory entry synced.
func (l *fileLog) createSegment(base uint64) (*segment, error) {
	s, err := l.createSegmentFile(base)
	if err != nil {
		return nil, err
	}
	if _, err := s.f.Write(appendSegHeader(nil, base)); err != nil {
		s.f.Close()
		return nil, fmt.Errorf("write header of %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		s.f.Close()
		return nil, fmt.Errorf("sync %s: %w", s.path, err)
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		s.f.Close()
		return nil, fmt.Errorf("sync directory %s: %w", l.dir, err)
	}
	return s, nil
}

// createSegmentFile creates the file for a segment, without its header.
func (l *fileLog) createSegmentFile(base uint64) (*segment, error) {
	path := filepath.Join(l.dir, segName(base))
	f, err := l.fs.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &segment{
		base: base, path: path, f: f,
		size: segHeaderSize, next: base,
		wpos: segHeaderSize, wnext: base, widx: -indexEveryBytes,
	}, nil
}

// Read buffers are pooled: a Read borrows one for its file reads only.
var readBufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

func getReadBuf() *[]byte { return readBufPool.Get().(*[]byte) }

func putReadBuf(b *[]byte) {
	if cap(*b) <= 16<<20 {
		readBufPool.Put(b)
	}
}

// segAt returns the index in segs of the segment that holds offset off
// (which must be >= segs[0].base). Must hold mu.
func (l *fileLog) segAtLocked(off uint64) int {
	return sort.Search(len(l.segs), func(i int) bool { return l.segs[i].base > off }) - 1
}

// segView is a snapshot of a segment's published state, for reading
// without mu.
type segView struct {
	s        *segment
	size     int64
	next     uint64
	nextBase uint64 // base of the following segment; next if none
	damaged  error
	// damagedBefore is the damage of the previous segment if its
	// unreadable range ends where this segment starts (SeekTime only).
	damagedBefore error
	damagedFrom   uint64
}

func (l *fileLog) viewLocked(i int) segView {
	s := l.segs[i]
	v := segView{s: s, size: s.size, next: s.next, nextBase: s.next, damaged: s.damaged}
	if i+1 < len(l.segs) {
		v.nextBase = l.segs[i+1].base
	}
	return v
}

// startLocked returns where to start scanning s for offset from: the last
// index entry at or before it.
func startLocked(s *segment, from uint64) (pos int64, off uint64) {
	idx := s.index
	j := sort.Search(len(idx), func(j int) bool { return idx[j].offset > from }) - 1
	if j < 0 {
		return segHeaderSize, s.base
	}
	return idx[j].pos, idx[j].offset
}

func (l *fileLog) Read(from uint64, maxRecords, maxBytes int, buf []Record) ([]Record, error) {
	l.fileMu.RLock()
	defer l.fileMu.RUnlock()
	bufp := getReadBuf()
	defer putReadBuf(bufp)
	var sr segReader
	var mem arena
	var n, bytes int
	for {
		l.mu.RLock()
		if l.closed {
			l.mu.RUnlock()
			return buf, ErrClosed
		}
		from = max(from, l.segs[0].base)
		if from >= l.next {
			l.mu.RUnlock()
			return buf, nil
		}
		v := l.viewLocked(l.segAtLocked(from))
		pos, off := startLocked(v.s, from)
		l.mu.RUnlock()

		if from >= v.next {
			if v.damaged != nil && from < v.nextBase {
				return buf, readErr(n, v.damaged)
			}
			from = v.nextBase
			continue
		}
		sr.reset(v.s.f, pos, v.size, *bufp)
		for off < v.next {
			rv, at, err := sr.next(off >= from)
			if err == nil && rv.offset != off {
				err = fmt.Errorf("offset %d where %d expected: %w", rv.offset, off, errBad)
			}
			if err != nil {
				*bufp = sr.buf
				return buf, readErr(n, fmt.Errorf("shardlog: read %s at byte %d: %w (%w)", v.s.path, at, ErrCorrupt, err))
			}
			off++
			if rv.offset < from {
				continue
			}
			if limitReached(n, bytes, len(rv.data), maxRecords, maxBytes) {
				*bufp = sr.buf
				return buf, nil
			}
			buf = appendRecordTo(buf, rv, &mem)
			n++
			bytes += len(rv.data)
		}
		*bufp = sr.buf
		from = v.next
	}
}

// readErr returns err only when nothing was read: a Read that returned
// records reports the error on the next call, which starts at the bad record.
func readErr(n int, err error) error {
	if n > 0 {
		return nil
	}
	return err
}

// appendRecordTo appends rv to buf. Data goes into the capacity the slot it
// lands in already has (the contract lets Data alias memory until the next
// Read on the same buf), else into the arena, so a Read allocates nothing
// per record: nothing at all in steady state with a reused buf, a few
// arena chunks with a fresh one.
func appendRecordTo(buf []Record, rv recView, a *arena) []Record {
	if len(buf) < cap(buf) {
		buf = buf[:len(buf)+1]
	} else {
		buf = append(buf, Record{})
	}
	r := &buf[len(buf)-1]
	r.Offset = rv.offset
	r.Timestamp = rv.ts
	if r.PartitionKey != string(rv.key) { // compiles to a comparison without allocation
		r.PartitionKey = unsafeString(a.copy(rv.key))
	}
	if cap(r.Data) >= len(rv.data) {
		r.Data = append(r.Data[:0], rv.data...)
	} else {
		r.Data = a.copy(rv.data)
	}
	return buf
}

// arena hands out copies of byte slices from a few large allocations. A
// chunk is never written again once handed out (each copy is capped at its
// own length), so strings made from it stay immutable and Data slices in
// different slots never overlap.
type arena struct{ chunk []byte }

const arenaChunk = 64 << 10

func (a *arena) copy(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if cap(a.chunk)-len(a.chunk) < len(b) {
		if len(b) > arenaChunk/4 {
			return append([]byte(nil), b...) // big: its own allocation, keep the chunk
		}
		a.chunk = make([]byte, 0, arenaChunk)
	}
	start := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return a.chunk[start:len(a.chunk):len(a.chunk)]
}

func (l *fileLog) SeekTime(ms int64) (uint64, error) {
	l.fileMu.RLock()
	defer l.fileMu.RUnlock()
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return 0, ErrClosed
	}
	// Segment timestamps are monotonic (empty segments inherit their
	// predecessor's), so the first segment whose newest record is >= ms
	// holds the answer.
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].lastTs >= ms })
	if i == len(l.segs) {
		next := l.next
		l.mu.RUnlock()
		return next, nil
	}
	v := l.viewLocked(i)
	if i > 0 {
		if p := l.segs[i-1]; p.damaged != nil && p.next < v.s.base {
			v.damagedBefore, v.damagedFrom = p.damaged, p.next
		}
	}
	if v.s.empty() {
		// Only possible for the first segment (nothing before it to inherit
		// a timestamp from): every record qualifies.
		l.mu.RUnlock()
		return v.s.base, nil
	}
	idx := v.s.index
	j := sort.Search(len(idx), func(j int) bool { return idx[j].ts >= ms }) - 1
	pos, off := int64(segHeaderSize), v.s.base
	if j >= 0 {
		pos, off = idx[j].pos, idx[j].offset
	}
	l.mu.RUnlock()

	bufp := getReadBuf()
	defer putReadBuf(bufp)
	var sr segReader
	sr.reset(v.s.f, pos, v.size, *bufp)
	defer func() { *bufp = sr.buf }()
	for ; off < v.next; off++ {
		rv, at, err := sr.next(true)
		if err == nil && rv.offset != off {
			err = fmt.Errorf("offset %d where %d expected: %w", rv.offset, off, errBad)
		}
		if err != nil {
			return 0, fmt.Errorf("shardlog: seek %s at byte %d: %w (%w)", v.s.path, at, ErrCorrupt, err)
		}
		if rv.ts >= ms {
			if off == v.s.base && v.damagedBefore != nil {
				// The unreadable records just before may be the first at
				// or after ms: answer with them, so the Read that follows
				// reports the damage instead of silently skipping it.
				return v.damagedFrom, nil
			}
			return off, nil
		}
	}
	// Unreachable unless the segment changed under us, which published
	// records never do.
	return 0, fmt.Errorf("shardlog: seek %s: no record at or after %d: %w", v.s.path, ms, ErrCorrupt)
}

func (l *fileLog) Bounds() (first, next uint64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.segs[0].base, l.next
}

func (l *fileLog) LastTimestamp() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.lastTs
}

func (l *fileLog) ExpireBefore(ms int64) error {
	l.fileMu.Lock()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.fileMu.Unlock()
		return ErrClosed
	}
	k := 0
	for k < len(l.segs)-1 && l.segs[k].lastTs < ms {
		k++
	}
	victims := append([]*segment(nil), l.segs[:k]...)
	l.segs = append([]*segment(nil), l.segs[k:]...)
	l.mu.Unlock()
	// Oldest first, so that a failure leaves a contiguous suffix of the log.
	for i, s := range victims {
		if err := l.fs.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			l.mu.Lock()
			l.segs = append(victims[i:len(victims):len(victims)], l.segs...)
			l.mu.Unlock()
			l.fileMu.Unlock()
			return fmt.Errorf("shardlog: expire %s: %w", s.path, err)
		}
		s.f.Close()
	}
	l.fileMu.Unlock() // readers need not wait for the directory sync
	if k == 0 {
		return nil
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		return fmt.Errorf("shardlog: expire: sync directory %s: %w", l.dir, err)
	}
	return nil
}

func (l *fileLog) Close() error {
	l.qmu.Lock()
	if l.qclosed {
		l.qmu.Unlock()
		return nil
	}
	l.qclosed = true
	l.qmu.Unlock()
	close(l.quit)
	<-l.exited

	l.fileMu.Lock()
	defer l.fileMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	err := l.w.closeErr
	for _, s := range l.segs {
		if cerr := s.f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("shardlog: close %s: %w", s.path, cerr)
		}
	}
	return err
}

var _ io.ReaderAt = File(nil)
