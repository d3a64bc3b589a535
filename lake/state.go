package lake

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// lakeState is an open lake. Its fields are set at Open and never change,
// except closed and lastVersion, which are atomic; all index state lives in
// db, whose transactions are the only synchronisation the operations need.
type lakeState struct {
	cfg    Config
	dir    string // cfg.Dir, absolute
	db     *bolt.DB
	commit committer
	closed atomic.Bool

	// lastVersion is the last data-file version handed out. Versions are
	// unique and increasing for the life of the directory: seeded at Open
	// from the clock and from every version already on disk.
	lastVersion atomic.Uint64

	// hooks for tests; nil in production.
	afterPlace func(rel string) error // between the data file's rename and the index commit
}

const (
	indexFile   = "index.db"
	objectsDir  = "objects"
	uploadsDir  = "uploads"
	tmpDir      = "tmp"
	openTimeout = 500 * time.Millisecond
)

func open(cfg Config) (*lakeState, error) {
	if cfg.Dir == "" {
		return nil, errors.New("lake: Config.Dir is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("lake: %w", err)
	}
	for _, d := range []string{dir, filepath.Join(dir, objectsDir), filepath.Join(dir, uploadsDir), filepath.Join(dir, tmpDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("lake: %w", err)
		}
	}
	db, err := bolt.Open(filepath.Join(dir, indexFile), 0o600, &bolt.Options{Timeout: openTimeout, NoSync: cfg.NoSync, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("lake: open index: %w", err)
	}
	if !cfg.NoSync {
		// Make the entries of a new lake (index.db, objects/, uploads/,
		// tmp/, and Dir itself) durable before anything is acknowledged.
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := syncDir(d); err != nil {
				db.Close()
				return nil, err
			}
		}
	}
	s := &lakeState{cfg: cfg, dir: dir, db: db}
	s.commit.db = db
	if err := initIndex(db); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.sweep(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *lakeState) close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	return s.db.Close()
}

// check returns ErrClosed once the lake is closed.
func (s *lakeState) check() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// newVersion returns a fresh data-file version: 16 hex digits, so that
// versions sort as strings in the order they were made.
func (s *lakeState) newVersion() string {
	v := s.lastVersion.Add(1)
	return fmt.Sprintf("%016x", v)
}

func (s *lakeState) abs(rel string) string { return filepath.Join(s.dir, filepath.FromSlash(rel)) }

func (s *lakeState) now() time.Time { return s.cfg.Now() }

// sweep removes what a crash can leave behind (see the package doc):
// everything in tmp/, data and part files the index does not name, and
// the directories that leaves empty (but not a bucket's own directory).
// It also seeds lastVersion above every version found on disk and prunes
// completed-upload records whose objects were replaced or deleted.
func (s *lakeState) sweep() error {
	if err := removeContents(filepath.Join(s.dir, tmpDir)); err != nil {
		return fmt.Errorf("lake: clean tmp: %w", err)
	}
	referenced := make(map[string]bool)
	buckets := make(map[string]bool)
	var stale [][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketsBucket).ForEach(func(k, _ []byte) error {
			buckets[string(k)] = true
			return nil
		}); err != nil {
			return err
		}
		objs := tx.Bucket(objectsBucket)
		if err := objs.ForEachBucket(func(name []byte) error {
			return objs.Bucket(name).ForEach(func(k, v []byte) error {
				var r objectRecord
				if err := decodeObjectRecord(v, &r); err != nil {
					return fmt.Errorf("corrupt index entry %q: %w", k, err)
				}
				referenced[r.Path] = true
				return nil
			})
		}); err != nil {
			return err
		}
		parts := tx.Bucket(partsBucket)
		if err := parts.ForEachBucket(func(id []byte) error {
			pb := parts.Bucket(id)
			return pb.ForEach(func(k, v []byte) error {
				var r partRecord
				if err := decodeJSON(k, v, &r); err != nil {
					return err
				}
				referenced[r.Path] = true
				return nil
			})
		}); err != nil {
			return err
		}
		return tx.Bucket(completedBucket).ForEach(func(id, v []byte) error {
			var c completedRecord
			if err := decodeJSON(id, v, &c); err != nil {
				return err
			}
			var r objectRecord
			ob := objs.Bucket([]byte(c.Bucket))
			if ob == nil {
				stale = append(stale, id)
				return nil
			}
			if ok, err := getObjectRecord(ob, []byte(c.Key), &r); err != nil || !ok || r.UploadID != string(id) {
				stale = append(stale, id)
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("lake: read index: %w", err)
	}
	if len(stale) > 0 {
		if err := s.db.Update(func(tx *bolt.Tx) error {
			for _, id := range stale {
				if err := tx.Bucket(completedBucket).Delete(id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("lake: prune completed uploads: %w", err)
		}
	}

	maxVersion := uint64(s.now().UnixNano())
	noteVersion := func(name string) {
		// Object files are "<ver>#<name>", part files "<n>#<ver>".
		for _, field := range strings.SplitN(name, "#", 2) {
			if len(field) == versionHexLen {
				if v, err := strconv.ParseUint(field, 16, 64); err == nil && v > maxVersion {
					maxVersion = v
				}
			}
		}
	}
	objRoot := filepath.Join(s.dir, objectsDir)
	entries, err := os.ReadDir(objRoot)
	if err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	for _, e := range entries {
		p := filepath.Join(objRoot, e.Name())
		if !e.IsDir() || !buckets[e.Name()] {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("lake: remove stray %s: %w", p, err)
			}
			continue
		}
		if _, err := s.sweepTree(p, referenced, noteVersion); err != nil {
			return err
		}
	}
	if _, err := s.sweepTree(filepath.Join(s.dir, uploadsDir), referenced, noteVersion); err != nil {
		return err
	}
	s.lastVersion.Store(maxVersion)
	return nil
}

// sweepTree removes every file under root that referenced does not name
// and every directory below root left empty; it reports whether root
// itself is empty afterwards.
func (s *lakeState) sweepTree(root string, referenced map[string]bool, noteVersion func(string)) (empty bool, err error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return false, fmt.Errorf("lake: sweep: %w", err)
	}
	left := len(entries)
	for _, e := range entries {
		p := filepath.Join(root, e.Name())
		if e.IsDir() {
			sub, err := s.sweepTree(p, referenced, noteVersion)
			if err != nil {
				return false, err
			}
			if sub {
				if err := os.Remove(p); err != nil {
					return false, fmt.Errorf("lake: sweep: %w", err)
				}
				left--
			}
			continue
		}
		rel, err := filepath.Rel(s.dir, p)
		if err != nil {
			return false, fmt.Errorf("lake: sweep: %w", err)
		}
		if referenced[filepath.ToSlash(rel)] {
			noteVersion(e.Name())
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("lake: sweep: %w", err)
		}
		left--
	}
	return left == 0, nil
}

func removeContents(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// bufPool holds the copy buffers of the write path, so that a body is
// streamed through one reused 1 MiB buffer and never held whole.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}
