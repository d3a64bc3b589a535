// Package stream owns Kinesis-style data streams: streams of shards with
// hash-key ranges, partition-key routing, sequence numbers, iterators,
// resharding, retention and per-shard quotas. It knows nothing of HTTP;
// the kinesis package is its wire skin.
//
// Streams are scoped by region, as in AWS: the same name in two regions is
// two streams. Each stream incarnation has a random id, so a stream deleted
// and created again under the same name shares nothing with its
// predecessor: not its data, not its iterators, not its sequence numbers.
//
// Storage: each shard's records live in a shardlog.Log; stream metadata is
// a versioned JSON document per stream, replaced atomically (layout.go).
// Sequence numbers encode (stream tag, shard index, log offset)
// (sequence.go); iterators are HMAC-authenticated tokens (iterator.go).
//
// Choices where AWS is asynchronous or unspecified, made on purpose:
//   - CreateStream, DeleteStream, resharding and UpdateStreamMode complete
//     before they return. A stream is ACTIVE the moment CreateStream
//     returns and never reports CREATING, UPDATING or DELETING, so clients'
//     waiters succeed on their first poll.
//   - UpdateShardCount works by splits then merges, as AWS does, so the
//     lineage is exact and short-lived intermediate shards appear
//     (reshard.go).
//   - Quotas (Config.Quotas) apply to PROVISIONED streams only; ON_DEMAND
//     streams have no per-shard limits.
//   - AT_TIMESTAMP with a time in the future positions at the tip, like
//     LATEST; AT/AFTER_SEQUENCE_NUMBER with a number below the trim horizon
//     reads from the trim horizon; a number the shard never issued is an
//     InvalidArgumentException.
//   - GetRecords returns a null next iterator together with the last
//     records of a closed shard (not one call later), with ChildShards.
package stream

import (
	"errors"
	"fmt"
	"time"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/shardlog"
)

// Mode is a stream's capacity mode.
type Mode string

const (
	ModeProvisioned Mode = "PROVISIONED"
	ModeOnDemand    Mode = "ON_DEMAND"
)

// Status is a stream's lifecycle state as AWS reports it.
type Status string

const (
	StatusCreating Status = "CREATING"
	StatusDeleting Status = "DELETING"
	StatusActive   Status = "ACTIVE"
	StatusUpdating Status = "UPDATING"
)

// IteratorType names where a shard iterator starts.
type IteratorType string

const (
	AtSequenceNumber    IteratorType = "AT_SEQUENCE_NUMBER"
	AfterSequenceNumber IteratorType = "AFTER_SEQUENCE_NUMBER"
	TrimHorizon         IteratorType = "TRIM_HORIZON"
	Latest              IteratorType = "LATEST"
	AtTimestamp         IteratorType = "AT_TIMESTAMP"
)

// HashKey is an unsigned 128-bit hash key (0..2^128-1).
type HashKey struct{ Hi, Lo uint64 }

// Config configures the engine. The zero value means the defaults.
type Config struct {
	// Dir is the directory the engine owns (required).
	Dir string
	// AccountID appears in ARNs and messages (default "000000000000").
	AccountID string
	// Quotas enables AWS's per-shard write and read limits (1 MiB/s and
	// 1,000 records/s in, 2 MiB/s and 5 GetRecords/s out). Callers set it
	// from the server's --quotas flag; the server's default is on.
	Quotas bool
	// Sync is passed to every shard log (default shardlog.SyncAlways).
	Sync shardlog.SyncMode
	// Now is the engine's clock (default time.Now).
	Now func() time.Time

	// ShardLimit is the account's open-shard limit per region (default 500).
	ShardLimit int
	// OnDemandStreamCountLimit caps ON_DEMAND streams per region (default 50).
	OnDemandStreamCountLimit int
	// RetentionInterval is how often the background loop expires data past
	// retention (default 1 minute; negative disables the loop, and tests
	// call ExpireNow instead).
	RetentionInterval time.Duration
	// SegmentBytes is passed to every shard log (default: shardlog's).
	SegmentBytes int64
	// OpenLog opens one shard's log (default shardlog.Open). Tests pass a
	// function returning shardlog.NewMemory logs.
	OpenLog func(dir string, opts shardlog.Options) (shardlog.Log, error)
	// Keys makes and opens the data keys of encrypted streams
	// (encryption.go). Nil: StartStreamEncryption fails with ErrKMSAccess.
	Keys *keystore.Store
}

// Stream is a snapshot of one stream.
type Stream struct {
	Name              string
	ARN               string
	Region            string
	Status            Status
	Mode              Mode
	CreatedAt         time.Time
	RetentionHours    int
	Shards            []Shard // every retained shard, open and closed, in creation order
	OpenShardCount    int
	EncryptionType    string // "NONE" or "KMS"
	KeyID             string
	ShardLevelMetrics []string // enhanced monitoring, sorted
	MaxRecordSizeKiB  int      // default 1024
	Tags              map[string]string
	Policy            string // resource policy JSON, "" when none
}

// Shard describes one shard.
type Shard struct {
	ID                    string // "shardId-000000000000"
	ParentShardID         string
	AdjacentParentShardID string
	HashKeyStart          HashKey
	HashKeyEnd            HashKey
	StartingSequence      string
	EndingSequence        string // "" while the shard is open
	CreatedAt             time.Time
}

// Open reports whether the shard still accepts records.
func (s Shard) Open() bool { return s.EndingSequence == "" }

// CreateOptions are the parameters of CreateStream.
type CreateOptions struct {
	ShardCount int // required for PROVISIONED; ON_DEMAND defaults to 4
	Mode       Mode
	Tags       map[string]string
}

// PutEntry is one record offered to PutRecords.
type PutEntry struct {
	PartitionKey    string
	ExplicitHashKey string // decimal; "" routes by MD5(PartitionKey)
	Data            []byte
}

// PutResult is the outcome for one PutEntry, in request order. Err is nil
// on success or wraps ErrThroughputExceeded / ErrInternal.
type PutResult struct {
	ShardID        string
	SequenceNumber string
	Err            error
}

// Position says where GetShardIterator starts.
type Position struct {
	Type           IteratorType
	SequenceNumber string    // for AT_/AFTER_SEQUENCE_NUMBER
	Timestamp      time.Time // for AT_TIMESTAMP
}

// Record is one record as GetRecords returns it.
type Record struct {
	SequenceNumber string
	ArrivalTime    time.Time // millisecond precision
	PartitionKey   string
	Data           []byte
	EncryptionType string // "" or "KMS", as the stream had it at write time (may be "")
}

// ChildShard names a shard that replaced a closed one.
type ChildShard struct {
	ShardID      string
	ParentShards []string
	HashKeyStart HashKey
	HashKeyEnd   HashKey
}

// Records is the answer of GetRecords.
type Records struct {
	Records            []Record
	NextIterator       string // "" (null on the wire) once a closed shard is fully read
	MillisBehindLatest int64
	ChildShards        []ChildShard // set once a closed shard is fully read

	bufs *readBuffers // pooled memory behind Records; see Release
}

// Limits is the answer of DescribeLimits.
type Limits struct {
	ShardLimit               int
	OpenShardCount           int
	OnDemandStreamCount      int
	OnDemandStreamCountLimit int
}

// Error is the engine's error: Kind is one of the sentinels below and
// Message is worded as AWS words it, ready for the wire.
//
// Err, when set, is the lower-level failure behind an ErrInternal (wrapped
// with context); servers log it. errors.Is(err, ErrInternal) still holds;
// Cause gives the underlying error.
type Error struct {
	Kind    error
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Kind }

// Cause returns the lower-level error behind e, or nil.
func (e *Error) Cause() error { return e.Err }

// internalErr reports a storage or filesystem failure: the message names
// the operation and the cause, and Err keeps the cause for errors.Is/As.
func internalErr(err error, format string, args ...any) *Error {
	ctx := fmt.Sprintf(format, args...)
	return &Error{Kind: ErrInternal, Message: ctx + ": " + err.Error(), Err: fmt.Errorf("%s: %w", ctx, err)}
}

// Sentinel error kinds. The kinesis skin maps each to one AWS error code.
var (
	ErrStreamNotFound     = errors.New("stream not found")    // ResourceNotFoundException
	ErrResourceInUse      = errors.New("resource in use")     // ResourceInUseException (exists, or not ACTIVE)
	ErrInvalidArgument    = errors.New("invalid argument")    // InvalidArgumentException
	ErrValidation         = errors.New("validation")          // ValidationException
	ErrLimitExceeded      = errors.New("limit exceeded")      // LimitExceededException
	ErrExpiredIterator    = errors.New("expired iterator")    // ExpiredIteratorException
	ErrThroughputExceeded = errors.New("throughput exceeded") // ProvisionedThroughputExceededException
	ErrInternal           = errors.New("internal failure")    // InternalFailureException
)
