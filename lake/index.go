package lake

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The index (index.db, bbolt), format v1. Top-level bbolt buckets:
//
//	meta        "format" → "1"
//	buckets     <bucket name> → bucketRecord (JSON)
//	objects     <bucket name> → nested bbolt bucket: <key bytes> → objectRecord (binary, record.go)
//	            (bbolt orders keys by bytes, so a cursor walks S3 key order)
//	uploads     <upload ID> → uploadRecord (JSON)
//	parts       <upload ID> → nested bbolt bucket: <part number, uint16 BE> → partRecord (JSON)
//	completed   <upload ID> → completedRecord (JSON): finished uploads, so a
//	            retried CompleteMultipartUpload answers the same object;
//	            dropped when that object is replaced or deleted (and at Open,
//	            for any left over)
//
// JSON record fields are named in their tags; add fields freely (readers
// ignore unknown ones), never rename or reuse one.
var (
	metaBucket      = []byte("meta")
	bucketsBucket   = []byte("buckets")
	objectsBucket   = []byte("objects")
	uploadsBucket   = []byte("uploads")
	partsBucket     = []byte("parts")
	completedBucket = []byte("completed")
	formatKey       = []byte("format")
)

const formatVersion = "1"

type bucketRecord struct {
	Region  string      `json:"region,omitempty"`
	Created int64       `json:"created"`       // Unix nanoseconds
	SSE     *Encryption `json:"sse,omitempty"` // default encryption (encryption.go)
}

// objectRecord is one object's index entry. Path is relative to
// Config.Dir and slash-separated; it names the data file, which holds
// exactly Size bytes.
//
// It is stored in the binary form of record.go.
type objectRecord struct {
	Path         string
	Size         int64
	ETag         string
	Modified     int64 // Unix nanoseconds
	Meta         metaRecord
	Checksums    map[string]string
	ChecksumType string
	PartsCount   int
	PartSizes    []int64
	UploadID     string // the multipart upload it came from
	// Server-side encryption (encryption.go): algorithm ("" = plain
	// file), KMS key ARN, and the data key wrapped by the key store.
	SSE        string
	SSEKey     string
	SSEWrapped []byte
}

// metaRecord is Metadata as stored; a separate type so that the exported
// Metadata never fixes the on-disk names.
type metaRecord struct {
	ContentType        string            `json:"ct,omitempty"`
	ContentEncoding    string            `json:"ce,omitempty"`
	ContentDisposition string            `json:"cd,omitempty"`
	ContentLanguage    string            `json:"cl,omitempty"`
	CacheControl       string            `json:"cc,omitempty"`
	Expires            string            `json:"exp,omitempty"`
	User               map[string]string `json:"user,omitempty"`
	StorageClass       string            `json:"sc,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
}

func toMetaRecord(m Metadata) metaRecord     { return metaRecord(m) }
func (m metaRecord) metadata() Metadata      { return Metadata(m) }
func (r *objectRecord) modified() time.Time  { return time.Unix(0, r.Modified).UTC() }
func (r *bucketRecord) created() time.Time   { return time.Unix(0, r.Created).UTC() }
func (r *uploadRecord) initiated() time.Time { return time.Unix(0, r.Initiated).UTC() }

func (r *objectRecord) info(bucket, key string) ObjectInfo {
	return ObjectInfo{
		Bucket:       bucket,
		Key:          key,
		Size:         r.Size,
		ETag:         r.ETag,
		LastModified: r.modified(),
		Meta:         r.Meta.metadata(),
		Checksums:    r.Checksums,
		ChecksumType: r.ChecksumType,
		PartsCount:   r.PartsCount,
		PartSizes:    r.PartSizes,
		Encryption:   r.encryption(),
	}
}

type uploadRecord struct {
	Bucket       string     `json:"bucket"`
	Key          string     `json:"key"`
	Initiated    int64      `json:"initiated"` // Unix nanoseconds
	Meta         metaRecord `json:"meta"`
	ChecksumAlg  string     `json:"sumAlg,omitempty"`
	ChecksumType string     `json:"sumType,omitempty"`
	// Server-side encryption of the upload's parts and object
	// (encryption.go): algorithm, KMS key ARN, wrapped data key.
	SSE        string `json:"sse,omitempty"`
	SSEKey     string `json:"sseKey,omitempty"`
	SSEWrapped []byte `json:"sseWrapped,omitempty"`
}

func (r *uploadRecord) upload(id string) Upload {
	return Upload{
		ID:                id,
		Bucket:            r.Bucket,
		Key:               r.Key,
		Initiated:         r.initiated(),
		Meta:              r.Meta.metadata(),
		ChecksumAlgorithm: r.ChecksumAlg,
		ChecksumType:      r.ChecksumType,
		Encryption:        (&objectRecord{SSE: r.SSE, SSEKey: r.SSEKey}).encryption(),
	}
}

type partRecord struct {
	Path      string            `json:"path"`
	Size      int64             `json:"size"`
	ETag      string            `json:"etag"`
	Modified  int64             `json:"mtime"`
	Checksums map[string]string `json:"sums,omitempty"` // base64
	// Salt, set when the part is sealed, labels its file key
	// ("part:"+salt under the upload's data key; encryption.go).
	Salt []byte `json:"salt,omitempty"`
}

func (r *partRecord) part(n int) Part {
	return Part{Number: n, ETag: r.ETag, Size: r.Size, LastModified: time.Unix(0, r.Modified).UTC(), Checksums: r.Checksums}
}

type completedRecord struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

func partKey(n int) []byte {
	var k [2]byte
	binary.BigEndian.PutUint16(k[:], uint16(n))
	return k[:]
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	return true, decodeJSON(key, data, v)
}

func decodeJSON(key, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("lake: corrupt index entry %q: %w", key, err)
	}
	return nil
}

// initIndex creates the top-level buckets and checks the format version.
func initIndex(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{metaBucket, bucketsBucket, objectsBucket, uploadsBucket, partsBucket, completedBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(metaBucket)
		switch v := meta.Get(formatKey); {
		case v == nil:
			return meta.Put(formatKey, []byte(formatVersion))
		case string(v) != formatVersion:
			return fmt.Errorf("lake: index format %q, this caudal reads %q", v, formatVersion)
		}
		return nil
	})
}

// committer batches index updates into shared bbolt transactions (group
// commit): the first caller to find no commit running becomes the leader,
// takes every pending update, runs them in one transaction (one fsync),
// answers them, and hands leadership to the first update that arrived
// meanwhile. No goroutine idles and a lone writer waits for no timer
// (bbolt's own Batch waits MaxBatchDelay).
//
// Each update either returns an error having written nothing (a failed
// check: the transaction goes on for the others) or succeeds; an update
// that fails after writing must return a txAbort, which fails the whole
// batch.
type committer struct {
	db *bolt.DB

	// failed is the first failed transaction's error. bbolt rolls a failed
	// commit back, but after an I/O error the file's state is unknown: every
	// later write answers this error until the lake is reopened (and Open
	// checks the index), never an acknowledgement after a failed write.
	failed atomic.Pointer[commitFailure]

	mu      sync.Mutex
	running bool         // guarded by mu: a leader is committing
	pending []*commitReq // guarded by mu
}

type commitReq struct {
	fn  func(*bolt.Tx) error
	err error
	ch  chan bool // receives true to lead, false when err is set
}

// commitFailure is a failed bbolt transaction. Whether it reached the
// disk is unknown, so a data file it would have named must stay (Open
// removes it if the index does not name it).
type commitFailure struct{ err error }

func (e commitFailure) Error() string { return "lake: index commit: " + e.err.Error() }
func (e commitFailure) Unwrap() error { return e.err }

func isCommitFailure(err error) bool {
	var cf commitFailure
	return errors.As(err, &cf)
}

// txAbort marks an update error that leaves the transaction half-written.
type txAbort struct{ err error }

func (e txAbort) Error() string { return e.err.Error() }
func (e txAbort) Unwrap() error { return e.err }

func (c *committer) commit(fn func(*bolt.Tx) error) error {
	if f := c.failed.Load(); f != nil {
		return *f
	}
	req := &commitReq{fn: fn, ch: make(chan bool, 1)}
	c.mu.Lock()
	c.pending = append(c.pending, req)
	if c.running {
		c.mu.Unlock()
		if lead := <-req.ch; !lead {
			return req.err
		}
	} else {
		c.running = true
		c.mu.Unlock()
	}
	c.mu.Lock()
	batch := c.pending
	c.pending = nil
	c.mu.Unlock()

	err := c.db.Update(func(tx *bolt.Tx) error {
		for _, r := range batch {
			r.err = r.fn(tx)
			if abort, ok := r.err.(txAbort); ok {
				return abort.err
			}
		}
		return nil
	})
	if err != nil {
		c.failed.CompareAndSwap(nil, &commitFailure{err})
	}
	for _, r := range batch {
		if err != nil {
			r.err = commitFailure{err}
		}
		if r != req {
			r.ch <- false
		}
	}
	c.mu.Lock()
	if len(c.pending) > 0 {
		c.pending[0].ch <- true
	} else {
		c.running = false
	}
	c.mu.Unlock()
	return req.err
}
