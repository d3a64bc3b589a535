package loadgen

// The S3 load generator: PUT a set of objects of one size, GET every one
// back verifying each byte, delete them. It measures what an SDK user
// sees: latencies are of whole SDK calls — a PUT from the call until S3
// answered (for multipart, the whole upload manager run: create, every
// part, complete), a GET until the last byte of the body was read.
//
// Object content comes from a per-object seed (lake_content.go): nothing
// is held in memory, a 256 MiB object costs a few KiB of buffers.
//
// How the Go SDK (v1.114) sends a PUT body matters for what is measured,
// and differs by scheme (service/internal/checksum,
// middleware_compute_input_checksum.go): over https it streams the body
// as aws-chunked with an x-amz-checksum-crc32 trailer and an unsigned
// payload; over plain http (loopback) it reads the seekable body once to
// compute the CRC32 header and the SHA-256 payload hash, rewinds it, and
// sends it. LakeConfig.Checksum and UnsignedPayload select among these.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

// ChecksumMode is how PUT and GET handle S3 checksums.
type ChecksumMode string

const (
	// ChecksumWhenSupported is the SDK's default: a CRC32 checksum on
	// every PUT and part, and GET responses validated when the server
	// sends a checksum.
	ChecksumWhenSupported ChecksumMode = "when_supported"
	// ChecksumWhenRequired sends no checksum and validates none (the
	// SDK's behaviour before 2025; what older clients do).
	ChecksumWhenRequired ChecksumMode = "when_required"
	// The explicit algorithms set ChecksumAlgorithm on every PUT and
	// ChecksumMode=ENABLED on every GET.
	ChecksumCRC32     ChecksumMode = "crc32"
	ChecksumCRC32C    ChecksumMode = "crc32c"
	ChecksumCRC64NVME ChecksumMode = "crc64nvme"
	ChecksumSHA1      ChecksumMode = "sha1"
	ChecksumSHA256    ChecksumMode = "sha256"
)

// algorithm is the explicit algorithm of m, or "" for the two SDK modes.
func (m ChecksumMode) algorithm() s3types.ChecksumAlgorithm {
	switch m {
	case ChecksumCRC32:
		return s3types.ChecksumAlgorithmCrc32
	case ChecksumCRC32C:
		return s3types.ChecksumAlgorithmCrc32c
	case ChecksumCRC64NVME:
		return s3types.ChecksumAlgorithmCrc64nvme
	case ChecksumSHA1:
		return s3types.ChecksumAlgorithmSha1
	case ChecksumSHA256:
		return s3types.ChecksumAlgorithmSha256
	}
	return ""
}

// DefaultPartSize is LakeConfig.PartSize's default: objects above it are
// uploaded in parts of this size. 16 MiB is in the 8–16 MiB range AWS
// recommends for multipart parts and keeps a 256 MiB object at 16 parts.
const DefaultPartSize = 16 << 20

// maxSinglePut is S3's limit on one PutObject (5 GiB).
const maxSinglePut = 5 << 30

// LakeConfig describes one S3 bench run. The zero value of each field
// means its default.
type LakeConfig struct {
	// Bucket to use; created if missing. Empty creates a fresh bucket
	// "caudal-bench-<random>". At the end the run deletes the objects it
	// wrote, and the bucket if it created it, unless Keep.
	Bucket string
	Keep   bool

	Size        int64 // bytes per object, default 1 MiB
	Concurrency int   // objects in flight, default 8
	// Count is the number of objects to PUT; 0 runs the PUT phase for
	// Duration instead (default 10 s; with Count it only caps).
	Count    int
	Duration time.Duration

	// PartSize: objects larger than it go through the SDK's upload manager
	// in parts of this size (≥ 5 MiB), PartConcurrency parts at a time per
	// object (default 4). Negative means never: one PutObject per object
	// (≤ 5 GiB). 0 is DefaultPartSize.
	PartSize        int64
	PartConcurrency int

	Checksum ChecksumMode // default ChecksumWhenSupported
	// UnsignedPayload signs PUTs with UNSIGNED-PAYLOAD instead of the
	// body's SHA-256 (what the SDK does by itself over https).
	UnsignedPayload bool

	// SkipGet skips the GET phase (and so verification).
	SkipGet bool

	// Endpoint is only reported.
	Endpoint string
	// ServerPID, if set, is a local server process whose CPU time each
	// phase reports (Linux /proc).
	ServerPID int
}

func (c LakeConfig) withDefaults() LakeConfig {
	if c.Size == 0 {
		c.Size = 1 << 20
	}
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.Duration == 0 {
		c.Duration = 10 * time.Second
		if c.Count > 0 {
			c.Duration = 24 * time.Hour
		}
	}
	if c.PartSize == 0 {
		c.PartSize = DefaultPartSize
	}
	if c.PartConcurrency == 0 {
		c.PartConcurrency = 4
	}
	if c.Checksum == "" {
		c.Checksum = ChecksumWhenSupported
	}
	return c
}

func (c LakeConfig) validate() error {
	if err := c.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

func (c LakeConfig) check() error {
	switch {
	case c.Size < 0:
		return fmt.Errorf("size %d: must not be negative", c.Size)
	case c.Concurrency < 1:
		return fmt.Errorf("concurrency %d: want at least 1", c.Concurrency)
	case c.Count < 0 || c.Duration < 0:
		return errors.New("count and duration must not be negative")
	case c.PartSize > 0 && c.PartSize < 5<<20:
		return fmt.Errorf("part size %s: S3 parts are at least 5 MiB", FormatSize(c.PartSize))
	case c.PartSize > 5<<30:
		return fmt.Errorf("part size %s: S3 parts are at most 5 GiB", FormatSize(c.PartSize))
	case c.PartSize > 0 && c.Size > c.PartSize*10000:
		return fmt.Errorf("size %s in parts of %s: more than 10,000 parts", FormatSize(c.Size), FormatSize(c.PartSize))
	case c.PartSize < 0 && c.Size > maxSinglePut:
		return fmt.Errorf("size %s: a single PutObject is at most 5 GiB; use multipart", FormatSize(c.Size))
	case c.PartConcurrency < 1:
		return fmt.Errorf("part concurrency %d: want at least 1", c.PartConcurrency)
	}
	switch c.Checksum {
	case ChecksumWhenSupported, ChecksumWhenRequired, ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256:
	default:
		return fmt.Errorf("checksum %q: want when_supported, when_required, crc32, crc32c, crc64nvme, sha1 or sha256", c.Checksum)
	}
	return nil
}

// multipart reports whether objects go through the upload manager.
func (c LakeConfig) multipart() bool { return c.PartSize > 0 && c.Size > c.PartSize }

// lakeClientOptions applies the bench's client settings to base: the SDK's
// retries off (a failed call is counted, not hidden), one idle connection
// per concurrent request, large socket buffers, and the checksum mode.
func lakeClientOptions(base s3.Options, cfg LakeConfig) s3.Options {
	o := base.Copy()
	o.Retryer = aws.NopRetryer{}
	o.RetryMaxAttempts = 0
	conns := cfg.Concurrency*cfg.PartConcurrency + 8
	o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = conns
		t.MaxIdleConnsPerHost = conns
		// The default 4 KiB buffers cost one syscall per 4 KiB of body.
		t.WriteBufferSize = 256 << 10
		t.ReadBufferSize = 256 << 10
	})
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	if cfg.Checksum == ChecksumWhenRequired {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
	if cfg.UnsignedPayload {
		o.APIOptions = append(o.APIOptions, addUnsignedPayload)
	}
	return o
}

// addUnsignedPayload makes every request signed with UNSIGNED-PAYLOAD.
// The payload hash is set before the checksum middleware runs, because
// that middleware computes the SHA-256 along with the checksum unless a
// hash is already set (and the SDK's own
// SwapComputePayloadSHA256ForUnsignedPayloadMiddleware acts too late to
// stop it over http).
func addUnsignedPayload(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("caudalUnsignedPayload",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(v4.SetPayloadHash(ctx, "UNSIGNED-PAYLOAD"), in)
		}), middleware.After)
}

// RunLake runs one S3 bench against the endpoint base describes (region,
// BaseEndpoint, credentials, UsePathStyle; the bench sets its own HTTP
// client, retryer and checksum options on a copy). It returns the report
// even when verification fails; LakeReport.OK says whether it passed. An
// error means the run could not be carried out (bucket setup, an endpoint
// that stopped answering).
func RunLake(ctx context.Context, base s3.Options, cfg LakeConfig) (*LakeReport, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	run := rand.Uint64()
	r := &lakeRunner{
		cfg:    cfg,
		client: s3.New(lakeClientOptions(base, cfg)),
		prefix: "run-" + strconv.FormatUint(run&0xffffffffff, 36) + "/",
		run:    run,
	}
	if cfg.multipart() {
		r.uploader = manager.NewUploader(r.client, func(u *manager.Uploader) {
			u.PartSize = cfg.PartSize
			u.Concurrency = cfg.PartConcurrency
			u.RequestChecksumCalculation = r.client.Options().RequestChecksumCalculation
		})
	}
	rep := &LakeReport{Config: lakeReportConfig(cfg)}

	r.bucket = cfg.Bucket
	if r.bucket == "" {
		r.bucket = "caudal-bench-" + strconv.FormatUint(run&0xffffffffff, 36)
	}
	rep.Bucket, rep.Prefix = r.bucket, r.prefix
	created, err := r.ensureBucket(ctx)
	if err != nil {
		return nil, err
	}
	clock := cpuClock{serverPID: cfg.ServerPID}
	if !cfg.Keep {
		defer func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			defer cancel()
			c := clock.now()
			rep.Delete = r.cleanup(dctx, created)
			rep.Delete.fillLakeCPU(c, clock.now())
		}()
	}

	c0 := clock.now()
	putErr := r.put(ctx, rep)
	rep.Put.fillLakeCPU(c0, clock.now())
	if putErr != nil {
		return rep, putErr
	}
	if !cfg.SkipGet {
		c1 := clock.now()
		getErr := r.get(ctx, rep)
		rep.Get.fillLakeCPU(c1, clock.now())
		if getErr != nil {
			return rep, getErr
		}
	}
	rep.Problem = rep.problem()
	rep.OK = rep.Problem == ""
	return rep, nil
}

// lakeRunner is the state of one RunLake.
type lakeRunner struct {
	cfg      LakeConfig
	client   *s3.Client
	uploader *manager.Uploader // nil unless cfg.multipart()
	bucket   string
	prefix   string // every key of this run starts with it
	run      uint64

	attempted atomic.Int64 // objects 0..attempted-1 were PUT or tried

	mu    sync.Mutex
	acked []int // objects S3 acknowledged, in no particular order
}

func (r *lakeRunner) key(i int) string { return r.prefix + fmt.Sprintf("%08d", i) }

func (r *lakeRunner) content(i int) content {
	return content{seed: mix64(r.run ^ mix64(uint64(i))), size: r.cfg.Size}
}

// ensureBucket creates the bucket unless it exists, and reports whether
// it created it.
func (r *lakeRunner) ensureBucket(ctx context.Context) (bool, error) {
	_, err := r.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &r.bucket})
	if err == nil {
		return false, nil
	}
	var nf *s3types.NotFound
	if !errors.As(err, &nf) && !isCode(err, "NoSuchBucket", "NotFound") {
		return false, fmt.Errorf("head bucket %s: %w", r.bucket, err)
	}
	in := &s3.CreateBucketInput{Bucket: &r.bucket}
	if region := r.client.Options().Region; region != "" && region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := r.client.CreateBucket(ctx, in); err != nil {
		return false, fmt.Errorf("create bucket %s: %w", r.bucket, err)
	}
	return true, nil
}

// lakeWorkers runs fn(worker) on cfg.Concurrency goroutines and merges
// their histograms.
func (r *lakeRunner) lakeWorkers(fn func(w int, h *Histogram)) *Histogram {
	hists := make([]Histogram, r.cfg.Concurrency)
	var wg sync.WaitGroup
	for w := range r.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w, &hists[w])
		}()
	}
	wg.Wait()
	var h Histogram
	for i := range hists {
		h.Merge(&hists[i])
	}
	return &h
}

// put runs the PUT phase and fills rep.Put.
func (r *lakeRunner) put(ctx context.Context, rep *LakeReport) error {
	cfg := r.cfg
	var c counters
	var firstErr errOnce
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	h := r.lakeWorkers(func(w int, h *Histogram) {
		errs := 0
		for ctx.Err() == nil && time.Now().Before(deadline) {
			i := int(r.attempted.Add(1) - 1)
			if cfg.Count > 0 && i >= cfg.Count {
				r.attempted.Add(-1)
				return
			}
			t0 := time.Now()
			err := r.putObject(ctx, i)
			h.Record(time.Since(t0))
			c.calls.Add(1)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				c.errors.Add(1)
				firstErr.set(fmt.Errorf("PUT %s: %w", r.key(i), err))
				if errs++; errs >= maxConsecutiveErrors {
					firstErr.setFatal(fmt.Errorf("worker %d: %d PUTs in a row failed, last: %w", w, errs, err))
					return
				}
				continue
			}
			errs = 0
			r.mu.Lock()
			r.acked = append(r.acked, i)
			r.mu.Unlock()
			c.records.Add(1)
			c.bytes.Add(uint64(cfg.Size))
		}
	})
	rep.Put = newLakePhase(time.Since(start), &c, h, nil, firstErr.msg())
	if err := firstErr.fatal(); err != nil {
		return err
	}
	return ctx.Err()
}

func (r *lakeRunner) putObject(ctx context.Context, i int) error {
	in := &s3.PutObjectInput{
		Bucket:            &r.bucket,
		Key:               aws.String(r.key(i)),
		Body:              newContentReader(r.content(i)),
		ContentLength:     aws.Int64(r.cfg.Size),
		ContentType:       aws.String("application/octet-stream"),
		ChecksumAlgorithm: r.cfg.Checksum.algorithm(),
	}
	if r.uploader != nil {
		_, err := r.uploader.Upload(ctx, in)
		return err
	}
	_, err := r.client.PutObject(ctx, in)
	return err
}

// get runs the GET phase over every acknowledged object and fills rep.Get
// and rep.Verification.
func (r *lakeRunner) get(ctx context.Context, rep *LakeReport) error {
	acked := r.acked
	var next atomic.Int64
	var c counters
	var missing, corrupt atomic.Uint64
	var firstErr, firstProblem errOnce
	ttfb := make([]Histogram, r.cfg.Concurrency)
	start := time.Now()
	h := r.lakeWorkers(func(w int, h *Histogram) {
		buf := make([]byte, 256<<10)
		errs := 0
		for ctx.Err() == nil {
			j := int(next.Add(1) - 1)
			if j >= len(acked) {
				return
			}
			i := acked[j]
			t0 := time.Now()
			err := r.getObject(ctx, i, buf, func() { ttfb[w].Record(time.Since(t0)) })
			h.Record(time.Since(t0))
			c.calls.Add(1)
			switch {
			case err == nil:
				errs = 0
				c.records.Add(1)
				c.bytes.Add(uint64(r.cfg.Size))
				continue
			case ctx.Err() != nil:
				return
			case errors.Is(err, errContentMismatch):
				corrupt.Add(1)
				firstProblem.set(fmt.Errorf("GET %s: %w", r.key(i), err))
				continue
			case isCode(err, "NoSuchKey"):
				missing.Add(1)
				firstProblem.set(fmt.Errorf("GET %s: acknowledged object missing: %w", r.key(i), err))
				continue
			}
			c.errors.Add(1)
			firstErr.set(fmt.Errorf("GET %s: %w", r.key(i), err))
			if errs++; errs >= maxConsecutiveErrors {
				firstErr.setFatal(fmt.Errorf("worker %d: %d GETs in a row failed, last: %w", w, errs, err))
				return
			}
		}
	})
	var fb Histogram
	for i := range ttfb {
		fb.Merge(&ttfb[i])
	}
	rep.Get = newLakePhase(time.Since(start), &c, h, &fb, firstErr.msg())
	rep.Verification = LakeVerification{
		Acked:        uint64(len(acked)),
		Verified:     c.records.Load(),
		Missing:      missing.Load(),
		Corrupt:      corrupt.Load(),
		Errors:       c.errors.Load(),
		FirstProblem: firstProblem.msg(),
	}
	if err := firstErr.fatal(); err != nil {
		return err
	}
	return ctx.Err()
}

// getObject reads object i whole into a verifier; firstByte is called
// when the response headers have arrived.
func (r *lakeRunner) getObject(ctx context.Context, i int, buf []byte, firstByte func()) error {
	in := &s3.GetObjectInput{Bucket: &r.bucket, Key: aws.String(r.key(i))}
	if r.cfg.Checksum.algorithm() != "" {
		in.ChecksumMode = s3types.ChecksumModeEnabled
	}
	out, err := r.client.GetObject(ctx, in)
	if err != nil {
		return err
	}
	defer out.Body.Close()
	firstByte()
	v := newContentVerifier(r.content(i))
	// Only the verifier's Write sees the bytes; hide its other methods so
	// io.CopyBuffer uses buf.
	if _, err := io.CopyBuffer(struct{ io.Writer }{v}, out.Body, buf); err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if err := v.Result(); err != nil {
		return err
	}
	if out.ContentLength != nil && *out.ContentLength != r.cfg.Size {
		return fmt.Errorf("%w: Content-Length %d, object has %d", errContentMismatch, *out.ContentLength, r.cfg.Size)
	}
	return nil
}

// cleanup deletes every object this run tried to write (acknowledged or
// not: a PUT whose answer was lost may have stored it) and the bucket if
// the run created it. It returns the delete phase.
func (r *lakeRunner) cleanup(ctx context.Context, deleteBucket bool) *LakePhase {
	n := int(r.attempted.Load())
	var c counters
	var firstErr errOnce
	var h Histogram
	start := time.Now()
	for lo := 0; lo < n && ctx.Err() == nil; lo += 1000 {
		hi := min(lo+1000, n)
		ids := make([]s3types.ObjectIdentifier, 0, hi-lo)
		for i := lo; i < hi; i++ {
			ids = append(ids, s3types.ObjectIdentifier{Key: aws.String(r.key(i))})
		}
		t0 := time.Now()
		out, err := r.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &r.bucket, Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		h.Record(time.Since(t0))
		c.calls.Add(1)
		if err != nil {
			c.errors.Add(uint64(hi - lo))
			firstErr.set(fmt.Errorf("DeleteObjects: %w", err))
			continue
		}
		for _, e := range out.Errors {
			firstErr.set(fmt.Errorf("delete %s: %s: %s", aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message)))
		}
		c.errors.Add(uint64(len(out.Errors)))
		c.records.Add(uint64(hi - lo - len(out.Errors)))
	}
	if deleteBucket && c.errors.Load() == 0 {
		if _, err := r.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &r.bucket}); err != nil {
			c.errors.Add(1)
			firstErr.set(fmt.Errorf("delete bucket %s: %w", r.bucket, err))
		}
	}
	return newLakePhase(time.Since(start), &c, &h, nil, firstErr.msg())
}
