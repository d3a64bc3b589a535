package e2e

// `caudal query` run as a user runs it: the binary as a process against a
// server process, with data uploaded through the Go SDK's S3 client. The
// README's `caudal query` block runs here as written.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// queryCLITimeout bounds one `caudal query` run.
const queryCLITimeout = 30 * time.Second

// queryCLI runs `caudal --endpoint E query args…` with stdin and returns
// its output and exit code.
func queryCLI(t *testing.T, s *Server, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), queryCLITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, caudalBinary, append([]string{"--endpoint", s.Endpoint(), "query"}, args...)...)
	cmd.Env = s.Env()
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("caudal query %q: timed out after %v\nstderr: %s", args, queryCLITimeout, e.String())
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("caudal query %q: %v", args, err)
	}
	return o.String(), e.String(), code
}

// queryOK runs a query that must succeed and returns its stdout and
// stderr.
func queryOK(t *testing.T, s *Server, stdin string, args ...string) (stdout, stderr string) {
	t.Helper()
	out, errOut, code := queryCLI(t, s, stdin, args...)
	if code != 0 {
		t.Fatalf("caudal query %q: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
	}
	return out, errOut
}

func TestE2EQueryCLI(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := s.S3Client(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("people")}); err != nil {
		t.Fatal(err)
	}
	csvData := "id,name,score,active\n1,alice,3.5,true\n2,bob,,false\n3,\"carol, md\",10,true\n"
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("people"), Key: aws.String("raw/people.csv"),
		Body: strings.NewReader(csvData)}); err != nil {
		t.Fatal(err)
	}

	// DDL: no rows, no header; the default results bucket is created.
	out, errOut := queryOK(t, s, "", "CREATE EXTERNAL TABLE people (id bigint, name string, score double, active boolean) "+
		"ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' LOCATION 's3://people/raw/' "+
		"TBLPROPERTIES ('skip.header.line.count'='1')")
	if out != "" || !strings.HasPrefix(errOut, "0 rows in ") {
		t.Errorf("CREATE EXTERNAL TABLE printed %q, stderr %q; want nothing and a 0-row summary", out, errOut)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("caudal-query-results")}); err != nil {
		t.Errorf("the default output bucket was not created: %v", err)
	}

	const sel = "SELECT id, name, score, active FROM people ORDER BY id"
	summary := regexp.MustCompile(`^3 rows in [0-9.]+ s, [0-9.]+ [KMG]?i?B scanned\n$`)

	// Off a terminal the default is CSV; the header row of the first page
	// is Athena's, not a data row.
	out, errOut = queryOK(t, s, "", sel)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv output %q: %v", out, err)
	}
	wantRecs := [][]string{{"id", "name", "score", "active"}, {"1", "alice", "3.5", "true"}, {"2", "bob", "", "false"}, {"3", "carol, md", "10.0", "true"}}
	if !equalRecords(recs, wantRecs) {
		t.Errorf("csv output %q, want records %q", out, wantRecs)
	}
	if !summary.MatchString(errOut) || strings.HasSuffix(errOut, " 0 B scanned\n") {
		t.Errorf("stderr %q, want the summary with the bytes scanned", errOut)
	}

	out, _ = queryOK(t, s, "", "--format", "table", sel)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "id  name") || !strings.HasPrefix(lines[1], "--  ---------") ||
		!strings.Contains(out, "carol, md") {
		t.Errorf("table output:\n%s", out)
	}
	// Columns line up: every line has the name column at the same offset.
	for _, l := range lines {
		if len(l) < 4 || l[2:4] != "  " {
			t.Errorf("table line %q is not aligned", l)
		}
	}

	out, _ = queryOK(t, s, "", "--format", "json", sel)
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("json line %q: %v", line, err)
		}
		got = append(got, m)
	}
	if len(got) != 3 || got[0]["id"] != 1.0 || got[0]["name"] != "alice" || got[0]["score"] != 3.5 || got[0]["active"] != true ||
		got[1]["score"] != nil || got[1]["active"] != false {
		t.Errorf("json output:\n%s", out)
	}

	// --max-rows caps what is printed and says so.
	out, errOut = queryOK(t, s, "", "--format", "csv", "--max-rows", "1", sel)
	if out != "id,name,score,active\n1,alice,3.5,true\n" || !strings.HasPrefix(errOut, "first 1 row (--max-rows) in ") {
		t.Errorf("--max-rows 1: stdout %q, stderr %q", out, errOut)
	}

	// SQL from stdin, with "-" and with no argument at all.
	for _, args := range [][]string{{"-"}, {}} {
		out, _ = queryOK(t, s, "SELECT count(*) AS n FROM people WHERE active\n", append([]string{"--format", "json"}, args...)...)
		if out != "{\"n\":2}\n" {
			t.Errorf("stdin SQL (args %q) printed %q", args, out)
		}
	}

	// --database: unqualified names resolve there.
	queryOK(t, s, "", "CREATE DATABASE other")
	if _, errOut, code := queryCLI(t, s, "", "--database", "other", "SELECT * FROM people"); code != 1 || !strings.Contains(errOut, "TABLE_NOT_FOUND") {
		t.Errorf("people in database other: exit %d, stderr %q; want 1 and TABLE_NOT_FOUND", code, errOut)
	}

	// A failed query: Athena's reason and exit 1.
	out, errOut, code := queryCLI(t, s, "", "SELECT * FROM nope")
	if code != 1 || !strings.Contains(errOut, "TABLE_NOT_FOUND") || !strings.Contains(errOut, "nope") || out != "" {
		t.Errorf("missing table: exit %d, stdout %q, stderr %q; want exit 1 and TABLE_NOT_FOUND", code, out, errOut)
	}

	// A named output bucket that does not exist is told before running.
	_, errOut, code = queryCLI(t, s, "", "--output-location", "s3://no-such-results/q/", "SELECT 1")
	if code != 1 || !strings.Contains(errOut, "caudal lake mb s3://no-such-results") {
		t.Errorf("missing output bucket: exit %d, stderr %q", code, errOut)
	}

	// Usage errors: exit 2.
	if _, errOut, code := queryCLI(t, s, "", "--format", "xml", "SELECT 1"); code != 2 || !strings.Contains(errOut, "xml") {
		t.Errorf("--format xml: exit %d, stderr %q; want 2", code, errOut)
	}
}

// TestE2EQueryCLIInterrupt checks that Ctrl-C stops the query on the
// server, not only the client.
func TestE2EQueryCLIInterrupt(t *testing.T) {
	s := startServer(t)
	ac := s.AthenaClient(t)
	cmd := exec.Command(caudalBinary, "--endpoint", s.Endpoint(), "query",
		"SELECT count(*) AS n FROM range(1000000) a(x) CROSS JOIN range(1000000) b(y) WHERE x * y % 7 = 3")
	cmd.Env = s.Env()
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	// Interrupt once the query runs on the server.
	var id string
	eventually(t, 15*time.Second, func() bool {
		l, err := ac.ListQueryExecutions(context.Background(), &athena.ListQueryExecutionsInput{})
		if err != nil || len(l.QueryExecutionIds) == 0 {
			return false
		}
		id = l.QueryExecutionIds[0]
		q, err := ac.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		return err == nil && q.QueryExecution.Status.State == types.QueryExecutionStateRunning
	}, "the query never ran")
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(errOut.String(), id+" stopped") {
		t.Fatalf("after SIGINT: %v, stderr %q; want exit 130 and query %s stopped", err, errOut.String(), id)
	}
	q, err := ac.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
	if err != nil || q.QueryExecution.Status.State != types.QueryExecutionStateCancelled {
		t.Errorf("query after the interrupt: %+v, %v; want CANCELLED", q, err)
	}
}

// TestE2EQueryReadmeExample runs the README's `caudal query` block as
// written, with the built binary as ./caudal.
func TestE2EQueryReadmeExample(t *testing.T) {
	var block string
	for _, b := range readmeBlocks(t, "bash", "sh", "shell", "console", "") {
		if strings.Contains(b, "./caudal query ") {
			block = b
		}
	}
	if block == "" {
		t.Fatal("README.md has no `./caudal query` example block")
	}
	s := startServer(t)
	dir, env, load := readmeShell(t, s)
	if err := os.Symlink(caudalBinary, filepath.Join(dir, "caudal")); err != nil {
		t.Fatal(err)
	}
	out := runReadmeScript(t, dir, env, load, localizeExample(block, s))
	for _, want := range []string{"click  2\n", "view   1\n", `{"id":1,"kind":"click"}`, `{"id":3,"kind":"click"}`, "2 rows in "} {
		if !strings.Contains(out, want) {
			t.Errorf("README caudal query example output lacks %q:\n%s", want, out)
		}
	}
}

func equalRecords(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}
