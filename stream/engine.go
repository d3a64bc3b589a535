package stream

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caudal/caudal/shardlog"
)

// Defaults and AWS limits.
const (
	DefaultAccountID         = "000000000000"
	DefaultRetentionHours    = 24
	MinRetentionHours        = 24
	MaxRetentionHours        = 8760
	DefaultShardLimit        = 500
	DefaultOnDemandLimit     = 50
	DefaultOnDemandShards    = 4
	DefaultMaxRecordSizeKiB  = 1024
	MaxRecordSizeKiBLimit    = 10240
	MaxTagsPerStream         = 50
	IteratorLifetime         = 5 * time.Minute
	MaxGetRecordsLimit       = 10000
	MaxGetRecordsBytes       = 10 << 20
	defaultRetentionInterval = time.Minute
)

// Engine owns every stream under Config.Dir. It is safe for concurrent use.
//
// Locking: e.mu guards the stream indexes (regions, byID) and closed; a
// streamState's own mu guards that stream. A stream's mu may be held while
// e.mu is taken (for account-wide limit checks), never the reverse: code
// holding e.mu reads other streams only through their atomic counters.
// PutRecords and GetRecords hold the stream's
// read lock across their shardlog calls, so a metadata change (which takes
// the write lock) sees no append in flight: a shard closed by resharding has
// its exact final offset.
type Engine struct {
	cfg Config
	key []byte // iterator HMAC key, immutable after Open

	mu      sync.RWMutex
	regions map[string]map[string]*streamState // region → name → stream; guarded by mu
	byID    map[string]*streamState            // incarnation id → stream; guarded by mu
	closed  bool                               // guarded by mu

	stop chan struct{}
	wg   sync.WaitGroup

	// readBufs pools GetRecords' read memory (*readBuffers). It is the
	// engine's, not global: a log may hand back Data that aliases its own
	// storage (the memory log does), and a later Read by a log of another
	// kind would write into it; an engine's logs all come from one OpenLog.
	readBufs sync.Pool
}

// streamState is one live stream incarnation.
type streamState struct {
	dir    string // immutable
	id     string // immutable
	region string // immutable
	name   string // immutable

	mu     sync.RWMutex
	meta   streamMeta             // guarded by mu; what meta.json holds
	shards map[int]*shardState    // retained shards by index; guarded by mu
	open   []*shardState          // open shards sorted by hash start; guarded by mu
	gone   bool                   // deleted or engine closed; guarded by mu
	keys   map[uint32]cipher.AEAD // open data keys by index (encryption.go); guarded by mu
	// keyErrs are why data keys missing from keys could not be opened.
	keyErrs map[uint32]error // guarded by mu
	// keyAD holds each open data key's additional data (recordAD).
	keyAD map[uint32][]byte // guarded by mu

	// openCount and onDemand mirror len(open) and meta.Mode for account-wide
	// limit checks that must not take this stream's lock.
	openCount atomic.Int32
	onDemand  atomic.Bool
}

// shardState is the runtime side of one shard. Its hash range and
// openness mirror meta and change only under the stream's write lock.
type shardState struct {
	index int
	id    string
	rng   hashRange
	log   shardlog.Log
	quota shardQuota
}

func (c Config) withDefaults() Config {
	if c.AccountID == "" {
		c.AccountID = DefaultAccountID
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ShardLimit == 0 {
		c.ShardLimit = DefaultShardLimit
	}
	if c.OnDemandStreamCountLimit == 0 {
		c.OnDemandStreamCountLimit = DefaultOnDemandLimit
	}
	if c.RetentionInterval == 0 {
		c.RetentionInterval = defaultRetentionInterval
	}
	if c.OpenLog == nil {
		c.OpenLog = shardlog.Open
	}
	return c
}

func (c Config) validate() error {
	if c.Dir == "" {
		return errors.New("stream: Config.Dir is required")
	}
	if c.ShardLimit < 0 || c.OnDemandStreamCountLimit < 0 {
		return errors.New("stream: negative limit in Config")
	}
	return nil
}

// Open opens (or creates) the engine's state under cfg.Dir and recovers
// every shard log.
func Open(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, regionsDir), 0o755); err != nil {
		return nil, fmt.Errorf("stream: create %s: %w", cfg.Dir, err)
	}
	key, err := loadOrCreateKey(filepath.Join(cfg.Dir, keyFile))
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:     cfg,
		key:     key,
		regions: map[string]map[string]*streamState{},
		byID:    map[string]*streamState{},
		stop:    make(chan struct{}),
	}
	if err := e.recover(); err != nil {
		e.closeStreams()
		return nil, err
	}
	if cfg.RetentionInterval > 0 {
		e.wg.Add(1)
		go e.retentionLoop()
	}
	return e, nil
}

// loadOrCreateKey reads the iterator key, creating it (0600) on first start.
func loadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) != 32 {
			return nil, fmt.Errorf("stream: %s holds %d bytes, want 32", path, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("stream: read iterator key: %w", err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("stream: generate iterator key: %w", err)
	}
	if err := writeFileAtomic(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("stream: store iterator key: %w", err)
	}
	return b, nil
}

// recover loads every stream under Dir: it empties trash, drops unfinished
// creates and unreferenced shard directories, and opens every shard log.
func (e *Engine) recover() error {
	regs, err := os.ReadDir(filepath.Join(e.cfg.Dir, regionsDir))
	if err != nil {
		return fmt.Errorf("stream: list regions: %w", err)
	}
	for _, r := range regs {
		if !r.IsDir() {
			continue
		}
		rdir := filepath.Join(e.cfg.Dir, regionsDir, r.Name())
		if err := os.RemoveAll(filepath.Join(rdir, trashDir)); err != nil {
			return fmt.Errorf("stream: empty trash of %s: %w", rdir, err)
		}
		ents, err := os.ReadDir(filepath.Join(rdir, streamsDir))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("stream: list streams of %s: %w", rdir, err)
		}
		for _, ent := range ents {
			if !ent.IsDir() {
				continue
			}
			sdir := filepath.Join(rdir, streamsDir, ent.Name())
			if _, err := os.Stat(filepath.Join(sdir, metaFile)); errors.Is(err, fs.ErrNotExist) {
				// An unfinished CreateStream: nothing was acknowledged.
				if err := os.RemoveAll(sdir); err != nil {
					return fmt.Errorf("stream: remove unfinished stream %s: %w", sdir, err)
				}
				continue
			}
			if err := e.recoverStream(sdir); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Engine) recoverStream(sdir string) error {
	m, err := readMeta(sdir)
	if err != nil {
		return err
	}
	s := &streamState{dir: sdir, id: m.ID, region: m.Region, name: m.Name, meta: m, shards: map[int]*shardState{}}
	if err := e.openDataKeysLocked(s); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, sm := range m.Shards {
		sh, err := e.openShard(s, sm)
		if err != nil {
			for _, o := range s.shards {
				o.log.Close()
			}
			return err
		}
		s.shards[sm.Index] = sh
		want[sh.id] = true
	}
	// Shard directories meta.json does not name are unfinished reshards or
	// finished expiries.
	if ents, err := os.ReadDir(filepath.Join(sdir, shardsSubdir)); err == nil {
		for _, ent := range ents {
			if !want[ent.Name()] {
				if err := os.RemoveAll(filepath.Join(sdir, shardsSubdir, ent.Name())); err != nil {
					return fmt.Errorf("stream: remove stray shard %s: %w", ent.Name(), err)
				}
			}
		}
	}
	s.rebuildOpenLocked()
	if old := e.regions[m.Region][m.Name]; old != nil {
		// Two incarnations claim one name (cannot happen through the API):
		// keep the newer.
		if old.meta.CreatedAt.After(m.CreatedAt) {
			s.closeLogsLocked()
			return nil
		}
		old.closeLogsLocked()
		delete(e.byID, old.id)
	}
	if e.regions[m.Region] == nil {
		e.regions[m.Region] = map[string]*streamState{}
	}
	e.regions[m.Region][m.Name] = s
	e.byID[m.ID] = s
	return nil
}

// openShard opens the log of a shard described by sm.
func (e *Engine) openShard(s *streamState, sm shardMeta) (*shardState, error) {
	start, ok1 := ParseHashKey(sm.HashStart)
	end, ok2 := ParseHashKey(sm.HashEnd)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("stream: %s: shard %d has a bad hash range", s.dir, sm.Index)
	}
	id := ShardID(sm.Index)
	dir := filepath.Join(s.dir, shardsSubdir, id)
	l, err := e.cfg.OpenLog(dir, shardlog.Options{StartOffset: sm.StartOffset, Sync: e.cfg.Sync, Now: e.cfg.Now, SegmentBytes: e.cfg.SegmentBytes})
	if err != nil {
		return nil, fmt.Errorf("stream: open log of %s/%s: %w", s.name, id, err)
	}
	return &shardState{index: sm.Index, id: id, rng: hashRange{start, end}, log: l}, nil
}

// rebuildOpenLocked recomputes the routing table from meta.
func (s *streamState) rebuildOpenLocked() {
	s.open = s.open[:0]
	for _, sm := range s.meta.Shards {
		if !sm.Closed {
			if sh := s.shards[sm.Index]; sh != nil {
				s.open = append(s.open, sh)
			}
		}
	}
	sort.Slice(s.open, func(i, j int) bool { return s.open[i].rng.Start.Cmp(s.open[j].rng.Start) < 0 })
	s.openCount.Store(int32(len(s.open)))
	s.onDemand.Store(s.meta.Mode == ModeOnDemand)
}

func (s *streamState) closeLogsLocked() error {
	var first error
	for _, sh := range s.shards {
		if err := sh.log.Close(); err != nil && first == nil && !errors.Is(err, shardlog.ErrClosed) {
			first = fmt.Errorf("stream: close %s/%s: %w", s.name, sh.id, err)
		}
	}
	return first
}

// Close stops background work and closes every shard log.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.stop)
	e.mu.Unlock()
	e.wg.Wait()
	return e.closeStreams()
}

func (e *Engine) closeStreams() error {
	e.mu.Lock()
	ss := make([]*streamState, 0, len(e.byID))
	for _, s := range e.byID {
		ss = append(ss, s)
	}
	e.mu.Unlock()
	var first error
	for _, s := range ss {
		s.mu.Lock()
		s.gone = true
		if err := s.closeLogsLocked(); err != nil && first == nil {
			first = err
		}
		s.mu.Unlock()
	}
	return first
}

// newIncarnation returns a fresh 32-hex-digit id and sequence tag.
func newIncarnation() (string, uint64, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", 0, fmt.Errorf("stream: generate stream id: %w", err)
	}
	return hex.EncodeToString(b[:16]), binary.BigEndian.Uint64(b[16:]) % seqTagLimit, nil
}

// CreateStream creates a stream. ErrResourceInUse if the name exists in
// region. The stream is ACTIVE as soon as CreateStream returns: creating
// it is a few file operations, so there is no CREATING phase to model.
func (e *Engine) CreateStream(region, name string, opts CreateOptions) error {
	if err := validStreamName(name); err != nil {
		return err
	}
	mode := opts.Mode
	if mode == "" {
		mode = ModeProvisioned
	}
	n := opts.ShardCount
	switch mode {
	case ModeProvisioned:
		if n < 1 {
			return &Error{Kind: ErrInvalidArgument, Message: "Shard count must be specified for PROVISIONED streams and be at least 1."}
		}
	case ModeOnDemand:
		if n == 0 {
			n = DefaultOnDemandShards
		}
	default:
		return e.badMode(mode)
	}
	if err := e.checkTags(name, nil, opts.Tags); err != nil {
		return err
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errEngineClosed
	}
	if e.regions[region][name] != nil {
		return &Error{Kind: ErrResourceInUse, Message: fmt.Sprintf("Stream %s under account %s already exists.", name, e.cfg.AccountID)}
	}
	if cur := e.openShardCountLocked(region); cur+n > e.cfg.ShardLimit {
		return e.shardLimitErr(region, cur, n)
	}
	if mode == ModeOnDemand && e.onDemandCountLocked(region) >= e.cfg.OnDemandStreamCountLimit {
		return &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf(
			"This request would exceed the on-demand stream count limit for the account %s in %s. Limit: %d.",
			e.cfg.AccountID, region, e.cfg.OnDemandStreamCountLimit)}
	}

	id, tag, err := newIncarnation()
	if err != nil {
		return internalErr(err, "stream: create %s", name)
	}
	now := e.cfg.Now().UTC()
	sdir := filepath.Join(e.cfg.Dir, regionsDir, regionDirName(region), streamsDir, id)
	m := streamMeta{
		Version: metaVersion, ID: id, SeqTag: tag, Region: region, Name: name,
		Status: StatusActive, Mode: mode, CreatedAt: now.Truncate(time.Second),
		RetentionHours: DefaultRetentionHours, EncryptionType: "NONE",
		ShardLevelMetrics: []string{}, MaxRecordSizeKiB: DefaultMaxRecordSizeKiB,
		Tags: map[string]string{},
	}
	for k, v := range opts.Tags {
		m.Tags[k] = v
	}
	for i, r := range evenSplit(HashKey{}, MaxHashKey, n) {
		m.Shards = append(m.Shards, shardMeta{Index: i, HashStart: r.Start.String(), HashEnd: r.End.String(), CreatedAt: now})
	}
	m.NextShardIndex = n
	s := &streamState{dir: sdir, id: id, region: region, name: name, meta: m, shards: map[int]*shardState{}}
	fail := func(err error) error {
		s.closeLogsLocked()
		os.RemoveAll(sdir)
		return internalErr(err, "stream: create %s", name)
	}
	if err := os.MkdirAll(filepath.Join(sdir, shardsSubdir), 0o755); err != nil {
		return fail(err)
	}
	for _, sm := range m.Shards {
		sh, err := e.openShard(s, sm)
		if err != nil {
			return fail(err)
		}
		s.shards[sm.Index] = sh
	}
	if err := writeMeta(sdir, &s.meta); err != nil {
		return fail(err)
	}
	s.rebuildOpenLocked()
	if e.regions[region] == nil {
		e.regions[region] = map[string]*streamState{}
	}
	e.regions[region][name] = s
	e.byID[id] = s
	return nil
}

var errEngineClosed = &Error{Kind: ErrInternal, Message: "stream engine is closed"}

// DeleteStream deletes a stream and its data. The stream is gone (neither
// listed nor readable, its iterators dead) when DeleteStream returns; the
// DELETING phase is not modelled.
func (e *Engine) DeleteStream(region, name string) error {
	e.mu.Lock()
	s := e.regions[region][name]
	if s == nil || e.closed {
		e.mu.Unlock()
		return e.notFound(name)
	}
	delete(e.regions[region], name)
	delete(e.byID, s.id)
	e.mu.Unlock()
	// Operations that found s before it was unlisted finish first; later
	// ones see gone.
	s.mu.Lock()
	s.gone = true
	closeErr := s.closeLogsLocked()
	s.mu.Unlock()

	tdir := filepath.Join(e.cfg.Dir, regionsDir, regionDirName(region), trashDir)
	if err := os.MkdirAll(tdir, 0o755); err != nil {
		return internalErr(err, "stream: delete %s", name)
	}
	dst := filepath.Join(tdir, s.id)
	if err := os.Rename(s.dir, dst); err != nil {
		return internalErr(err, "stream: delete %s", name)
	}
	if err := syncDir(filepath.Dir(s.dir)); err != nil {
		return internalErr(err, "stream: delete %s", name)
	}
	// The rename made the deletion durable; freeing the space may fail or be
	// interrupted, and Open finishes it.
	_ = os.RemoveAll(dst)
	_ = closeErr
	return nil
}

// Describe returns a snapshot of a stream.
func (e *Engine) Describe(region, name string) (Stream, error) {
	s, err := e.lookup(region, name)
	if err != nil {
		return Stream{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gone {
		return Stream{}, e.notFound(name)
	}
	return e.snapshotLocked(s), nil
}

// WriteSettings are the stream settings a producer's request is checked
// against before PutRecords.
type WriteSettings struct {
	MaxRecordSizeKiB int
	EncryptionType   string // "NONE" or "KMS"
}

// WriteSettings returns the settings PutRecord(s) needs. It is what the
// write path calls on every request instead of Describe, which copies
// every shard and tag of the stream.
func (e *Engine) WriteSettings(region, name string) (WriteSettings, error) {
	s, err := e.lookup(region, name)
	if err != nil {
		return WriteSettings{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gone {
		return WriteSettings{}, e.notFound(name)
	}
	return WriteSettings{MaxRecordSizeKiB: s.meta.MaxRecordSizeKiB, EncryptionType: s.meta.EncryptionType}, nil
}

// ListStreams returns every stream in region, sorted by name.
func (e *Engine) ListStreams(region string) []Stream {
	e.mu.RLock()
	ss := make([]*streamState, 0, len(e.regions[region]))
	for _, s := range e.regions[region] {
		ss = append(ss, s)
	}
	e.mu.RUnlock()
	sort.Slice(ss, func(i, j int) bool { return ss[i].name < ss[j].name })
	out := make([]Stream, 0, len(ss))
	for _, s := range ss {
		s.mu.RLock()
		if !s.gone {
			out = append(out, e.snapshotLocked(s))
		}
		s.mu.RUnlock()
	}
	return out
}

// ARN returns the stream's ARN in AWS's form.
func (e *Engine) ARN(region, name string) string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", region, e.cfg.AccountID, name)
}

// AccountID returns the account id the engine reports.
func (e *Engine) AccountID() string { return e.cfg.AccountID }

func (e *Engine) snapshotLocked(s *streamState) Stream {
	m := &s.meta
	st := Stream{
		Name: m.Name, ARN: e.ARN(m.Region, m.Name), Region: m.Region, Status: m.Status,
		Mode: m.Mode, CreatedAt: m.CreatedAt, RetentionHours: m.RetentionHours,
		EncryptionType: m.EncryptionType, KeyID: m.KeyID,
		ShardLevelMetrics: append([]string{}, m.ShardLevelMetrics...),
		MaxRecordSizeKiB:  m.MaxRecordSizeKiB, Tags: make(map[string]string, len(m.Tags)), Policy: m.Policy,
	}
	for k, v := range m.Tags {
		st.Tags[k] = v
	}
	for _, sm := range m.Shards {
		start, _ := ParseHashKey(sm.HashStart)
		end, _ := ParseHashKey(sm.HashEnd)
		sh := Shard{
			ID: ShardID(sm.Index), ParentShardID: sm.Parent, AdjacentParentShardID: sm.AdjacentParent,
			HashKeyStart: start, HashKeyEnd: end,
			StartingSequence: formatSeq(m.SeqTag, sm.Index, sm.StartOffset),
			CreatedAt:        sm.CreatedAt,
		}
		if sm.Closed {
			sh.EndingSequence = endingSeq(m.SeqTag, sm)
		} else {
			st.OpenShardCount++
		}
		st.Shards = append(st.Shards, sh)
	}
	return st
}

// endingSeq is a closed shard's EndingSequenceNumber. As on AWS it is not
// a record's number but the largest number the shard could ever have
// issued (offset field at its maximum): above every record of the shard and
// below every number of its children.
func endingSeq(tag uint64, sm shardMeta) string {
	return formatSeq(tag, sm.Index, seqEndOffset)
}

// lookup finds a live stream by name.
func (e *Engine) lookup(region, name string) (*streamState, error) {
	e.mu.RLock()
	s := e.regions[region][name]
	e.mu.RUnlock()
	if s == nil {
		return nil, e.notFound(name)
	}
	return s, nil
}

// lookupWritable finds a stream and takes its write lock; the caller
// unlocks. It fails unless the stream is ACTIVE.
func (e *Engine) lockActive(region, name string) (*streamState, error) {
	s, err := e.lookup(region, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.gone {
		s.mu.Unlock()
		return nil, e.notFound(name)
	}
	if s.meta.Status != StatusActive {
		st := s.meta.Status
		s.mu.Unlock()
		return nil, e.notActive(name, st)
	}
	return s, nil
}

// updateLocked applies fn to a copy of the stream's metadata and makes the
// copy current only once it is durable, so a failed write changes nothing.
func (e *Engine) updateLocked(s *streamState, fn func(m *streamMeta) error) error {
	m := s.meta.clone()
	if err := fn(&m); err != nil {
		return err
	}
	if err := writeMeta(s.dir, &m); err != nil {
		return internalErr(err, "stream: update %s", s.name)
	}
	s.meta = m
	return nil
}

func (e *Engine) openShardCountLocked(region string) int {
	n := 0
	for _, s := range e.regions[region] {
		n += int(s.openCount.Load())
	}
	return n
}

func (e *Engine) onDemandCountLocked(region string) int {
	n := 0
	for _, s := range e.regions[region] {
		if s.onDemand.Load() {
			n++
		}
	}
	return n
}

func (e *Engine) notFound(name string) error {
	return &Error{Kind: ErrStreamNotFound, Message: fmt.Sprintf("Stream %s under account %s not found.", name, e.cfg.AccountID)}
}

func (e *Engine) notActive(name string, st Status) error {
	return &Error{Kind: ErrResourceInUse, Message: fmt.Sprintf("Stream %s under account %s not ACTIVE, instead in state %s", name, e.cfg.AccountID, st)}
}

func (e *Engine) shardLimitErr(region string, cur, add int) error {
	return &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf(
		"This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. "+
			"Limit: %d. Number of additional shards that would have resulted from this request: %d. "+
			"Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "+
			"for current limits and how to request higher limits.", e.cfg.AccountID, region, cur, e.cfg.ShardLimit, add)}
}

func (e *Engine) badMode(m Mode) error {
	return &Error{Kind: ErrValidation, Message: fmt.Sprintf(
		"1 validation error detected: Value '%s' at 'streamModeDetails.streamMode' failed to satisfy constraint: "+
			"Member must satisfy enum value set: [ON_DEMAND, PROVISIONED]", m)}
}

func (e *Engine) shardNotFound(name, shardID string) error {
	return &Error{Kind: ErrStreamNotFound, Message: fmt.Sprintf("Shard %s in stream %s under account %s does not exist", shardID, name, e.cfg.AccountID)}
}

func (e *Engine) couldNotFindShard(name, shardID string) error {
	return &Error{Kind: ErrStreamNotFound, Message: fmt.Sprintf("Could not find shard %s in stream %s under account %s.", shardID, name, e.cfg.AccountID)}
}

var streamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// validStreamName applies the model's StreamName constraints (the skin
// checks them first; the engine keeps its own invariants, e.g. iterator
// tokens carry the name in at most 255 bytes).
func validStreamName(name string) error {
	bad := func(c string) error {
		return &Error{Kind: ErrValidation, Message: fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'streamName' failed to satisfy constraint: Member must %s", name, c)}
	}
	switch {
	case len(name) < 1:
		return bad("have length greater than or equal to 1")
	case len(name) > 128:
		return bad("have length less than or equal to 128")
	case !streamNamePattern.MatchString(name):
		return bad("satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	}
	return nil
}
