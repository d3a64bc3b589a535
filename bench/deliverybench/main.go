// Command deliverybench measures Firehose delivery (issue 6) in one run
// against one `caudal server`:
//
//   - the stream ingest rate: `caudal bench` (PutRecords of 1 KiB records
//     into a fresh 4-shard stream, no read-back), the rate delivery has to
//     keep up with;
//   - JSON → Parquet delivery throughput for a stream-sourced delivery
//     stream (KinesisStreamAsSource, data format conversion with a Glue
//     table's schema, Parquet with SNAPPY) and for a DirectPut one with the
//     same conversion: the delivery stream is created, then producers put
//     N JSON records of about 1 KiB as fast as the server takes them
//     (request bodies encoded beforehand, put.go), and the server's
//     RecordsDelivered (GET /_caudal/delivery) is polled until it reaches
//     N. Two rates come out: delivered while the producers put, and the
//     drain rate, the backlog left at the last acknowledgement over the
//     time it took to deliver it, which is what the target compares with
//     the ingest rate. Rows are counted by DuckDB from the Parquet footers
//     at the end and must equal N;
//   - the delay from put to queryable: a marker record is put (PutRecord,
//     DirectPut, conversion, IntervalInSeconds -latency-interval) and an
//     Athena query over the delivered prefix is polled until it sees it.
//
// The server runs on 127.0.0.1 with a fresh data directory, fsync always
// (the default) and quotas off. The report is Markdown on stdout and, with
// -out, in a file; text after "<!-- notes -->" in an existing -out file is
// kept. Run it through bench/delivery.sh, which builds the server first.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/duckdb/duckdb-go/v2"
)

type options struct {
	caudal          string
	records         int
	producers       int
	ingest          time.Duration
	markers         int
	interval        int
	latencyInterval int
	out             string
	command         string
	version         string
}

func main() {
	var o options
	quick := flag.Bool("quick", false, "50,000 records per delivery phase, 5 s ingest, 3 markers")
	flag.StringVar(&o.caudal, "caudal", "", "the caudal binary (required)")
	flag.IntVar(&o.records, "records", 1_000_000, "JSON records per delivery phase")
	flag.IntVar(&o.producers, "producers", 16, "concurrent 500-record puts in the delivery phases (enough to build a backlog)")
	flag.DurationVar(&o.ingest, "ingest", 15*time.Second, "duration of the caudal bench ingest phase")
	flag.IntVar(&o.markers, "markers", 10, "marker records for the put-to-queryable delay")
	flag.IntVar(&o.interval, "interval", 1, "BufferingHints.IntervalInSeconds of the throughput delivery streams")
	flag.IntVar(&o.latencyInterval, "latency-interval", 0, "BufferingHints.IntervalInSeconds of the latency delivery stream")
	flag.StringVar(&o.out, "out", "", "also write the report here")
	flag.StringVar(&o.version, "version", "(unknown commit)", "the caudal commit, for the report")
	flag.StringVar(&o.command, "command", "", "the command line to print in the report")
	flag.Parse()
	if *quick {
		o.records, o.ingest, o.markers = 50_000, 5*time.Second, 3
	}
	if o.caudal == "" || o.records <= 0 || o.markers <= 0 || o.producers <= 0 {
		fmt.Fprintln(os.Stderr, "usage: deliverybench -caudal BINARY [-quick] [-records N] [-ingest D] [-markers N] [-out FILE]")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "deliverybench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

const (
	role       = "arn:aws:iam::123456789012:role/firehose-bench"
	lakeBucket = "lake"
	recordSize = 1024 // bytes of JSON per record, newline included
)

// clients are the SDK clients of one server, plus the signed Firehose one.
type clients struct {
	s3      *s3.Client
	glue    *glue.Client
	athena  *athena.Client
	kinesis *kinesis.Client
	fh      *firehose
}

type results struct {
	ingest        *ingestResult
	stream        *deliveryResult
	direct        *deliveryResult
	delays        []time.Duration
	delayErr      error
	streamErr     error
	directErr     error
	ingestErr     error
	ingestCmd     string
	duckdb        string
	parquetSample string
}

func run(o options) (err error) {
	ctx := context.Background()
	work, err := os.MkdirTemp("", "caudal-deliverybench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	env := machine()
	env.caudal = "caudal " + o.version
	env.loadBefore = loadAverage()
	begin := time.Now()

	duck, err := sql.Open("duckdb", "")
	if err != nil {
		return fmt.Errorf("open duckdb: %w", err)
	}
	defer duck.Close()
	var res results
	if err := duck.QueryRowContext(ctx, "SELECT version()").Scan(&res.duckdb); err != nil {
		return fmt.Errorf("duckdb version: %w", err)
	}

	dataDir := filepath.Join(work, "data")
	srv, err := startServer(o.caudal, dataDir, "--quotas", "off")
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := srv.stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(srv.keyID, srv.secret, "")}
	c := clients{
		s3:      s3.NewFromConfig(cfg, func(x *s3.Options) { x.BaseEndpoint = aws.String(srv.endpoint); x.UsePathStyle = true }),
		glue:    glue.NewFromConfig(cfg, func(x *glue.Options) { x.BaseEndpoint = aws.String(srv.endpoint) }),
		athena:  athena.NewFromConfig(cfg, func(x *athena.Options) { x.BaseEndpoint = aws.String(srv.endpoint) }),
		kinesis: kinesis.NewFromConfig(cfg, func(x *kinesis.Options) { x.BaseEndpoint = aws.String(srv.endpoint) }),
		fh:      &firehose{endpoint: srv.endpoint, creds: aws.Credentials{AccessKeyID: srv.keyID, SecretAccessKey: srv.secret}, http: &http.Client{Timeout: 2 * time.Minute, Transport: transport()}, signer: v4.NewSigner()},
	}

	// (a) the stream ingest rate.
	args := []string{"bench", "--endpoint", srv.endpoint, "--data", dataDir, "--duration", o.ingest.String(),
		"--record-size", fmt.Sprint(recordSize), "--batch", "500", "--producers", "4", "--shards", "4",
		"--read-back=false", "--json", "--server-pid", fmt.Sprint(srv.cmd.Process.Pid)}
	res.ingestCmd = "caudal " + strings.Join(args, " ")
	res.ingestCmd = strings.NewReplacer(srv.endpoint, "http://127.0.0.1:PORT", dataDir, "<data dir>").Replace(res.ingestCmd)
	logf("ingest: %s", res.ingestCmd)
	res.ingest, res.ingestErr = ingest(o.caudal, args)

	if err := setup(ctx, c); err != nil {
		return err
	}
	// (b) throughput, stream source then direct put.
	logf("stream-sourced delivery, %d records", o.records)
	res.stream, res.streamErr = deliverFromStream(ctx, c, duck, work, o)
	logf("direct-put delivery, %d records", o.records)
	res.direct, res.directErr = deliverDirect(ctx, c, duck, work, o)
	// (c) put to queryable.
	logf("put-to-queryable delay, %d markers", o.markers)
	res.delays, res.delayErr = delays(ctx, c, o)

	env.loadAfter = loadAverage()
	env.elapsed = time.Since(begin)
	report := render(o, env, &res)
	fmt.Print(report)
	if o.out != "" {
		return writeKeepingNotes(o.out, report)
	}
	return nil
}

// --- (a) ingest ---------------------------------------------------------

type ingestResult struct {
	RecordsPerSec, MBPerSec, Seconds float64
	Records                          uint64
	ServerCPU                        *float64
	P50, P99                         float64
}

func ingest(bin string, args []string) (*ingestResult, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = filteredEnv("AWS_", "CAUDAL_")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("caudal bench: %w: %s", err, strings.TrimSpace(errOut.String()))
	}
	var r struct {
		Write *struct {
			Seconds       float64  `json:"seconds"`
			Records       uint64   `json:"records"`
			RecordsPerSec float64  `json:"records_per_s"`
			MBPerSec      float64  `json:"mb_per_s"`
			ServerCPU     *float64 `json:"server_cpu_s"`
			Latency       struct {
				P50 float64 `json:"p50"`
				P99 float64 `json:"p99"`
			} `json:"latency_ms"`
		} `json:"write"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Write == nil {
		return nil, fmt.Errorf("caudal bench --json output %q: %v", truncate(out.String(), 300), err)
	}
	w := r.Write
	return &ingestResult{RecordsPerSec: w.RecordsPerSec, MBPerSec: w.MBPerSec, Seconds: w.Seconds, Records: w.Records,
		ServerCPU: w.ServerCPU, P50: w.Latency.P50, P99: w.Latency.P99}, nil
}

// --- setup ----------------------------------------------------------------

var columns = []gluetypes.Column{
	{Name: aws.String("id"), Type: aws.String("bigint")},
	{Name: aws.String("ts"), Type: aws.String("string")},
	{Name: aws.String("user_id"), Type: aws.String("string")},
	{Name: aws.String("category"), Type: aws.String("string")},
	{Name: aws.String("amount"), Type: aws.String("double")},
	{Name: aws.String("payload"), Type: aws.String("string")},
}

func setup(ctx context.Context, c clients) error {
	for _, b := range []string{lakeBucket, "results"} {
		if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	if _, err := c.glue.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String("bench")}}); err != nil {
		return fmt.Errorf("glue create database: %w", err)
	}
	_, err := c.glue.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("bench"), TableInput: &gluetypes.TableInput{
		Name: aws.String("events"), TableType: aws.String("EXTERNAL_TABLE"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Columns: columns, Location: aws.String("s3://" + lakeBucket + "/")},
	}})
	if err != nil {
		return fmt.Errorf("glue create table: %w", err)
	}
	return nil
}

// jsonRecord is record i: about recordSize bytes of JSON with a newline.
func jsonRecord(i int) []byte {
	head := fmt.Sprintf(`{"id":%d,"ts":"2026-11-26T04:%02d:%02d.%03dZ","user_id":"user-%d","category":"c%d","amount":%d.%02d,"payload":"`,
		i, i/60%60, i%60, i%1000, i%5000, i%17, i%1000, i%100)
	tail := "\"}\n"
	n := recordSize - len(head) - len(tail)
	pad := make([]byte, 0, n)
	sum := sha256.Sum256([]byte(head))
	hexs := hex.EncodeToString(sum[:])
	for len(pad) < n {
		pad = append(pad, hexs[:min(len(hexs), n-len(pad))]...)
	}
	return append(append([]byte(head), pad...), tail...)
}

func conversion(interval int, prefix string) map[string]any {
	return map[string]any{
		"RoleARN": role, "BucketARN": "arn:aws:s3:::" + lakeBucket,
		"Prefix": prefix + "!{timestamp:yyyy}/", "ErrorOutputPrefix": "errors/" + prefix + "!{firehose:error-output-type}/",
		"BufferingHints": map[string]any{"SizeInMBs": 64, "IntervalInSeconds": interval},
		"DataFormatConversionConfiguration": map[string]any{
			"Enabled":                   true,
			"SchemaConfiguration":       map[string]any{"RoleARN": role, "DatabaseName": "bench", "TableName": "events", "Region": "us-east-1"},
			"InputFormatConfiguration":  map[string]any{"Deserializer": map[string]any{"OpenXJsonSerDe": map[string]any{}}},
			"OutputFormatConfiguration": map[string]any{"Serializer": map[string]any{"ParquetSerDe": map[string]any{"Compression": "SNAPPY"}}},
		},
	}
}

// --- (b) throughput -------------------------------------------------------

// deliveryResult is one delivery phase: N records put by -producers producers into a
// delivery stream created just before (so its source, read from its
// creation time on, starts empty), timed from the server's own counter
// RecordsDelivered (GET /_caudal/delivery, polled every metricsPoll), which
// moves once a flush's objects are all written to the lake.
type deliveryResult struct {
	Records      int
	PutSeconds   float64 // first put to last acknowledgement
	DoneSeconds  float64 // first put to RecordsDelivered reaching N (the last object written)
	AtPutEnd     int64   // RecordsDelivered when the last put was acknowledged
	Rows         int64   // rows counted in the delivered Parquet footers
	Objects      int
	ParquetBytes int64
	ErrorObjects int
	// ServerCPU is the server's CPU seconds from the first put to done;
	// DrainCPU from the last acknowledgement to done, when the server did
	// nothing but deliver (and answer the metrics polls).
	ServerCPU, DrainCPU float64
	ServerCPUKnown      bool
	Load                string // load average at the end of the phase
}

// backlog is what was put and not yet delivered at the last acknowledgement.
func (d *deliveryResult) backlog() int64 { return int64(d.Records) - d.AtPutEnd }

// drainSeconds is last acknowledgement → last object.
func (d *deliveryResult) drainSeconds() float64 { return d.DoneSeconds - d.PutSeconds }

// drainRate is the records/s delivered after the put ended, when the delivery
// stream had a backlog and the producers no longer competed for the CPU.
func (d *deliveryResult) drainRate() float64 {
	if d.backlog() <= 0 || d.drainSeconds() <= 0 {
		return 0
	}
	return float64(d.backlog()) / d.drainSeconds()
}

const metricsPoll = 20 * time.Millisecond

func deliverFromStream(ctx context.Context, c clients, duck *sql.DB, work string, o options) (*deliveryResult, error) {
	if _, err := c.kinesis.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("deliv-src"), ShardCount: aws.Int32(4)}); err != nil {
		return nil, fmt.Errorf("create stream: %w", err)
	}
	var arn string
	for i := 0; ; i++ {
		d, err := c.kinesis.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("deliv-src")})
		if err != nil {
			return nil, err
		}
		if d.StreamDescriptionSummary.StreamStatus == kinesistypes.StreamStatusActive {
			arn = aws.ToString(d.StreamDescriptionSummary.StreamARN)
			break
		}
		if i > 300 {
			return nil, errors.New("stream deliv-src not ACTIVE after 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := c.fh.create(ctx, map[string]any{"DeliveryStreamName": "from-stream", "DeliveryStreamType": "KinesisStreamAsSource",
		"KinesisStreamSourceConfiguration":   map[string]any{"KinesisStreamARN": arn, "RoleARN": role},
		"ExtendedS3DestinationConfiguration": conversion(o.interval, "stream/")}); err != nil {
		return nil, err
	}
	return measure(ctx, c, duck, work, o, "from-stream", "stream/", kinesisPut("deliv-src"))
}

func deliverDirect(ctx context.Context, c clients, duck *sql.DB, work string, o options) (*deliveryResult, error) {
	if err := c.fh.create(ctx, map[string]any{"DeliveryStreamName": "direct", "DeliveryStreamType": "DirectPut",
		"ExtendedS3DestinationConfiguration": conversion(o.interval, "direct/")}); err != nil {
		return nil, err
	}
	return measure(ctx, c, duck, work, o, "direct", "direct/", firehosePut("direct"))
}

// measure puts o.records JSON records with o.producers producers of 500-record
// batches through put (bodies encoded before the clock starts), follows
// delivery stream name's RecordsDelivered until it reaches them all, then
// checks the Parquet under prefix holds exactly that many rows (from the
// footers, through DuckDB).
func measure(ctx context.Context, c clients, duck *sql.DB, work string, o options, name, prefix string, put api) (*deliveryResult, error) {
	res := &deliveryResult{Records: o.records}
	batches := put.batches(o.records)
	cpu0, cpuOK := serverCPU()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, o.producers)
	for p := 0; p < o.producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(batches) {
					return
				}
				if err := put.send(ctx, c.fh, batches[i]); err != nil {
					errs <- err
					return
				}
				batches[i].body = nil // let the collector have it
			}
		}()
	}
	// At the last acknowledgement: the time, what was delivered by then
	// and the server's CPU, read at once so the drain starts from them.
	var ackedAt time.Time
	var atAck int64
	var atAckErr error
	var cpuAck float64
	var cpuAckOK bool
	producersDone := make(chan struct{})
	go func() {
		wg.Wait()
		ackedAt = time.Now()
		cpuAck, cpuAckOK = serverCPU()
		atAck, atAckErr = c.fh.delivered(ctx, name)
		close(producersDone)
	}()

	deadline := time.Now().Add(10 * time.Minute)
	acked := false
	var done time.Time
	for {
		select {
		case err := <-errs:
			return nil, fmt.Errorf("producer: %w", err)
		default:
		}
		if !acked {
			select {
			case <-producersDone:
				if atAckErr != nil {
					return nil, atAckErr
				}
				acked = true
			default:
			}
		}
		n, err := c.fh.delivered(ctx, name)
		if err != nil {
			return nil, err
		}
		if n >= int64(o.records) {
			done = time.Now()
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d records delivered by %s after 10 minutes", n, o.records, name)
		}
		time.Sleep(metricsPoll)
	}
	cpuDone, cpuDoneOK := serverCPU()
	res.Load = loadAverage()
	if !acked {
		// Delivered in full before the goroutine read the counter: wait for it.
		<-producersDone
		if atAckErr != nil {
			return nil, atAckErr
		}
	}
	if cpuOK && cpuAckOK && cpuDoneOK {
		res.ServerCPU, res.DrainCPU, res.ServerCPUKnown = cpuDone-cpu0, cpuDone-cpuAck, true
	}
	res.PutSeconds = ackedAt.Sub(start).Seconds()
	res.DoneSeconds = done.Sub(start).Seconds()
	res.AtPutEnd = atAck

	// Correctness: every row is in the Parquet under prefix, none twice.
	dir := filepath.Join(work, strings.TrimSuffix(prefix, "/"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	keys, err := list(ctx, c.s3, prefix)
	if err != nil {
		return nil, err
	}
	for k, size := range keys {
		n, err := parquetRows(ctx, c.s3, duck, dir, k)
		if err != nil {
			return nil, err
		}
		res.Rows += n
		res.ParquetBytes += size
	}
	res.Objects = len(keys)
	errKeys, err := list(ctx, c.s3, "errors/"+prefix)
	if err != nil {
		return nil, err
	}
	res.ErrorObjects = len(errKeys)
	if res.Rows != int64(o.records) || res.ErrorObjects != 0 {
		return nil, fmt.Errorf("%s: %d rows in %d objects and %d error objects for %d records put", name, res.Rows, res.Objects, res.ErrorObjects, o.records)
	}
	return res, nil
}

func list(ctx context.Context, c *s3.Client, prefix string) (map[string]int64, error) {
	out := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(lakeBucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = aws.ToInt64(o.Size)
		}
	}
	return out, nil
}

// parquetRows downloads one object and counts its rows from the Parquet
// footer with DuckDB.
func parquetRows(ctx context.Context, c *s3.Client, duck *sql.DB, dir, key string) (int64, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(lakeBucket), Key: aws.String(key)})
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", key, err)
	}
	f := filepath.Join(dir, fmt.Sprintf("%x.parquet", sha256.Sum256([]byte(key))))
	w, err := os.Create(f)
	if err != nil {
		out.Body.Close()
		return 0, err
	}
	_, err = io.Copy(w, out.Body)
	out.Body.Close()
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", key, err)
	}
	defer os.Remove(f)
	var n int64
	if err := duck.QueryRowContext(ctx, "SELECT num_rows FROM parquet_file_metadata(?)", f).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s is not Parquet DuckDB can read: %w", key, err)
	}
	return n, nil
}

// serverCPU is the server's CPU seconds so far, from /proc (Linux).
var serverPID int

func serverCPU() (float64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", serverPID))
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	var ut, st float64
	fmt.Sscan(f[11], &ut)        //nolint:errcheck // zero on a malformed field
	fmt.Sscan(f[12], &st)        //nolint:errcheck
	return (ut + st) / 100, true // USER_HZ is 100 on Linux
}

// --- (c) put to queryable -------------------------------------------------

func delays(ctx context.Context, c clients, o options) ([]time.Duration, error) {
	if err := c.fh.create(ctx, map[string]any{"DeliveryStreamName": "latency", "DeliveryStreamType": "DirectPut",
		"ExtendedS3DestinationConfiguration": conversion(o.latencyInterval, "latency/")}); err != nil {
		return nil, err
	}
	year := time.Now().UTC().Format("2006")
	if _, err := athenaRun(ctx, c.athena, "CREATE DATABASE benchq"); err != nil {
		return nil, err
	}
	ddl := fmt.Sprintf("CREATE EXTERNAL TABLE benchq.latency (id bigint, ts string, user_id string, category string, amount double, payload string) "+
		"STORED AS PARQUET LOCATION 's3://%s/latency/%s/'", lakeBucket, year)
	if _, err := athenaRun(ctx, c.athena, ddl); err != nil {
		return nil, err
	}
	var out []time.Duration
	for m := 0; m < o.markers; m++ {
		id := 1_000_000_000 + m
		t0 := time.Now()
		if _, err := c.fh.putBatch(ctx, "latency", [][]byte{jsonRecord(id)}); err != nil {
			return out, fmt.Errorf("put marker: %w", err)
		}
		for {
			n, err := athenaRun(ctx, c.athena, fmt.Sprintf("SELECT count(*) FROM benchq.latency WHERE id = %d", id))
			if err == nil && n == "1" {
				break
			}
			if time.Since(t0) > 5*time.Minute {
				return out, fmt.Errorf("marker %d not queryable after 5 minutes (last: %q %v)", id, n, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		out = append(out, time.Since(t0))
		logf("marker %d: %v", m, out[len(out)-1].Round(time.Millisecond))
	}
	return out, nil
}

// athenaRun runs one query and returns the first column of its first data
// row ("" if none).
func athenaRun(ctx context.Context, c *athena.Client, query string) (string, error) {
	start, err := c.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString:         aws.String(query),
		ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String("s3://results/q/")},
	})
	if err != nil {
		return "", err
	}
	for {
		g, err := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: start.QueryExecutionId})
		if err != nil {
			return "", err
		}
		st := g.QueryExecution.Status
		if st.State == athenatypes.QueryExecutionStateSucceeded {
			break
		}
		if st.State == athenatypes.QueryExecutionStateFailed || st.State == athenatypes.QueryExecutionStateCancelled {
			return "", fmt.Errorf("%s: %s", st.State, aws.ToString(st.StateChangeReason))
		}
		time.Sleep(5 * time.Millisecond)
	}
	r, err := c.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: start.QueryExecutionId})
	if err != nil {
		return "", err
	}
	if len(r.ResultSet.Rows) < 2 || len(r.ResultSet.Rows[1].Data) == 0 {
		return "", nil
	}
	return aws.ToString(r.ResultSet.Rows[1].Data[0].VarCharValue), nil
}

// --- the Firehose client ----------------------------------------------------

// firehose is a SigV4-signed awsJson1.1 client for the Firehose calls the
// benchmark makes (the Go SDK's firehose module is not a dependency) and
// for the delivery phases' pre-encoded puts (put.go).
type firehose struct {
	endpoint string
	creds    aws.Credentials
	http     *http.Client
	signer   *v4.Signer
}

func (f *firehose) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	raw, err := f.post(ctx, "firehose", "Firehose_20150804."+op, body, hex.EncodeToString(sum[:]))
	if err != nil {
		return err
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func (f *firehose) create(ctx context.Context, in map[string]any) error {
	if err := f.call(ctx, "CreateDeliveryStream", in, nil); err != nil {
		return err
	}
	name := in["DeliveryStreamName"]
	for i := 0; i < 300; i++ {
		var d struct {
			DeliveryStreamDescription struct{ DeliveryStreamStatus string }
		}
		if err := f.call(ctx, "DescribeDeliveryStream", map[string]any{"DeliveryStreamName": name}, &d); err != nil {
			return err
		}
		if d.DeliveryStreamDescription.DeliveryStreamStatus == "ACTIVE" {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("delivery stream %v not ACTIVE after 30 s", name)
}

// delivered is delivery stream name's RecordsDelivered, from the server's
// GET /_caudal/delivery (unsigned, like /_caudal/health).
func (f *firehose) delivered(ctx context.Context, name string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.endpoint+"/_caudal/delivery", nil)
	if err != nil {
		return 0, err
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("delivery metrics: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		DeliveryStreams []struct {
			DeliveryStreamName string
			RecordsDelivered   int64
			LastError          string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("delivery metrics: HTTP %d: %v", resp.StatusCode, err)
	}
	for _, m := range body.DeliveryStreams {
		if m.DeliveryStreamName == name {
			return m.RecordsDelivered, nil
		}
	}
	return 0, fmt.Errorf("delivery metrics: no delivery stream %s", name)
}

type putBatchOut struct {
	FailedPutCount   int
	RequestResponses []struct{ RecordId, ErrorCode, ErrorMessage string }
}

func (f *firehose) putBatch(ctx context.Context, name string, records [][]byte) (*putBatchOut, error) {
	type rec struct{ Data []byte }
	recs := make([]rec, len(records))
	for i, r := range records {
		recs[i] = rec{r}
	}
	var out putBatchOut
	if err := f.call(ctx, "PutRecordBatch", map[string]any{"DeliveryStreamName": name, "Records": recs}, &out); err != nil {
		return nil, err
	}
	if len(out.RequestResponses) != len(records) {
		return nil, fmt.Errorf("PutRecordBatch answered %d entries for %d records", len(out.RequestResponses), len(records))
	}
	return &out, nil
}

// --- the server -------------------------------------------------------------

type server struct {
	cmd            *exec.Cmd
	dataDir        string
	endpoint       string
	keyID, secret  string
	exited         chan error
	stderr, stdout *bytes.Buffer
}

func startServer(bin, dataDir string, extra ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{dataDir: dataDir, endpoint: fmt.Sprintf("http://127.0.0.1:%d", port),
		exited: make(chan error, 1), stderr: new(bytes.Buffer), stdout: new(bytes.Buffer)}
	s.cmd = exec.Command(bin, append([]string{"server", "--data", dataDir, "--listen", fmt.Sprintf("127.0.0.1:%d", port)}, extra...)...)
	s.cmd.Env = filteredEnv("AWS_", "CAUDAL_")
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	serverPID = s.cmd.Process.Pid
	go func() { s.exited <- s.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-s.exited:
			return nil, fmt.Errorf("caudal server exited: %v\n%s", err, s.stderr)
		default:
		}
		if resp, err := http.Get(s.endpoint + "/_caudal/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("caudal server not healthy within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "credentials.json"))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("read the root key: %w", err)
	}
	var key struct{ AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(b, &key); err != nil || key.AccessKeyId == "" {
		s.stop()
		return nil, fmt.Errorf("parse the root key %s: %v", b, err)
	}
	s.keyID, s.secret = key.AccessKeyId, key.SecretAccessKey
	return s, nil
}

// stop sends SIGTERM (the server drains and flushes) and waits.
func (s *server) stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited
	select {
	case err := <-s.exited:
		if err != nil && !strings.Contains(err.Error(), "signal") {
			return fmt.Errorf("caudal server: %w\n%s", err, s.stderr)
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill() //nolint:errcheck
		<-s.exited
		return errors.New("caudal server did not stop within 20 s of SIGTERM")
	}
	return nil
}

// transport keeps a connection per producer and one for the metrics polls
// (http.DefaultTransport keeps two per host and would reconnect the rest).
func transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 64, 64
	t.DisableCompression = true
	return t
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func filteredEnv(prefixes ...string) []string {
	var env []string
next:
	for _, kv := range os.Environ() {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
