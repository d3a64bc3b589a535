package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sink stores finished trail objects: the lake, in the server. Put must
// be idempotent (a replayed journal segment is put again under the same
// key with the same bytes).
type Sink interface {
	Put(ctx context.Context, key string, body []byte) error
}

// Config configures a Trail.
type Config struct {
	// Dir holds the journal: the segments of events not yet in the lake.
	Dir     string
	Sink    Sink
	Account string // 12 digits, in the object keys
	Region  string // the trail's home region, in the object keys
	// NoSync skips fsync of the journal (fsync "never"): a crash of the
	// machine may then lose the events of the last FlushInterval.
	NoSync bool
	// SyncInterval is how often queued events are written to the journal
	// and fsynced (default 100 ms): the window a kill -9 can lose.
	SyncInterval time.Duration
	// FlushInterval is how often the journal's segment is closed and put
	// into the lake (default 5 s).
	FlushInterval time.Duration
	// MaxObjectBytes closes a segment early once it is this large
	// (default 16 MiB), so one object never grows without bound.
	MaxObjectBytes int64
	// QueueLen bounds the events waiting for the journal writer (default
	// 32768). Record drops events past it and counts them (Dropped).
	QueueLen int
	Log      *slog.Logger
	Now      func() time.Time
}

func (c Config) withDefaults() Config {
	if c.SyncInterval <= 0 {
		c.SyncInterval = 100 * time.Millisecond
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 5 * time.Second
	}
	if c.MaxObjectBytes <= 0 {
		c.MaxObjectBytes = 16 << 20
	}
	if c.QueueLen <= 0 {
		c.QueueLen = 32768
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	return c
}

// Trail appends finished events to the lake as JSON lines, one object per
// flush, through a local journal.
//
// Data flow and durability. Record (the request path) only appends the
// event to a bounded in-memory queue under a mutex; it never blocks, never
// touches the disk and wakes nobody: the writer takes the whole queue on
// its SyncInterval tick (a channel send per event woke the writer on every
// request, a scheduler round trip per call on the hot path). One
// writer goroutine encodes queued events into the open journal segment
// (<Dir>/<YYYYMMDDTHHmmZ>_<16 hex>.jsonl), writing and fsyncing every
// SyncInterval; every FlushInterval (or at MaxObjectBytes) it closes the
// segment and hands it to the uploader goroutine, which puts it into the
// lake under a key derived from the segment's name and then deletes it.
// A segment that could not be put stays on disk and is retried, and any
// segment left by a crash is put at the next Open, so:
//
//   - a clean Close loses nothing: it drains the queue, closes the
//     segment and puts every segment (one left on disk by a failing lake
//     is put at the next start);
//   - a kill -9 loses at most the events queued in the last SyncInterval
//     (100 ms by default) — those fsynced to the journal are put at the
//     next start;
//   - a lake slower than the traffic makes segments pile up on local disk
//     (not in memory); a stalled local disk fills the queue, and then
//     Record drops events and counts them (Dropped), logged once per
//     flush. Dropping was chosen over blocking: an audit backlog must not
//     stop the data path.
//
// Because keys are derived from segment names, putting a segment twice
// (crash between the put and the delete) rewrites the same object with
// the same bytes: the trail holds no duplicates.
type Trail struct {
	cfg     Config
	qmu     sync.Mutex
	queue   []*Event // events recorded since the writer last took them; at most QueueLen
	spare   []*Event // the writer's previous queue, handed back for reuse
	dropped atomic.Int64
	stop    chan struct{}
	closed  atomic.Bool
	wg      sync.WaitGroup

	// uploads carries closed segments to the uploader; owned by writer
	// until stop, then closed by it.
	uploads chan string

	// Guarded by the writer goroutine (only it touches them).
	seg      *os.File
	segName  string
	segBytes int64
	segOpen  time.Time
	buf      []byte
	unsynced bool
	lastDrop int64

	closeOnce sync.Once
	closeErr  error
}

// journalExt ends the name of every journal segment.
const journalExt = ".jsonl"

// Open starts a trail. Segments left in cfg.Dir by an earlier run are put
// into the sink first (in the background, before any new segment).
func Open(cfg Config) (*Trail, error) {
	cfg = cfg.withDefaults()
	if cfg.Sink == nil {
		return nil, errors.New("audit: no sink")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: create journal directory: %w", err)
	}
	left, err := recoverSegments(cfg.Dir)
	if err != nil {
		return nil, err
	}
	t := &Trail{
		cfg:     cfg,
		stop:    make(chan struct{}),
		uploads: make(chan string, 1024+len(left)),
	}
	for _, name := range left {
		t.uploads <- name
	}
	t.wg.Add(2)
	go t.writer()
	go t.uploader()
	return t, nil
}

// recoverSegments returns the segments in dir, oldest first, each cut
// back to its last complete line (a kill -9 mid-write leaves a partial
// one); empty segments are removed.
func recoverSegments(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit: read journal directory: %w", err)
	}
	var names []string
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, journalExt) {
			continue
		}
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("audit: read journal segment: %w", err)
		}
		keep := bytes.LastIndexByte(b, '\n') + 1
		if keep == 0 {
			if err := os.Remove(path); err != nil {
				return nil, fmt.Errorf("audit: remove empty journal segment: %w", err)
			}
			continue
		}
		if keep < len(b) {
			if err := os.Truncate(path, int64(keep)); err != nil {
				return nil, fmt.Errorf("audit: cut torn journal segment: %w", err)
			}
		}
		names = append(names, name)
	}
	slices.Sort(names) // names start with their UTC minute
	return names, nil
}

// Record queues a finished event. It never blocks: with the queue full
// (or the trail closed) the event is dropped and counted.
func (t *Trail) Record(e *Event) {
	if t == nil || e == nil {
		return
	}
	if t.closed.Load() {
		t.dropped.Add(1)
		return
	}
	t.qmu.Lock()
	if len(t.queue) < t.cfg.QueueLen {
		t.queue = append(t.queue, e)
		t.qmu.Unlock()
		return
	}
	t.qmu.Unlock()
	t.dropped.Add(1)
}

// takeQueue encodes every queued event (writer only).
func (t *Trail) takeQueue() {
	t.qmu.Lock()
	q := t.queue
	t.queue = t.spare[:0]
	t.qmu.Unlock()
	for _, e := range q {
		t.add(e)
	}
	clear(q)
	t.spare = q
}

// Dropped is the number of events Record could not queue.
func (t *Trail) Dropped() int64 { return t.dropped.Load() }

// Pending is the number of journal segments not yet in the sink (closed
// ones waiting for the uploader). For tests and health reporting.
func (t *Trail) Pending() int {
	ents, err := os.ReadDir(t.cfg.Dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), journalExt) {
			n++
		}
	}
	return n
}

// Close writes every queued event, puts every segment into the sink, and
// stops the trail. Events recorded after Close are dropped. A segment the
// sink refused stays in the journal for the next Open; its error is
// returned.
func (t *Trail) Close() error {
	t.closeOnce.Do(func() {
		t.closed.Store(true)
		close(t.stop)
		t.wg.Wait()
	})
	return t.closeErr
}

// writer owns the journal: it encodes queued events, writes and fsyncs
// them every SyncInterval and rotates segments every FlushInterval.
func (t *Trail) writer() {
	defer t.wg.Done()
	defer close(t.uploads)
	tick := time.NewTicker(t.cfg.SyncInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			t.takeQueue()
			t.sync()
			if t.seg != nil && t.cfg.Now().Sub(t.segOpen) >= t.cfg.FlushInterval {
				t.rotate()
			}
			if d := t.dropped.Load(); d != t.lastDrop {
				t.cfg.Log.Warn("audit: events dropped (queue full or trail closed)", "total", d)
				t.lastDrop = d
			}
		case <-t.stop:
			t.takeQueue() // Record refuses new events once closed is set
			t.sync()
			t.rotate()
			return
		}
	}
}

// add encodes e into the pending buffer, opening a segment if none is.
func (t *Trail) add(e *Event) {
	if t.seg == nil {
		if err := t.openSegment(); err != nil {
			t.cfg.Log.Error("audit: open journal segment", "err", err)
			t.dropped.Add(1)
			return
		}
	}
	b, err := e.appendJSON(t.buf)
	if err != nil {
		t.cfg.Log.Error("audit: encode event", "err", err)
		t.dropped.Add(1)
		return
	}
	t.buf = append(b, '\n')
	if len(t.buf) >= 1<<20 {
		t.write()
	}
	if t.segBytes+int64(len(t.buf)) >= t.cfg.MaxObjectBytes {
		t.sync()
		t.rotate()
	}
}

func (t *Trail) openSegment() error {
	now := t.cfg.Now().UTC()
	name := now.Format("20060102T1504Z") + "_" + strings.ReplaceAll(newUUID(), "-", "")[:16] + journalExt
	f, err := os.OpenFile(filepath.Join(t.cfg.Dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit: create journal segment: %w", err)
	}
	if !t.cfg.NoSync {
		if err := syncDir(t.cfg.Dir); err != nil {
			f.Close()
			return err
		}
	}
	t.seg, t.segName, t.segBytes, t.segOpen = f, name, 0, t.cfg.Now()
	return nil
}

// write appends the pending buffer to the segment (no fsync).
func (t *Trail) write() {
	if t.seg == nil || len(t.buf) == 0 {
		return
	}
	n, err := t.seg.Write(t.buf)
	t.segBytes += int64(n)
	if err != nil {
		// The lines that did not make it are lost; the segment keeps
		// whole lines only up to the torn one, which recovery cuts.
		t.cfg.Log.Error("audit: write journal", "err", err)
		t.dropped.Add(int64(bytes.Count(t.buf[n:], []byte{'\n'})))
	}
	t.buf = t.buf[:0]
	t.unsynced = true
}

// sync writes the pending buffer and fsyncs the segment.
func (t *Trail) sync() {
	t.write()
	if t.seg == nil || !t.unsynced {
		return
	}
	t.unsynced = false
	if t.cfg.NoSync {
		return
	}
	if err := t.seg.Sync(); err != nil {
		t.cfg.Log.Error("audit: fsync journal", "err", err)
	}
}

// rotate closes the open segment and hands it to the uploader.
func (t *Trail) rotate() {
	if t.seg == nil {
		return
	}
	if err := t.seg.Close(); err != nil {
		t.cfg.Log.Error("audit: close journal segment", "err", err)
	}
	name := t.segName
	t.seg, t.segName, t.segBytes = nil, "", 0
	t.uploads <- name // the uploader drains; a full channel waits for it
}

// uploader puts closed segments into the sink, oldest first, retrying a
// failed put with backoff until the trail closes.
func (t *Trail) uploader() {
	defer t.wg.Done()
	var errs []error
	wait := 100 * time.Millisecond
	for name := range t.uploads {
		for {
			err := t.put(name)
			if err == nil {
				wait = 100 * time.Millisecond
				break
			}
			t.cfg.Log.Error("audit: put trail object (will retry)", "segment", name, "err", err)
			select {
			case <-t.stop:
				errs = append(errs, err)
			case <-time.After(wait):
				wait = min(2*wait, 10*time.Second)
				continue
			}
			break
		}
	}
	t.closeErr = errors.Join(errs...)
}

// put puts one segment into the sink under its key and removes it.
func (t *Trail) put(name string) error {
	path := filepath.Join(t.cfg.Dir, name)
	body, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit: read journal segment: %w", err)
	}
	key, err := t.ObjectKey(name)
	if err != nil {
		// Not a name this package wrote: leave it alone.
		t.cfg.Log.Error("audit: unexpected journal file", "name", name, "err", err)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := t.cfg.Sink.Put(ctx, key, body); err != nil {
		return fmt.Errorf("audit: put %s: %w", key, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("audit: remove journal segment: %w", err)
	}
	return nil
}

// ObjectKey is the lake key of a journal segment: CloudTrail's naming,
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
// <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json, with the
// segment's opening minute and its unique part. The body is JSON lines,
// not CloudTrail's gzipped {"Records":[…]}, so SQL engines read it as is.
func (t *Trail) ObjectKey(segment string) (string, error) {
	base, ok := strings.CutSuffix(segment, journalExt)
	if !ok {
		return "", fmt.Errorf("audit: %q is not a journal segment", segment)
	}
	stamp, unique, ok := strings.Cut(base, "_")
	if !ok || unique == "" {
		return "", fmt.Errorf("audit: %q is not a journal segment", segment)
	}
	at, err := time.Parse("20060102T1504Z", stamp)
	if err != nil {
		return "", fmt.Errorf("audit: %q is not a journal segment: %w", segment, err)
	}
	return Prefix(t.cfg.Account, t.cfg.Region) + at.Format("2006/01/02/") +
		t.cfg.Account + "_CloudTrail_" + t.cfg.Region + "_" + stamp + "_" + unique + ".json", nil
}

// Prefix is where a region's trail objects live in the audit bucket
// (ending in "/"); the date path follows it.
func Prefix(account, region string) string {
	return "AWSLogs/" + account + "/CloudTrail/" + region + "/"
}

// BucketPrefix starts the name of every audit bucket; the S3 skin
// refuses writes to any bucket named so.
const BucketPrefix = "caudal-audit-"

// BucketName is the reserved bucket that holds account's trail.
func BucketName(account string) string { return BucketPrefix + account }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("audit: open journal directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("audit: fsync journal directory: %w", err)
	}
	return nil
}
