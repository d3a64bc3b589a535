package shardlog

import (
	"sort"
	"sync"
)

// memLog is the in-memory Log: the same semantics as the file log (dense
// offsets from StartOffset, non-decreasing timestamps, segments that roll at
// SegmentBytes of framed record size and expire whole) without durability.
// It is the reference the conformance suite holds the file log to.
//
// Locking: mu guards every field. Stored records are never modified, so
// Read hands out their Data and keys without copying.
type memLog struct {
	opts Options

	mu     sync.RWMutex
	segs   []*memSeg // ascending; the last is the active one; never empty
	next   uint64
	lastTs int64
	closed bool
}

type memSeg struct {
	base  uint64
	bytes int64 // framed size as the file log would store it, header included
	recs  []Record
}

// NewMemory returns an empty in-memory log. Options.FS and the sync options
// are ignored.
func NewMemory(opts Options) Log {
	opts = opts.withDefaults()
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = DefaultSegmentBytes
	}
	return &memLog{
		opts: opts,
		segs: []*memSeg{{base: opts.StartOffset, bytes: segHeaderSize}},
		next: opts.StartOffset,
	}
}

// AppendAsync appends at once: the memory log has no writer to wait for.
func (l *memLog) AppendAsync(entries []Entry, done func(uint64, int64, error)) {
	done(l.Append(entries))
}

func (l *memLog) Append(entries []Entry) (uint64, int64, error) {
	size, err := checkEntries(entries)
	if err != nil {
		return 0, 0, err
	}
	// One allocation holds the copies of every Data in this append.
	var total int
	for i := range entries {
		total += len(entries[i].Data)
	}
	arena := make([]byte, 0, total)

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, 0, ErrClosed
	}
	ts := max(l.opts.Now().UnixMilli(), l.lastTs)
	active := l.segs[len(l.segs)-1]
	if len(active.recs) > 0 && active.bytes+size > l.opts.SegmentBytes {
		active = &memSeg{base: l.next, bytes: segHeaderSize}
		l.segs = append(l.segs, active)
	}
	first := l.next
	for i := range entries {
		e := &entries[i]
		start := len(arena)
		arena = append(arena, e.Data...)
		active.recs = append(active.recs, Record{
			Offset:       l.next,
			Timestamp:    ts,
			PartitionKey: e.PartitionKey,
			Data:         arena[start:len(arena):len(arena)],
		})
		l.next++
	}
	active.bytes += size
	l.lastTs = ts
	return first, ts, nil
}

func (l *memLog) Read(from uint64, maxRecords, maxBytes int, buf []Record) ([]Record, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return buf, ErrClosed
	}
	from = max(from, l.segs[0].base)
	if from >= l.next {
		return buf, nil
	}
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].base > from }) - 1
	var n, bytes int
	for ; i < len(l.segs); i++ {
		s := l.segs[i]
		for j := int(from - s.base); j < len(s.recs); j++ {
			r := s.recs[j]
			if limitReached(n, bytes, len(r.Data), maxRecords, maxBytes) {
				return buf, nil
			}
			buf = append(buf, r)
			n++
			bytes += len(r.Data)
		}
		if i+1 < len(l.segs) {
			from = l.segs[i+1].base
		}
	}
	return buf, nil
}

// limitReached says whether a Read that has returned n records holding bytes
// of Data must stop before a record with dataLen bytes.
func limitReached(n, bytes, dataLen, maxRecords, maxBytes int) bool {
	if n == 0 {
		return false
	}
	if maxRecords > 0 && n >= maxRecords {
		return true
	}
	return maxBytes > 0 && bytes+dataLen > maxBytes
}

func (l *memLog) SeekTime(ms int64) (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return 0, ErrClosed
	}
	i := sort.Search(len(l.segs), func(i int) bool {
		s := l.segs[i]
		return len(s.recs) > 0 && s.recs[len(s.recs)-1].Timestamp >= ms
	})
	if i == len(l.segs) {
		return l.next, nil
	}
	recs := l.segs[i].recs
	j := sort.Search(len(recs), func(j int) bool { return recs[j].Timestamp >= ms })
	return recs[j].Offset, nil
}

func (l *memLog) Bounds() (first, next uint64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.segs[0].base, l.next
}

func (l *memLog) LastTimestamp() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.lastTs
}

func (l *memLog) ExpireBefore(ms int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	k := 0
	for k < len(l.segs)-1 {
		recs := l.segs[k].recs
		if len(recs) > 0 && recs[len(recs)-1].Timestamp >= ms {
			break
		}
		k++
	}
	if k > 0 {
		l.segs = append([]*memSeg(nil), l.segs[k:]...)
	}
	return nil
}

func (l *memLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return nil
}
