package shardlog

// The file log: segment files in one directory (format in format.go),
// appended by one writer goroutine (writer.go), read concurrently through a
// sparse in-memory index.
//
// Recovery rules, applied by Open:
//
//   - Every segment header (and each sealed segment's first record) is
//     validated. A header from a newer format version fails Open with
//     ErrUnsupportedVersion: nothing is rewritten that this build cannot
//     read.
//   - The last (active) segment is scanned record by record. Its valid
//     prefix ends at the first incomplete or invalid record; everything after
//     it is a torn write from a crash and is truncated away (and the
//     truncation synced) before anything new is written. A last segment whose
//     header is torn (a crash while rolling) is rewritten empty.
//   - Older (sealed) segments are scanned the same way, but never modified,
//     and only when first needed (see segment). If one turns out to hold
//     damage before its end (or has a damaged header), its
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
//
// Sealed (non-active) segments are loaded lazily: Open reads only their
// header and first record and closes them again, so opening a log costs a
// few reads per segment, not a scan of all retained data, and holds no file
// descriptor for segments nobody reads. The first Read, SeekTime or
// ExpireBefore that needs one opens and scans it (ensureLoaded) and builds
// its index; it then stays open until it expires, the log closes, or it
// goes cold: ExpireBefore unloads every sealed segment but the
// keepLoadedSegments newest (unloadCold), so a log's memory and open files
// do not grow with the data it retains (the sparse index is ~0.3% of the
// data: 3 MB per GB) — reading a cold segment again loads it again.
type segment struct {
	base     uint64
	path     string
	f        File   // nil for a sealed segment until it is loaded
	fileSize int64  // at Open; a sealed segment's file never changes
	limit    uint64 // base of the segment after this one (noLimit for the last)

	loadMu sync.Mutex // serializes ensureLoaded

	loaded  bool   // size, next, lastTs, index and damaged are known
	size    int64  // end of the published valid records
	next    uint64 // offset after the last published record (base if none)
	firstTs int64  // of the first record; if none, see recover
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

// closeFile closes the segment's file if it is open. The caller holds
// fileMu exclusively (or is the only user, as in Open).
func (s *segment) closeFile() error {
	if s.f == nil {
		return nil
	}
	f := s.f
	s.f = nil
	return f.Close()
}

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
	err := l.recover()
	if err == nil {
		err = l.syncDirs()
	}
	if err != nil {
		for _, s := range l.segs {
			s.closeFile()
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
	for i, base := range bases {
		limit := uint64(noLimit)
		if i+1 < len(bases) {
			limit = bases[i+1]
		}
		s, err := l.openSegment(base, limit, *bufp)
		if s != nil {
			l.segs = append(l.segs, s)
		}
		if err != nil {
			return err
		}
	}
	// SeekTime binary-searches segments by firstTs, so it must not decrease.
	// An empty active segment (a crash right after a roll) takes the newest
	// timestamp before it, which is also the log's last timestamp; an empty
	// (damaged) sealed segment takes its successor's.
	n := len(l.segs)
	active := l.segs[n-1]
	if active.empty() {
		ts, err := l.lastTsBefore(n - 1)
		if err != nil {
			return err
		}
		active.firstTs, active.lastTs = ts, ts
	}
	for i := n - 2; i >= 0; i-- {
		if s := l.segs[i]; s.loaded && s.empty() {
			s.firstTs, s.lastTs = l.segs[i+1].firstTs, l.segs[i+1].firstTs
		}
	}
	l.next = active.next
	l.lastTs = active.lastTs
	return nil
}

// expirableLocked returns how many leading segments ExpireBefore(ms) may
// remove: a sealed segment goes if its newest record is older than ms. That
// is certain without loading it when the next segment's first record is
// older than ms; otherwise the segment must be loaded to look, and it is
// returned as load (only the one at the boundary ever needs loading).
// Must hold mu.
func (l *fileLog) expirableLocked(ms int64) (k int, load *segment) {
	for k < len(l.segs)-1 {
		s := l.segs[k]
		if l.segs[k+1].firstTs < ms {
			k++
			continue
		}
		if !s.loaded {
			return k, s
		}
		if s.damaged != nil || s.empty() || s.lastTs >= ms {
			break
		}
		k++
	}
	return k, nil
}

// syncDirs makes the directory entries Open found durable before anything
// is acknowledged: a process killed between creating a segment and syncing
// the directory leaves an entry that is visible now but would not survive
// a power loss, and MkdirAll may just have made the log directory itself.
// (Directories further up belong to whoever created them.)
func (l *fileLog) syncDirs() error {
	for _, d := range []string{l.dir, filepath.Dir(l.dir)} {
		if err := l.fs.SyncDir(d); err != nil {
			return fmt.Errorf("sync directory %s: %w", d, err)
		}
	}
	return nil
}

// lastTsBefore returns the timestamp of the newest record in the segments
// before segs[i], loading them as needed (0 if there is none).
func (l *fileLog) lastTsBefore(i int) (int64, error) {
	for j := i - 1; j >= 0; j-- {
		s := l.segs[j]
		if err := l.ensureLoaded(s); err != nil {
			return 0, err
		}
		if !s.empty() {
			return s.lastTs, nil
		}
	}
	return 0, nil
}

// openSegment opens the segment with the given base; limit is the next
// segment's base (noLimit if it is the last). The last segment is scanned
// and its torn tail truncated; others get their header and first record
// validated and are loaded later.
func (l *fileLog) openSegment(base, limit uint64, buf []byte) (*segment, error) {
	last := limit == noLimit
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
	s := &segment{
		base: base, path: path, f: f, fileSize: fi.Size(), limit: limit,
		loaded: true, size: segHeaderSize, next: base,
	}
	maxRecs := allRecs
	if !last {
		maxRecs = 1
	}
	res, err := scanSegment(f, fi.Size(), buf, limit, maxRecs)
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
			return s, s.closeFile() // nothing in it will be read
		}
		// A crash while creating the active segment: start it again.
		return s, l.resetSegment(s)
	}
	if !last {
		if res.next == base { // no valid first record
			s.damaged = damageErr(s, res)
			return s, s.closeFile() // nothing in it will be read
		}
		s.firstTs, s.lastTs = res.firstTs, res.firstTs
		s.next = limit // provisional until loaded
		s.loaded = false
		return s, s.closeFile()
	}
	s.size, s.next, s.index = res.end, res.next, res.index
	if res.next > base {
		s.firstTs, s.lastTs = res.firstTs, res.lastTs
	}
	if res.stop != nil {
		if err := l.truncateTail(s, res.end); err != nil {
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

// damageErr describes why sealed segment s holds fewer records than its
// successor's base implies.
func damageErr(s *segment, res scanResult) error {
	if res.stop != nil {
		return fmt.Errorf("segment %s: offset %d: %w (%w)", s.path, res.next, ErrCorrupt, res.stop)
	}
	return fmt.Errorf("segment %s ends at offset %d, before the next segment's base %d: %w", s.path, res.next, s.limit, ErrCorrupt)
}

// ensureLoaded scans and indexes sealed segment s if that has not been done
// yet. The caller holds fileMu (shared or exclusive) and not mu.
func (l *fileLog) ensureLoaded(s *segment) error {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	l.mu.RLock()
	loaded := s.loaded
	l.mu.RUnlock()
	if loaded {
		return nil
	}
	f, err := l.fs.OpenFile(s.path, os.O_RDONLY, 0)
	if err != nil {
		return fmt.Errorf("shardlog: load segment: %w", err)
	}
	bufp := getReadBuf()
	defer putReadBuf(bufp)
	res, err := scanSegment(f, s.fileSize, *bufp, s.limit, allRecs)
	if err != nil && !errors.Is(err, errShort) && !errors.Is(err, errBad) {
		f.Close()
		return fmt.Errorf("shardlog: load %s: %w", s.path, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s.f = f // published with loaded, under mu
	s.loaded = true
	if err != nil { // the header was valid at Open: the file changed since
		s.next, s.size, s.index = s.base, segHeaderSize, nil
		s.damaged = fmt.Errorf("segment %s: header: %w (%w)", s.path, ErrCorrupt, err)
		return nil
	}
	s.size, s.next, s.index, s.lastTs = res.end, res.next, res.index, res.lastTs
	if res.next < s.limit {
		s.damaged = damageErr(s, res)
	}
	return nil
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
		base: base, path: path, f: f, limit: noLimit,
		loaded: true, size: segHeaderSize, next: base,
		wpos: segHeaderSize, wnext: base, widx: -indexEveryBytes,
	}, nil
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

// keepLoadedSegments is how many of the newest sealed segments stay loaded
// (file open, index in memory) through unloadCold: consumers near the tip
// read them; older ones are read rarely (a replay) and pay one scan.
const keepLoadedSegments = 4

// unloadCold unloads loaded sealed segments older than the
// keepLoadedSegments newest: it closes their files and drops their
// indexes, leaving them as Open leaves sealed segments, so the next reader
// scans them again (ensureLoaded). Damaged segments stay as they are.
func (l *fileLog) unloadCold() {
	// Exclusive: no reader is using a file or inside ensureLoaded. The
	// writer never touches a segment that is not the last one.
	l.fileMu.Lock()
	defer l.fileMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	for i := 0; i < len(l.segs)-1-keepLoadedSegments; i++ {
		s := l.segs[i]
		if !s.loaded || s.damaged != nil {
			continue
		}
		// A sealed segment was written to its end and synced before its
		// successor existed: its file holds exactly size bytes.
		s.fileSize, s.limit = s.size, l.segs[i+1].base
		s.closeFile()
		s.index = nil
		s.loaded = false
	}
}

func (l *fileLog) ExpireBefore(ms int64) error {
	defer l.unloadCold()
	// Load the segment at the retention boundary first, if deciding its
	// fate needs that, under the shared lock: readers need not wait for
	// the scan.
	l.fileMu.RLock()
	for {
		l.mu.RLock()
		closed := l.closed
		_, load := l.expirableLocked(ms)
		l.mu.RUnlock()
		if closed {
			l.fileMu.RUnlock()
			return ErrClosed
		}
		if load == nil {
			break
		}
		if err := l.ensureLoaded(load); err != nil {
			l.fileMu.RUnlock()
			return err
		}
	}
	l.fileMu.RUnlock()

	l.fileMu.Lock()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.fileMu.Unlock()
		return ErrClosed
	}
	// If a concurrent ExpireBefore moved the boundary to a segment not
	// loaded yet, stop before it: the next call goes further.
	k, _ := l.expirableLocked(ms)
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
		s.closeFile()
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
		if cerr := s.closeFile(); cerr != nil && err == nil {
			err = fmt.Errorf("shardlog: close %s: %w", s.path, cerr)
		}
	}
	return err
}

var _ io.ReaderAt = File(nil)
