package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/shardlog"
	bolt "go.etcd.io/bbolt"
)

// FileName is the engine's metadata file inside Config.Dir.
const FileName = "delivery.db"

// Engine runs every delivery stream. Its methods are safe for concurrent
// use.
//
// Locking: Engine.mu guards streams and closed; a dstream's mu guards its
// meta and plan. Engine.mu is taken before a dstream's mu, never after.
type Engine struct {
	cfg Config
	db  *bolt.DB

	mu      sync.RWMutex
	streams map[string]*dstream // by region 0x00 name
	closed  bool
}

// Open opens (creating if needed) the engine in cfg.Dir, recovers every
// delivery stream and starts their workers: records that were put but not
// delivered before a stop or crash are delivered again.
func Open(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if cfg.Dir == "" {
		return nil, errors.New("delivery: Config.Dir is empty")
	}
	if cfg.Lake == nil {
		return nil, errors.New("delivery: Config.Lake is nil")
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "logs"), 0o700); err != nil {
		return nil, fmt.Errorf("delivery: create directory: %w", err)
	}
	path := filepath.Join(cfg.Dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: cfg.NoSync})
	if err != nil {
		return nil, fmt.Errorf("delivery: open %s: %w", path, err)
	}
	if err := db.Update(initLayout); err != nil {
		db.Close()
		return nil, fmt.Errorf("delivery: %s: %w", path, err)
	}
	e := &Engine{cfg: cfg, db: db, streams: map[string]*dstream{}}
	all, err := e.loadStreams()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("delivery: %w", err)
	}
	for i := range all {
		ds, err := e.openStream(all[i])
		if err != nil {
			e.Close()
			return nil, err
		}
		e.streams[string(streamKey(ds.meta.Region, ds.meta.Name))] = ds
	}
	e.removeOrphanLogs()
	for _, ds := range e.streams {
		ds.start()
	}
	return e, nil
}

// removeOrphanLogs deletes log directories no delivery stream names (a
// crash between a delete's commit and its removal of the log).
func (e *Engine) removeOrphanLogs() {
	ids := map[string]bool{}
	for _, ds := range e.streams {
		ids[ds.meta.ID] = true
	}
	entries, _ := os.ReadDir(filepath.Join(e.cfg.Dir, "logs"))
	for _, ent := range entries {
		if !ids[ent.Name()] {
			os.RemoveAll(filepath.Join(e.cfg.Dir, "logs", ent.Name()))
		}
	}
}

func (e *Engine) logDir(id string) string { return filepath.Join(e.cfg.Dir, "logs", id) }

// openStream builds a dstream (its log, plan and checkpoint) without
// starting its worker.
func (e *Engine) openStream(m DeliveryStream) (*dstream, error) {
	p, err := compile(m.Name, m.VersionID, m.Destination)
	if err != nil {
		return nil, fmt.Errorf("delivery: stored destination of %s: %w", m.Name, err)
	}
	ck, err := e.loadCheckpoint(m.ID)
	if err != nil {
		return nil, err
	}
	ds := newDstream(e, m, p, ck)
	if m.Type == TypeDirectPut {
		l, err := e.cfg.OpenLog(e.logDir(m.ID), shardlog.Options{Sync: e.cfg.Sync, SegmentBytes: 16 << 20})
		if err != nil {
			return nil, fmt.Errorf("delivery: open log of %s: %w", m.Name, err)
		}
		ds.log = l
		if err := ds.recoverPending(); err != nil {
			l.Close()
			return nil, err
		}
	}
	return ds, nil
}

// Close stops every worker (a flush in progress is abandoned; what it had
// not checkpointed is delivered again after the next Open) and closes the
// logs and the metadata file.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	streams := make([]*dstream, 0, len(e.streams))
	for _, ds := range e.streams {
		streams = append(streams, ds)
	}
	e.mu.Unlock()
	var errs []error
	for _, ds := range streams {
		if err := ds.shutdown(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := e.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("delivery: close: %w", err))
	}
	return errors.Join(errs...)
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Create creates a delivery stream; it is ACTIVE when Create returns.
func (e *Engine) Create(region string, in CreateInput) (DeliveryStream, error) {
	if in.Type == "" {
		in.Type = TypeDirectPut
	}
	switch in.Type {
	case TypeDirectPut:
		if in.Source != nil {
			return DeliveryStream{}, invalid("KinesisStreamSourceConfiguration is not allowed for a DirectPut delivery stream.")
		}
	case TypeKinesisSource:
		if in.Source == nil {
			return DeliveryStream{}, invalid("KinesisStreamSourceConfiguration is required for a KinesisStreamAsSource delivery stream.")
		}
		if in.Encryption != nil {
			return DeliveryStream{}, invalid("DeliveryStreamEncryptionConfigurationInput is not supported for a KinesisStreamAsSource delivery stream.")
		}
	default:
		return DeliveryStream{}, invalid("DeliveryStreamType %s is not supported by caudal; supported: DirectPut, KinesisStreamAsSource.", in.Type)
	}
	dest := withDefaults(in.Destination)
	p, err := compile(in.Name, 1, dest)
	if err != nil {
		return DeliveryStream{}, err
	}
	if err := e.checkBucket(p.bucket); err != nil {
		return DeliveryStream{}, err
	}
	now := e.cfg.Now().UTC()
	m := DeliveryStream{
		ID: newID(), Name: in.Name, Region: region, ARN: e.ARN(region, in.Name), Type: in.Type,
		VersionID: 1, Created: now, Updated: now, Extended: in.Extended, Destination: dest,
		Encryption: Encryption{Status: "DISABLED"},
	}
	if in.Encryption != nil {
		m.Encryption = Encryption{KeyType: in.Encryption.KeyType, KeyARN: in.Encryption.KeyARN, Status: "ENABLED"}
	}
	if in.Source != nil {
		src := *in.Source
		if err := e.checkSource(src.KinesisStreamARN); err != nil {
			return DeliveryStream{}, err
		}
		src.StartTime = now
		m.Source = &src
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return DeliveryStream{}, err
	}
	m.Tags = tags

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return DeliveryStream{}, ErrClosed
	}
	k := string(streamKey(region, in.Name))
	if _, ok := e.streams[k]; ok {
		return DeliveryStream{}, &Error{Kind: ErrInUse, Message: fmt.Sprintf("Firehose %s under accountId %s already exists", in.Name, e.cfg.AccountID)}
	}
	n := 0
	for _, ds := range e.streams {
		if ds.meta.Region == region {
			n++
		}
	}
	if n >= MaxDeliveryStreams {
		return DeliveryStream{}, &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf("You have already consumed your firehose quota of %d hoses. Firehose names: ...", MaxDeliveryStreams)}
	}
	if err := e.saveStream(&m); err != nil {
		return DeliveryStream{}, err
	}
	ds := newDstream(e, m, p, checkpoint{})
	if m.Type == TypeDirectPut {
		l, err := e.cfg.OpenLog(e.logDir(m.ID), shardlog.Options{Sync: e.cfg.Sync, SegmentBytes: 16 << 20})
		if err != nil {
			e.deleteStream(&m)
			return DeliveryStream{}, internal(err, "open log of %s", m.Name)
		}
		ds.log = l
	}
	e.streams[k] = ds
	ds.start()
	return ds.snapshot(), nil
}

// checkBucket refuses a destination bucket the lake does not have.
func (e *Engine) checkBucket(bucket string) error {
	if _, err := e.cfg.Lake.HeadBucket(bucket); err != nil {
		if errors.Is(err, lake.ErrBucketNotFound) || errors.Is(err, lake.ErrInvalidBucketName) {
			return invalid("The specified bucket does not exist: %s", bucket)
		}
		return internal(err, "check bucket %s", bucket)
	}
	return nil
}

// ParseStreamARN splits arn:aws:kinesis:<region>:<account>:stream/<name>.
func ParseStreamARN(arn string) (region, account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" || !strings.HasPrefix(parts[5], "stream/") {
		return "", "", "", false
	}
	return parts[3], parts[4], strings.TrimPrefix(parts[5], "stream/"), true
}

func (e *Engine) checkSource(arn string) error {
	if e.cfg.Streams == nil {
		return invalid("KinesisStreamAsSource is not available on this server.")
	}
	region, account, name, ok := ParseStreamARN(arn)
	if !ok || account != e.cfg.AccountID {
		return invalid("Kinesis stream %s is not a valid stream ARN of this account.", arn)
	}
	if _, err := e.cfg.Streams.Describe(region, name); err != nil {
		return invalid("Kinesis stream %s does not exist or is not ACTIVE.", arn)
	}
	return nil
}

func (e *Engine) lookup(region, name string) (*dstream, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return nil, ErrClosed
	}
	ds := e.streams[string(streamKey(region, name))]
	if ds == nil {
		return nil, e.notFound(name)
	}
	return ds, nil
}

// Describe returns a snapshot of a delivery stream.
func (e *Engine) Describe(region, name string) (DeliveryStream, error) {
	ds, err := e.lookup(region, name)
	if err != nil {
		return DeliveryStream{}, err
	}
	return ds.snapshot(), nil
}

// Delete stops a delivery stream's worker and removes it with its log and
// undelivered records (AWS discards them too).
func (e *Engine) Delete(region, name string) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	k := string(streamKey(region, name))
	ds := e.streams[k]
	if ds == nil {
		e.mu.Unlock()
		return e.notFound(name)
	}
	m := ds.snapshot()
	if err := e.deleteStream(&m); err != nil {
		e.mu.Unlock()
		return err
	}
	delete(e.streams, k)
	e.mu.Unlock()
	ds.shutdown()
	os.RemoveAll(e.logDir(m.ID))
	return nil
}

// List returns the names of a region's delivery streams of type typ (""
// for all) after exclusiveStart in name order, at most limit of them, and
// whether more follow.
func (e *Engine) List(region, typ, exclusiveStart string, limit int) ([]string, bool) {
	e.mu.RLock()
	var names []string
	for _, ds := range e.streams {
		ds.mu.Lock()
		ok := ds.meta.Region == region && (typ == "" || ds.meta.Type == typ) && ds.meta.Name > exclusiveStart
		n := ds.meta.Name
		ds.mu.Unlock()
		if ok {
			names = append(names, n)
		}
	}
	e.mu.RUnlock()
	sort.Strings(names)
	if limit > 0 && len(names) > limit {
		return names[:limit], true
	}
	return names, false
}

// UpdateDestination applies fn to a copy of the destination when
// currentVersion is the delivery stream's version, then validates and
// stores the result and bumps the version. Buffered records are flushed
// under the new configuration.
func (e *Engine) UpdateDestination(region, name string, currentVersion int, destinationID string, fn func(d *S3Destination, extended bool) error) error {
	ds, err := e.lookup(region, name)
	if err != nil {
		return err
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	m := ds.meta
	if currentVersion != m.VersionID {
		return &Error{Kind: ErrConcurrentModification, Message: fmt.Sprintf(
			"Cannot update firehose: %s since the current version id: %d and specified version id: %d do not match", name, m.VersionID, currentVersion)}
	}
	if destinationID != DestinationID {
		return invalid("Destination Id %s does not exist.", destinationID)
	}
	d := cloneDestination(m.Destination)
	if err := fn(&d, m.Extended); err != nil {
		return err
	}
	d = withDefaults(d)
	p, err := compile(name, m.VersionID+1, d)
	if err != nil {
		return err
	}
	if p.dynamic != ds.plan.dynamic {
		// AWS: dynamic partitioning is chosen at creation, for good.
		return invalid("Dynamic partitioning cannot be enabled or disabled on an existing Firehose stream.")
	}
	if err := e.checkBucket(p.bucket); err != nil {
		return err
	}
	m.Destination = d
	m.VersionID++
	m.Updated = e.cfg.Now().UTC()
	if err := e.saveStream(&m); err != nil {
		return err
	}
	ds.meta, ds.plan = m, p
	ds.poke()
	return nil
}

// cloneDestination copies d deeply enough that an update function may
// change any member.
func cloneDestination(d S3Destination) S3Destination {
	var out S3Destination
	b, _ := jsonMarshal(d)
	jsonUnmarshal(b, &out)
	return out
}

// SetEncryption starts (keyType != "") or stops server-side encryption.
func (e *Engine) SetEncryption(region, name, keyType, keyARN string) error {
	ds, err := e.lookup(region, name)
	if err != nil {
		return err
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	m := ds.meta
	if m.Type != TypeDirectPut {
		return invalid("Server-side encryption is not supported for a delivery stream of type %s.", m.Type)
	}
	if keyType == "" {
		m.Encryption = Encryption{KeyType: m.Encryption.KeyType, KeyARN: m.Encryption.KeyARN, Status: "DISABLED"}
		if m.Encryption.KeyType == "" {
			m.Encryption = Encryption{Status: "DISABLED"}
		}
	} else {
		m.Encryption = Encryption{KeyType: keyType, KeyARN: keyARN, Status: "ENABLED"}
	}
	m.VersionID++
	m.Updated = e.cfg.Now().UTC()
	if err := e.saveStream(&m); err != nil {
		return err
	}
	ds.meta = m
	return nil
}

// MaxTags is Firehose's limit of tags per delivery stream.
const MaxTags = 50

func mergeTags(cur, add []Tag) ([]Tag, error) {
	out := slices.Clone(cur)
	for _, t := range add {
		i := slices.IndexFunc(out, func(x Tag) bool { return x.Key == t.Key })
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf("A delivery stream cannot have more than %d tags.", MaxTags)}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Tag adds or replaces tags.
func (e *Engine) Tag(region, name string, tags []Tag) error {
	return e.changeTags(region, name, func(cur []Tag) ([]Tag, error) { return mergeTags(cur, tags) })
}

// Untag removes tags by key; absent keys are ignored.
func (e *Engine) Untag(region, name string, keys []string) error {
	return e.changeTags(region, name, func(cur []Tag) ([]Tag, error) {
		return slices.DeleteFunc(slices.Clone(cur), func(t Tag) bool { return slices.Contains(keys, t.Key) }), nil
	})
}

func (e *Engine) changeTags(region, name string, fn func([]Tag) ([]Tag, error)) error {
	ds, err := e.lookup(region, name)
	if err != nil {
		return err
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	m := ds.meta
	if m.Tags, err = fn(m.Tags); err != nil {
		return err
	}
	if err := e.saveStream(&m); err != nil {
		return err
	}
	ds.meta = m
	return nil
}

// Put appends records to a DirectPut delivery stream's log and returns
// their record ids once they are durable. It is all or nothing.
func (e *Engine) Put(region, name string, records [][]byte) ([]string, error) {
	ds, err := e.lookup(region, name)
	if err != nil {
		return nil, err
	}
	return ds.put(records)
}

// ctxDone reports whether ctx is finished.
func ctxDone(ctx context.Context) bool { return ctx.Err() != nil }
