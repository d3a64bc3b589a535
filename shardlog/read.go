package shardlog

// Reads of the file log: Read and SeekTime, through the sparse index.

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Read buffers are pooled: a Read borrows one for its file reads only.
// They are 1 MiB: a GetRecords of 10,000 1 KiB records reads ~14 MB, and
// at 64 KiB per pread the fixed cost of each call (syscall entry, file
// lookup, atime and permission checks) was over a third of the server's
// CPU in a read-back; segReader still starts small (initialReadAhead) and
// doubles, so short reads stay short.
var readBufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

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
	f        File // valid while the reader holds fileMu
	loaded   bool
	size     int64
	next     uint64
	nextBase uint64 // base of the following segment; next if none
	damaged  error
}

func (l *fileLog) viewLocked(i int) segView {
	s := l.segs[i]
	v := segView{s: s, f: s.f, loaded: s.loaded, size: s.size, next: s.next, nextBase: s.next, damaged: s.damaged}
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
		if !v.loaded {
			l.mu.RUnlock()
			if err := l.ensureLoaded(v.s); err != nil {
				return buf, readErr(n, err)
			}
			continue
		}
		pos, off := startLocked(v.s, from)
		l.mu.RUnlock()

		if from >= v.next {
			if v.damaged != nil && from < v.nextBase {
				return buf, readErr(n, v.damaged)
			}
			from = v.nextBase
			continue
		}
		sr.reset(v.f, pos, v.size, *bufp)
		for off < v.next {
			rv, at, err := sr.next(off >= from)
			if err == nil && rv.offset != off {
				err = fmt.Errorf("offset %d where %d expected: %w", rv.offset, off, errBad)
			}
			if err != nil {
				*bufp = sr.buf
				return buf, readErr(n, readFailure("read", v.s.path, at, err))
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

// readFailure wraps an error met reading published records: damage
// (ErrCorrupt) or an I/O error (passed on as it is).
func readFailure(op, path string, at int64, err error) error {
	if errors.Is(err, errBad) || errors.Is(err, errShort) {
		return fmt.Errorf("shardlog: %s %s at byte %d: %w (%w)", op, path, at, ErrCorrupt, err)
	}
	return fmt.Errorf("shardlog: %s %s at byte %d: %w", op, path, at, err)
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
	for {
		l.mu.RLock()
		if l.closed {
			l.mu.RUnlock()
			return 0, ErrClosed
		}
		// firstTs does not decrease from segment to segment (see recover),
		// so the answer is in the last segment whose first record is
		// older than ms, or else where the segment after it starts.
		j := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].firstTs >= ms }) - 1
		if j < 0 {
			first := l.segs[0].base
			l.mu.RUnlock()
			return first, nil
		}
		v := l.viewLocked(j)
		if !v.loaded {
			l.mu.RUnlock()
			if err := l.ensureLoaded(v.s); err != nil {
				return 0, err
			}
			continue
		}
		after := l.next
		if j+1 < len(l.segs) {
			after = l.segs[j+1].base
		}
		if v.damaged != nil {
			// The unreadable records at the end of segment j may be the
			// first at or after ms: answer with them, so that the Read that
			// follows reports the damage instead of skipping it.
			after = v.next
		}
		idx := v.s.index
		k := sort.Search(len(idx), func(k int) bool { return idx[k].ts >= ms }) - 1
		pos, off := int64(segHeaderSize), v.s.base
		if k >= 0 {
			pos, off = idx[k].pos, idx[k].offset
		}
		l.mu.RUnlock()
		return l.seekIn(v, pos, off, ms, after)
	}
}

// seekIn scans segment v from pos (the record at offset off) for the first
// record at or after ms, and returns after if there is none.
func (l *fileLog) seekIn(v segView, pos int64, off uint64, ms int64, after uint64) (uint64, error) {
	bufp := getReadBuf()
	defer putReadBuf(bufp)
	var sr segReader
	sr.reset(v.f, pos, v.size, *bufp)
	defer func() { *bufp = sr.buf }()
	for ; off < v.next; off++ {
		rv, at, err := sr.next(true)
		if err == nil && rv.offset != off {
			err = fmt.Errorf("offset %d where %d expected: %w", rv.offset, off, errBad)
		}
		if err != nil {
			return 0, readFailure("seek", v.s.path, at, err)
		}
		if rv.ts >= ms {
			return off, nil
		}
	}
	return after, nil
}
