// Package loadgen is caudal's load generator for any Kinesis-compatible
// endpoint (caudal, AWS, kinesalite): producers putting records with
// PutRecords or PutRecord, optional consumers reading every shard with
// GetRecords while the producers write, and a timed read-back of
// everything written. Every record carries its producer and a per-producer
// counter, so at the end the generator checks that every acknowledged
// record was read back exactly once, in one bit of memory per record.
//
// It measures what an SDK client sees: latencies are of whole SDK calls
// (signing, encoding, HTTP round trip, decoding), recorded in a log-bucketed
// histogram. Latency under --rate is measured from when each call was sent,
// not from when it was scheduled, so it understates queueing delay when the
// endpoint falls behind the requested rate (coordinated omission).
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/caudal/caudal/backoff"
)

// API is the write call producers use.
type API string

const (
	PutRecords API = "putrecords"
	PutRecord  API = "putrecord"
)

// Config describes one bench run. The zero value of each field means its
// default.
type Config struct {
	// Stream to use; empty creates a fresh stream "bench-<random>" with
	// Shards shards and deletes it at the end unless Keep.
	Stream string
	Shards int // default 2
	Keep   bool

	Producers  int // concurrent writers, default 4
	API        API // default PutRecords
	RecordSize int // bytes of data per record, ≥ 16, default 1024
	Batch      int // records per PutRecords call, 1..500, default 500
	Keys       int // distinct partition keys, default 1024

	// Duration bounds the write phase (default 10 s); Records, if set,
	// stops it after that many records instead (Duration then only caps).
	Duration time.Duration
	Records  int64
	// Rate caps the total write rate in records/s (0: as fast as possible).
	Rate float64

	// Consumers read every shard with GetRecords while producers write.
	Consumers bool
	// ReadBack reads everything written after the write phase, timed.
	ReadBack bool

	// Endpoint is only reported.
	// SDK makes the producers and readers call PutRecords, PutRecord and
	// GetRecords through the AWS SDK for Go v2 instead of the generator's
	// own wire client (wire.go), which costs less CPU per record.
	SDK bool

	Endpoint string
	// ServerPID, if set, is a local server process whose CPU time each
	// phase reports (Linux /proc).
	ServerPID int
}

func (c Config) withDefaults() Config {
	if c.Shards == 0 {
		c.Shards = 2
	}
	if c.Producers == 0 {
		c.Producers = 4
	}
	if c.API == "" {
		c.API = PutRecords
	}
	if c.RecordSize == 0 {
		c.RecordSize = 1024
	}
	if c.Batch == 0 {
		c.Batch = 500
	}
	if c.API == PutRecord {
		c.Batch = 1
	}
	if c.Keys == 0 {
		c.Keys = 1024
	}
	if c.Duration == 0 {
		c.Duration = 10 * time.Second
		if c.Records > 0 {
			c.Duration = time.Hour
		}
	}
	return c
}

// ErrConfig wraps every error about an invalid Config.
var ErrConfig = errors.New("invalid bench configuration")

func (c Config) validate() error {
	if err := c.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

func (c Config) check() error {
	switch {
	case c.API != PutRecords && c.API != PutRecord:
		return fmt.Errorf("api %q: want putrecords or putrecord", c.API)
	case c.Producers < 1:
		return fmt.Errorf("producers %d: want at least 1", c.Producers)
	case c.RecordSize < headerSize || c.RecordSize > maxRecordSize-16:
		return fmt.Errorf("record size %d: want %d..%d bytes", c.RecordSize, headerSize, maxRecordSize-16)
	case c.Batch < 1 || c.Batch > 500:
		return fmt.Errorf("batch %d: want 1..500", c.Batch)
	case c.Batch*(c.RecordSize+16) > 5<<20:
		return fmt.Errorf("batch of %d × %d bytes exceeds the 5 MiB PutRecords limit", c.Batch, c.RecordSize)
	case c.Keys < 1:
		return fmt.Errorf("keys %d: want at least 1", c.Keys)
	case c.Shards < 1:
		return fmt.Errorf("shards %d: want at least 1", c.Shards)
	case c.Duration < 0 || c.Records < 0 || c.Rate < 0:
		return errors.New("duration, records and rate must not be negative")
	}
	return nil
}

// TuneClient returns a client for benchmarking derived from base (same
// endpoint, region and credentials): the SDK's own retries are off, because
// the generator retries throttled records itself and counts them, and the
// connection pool holds one idle connection per concurrent caller instead
// of the SDK's default, so connections are reused rather than redialled.
func TuneClient(base *kinesis.Client, conns int) *kinesis.Client {
	return kinesis.New(base.Options(), func(o *kinesis.Options) {
		o.Retryer = aws.NopRetryer{}
		o.RetryMaxAttempts = 0
		o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = conns + 8
			t.MaxIdleConnsPerHost = conns + 8
		})
	})
}

// Run runs one bench against the endpoint c talks to (pass it through
// TuneClient). It returns the report even when verification fails;
// Report.OK says whether it passed. An error means the run could not be
// carried out (stream setup, an endpoint that stopped answering).
func Run(ctx context.Context, kc *kinesis.Client, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &runner{kc: kc, cfg: cfg, run: rand.Uint32(), tr: newTracker(cfg.Producers)}
	if !cfg.SDK {
		w, err := newWireClient(kc, cfg.Producers+cfg.Shards*2)
		if err != nil {
			return nil, err
		}
		r.wire = w
	}
	rep := &Report{Config: reportConfig(cfg)}

	fresh := cfg.Stream == ""
	if fresh {
		r.stream = "bench-" + strconv.FormatUint(rand.Uint64()&0xffffffffff, 36)
		if err := r.createStream(ctx); err != nil {
			return nil, err
		}
		if !cfg.Keep {
			defer func() {
				dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				defer cancel()
				_, _ = kc.DeleteStream(dctx, &kinesis.DeleteStreamInput{StreamName: &r.stream, EnforceConsumerDeletion: aws.Bool(true)})
			}()
		}
	} else {
		r.stream = cfg.Stream
	}
	rep.Stream = r.stream
	shards, err := r.listShards(ctx)
	if err != nil {
		return nil, err
	}
	rep.Config.Shards = len(shards)

	// Where readers start: the trim horizon of a fresh stream; of a reused
	// one, a point just before this run (its older records are filtered
	// out as foreign either way, this only saves reading them).
	start := startPoint{typ: types.ShardIteratorTypeTrimHorizon}
	if !fresh {
		start = startPoint{typ: types.ShardIteratorTypeAtTimestamp, at: time.Now().Add(-2 * time.Second)}
	}

	writesDone := make(chan struct{})
	var cons *readPass
	var consWG sync.WaitGroup
	if cfg.Consumers {
		cons = r.newReadPass(passConsumers, "consumers")
		consWG.Add(1)
		go func() {
			defer consWG.Done()
			cons.readAll(ctx, shards, start, writesDone)
		}()
	}

	clock := cpuClock{serverPID: cfg.ServerPID}
	c0 := clock.now()
	wErr := r.write(ctx, rep)
	c1 := clock.now()
	rep.Write.fillCPU(c0, c1)
	close(writesDone)
	consWG.Wait()
	c2 := clock.now()
	if wErr != nil {
		return rep, wErr
	}
	if cons != nil {
		rep.Consumers = cons.phase()
		rep.Consumers.fillCPU(c0, c2)
		rep.Verifications = append(rep.Verifications, r.tr.verify(passConsumers, cons.name, cons.corrupt.Load(), cons.foreign.Load()))
		if cons.err != nil {
			return rep, fmt.Errorf("consumers: %w", cons.err)
		}
	}
	if cfg.ReadBack {
		rb := r.newReadPass(passReadBack, "read-back")
		closed := make(chan struct{})
		close(closed) // everything is written: read to the end
		c3 := clock.now()
		rb.readAll(ctx, shards, start, closed)
		rep.ReadBack = rb.phase()
		rep.ReadBack.fillCPU(c3, clock.now())
		rep.Verifications = append(rep.Verifications, r.tr.verify(passReadBack, rb.name, rb.corrupt.Load(), rb.foreign.Load()))
		if rb.err != nil {
			return rep, fmt.Errorf("read-back: %w", rb.err)
		}
	}
	rep.OK = true
	for _, v := range rep.Verifications {
		rep.OK = rep.OK && v.OK
	}
	return rep, nil
}

// runner is the state of one Run.
type runner struct {
	kc     *kinesis.Client
	wire   *wireClient // nil with Config.SDK
	cfg    Config
	run    uint32 // run id in every record
	stream string
	tr     *tracker
}

func (r *runner) createStream(ctx context.Context) error {
	_, err := r.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &r.stream, ShardCount: aws.Int32(int32(r.cfg.Shards))})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", r.stream, err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := r.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &r.stream})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return nil
		}
		if err != nil && !isThrottle(err) && !isCode(err, "ResourceNotFoundException") {
			return fmt.Errorf("describe stream %s: %w", r.stream, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("stream %s not ACTIVE after 2 minutes", r.stream)
		}
		if err := backoff.Sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// listShards returns the stream's open shards.
func (r *runner) listShards(ctx context.Context) ([]string, error) {
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: &r.stream}
	for {
		out, err := r.kc.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list shards of %s: %w", r.stream, err)
		}
		for _, s := range out.Shards {
			if s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber == nil {
				ids = append(ids, aws.ToString(s.ShardId))
			}
		}
		if out.NextToken == nil {
			return ids, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

func isCode(err error, codes ...string) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	for _, c := range codes {
		if api.ErrorCode() == c {
			return true
		}
	}
	return false
}

// isThrottle reports whether a whole call was refused for throughput.
func isThrottle(err error) bool {
	return isCode(err, "ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException", "ThrottlingException")
}

// retryBackoff paces retries after throttles and transient failures.
var retryBackoff = backoff.Policy{Base: 20 * time.Millisecond, Max: time.Second}

// counters are totals shared by goroutines of one phase.
type counters struct {
	records, bytes, calls, throttles, errors atomic.Uint64
}
