// Package delivery owns Firehose-style delivery streams: records put
// directly (DirectPut) or read from a caudal stream (KinesisStreamAsSource)
// are buffered, processed, optionally converted to Parquet, and written to
// the lake as objects under time- and content-based prefixes. There is no
// HTTP here; package firehose is the wire skin.
//
// # Guarantees
//
//   - DirectPut: Put appends the records to the delivery stream's durable
//     log (package shardlog: checksummed, group-committed, fsynced per
//     Config.Sync) before it returns, so an acknowledged record survives
//     kill -9 before its delivery.
//   - A flush writes every object of a batch to the lake (each durable
//     when lake.PutObject returns) and only then advances the checkpoint:
//     the log offset (DirectPut) or the per-shard sequence numbers
//     (stream source) past which nothing is yet delivered. Delivery is
//     at-least-once: a crash between an object landing and the checkpoint
//     commit delivers that batch again after restart (duplicates only
//     after a crash); nothing acknowledged is ever skipped.
//   - A stream source is followed through resharding: a child shard is
//     read only once every parent is read to its end and delivered. A
//     new delivery stream reads from its DeliveryStartTimestamp (its
//     creation time), as AWS does.
//
// # Buffering and the flush pipeline
//
// One goroutine per delivery stream (worker.go), woken by a one-slot
// channel and a timer, flushes when the buffered data reaches
// BufferingHints.SizeInMBs or the oldest buffered record is
// IntervalInSeconds old. With dynamic partitioning or Parquet conversion
// SizeInMBs is at least 64 (its default then), as AWS requires. Choice
// made on purpose: the hints apply to the
// delivery stream's whole buffer, also with dynamic partitioning (AWS
// applies them per partition), so a batch spanning several partitions is
// flushed as several objects at once. That keeps one exact checkpoint per
// source position, so a clean restart delivers nothing twice; per-partition
// flushing would deliver later records of one partition before earlier
// ones of another, and a restart would repeat them.
//
// A batch goes through (pipeline.go): the processors (RecordDeAggregation
// of KPL or JSON records, MetadataExtraction with jq, then
// AppendDelimiterToRecord), grouping by rendered prefix (package
// delivery/prefix), then either Parquet conversion (delivery/columnar,
// with the columns of the catalog table named by SchemaConfiguration) or
// concatenation and compression (delivery/compression), then the lake.
// Records that fail partitioning or conversion are written, in AWS's
// error-record JSON (one document per line: the schema of "Handling
// errors for data format conversion", with ErrorCode and ErrorMessage, for
// conversion failures; attemptsMade, arrivalTimestamp, errorCode,
// errorMessage, attemptEndingTimestamp and rawData for partitioning
// failures), under the error output prefix (by default
// "<error-output-type>/YYYY/MM/dd/HH/"); the rest continue. A
// lake failure (a deleted bucket, a full disk) keeps the batch and retries
// with backoff, as Firehose retries S3.
//
// # Beyond AWS
//
// A delivery stream tagged caudal:catalog-table=<database>.<table>
// registers the table's partitions in the catalog as objects land
// (partitions.go), so queries see fresh data without MSCK REPAIR TABLE.
// Engine.Metrics reports delivery lag and freshness per delivery stream;
// the server serves them at /_caudal/delivery.
//
// # On-disk format (version 1)
//
// Under Config.Dir:
//
//	delivery.db       bbolt; every write one fsynced transaction (unless NoSync)
//	logs/<id>/        shardlog segments of DirectPut delivery stream <id>
//
// delivery.db buckets:
//
//	meta         "format" -> "1" (decimal ASCII); Open refuses other values
//	streams      <region> 0x00 <name> -> JSON of DeliveryStream
//	checkpoints  <id>                 -> JSON of checkpoint (store.go)
//
// <id> is a random 32-hex-digit incarnation id, so a delivery stream
// deleted and created again under the same name shares no log and no
// checkpoint with its predecessor. Records in a log carry no partition key
// and the raw record bytes as Data. This layout must not change silently:
// a change bumps the format number and Open keeps reading version 1.
package delivery

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/shardlog"
	"github.com/caudal/caudal/stream"
)

// Config configures an Engine. The zero value of each optional field is
// its default.
type Config struct {
	Dir       string           // required: the engine's directory
	Lake      *lake.Lake       // required: where objects land
	Catalog   *catalog.Catalog // for SchemaConfiguration; nil refuses data format conversion
	Streams   *stream.Engine   // for KinesisStreamAsSource; nil refuses it
	AccountID string           // default "000000000000"
	// NoSync skips the fsyncs of delivery.db (tests); Sync is passed to
	// every DirectPut log (default shardlog.SyncAlways).
	NoSync bool
	Sync   shardlog.SyncMode
	Now    func() time.Time // default time.Now
	// PollInterval is how often a stream source's shards are read
	// (default 1 s).
	PollInterval time.Duration
	// RetryInterval is the first wait after a failed flush; it doubles up
	// to a minute (default 1 s).
	RetryInterval time.Duration
	Log           *slog.Logger // default slog.Default()
	// OpenLog opens a DirectPut log (default shardlog.Open).
	OpenLog func(dir string, opts shardlog.Options) (shardlog.Log, error)
}

func (c Config) withDefaults() Config {
	if c.AccountID == "" {
		c.AccountID = "000000000000"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.RetryInterval <= 0 {
		c.RetryInterval = time.Second
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.OpenLog == nil {
		c.OpenLog = shardlog.Open
	}
	return c
}

// Limits Firehose enforces that the engine checks too.
const (
	MaxRecordBytes      = 1_024_000 // one record's data
	MaxBatchRecords     = 500
	MaxBatchBytes       = 4 << 20
	MaxDeliveryStreams  = 5000 // per region (AWS's default quota)
	maxBufferBytesTotal = 256 << 20
)

// Error is the engine's error: Kind is one of the sentinels below and
// Message is worded as Firehose words it. Err, when set, is the lower-level
// cause of an ErrInternal.
type Error struct {
	Kind    error
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Is makes errors.Is(err, ErrNotFound) hold through wrapping.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the lower-level cause.
func (e *Error) Unwrap() error { return e.Err }

// Sentinel error kinds; the firehose skin maps each to one AWS code.
var (
	ErrNotFound               = errors.New("delivery stream not found") // ResourceNotFoundException
	ErrInUse                  = errors.New("resource in use")           // ResourceInUseException
	ErrInvalidArgument        = errors.New("invalid argument")          // InvalidArgumentException
	ErrConcurrentModification = errors.New("concurrent modification")   // ConcurrentModificationException
	ErrLimitExceeded          = errors.New("limit exceeded")            // LimitExceededException
	ErrInternal               = errors.New("internal failure")          // ServiceUnavailableException
	ErrClosed                 = errors.New("delivery: engine closed")
)

func invalid(format string, args ...any) error {
	return &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf(format, args...)}
}

func internal(err error, format string, args ...any) error {
	return &Error{Kind: ErrInternal, Message: fmt.Sprintf(format, args...), Err: err}
}

func (e *Engine) notFound(name string) error {
	return &Error{Kind: ErrNotFound, Message: fmt.Sprintf("Firehose %s under account %s not found.", name, e.cfg.AccountID)}
}

// ARN returns a delivery stream's ARN.
func (e *Engine) ARN(region, name string) string {
	return fmt.Sprintf("arn:aws:firehose:%s:%s:deliverystream/%s", region, e.cfg.AccountID, name)
}

// AccountID is the account the engine reports.
func (e *Engine) AccountID() string { return e.cfg.AccountID }
