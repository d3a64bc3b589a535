// Package shardlog owns the durable, append-only record log of one shard.
//
// A log is a directory of segment files. Each record carries a checksum;
// appends are acknowledged only after they are durable (per SyncMode), and
// concurrent appenders share one fsync (group commit). Opening a log
// recovers it: a torn or corrupt tail is truncated and never served.
//
// Offsets are dense and strictly increasing: the record appended after
// offset n has offset n+1. They are never reused, even across restarts and
// even after every segment has expired.
//
// Files: shardlog.go (this contract), format.go (the on-disk format, which
// must not change silently), filelog.go (Open, recovery rules, reads,
// retention), writer.go (group commit), memlog.go (NewMemory, the reference
// implementation), fs.go (the filesystem seam) and crashfs.go (CrashFS, a
// crashable, fault-injecting FS for this and other packages' tests).
package shardlog

import (
	"errors"
	"fmt"
	"time"
)

// Entry is what a producer hands to Append.
type Entry struct {
	PartitionKey string
	Data         []byte
}

// Record is one stored record as Read returns it.
type Record struct {
	Offset       uint64
	Timestamp    int64 // arrival time, Unix milliseconds; non-decreasing in offset order
	PartitionKey string
	Data         []byte
}

// SyncMode says when an append counts as durable.
type SyncMode int

const (
	// SyncAlways fsyncs before Append returns (group commit). The default.
	SyncAlways SyncMode = iota
	// SyncInterval fsyncs on a timer; Append returns after the write.
	SyncInterval
	// SyncNever leaves flushing to the operating system.
	SyncNever
)

// Options configure a log. The zero value means the defaults.
type Options struct {
	// StartOffset is the first offset of a log created empty. Ignored when
	// the directory already holds a log.
	StartOffset uint64
	// SegmentBytes is the size at which a new segment is started (default 64 MiB).
	SegmentBytes int64
	Sync         SyncMode
	// SyncInterval is the timer for SyncInterval (default 200ms).
	SyncInterval time.Duration
	// Now is the clock for arrival timestamps (default time.Now).
	Now func() time.Time
	// FS is the filesystem the log writes through (default the OS); tests
	// substitute one that can crash and fail.
	FS FS
}

// Log is one shard's record log. All methods are safe for concurrent use.
type Log interface {
	// Append stores entries as consecutive records with one arrival
	// timestamp and returns the first offset and that timestamp. It returns
	// only once the records are durable per the SyncMode. After a write or
	// sync error every later Append fails with that error. Append keeps
	// nothing of entries once it returns (it copies the records), so the
	// caller may reuse their memory: the kinesis skin decodes Data into a
	// buffer reused by the next request.
	Append(entries []Entry) (first uint64, timestamp int64, err error)
	// AppendAsync is Append without the wait: it queues entries and
	// returns, and done is called exactly once with what Append would
	// have returned, when that is known (from the log's writer, or before
	// AppendAsync returns when the log refuses the append at once).
	// entries must stay unchanged until done is called, and done must not
	// block. A caller appending to several logs at once waits for all of
	// them without a goroutine per log (stream's PutRecords).
	AppendAsync(entries []Entry, done func(first uint64, timestamp int64, err error))
	// Read appends to buf the records starting at offset from, stopping after
	// maxRecords records or once maxBytes of Data would be exceeded (at least
	// one record is returned if any exists). Offsets below the first retained
	// one read from the first retained record. The returned Data may alias
	// internal buffers only until the next Read on the same buf.
	//
	// maxRecords <= 0 and maxBytes <= 0 mean no limit. To read without
	// allocating per record, pass the previous result as buf[:0]: Read
	// reuses the Data memory of buf's elements between len(buf) and
	// cap(buf), so it must be memory an earlier Read returned. A Read that
	// returned records before meeting damage returns them with a nil error;
	// the next Read, starting at the damaged record, returns ErrCorrupt.
	Read(from uint64, maxRecords, maxBytes int, buf []Record) ([]Record, error)
	// SeekTime returns the offset of the first record with Timestamp >= ms,
	// or Next() when there is none.
	SeekTime(ms int64) (uint64, error)
	// Bounds returns the first retained offset and the next offset to be assigned.
	Bounds() (first, next uint64)
	// LastTimestamp returns the arrival time of the newest record (0 if none).
	LastTimestamp() int64
	// ExpireBefore removes whole segments whose newest record is older than
	// ms, and releases what cold segments hold in memory (see
	// keepLoadedSegments); the retention loop calls it periodically.
	// ms. The active segment is never removed.
	ExpireBefore(ms int64) error
	// Close flushes, syncs and releases the log.
	Close() error
}

// Sentinel errors. Returned errors wrap them with context; test with errors.Is.
var (
	// ErrClosed is returned by operations on a closed log.
	ErrClosed = errors.New("shardlog: log closed")
	// ErrCorrupt means stored bytes failed validation (checksum, framing or
	// offset sequence) somewhere other than a log's tail, so the records
	// there cannot be served. See the package's recovery rules in filelog.go.
	ErrCorrupt = errors.New("shardlog: corrupt record")
	// ErrUnsupportedVersion means a segment file was written in a format
	// version this build cannot read.
	ErrUnsupportedVersion = errors.New("shardlog: unsupported segment format version")
	// ErrTooLarge is returned by Append for an entry whose partition key is
	// longer than MaxKeyBytes or whose framed size exceeds MaxRecordBytes.
	ErrTooLarge = errors.New("shardlog: record too large")
	// ErrEmptyAppend is returned by Append when given no entries.
	ErrEmptyAppend = errors.New("shardlog: append of no entries")
)

// Defaults for the zero Options.
const (
	DefaultSegmentBytes = 64 << 20
	DefaultSyncInterval = 200 * time.Millisecond
)

// withDefaults returns o with zero fields replaced by their defaults.
func (o Options) withDefaults() Options {
	if o.SegmentBytes == 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.SyncInterval == 0 {
		o.SyncInterval = DefaultSyncInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.FS == nil {
		o.FS = OSFS()
	}
	return o
}

func (o Options) validate() error {
	switch {
	case o.SegmentBytes < 0:
		return fmt.Errorf("shardlog: SegmentBytes %d is negative", o.SegmentBytes)
	case o.Sync < SyncAlways || o.Sync > SyncNever:
		return fmt.Errorf("shardlog: unknown SyncMode %d", o.Sync)
	case o.SyncInterval < 0:
		return fmt.Errorf("shardlog: SyncInterval %v is negative", o.SyncInterval)
	}
	return nil
}

// checkEntries validates an Append's entries and returns their framed size.
func checkEntries(entries []Entry) (int64, error) {
	if len(entries) == 0 {
		return 0, ErrEmptyAppend
	}
	var n int64
	for i := range entries {
		e := &entries[i]
		if len(e.PartitionKey) > MaxKeyBytes {
			return 0, fmt.Errorf("entry %d: partition key of %d bytes (max %d): %w", i, len(e.PartitionKey), MaxKeyBytes, ErrTooLarge)
		}
		sz := frameSize(len(e.PartitionKey), len(e.Data))
		if sz > MaxRecordBytes {
			return 0, fmt.Errorf("entry %d: record of %d bytes (max %d): %w", i, sz, MaxRecordBytes, ErrTooLarge)
		}
		n += sz
	}
	return n, nil
}
