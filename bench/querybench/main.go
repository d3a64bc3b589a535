// Command querybench measures Athena through caudal against DuckDB run
// directly, over the same Parquet bytes in the lake (issue 5's acceptance:
// the Athena path within 1.2× of DuckDB, plus a fixed per-query overhead
// under 20 ms).
//
// It generates the rows with DuckDB into Parquet files, starts `caudal
// server` (fsync always, the default) on 127.0.0.1 with a fresh data
// directory, uploads the files through the S3 API into s3://bench/events/,
// declares the table with CREATE EXTERNAL TABLE through Athena, then runs
// each query alternately through the Athena API (Start, poll
// GetQueryExecution, every page of GetQueryResults: wall time from Start to
// the last page) and through an in-process DuckDB reading the lake's own
// data files for that table (the bytes the server's DuckDB reads).
// Alternating the two keeps a shared machine's changing load from favouring
// either side. The report is Markdown on stdout and, with -out, in a file;
// text after "<!-- notes -->" in an existing -out file is kept.
//
// Run it through bench/query.sh, which builds the server binary first.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/duckdb/duckdb-go/v2"
)

// benchQuery is one query in both dialects: Athena's (Trino) and DuckDB's
// over read_parquet, where %s is the list of the lake's files.
type benchQuery struct {
	name, athena, duck string
}

var queries = []benchQuery{
	{
		name:   "GROUP BY",
		athena: `SELECT category, count(*), sum(amount), approx_distinct(user_id) FROM events GROUP BY category`,
		duck:   `SELECT category, count(*), sum(amount), approx_count_distinct(user_id) FROM read_parquet(%s) GROUP BY category`,
	},
	{
		name:   "time range",
		athena: `SELECT count(*), avg(amount) FROM events WHERE ts BETWEEN TIMESTAMP '2026-03-01 00:00:00' AND TIMESTAMP '2026-03-02 00:00:00'`,
		duck:   `SELECT count(*), avg(amount) FROM read_parquet(%s) WHERE ts BETWEEN TIMESTAMP '2026-03-01 00:00:00' AND TIMESTAMP '2026-03-02 00:00:00'`,
	},
	{
		name:   "SELECT 1",
		athena: `SELECT 1`,
		duck:   `SELECT 1`,
	},
}

type options struct {
	caudal  string
	rows    int
	files   int
	n       int
	warmup  int
	poll    time.Duration
	out     string
	command string
	version string
}

func main() {
	var o options
	quick := flag.Bool("quick", false, "1,000,000 rows in 2 files, 3 runs after 1 warm-up")
	flag.StringVar(&o.caudal, "caudal", "", "the caudal binary (required)")
	flag.IntVar(&o.rows, "rows", 10_000_000, "rows to generate")
	flag.IntVar(&o.files, "files", 10, "Parquet files to split them into")
	flag.IntVar(&o.n, "n", 20, "measured runs per query and side")
	flag.IntVar(&o.warmup, "warmup", 2, "unmeasured runs per query and side first")
	flag.DurationVar(&o.poll, "poll", 2*time.Millisecond, "GetQueryExecution poll interval")
	flag.StringVar(&o.out, "out", "", "also write the report here")
	flag.StringVar(&o.version, "version", "(unknown commit)", "the caudal commit, for the report")
	flag.StringVar(&o.command, "command", "", "the command line to print in the report")
	flag.Parse()
	if *quick {
		o.rows, o.files, o.n, o.warmup = 1_000_000, 2, 3, 1
	}
	if o.caudal == "" || o.rows <= 0 || o.files <= 0 || o.n <= 0 {
		fmt.Fprintln(os.Stderr, "usage: querybench -caudal BINARY [-quick] [-rows N] [-files N] [-n N] [-warmup N] [-out FILE]")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "querybench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(o options) (err error) {
	ctx := context.Background()
	work, err := os.MkdirTemp("", "caudal-querybench-")
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
	duck.SetMaxOpenConns(1)
	if err := duck.QueryRowContext(ctx, "SELECT version()").Scan(&env.duckdb); err != nil {
		return fmt.Errorf("duckdb version: %w", err)
	}

	logf("generating %d rows into %d Parquet files", o.rows, o.files)
	gen := filepath.Join(work, "gen")
	if err := os.Mkdir(gen, 0o755); err != nil {
		return err
	}
	local, err := generate(ctx, duck, gen, o.rows, o.files)
	if err != nil {
		return err
	}

	srv, err := startServer(ctx, o.caudal, filepath.Join(work, "data"))
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := srv.stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()

	logf("uploading through S3 to %s", srv.endpoint)
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(srv.keyID, srv.secret, ""),
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.endpoint); o.UsePathStyle = true })
	ath := athena.NewFromConfig(cfg, func(o *athena.Options) { o.BaseEndpoint = aws.String(srv.endpoint) })
	var dataBytes int64
	for _, b := range []string{"bench", "bench-results"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	up := manager.NewUploader(s3c)
	for _, p := range local {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		st, _ := f.Stat()
		dataBytes += st.Size()
		_, err = up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("events/" + filepath.Base(p)), Body: f})
		f.Close()
		if err != nil {
			return fmt.Errorf("upload %s: %w", p, err)
		}
	}
	if err := os.RemoveAll(gen); err != nil {
		return err
	}
	lakeFiles, err := lakeDataFiles(filepath.Join(srv.dataDir, "lake", "objects", "bench"))
	if err != nil {
		return err
	}
	if len(lakeFiles) != len(local) {
		return fmt.Errorf("found %d data files in the lake, uploaded %d", len(lakeFiles), len(local))
	}

	ddl := `CREATE EXTERNAL TABLE events (id bigint, ts timestamp, user_id string, amount double, category string) STORED AS PARQUET LOCATION 's3://bench/events/'`
	if _, _, err := athenaQuery(ctx, ath, ddl, o.poll); err != nil {
		return fmt.Errorf("create table: %w", err)
	}

	list := duckList(lakeFiles)
	var results []result
	for _, q := range queries {
		logf("query %q: %d warm-up + %d runs per side, alternating", q.name, o.warmup, o.n)
		r := result{q: q}
		duckSQL := q.duck
		if strings.Contains(duckSQL, "%s") {
			duckSQL = fmt.Sprintf(duckSQL, list)
		}
		for i := 0; i < o.warmup+o.n; i++ {
			// Odd runs put DuckDB first, so whatever one side leaves
			// behind (threads winding down, freed memory) falls on each
			// side alike.
			var a, d time.Duration
			var stats athenaStats
			var drows int
			var aerr, derr error
			if i%2 == 0 {
				a, stats, aerr = athenaQuery(ctx, ath, q.athena, o.poll)
				d, drows, derr = duckQuery(ctx, duck, duckSQL)
			} else {
				d, drows, derr = duckQuery(ctx, duck, duckSQL)
				a, stats, aerr = athenaQuery(ctx, ath, q.athena, o.poll)
			}
			if aerr != nil {
				return fmt.Errorf("%s through Athena: %w", q.name, aerr)
			}
			if derr != nil {
				return fmt.Errorf("%s in DuckDB: %w", q.name, derr)
			}
			if i == 0 {
				r.athenaRows, r.duckRows = stats.rows, drows
			}
			if i >= o.warmup {
				r.athena = append(r.athena, a)
				r.duck = append(r.duck, d)
				r.engine = append(r.engine, stats.engine)
				r.total = append(r.total, stats.total)
			}
		}
		results = append(results, r)
	}
	env.loadAfter = loadAverage()
	env.elapsed = time.Since(begin)

	report := render(o, env, dataBytes, len(lakeFiles), results)
	fmt.Print(report)
	if o.out != "" {
		return writeKeepingNotes(o.out, report)
	}
	return nil
}

// generate writes rows rows of events into files Parquet files under dir,
// one second apart from 2026-01-01, in time order.
func generate(ctx context.Context, db *sql.DB, dir string, rows, files int) ([]string, error) {
	var out []string
	per := (rows + files - 1) / files
	for i := 0; i < files; i++ {
		lo, hi := i*per, min((i+1)*per, rows)
		if lo >= hi {
			break
		}
		p := filepath.Join(dir, fmt.Sprintf("part-%03d.parquet", i))
		q := fmt.Sprintf(`COPY (SELECT range AS id, TIMESTAMP '2026-01-01' + INTERVAL (range) SECOND AS ts,
			'user-' || (range %% 1000) AS user_id, (range %% 97)::DOUBLE AS amount,
			['a','b','c','d'][range %% 4 + 1] AS category
			FROM range(%d, %d) ORDER BY range)
			TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 122880)`, lo, hi, p)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("generate %s: %w", p, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// lakeDataFiles is every regular file under the bucket's object directory:
// the lake stores each object's bytes as one file there.
func lakeDataFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

func duckList(files []string) string {
	q := make([]string, len(files))
	for i, f := range files {
		q[i] = "'" + strings.ReplaceAll(f, "'", "''") + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

type athenaStats struct {
	engine, total time.Duration // as the server reports them
	rows          int           // data rows, without the header row
}

// athenaQuery runs one query as boto3 users do: Start, poll until it ends,
// then read every page of results. The duration is Start to the last page.
func athenaQuery(ctx context.Context, c *athena.Client, query string, poll time.Duration) (time.Duration, athenaStats, error) {
	var st athenaStats
	t0 := time.Now()
	start, err := c.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString:         aws.String(query),
		ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String("s3://bench-results/q/")},
	})
	if err != nil {
		return 0, st, err
	}
	for {
		g, err := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: start.QueryExecutionId})
		if err != nil {
			return 0, st, err
		}
		x := g.QueryExecution
		switch x.Status.State {
		case athenatypes.QueryExecutionStateSucceeded:
			if s := x.Statistics; s != nil {
				st.engine = time.Duration(aws.ToInt64(s.EngineExecutionTimeInMillis)) * time.Millisecond
				st.total = time.Duration(aws.ToInt64(s.TotalExecutionTimeInMillis)) * time.Millisecond
			}
		case athenatypes.QueryExecutionStateFailed, athenatypes.QueryExecutionStateCancelled:
			return 0, st, fmt.Errorf("%s: %s", x.Status.State, aws.ToString(x.Status.StateChangeReason))
		default:
			time.Sleep(poll)
			continue
		}
		break
	}
	var token *string
	for first := true; first || token != nil; first = false {
		r, err := c.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: start.QueryExecutionId, NextToken: token})
		if err != nil {
			return 0, st, err
		}
		st.rows += len(r.ResultSet.Rows)
		token = r.NextToken
	}
	st.rows-- // the header row Athena puts first
	return time.Since(t0), st, nil
}

// duckQuery runs one query and reads every value of every row.
func duckQuery(ctx context.Context, db *sql.DB, query string) (time.Duration, int, error) {
	t0 := time.Now()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, 0, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	return time.Since(t0), n, nil
}

type server struct {
	cmd            *exec.Cmd
	dataDir        string
	endpoint       string
	keyID, secret  string
	exited         chan error
	stderr, stdout *bytes.Buffer
}

func startServer(ctx context.Context, bin, dataDir string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{dataDir: dataDir, endpoint: fmt.Sprintf("http://127.0.0.1:%d", port),
		exited: make(chan error, 1),
		stderr: new(bytes.Buffer), stdout: new(bytes.Buffer)}
	s.cmd = exec.Command(bin, "server", "--data", dataDir, "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	s.cmd.Env = append(os.Environ(), "CAUDAL_ACCESS_KEY_ID=", "CAUDAL_SECRET_ACCESS_KEY=")
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-s.exited:
			return nil, fmt.Errorf("caudal server exited: %v\n%s", err, s.stderr)
		default:
		}
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("caudal server did not listen within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "credentials.json"))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("read the root key: %w", err)
	}
	var key struct{ AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(b, &key); err != nil {
		s.stop()
		return nil, fmt.Errorf("parse the root key: %w", err)
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

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type environment struct {
	cpu, mem, kernel      string
	cores                 int
	loadBefore, loadAfter string
	duckdb, caudal        string
	elapsed               time.Duration
}

func machine() environment {
	e := environment{cores: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				e.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		e.mem = strings.Join(strings.Fields(strings.TrimPrefix(line, "MemTotal:")), " ")
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		e.kernel = strings.TrimSpace(string(b))
	}
	return e
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

type result struct {
	q                    benchQuery
	athena, duck         []time.Duration
	engine, total        []time.Duration
	athenaRows, duckRows int
}

// quantile is the nearest-rank quantile of ds.
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*q+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func render(o options, env environment, dataBytes int64, nfiles int, results []result) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Query benchmark: Athena through caudal vs DuckDB directly\n\n")
	w("Generated by `bench/query.sh` (bench/querybench); issue 5's acceptance: the Athena path\n")
	w("within 1.2× of DuckDB reading the same files, plus a fixed per-query overhead under 20 ms.\n\n")
	w("Run %s UTC, %s in all.\n\n", time.Now().UTC().Format("2006-01-02 15:04"), env.elapsed.Round(time.Second))
	w("- Machine: %d cores, %s, %s RAM, Linux %s\n", env.cores, env.cpu, env.mem, env.kernel)
	w("- Load average (1, 5, 15 min): %s before, %s after\n", env.loadBefore, env.loadAfter)
	w("- Versions: %s; DuckDB %s (both sides, duckdb-go); %s\n", env.caudal, env.duckdb, runtime.Version())
	w("- Command: `%s`\n", o.command)
	w("- Data: %d rows in %d Parquet files (%.1f MB, row groups of 122,880), uploaded through the S3 API\n", o.rows, nfiles, float64(dataBytes)/1e6)
	w("  into s3://bench/events/ and declared with `CREATE EXTERNAL TABLE … STORED AS PARQUET` through Athena\n")
	w("- Server: `caudal server`, fsync always (the default), 127.0.0.1, DuckDB threads = cores\n")
	w("- Athena side: AWS SDK for Go v2, StartQueryExecution, GetQueryExecution every %s until it\n", o.poll)
	w("  ends, then every page of GetQueryResults; timed from Start to the last page\n")
	w("- DuckDB side: in-process in-memory DuckDB, `read_parquet([…])` over the lake's own data files\n")
	w("  for the table (the bytes the server reads), every row read; `approx_distinct` written as\n")
	w("  `approx_count_distinct` by hand\n")
	w("- %d measured runs per query and side after %d warm-ups, Athena and DuckDB alternating\n  (each goes first in every other round)\n\n", o.n, o.warmup)
	w("| query | rows | Athena median | Athena p90 | DuckDB median | DuckDB p90 | ratio (median) | overhead (median) | server EngineExecutionTime (median) | server TotalExecutionTime (median) |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		am, dm := quantile(r.athena, 0.5), quantile(r.duck, 0.5)
		rows := fmt.Sprint(r.athenaRows)
		if r.athenaRows != r.duckRows {
			rows = fmt.Sprintf("%d (DuckDB %d)", r.athenaRows, r.duckRows)
		}
		w("| %s | %s | %s ms | %s ms | %s ms | %s ms | %.2f× | %s ms | %s ms | %s ms |\n",
			r.q.name, rows, ms(am), ms(quantile(r.athena, 0.9)), ms(dm), ms(quantile(r.duck, 0.9)),
			float64(am)/float64(dm), ms(am-dm), ms(quantile(r.engine, 0.5)), ms(quantile(r.total, 0.5)))
	}
	w("\nAthena SQL:\n\n")
	for _, r := range results {
		w("- %s: `%s`\n", r.q.name, r.q.athena)
	}
	w("\nRaw times in ms (Athena / DuckDB, in run order):\n\n")
	for _, r := range results {
		a := make([]string, len(r.athena))
		d := make([]string, len(r.duck))
		for i := range r.athena {
			a[i], d[i] = ms(r.athena[i]), ms(r.duck[i])
		}
		w("- %s: %s / %s\n", r.q.name, strings.Join(a, " "), strings.Join(d, " "))
	}
	w("\n")
	return b.String()
}

// writeKeepingNotes writes report to path, keeping the hand-written text
// from the line "<!-- notes -->" on in the file it replaces.
func writeKeepingNotes(path, report string) error {
	const marker = "<!-- notes -->"
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	notes := marker + "\n"
	if i := bytes.Index(old, []byte(marker)); i >= 0 {
		notes = string(old[i:])
	}
	return os.WriteFile(path, []byte(report+notes), 0o644)
}
