// Package catalog is caudal's metadata catalog: the databases, tables and
// partitions that say what the lake's objects mean (the model of the AWS
// Glue Data Catalog). It owns that metadata on disk and offers a small Go
// API; the Glue wire skin (package glue), the SQL engine and Firehose
// delivery all go through it. There is no HTTP here.
//
// # Names
//
// Database and table names are case-insensitive as in Glue: they are
// stored and answered lower-case, and every lookup lower-cases its
// argument. Top-level column and partition-key names are stored
// lower-case too, as Glue stores them; field names inside struct types
// keep their case. Partition expressions match key names
// case-insensitively.
//
// # On-disk format (version 1)
//
// One bbolt file, <Dir>/catalog.db. Every write is one bbolt transaction,
// fsynced before it returns (unless Config.NoSync), so an acknowledged
// change survives a crash and a failed one leaves nothing behind. Buckets:
//
//	meta        "format" -> "1" (decimal ASCII). Open refuses a file whose
//	            format it does not know.
//	databases   <db>                         -> JSON of Database
//	tables      <db> 0x00 <table>            -> JSON of Table
//	partitions  <db> 0x00 <table> 0x00 <vals> -> JSON of Partition
//
// <db> and <table> are the lower-cased names; Glue's name pattern excludes
// 0x00, so the separator cannot occur inside them. <vals> is the
// partition's values, each as a uvarint byte length followed by the bytes,
// so that any value (even one holding 0x00) has one unambiguous key. The
// JSON uses the field names of the Go types (which are Glue's) and RFC 3339
// times. This layout must not change silently: a change bumps the format
// number, and Open must keep reading the previous one.
//
// # Concurrency
//
// A Catalog is safe for concurrent use. bbolt serialises writers and gives
// readers consistent snapshots; checks and writes of one call happen in
// one transaction, so two concurrent creates of one name leave exactly one
// winner and one ErrAlreadyExists.
package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// formatVersion is the on-disk format this code writes (see the package
// doc). Bump it, and keep reading the old one, when the layout changes.
const formatVersion = 1

// FileName is the catalog's file inside Config.Dir.
const FileName = "catalog.db"

var (
	bucketMeta       = []byte("meta")
	bucketDatabases  = []byte("databases")
	bucketTables     = []byte("tables")
	bucketPartitions = []byte("partitions")
	keyFormat        = []byte("format")
)

// Config configures Open. The zero value of every field but Dir is the
// default.
type Config struct {
	Dir string // directory of catalog.db; created if missing

	// NoSync skips the fsync of each commit: faster, but a crash may lose
	// acknowledged changes (never corrupt the file). For tests and
	// throwaway servers only.
	NoSync bool

	// Now is the clock stamped on creations and updates (default
	// time.Now).
	Now func() time.Time
}

// Catalog is an open catalog. Its methods are safe for concurrent use; it
// keeps no state outside the bbolt file, so no lock of its own.
type Catalog struct {
	db  *bolt.DB
	now func() time.Time
}

// Open opens (creating if needed) the catalog in cfg.Dir.
func Open(cfg Config) (*Catalog, error) {
	if cfg.Dir == "" {
		return nil, errors.New("catalog: Config.Dir is empty")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("catalog: create directory: %w", err)
	}
	path := filepath.Join(cfg.Dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: cfg.NoSync})
	if err != nil {
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}
	if err := db.Update(initLayout); err != nil {
		db.Close()
		return nil, fmt.Errorf("catalog: %s: %w", path, err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Catalog{db: db, now: now}, nil
}

// initLayout creates the buckets of a new file and checks the format of an
// existing one.
func initLayout(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if v := meta.Get(keyFormat); v != nil {
		n, err := strconv.Atoi(string(v))
		if err != nil || n != formatVersion {
			return fmt.Errorf("unknown catalog format %q (this caudal reads format %d)", v, formatVersion)
		}
	} else if err := meta.Put(keyFormat, []byte(strconv.Itoa(formatVersion))); err != nil {
		return err
	}
	for _, b := range [][]byte{bucketDatabases, bucketTables, bucketPartitions} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the file. Calls after Close fail.
func (c *Catalog) Close() error {
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("catalog: close: %w", err)
	}
	return nil
}

// update runs fn in a write transaction; storage failures are wrapped as
// ErrInternal so the skins answer them as internal errors.
func (c *Catalog) update(fn func(tx *bolt.Tx) error) error {
	err := c.db.Update(fn)
	return classify(err)
}

func (c *Catalog) view(fn func(tx *bolt.Tx) error) error {
	return classify(c.db.View(fn))
}

// classify leaves the catalog's own errors as they are and marks anything
// else (bbolt, encoding) as internal.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	return &Error{Kind: ErrInternal, Message: "Internal service exception.", Err: err}
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return b.Put(key, data)
}

func getJSON(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode catalog record: %w", err)
	}
	return nil
}
