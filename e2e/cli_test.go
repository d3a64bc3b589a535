package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The AWS CLI tests drive both CLI major versions (v1 from pip, v2 from
// Debian) as subprocesses against a fresh server each, parse their
// `--output json` and check the AWS error codes they print on failure.

// cliTimeout bounds one CLI invocation. `aws kinesis wait` polls every 10 s,
// so a stream that stays CREATING for a while still fits.
const cliTimeout = 90 * time.Second

// cliGen is one AWS CLI generation under test.
type cliGen struct {
	name string // subtest name
	aws  string // path of the aws executable
	v2   bool   // v2 needs --cli-binary-format raw-in-base64-out for raw blobs
}

func cliGens(t *testing.T) []cliGen {
	c := clients(t)
	return []cliGen{
		{name: "v1", aws: c.AWSV1},
		{name: "v2", aws: c.AWSV2, v2: true},
	}
}

// cliEnv is the client environment with retries off, so that a 5xx is seen
// as it is instead of being retried away.
func cliEnv(s *Server) []string {
	return append(s.Env(), "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard")
}

// run runs `aws --endpoint-url E --output json args...` and returns its
// output and exit code.
func (g cliGen) run(t *testing.T, s *Server, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	full := append([]string{"--endpoint-url", s.Endpoint(), "--output", "json"}, args...)
	cmd := exec.CommandContext(ctx, g.aws, full...)
	cmd.Env = cliEnv(s)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("aws %s: timed out after %v\nstderr: %s", strings.Join(args, " "), cliTimeout, e.String())
	}
	code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return o.String(), e.String(), code
}

// ok runs the command, requires exit 0, and parses stdout as JSON (an empty
// stdout gives an empty map).
func (g cliGen) ok(t *testing.T, s *Server, args ...string) map[string]any {
	t.Helper()
	out, errOut, code := g.run(t, s, args...)
	if code != 0 {
		t.Fatalf("aws %s: exit %d\nstderr: %s\nstdout: %s", strings.Join(args, " "), code, errOut, out)
	}
	v := map[string]any{}
	if strings.TrimSpace(out) == "" {
		return v
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// fails runs the command and requires a non-zero exit with "(code)" in
// stderr, the form both CLIs print service errors in. It returns stderr.
func (g cliGen) fails(t *testing.T, s *Server, code string, args ...string) string {
	t.Helper()
	out, errOut, exit := g.run(t, s, args...)
	if exit == 0 {
		t.Errorf("aws %s: exit 0, want failure with %s\nstdout: %s", strings.Join(args, " "), code, out)
		return errOut
	}
	if !strings.Contains(errOut, "("+code+")") {
		t.Errorf("aws %s: exit %d, stderr lacks (%s):\n%s", strings.Join(args, " "), exit, code, errOut)
	}
	return errOut
}

// blobArgs returns the flag that makes the CLI take blob arguments raw.
func (g cliGen) blobArgs() []string {
	if g.v2 {
		return []string{"--cli-binary-format", "raw-in-base64-out"}
	}
	return nil
}

// path walks a decoded JSON value by keys and indexes ("StreamDescription",
// "Shards", 0, "ShardId").
func jsonPath(t *testing.T, v any, keys ...any) any {
	t.Helper()
	cur := v
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("path %v: %v is not an object", keys, cur)
			}
			cur = m[k]
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("path %v: %v has no element %d", keys, cur, k)
			}
			cur = a[k]
		}
	}
	return cur
}

func jsonLen(t *testing.T, v any, keys ...any) int {
	t.Helper()
	a, ok := jsonPath(t, v, keys...).([]any)
	if !ok {
		t.Fatalf("path %v is not an array in %v", keys, v)
	}
	return len(a)
}

func TestE2ECLIStreamLifecycle(t *testing.T) {
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			// Each CLI run costs a Python start-up; the two generations
			// share nothing, so run them side by side.
			t.Parallel()
			s := startServer(t, withQuotasOff())
			name := "cli-" + g.name
			g.ok(t, s, "kinesis", "create-stream", "--stream-name", name, "--shard-count", "2")
			g.ok(t, s, "kinesis", "wait", "stream-exists", "--stream-name", name)

			d := g.ok(t, s, "kinesis", "describe-stream", "--stream-name", name)
			if st := jsonPath(t, d, "StreamDescription", "StreamStatus"); st != "ACTIVE" {
				t.Errorf("StreamStatus = %v", st)
			}
			if n := jsonLen(t, d, "StreamDescription", "Shards"); n != 2 {
				t.Errorf("describe-stream shards = %d, want 2", n)
			}
			arn, _ := jsonPath(t, d, "StreamDescription", "StreamARN").(string)
			if !strings.HasPrefix(arn, "arn:aws:kinesis:us-east-1:") || !strings.HasSuffix(arn, ":stream/"+name) {
				t.Errorf("StreamARN = %q", arn)
			}
			sum := g.ok(t, s, "kinesis", "describe-stream-summary", "--stream-name", name)
			if n := jsonPath(t, sum, "StreamDescriptionSummary", "OpenShardCount"); n != 2.0 {
				t.Errorf("OpenShardCount = %v", n)
			}
			g.ok(t, s, "kinesis", "create-stream", "--stream-name", name+"-b", "--shard-count", "1")
			g.ok(t, s, "kinesis", "wait", "stream-exists", "--stream-name", name+"-b")
			ls := g.ok(t, s, "kinesis", "list-streams")
			if got := fmt.Sprint(jsonPath(t, ls, "StreamNames")); got != fmt.Sprint([]any{name, name + "-b"}) {
				t.Errorf("list-streams = %s", got)
			}
			// Paging through the CLI's own paginator, one stream per page.
			pg := g.ok(t, s, "kinesis", "list-streams", "--page-size", "1")
			if n := jsonLen(t, pg, "StreamNames"); n != 2 {
				t.Errorf("list-streams --page-size 1 gave %d names, want 2", n)
			}
			first := g.ok(t, s, "kinesis", "list-streams", "--max-items", "1")
			if n := jsonLen(t, first, "StreamNames"); n != 1 || first["NextToken"] == nil {
				t.Errorf("list-streams --max-items 1 = %v", first)
			}

			sh := g.ok(t, s, "kinesis", "list-shards", "--stream-name", name)
			if n := jsonLen(t, sh, "Shards"); n != 2 {
				t.Errorf("list-shards = %d shards", n)
			}
			one := g.ok(t, s, "kinesis", "list-shards", "--stream-name", name, "--max-results", "1", "--no-paginate")
			if n := jsonLen(t, one, "Shards"); n != 1 || one["NextToken"] == nil {
				t.Errorf("list-shards --max-results 1 --no-paginate = %v", one)
			}

			// Tags and retention.
			g.ok(t, s, "kinesis", "add-tags-to-stream", "--stream-name", name, "--tags", "env=test,team=data")
			tags := g.ok(t, s, "kinesis", "list-tags-for-stream", "--stream-name", name)
			if got := fmt.Sprint(jsonPath(t, tags, "Tags")); got != "[map[Key:env Value:test] map[Key:team Value:data]]" {
				t.Errorf("tags = %s", got)
			}
			g.ok(t, s, "kinesis", "increase-stream-retention-period", "--stream-name", name, "--retention-period-hours", "48")
			g.ok(t, s, "kinesis", "wait", "stream-exists", "--stream-name", name)
			sum = g.ok(t, s, "kinesis", "describe-stream-summary", "--stream-name", name)
			if h := jsonPath(t, sum, "StreamDescriptionSummary", "RetentionPeriodHours"); h != 48.0 {
				t.Errorf("RetentionPeriodHours = %v, want 48", h)
			}

			// Errors: AWS code in stderr, non-zero exit.
			g.fails(t, s, "ResourceInUseException", "kinesis", "create-stream", "--stream-name", name, "--shard-count", "1")
			g.fails(t, s, "ValidationException", "kinesis", "create-stream", "--stream-name", "bad name!", "--shard-count", "1")
			g.fails(t, s, "InvalidArgumentException", "kinesis", "decrease-stream-retention-period", "--stream-name", name, "--retention-period-hours", "12")
			g.fails(t, s, "ResourceNotFoundException", "kinesis", "describe-stream", "--stream-name", "cli-missing")

			for _, n := range []string{name, name + "-b"} {
				g.ok(t, s, "kinesis", "delete-stream", "--stream-name", n)
				g.ok(t, s, "kinesis", "wait", "stream-not-exists", "--stream-name", n)
			}
			g.fails(t, s, "ResourceNotFoundException", "kinesis", "describe-stream-summary", "--stream-name", name)
			if ls := g.ok(t, s, "kinesis", "list-streams"); jsonLen(t, ls, "StreamNames") != 0 {
				t.Errorf("streams left after delete: %v", ls)
			}
		})
	}
}

func TestE2ECLIRecordsAndResharding(t *testing.T) {
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			// Each CLI run costs a Python start-up; the two generations
			// share nothing, so run them side by side.
			t.Parallel()
			s := startServer(t, withQuotasOff())
			name := "cli-rec-" + g.name
			g.ok(t, s, "kinesis", "create-stream", "--stream-name", name, "--shard-count", "2")
			g.ok(t, s, "kinesis", "wait", "stream-exists", "--stream-name", name)

			// put-record with a raw string blob; ExplicitHashKey 0 pins shard 0.
			pr := g.ok(t, s, append([]string{"kinesis", "put-record", "--stream-name", name, "--partition-key", "k",
				"--data", "hello from the cli", "--explicit-hash-key", "0"}, g.blobArgs()...)...)
			if pr["ShardId"] != "shardId-000000000000" || pr["SequenceNumber"] == nil {
				t.Fatalf("put-record = %v", pr)
			}
			first := pr["SequenceNumber"].(string)
			recs := `[{"Data":"rec-1","PartitionKey":"a","ExplicitHashKey":"0"},{"Data":"rec-2","PartitionKey":"b","ExplicitHashKey":"0"},{"Data":"rec-3","PartitionKey":"c"}]`
			prs := g.ok(t, s, append([]string{"kinesis", "put-records", "--stream-name", name, "--records", recs}, g.blobArgs()...)...)
			if prs["FailedRecordCount"] != 0.0 || jsonLen(t, prs, "Records") != 3 {
				t.Fatalf("put-records = %v", prs)
			}
			for i := 0; i < 3; i++ {
				if jsonPath(t, prs, "Records", i, "SequenceNumber") == nil {
					t.Errorf("put-records record %d has no SequenceNumber: %v", i, prs)
				}
			}

			it := g.ok(t, s, "kinesis", "get-shard-iterator", "--stream-name", name, "--shard-id", "shardId-000000000000",
				"--shard-iterator-type", "TRIM_HORIZON")
			iter, _ := it["ShardIterator"].(string)
			if iter == "" {
				t.Fatalf("get-shard-iterator = %v", it)
			}
			gr := g.ok(t, s, "kinesis", "get-records", "--shard-iterator", iter)
			var got []string
			for i := 0; i < jsonLen(t, gr, "Records"); i++ {
				b64, _ := jsonPath(t, gr, "Records", i, "Data").(string)
				raw, err := base64.StdEncoding.DecodeString(b64)
				if err != nil {
					t.Fatalf("get-records Data %q is not base64: %v", b64, err)
				}
				got = append(got, string(raw))
			}
			// rec-3 is routed by MD5 of "c"; it may or may not be on shard 0.
			want := []string{"hello from the cli", "rec-1", "rec-2"}
			if len(got) < 3 || fmt.Sprint(got[:3]) != fmt.Sprint(want) {
				t.Errorf("get-records data = %q, want prefix %q", got, want)
			}
			if gr["NextShardIterator"] == nil || gr["MillisBehindLatest"] == nil {
				t.Errorf("get-records lacks NextShardIterator/MillisBehindLatest: %v", gr)
			}
			at := g.ok(t, s, "kinesis", "get-shard-iterator", "--stream-name", name, "--shard-id", "shardId-000000000000",
				"--shard-iterator-type", "AFTER_SEQUENCE_NUMBER", "--starting-sequence-number", first)
			gr2 := g.ok(t, s, "kinesis", "get-records", "--shard-iterator", at["ShardIterator"].(string), "--limit", "1")
			if d, _ := jsonPath(t, gr2, "Records", 0, "Data").(string); d != base64.StdEncoding.EncodeToString([]byte("rec-1")) {
				t.Errorf("AFTER_SEQUENCE_NUMBER first record = %q", d)
			}
			g.fails(t, s, "InvalidArgumentException", "kinesis", "get-records", "--shard-iterator", "AAAAAAAAAAGarbageIterator")
			g.fails(t, s, "InvalidArgumentException", "kinesis", "get-shard-iterator", "--stream-name", name, "--shard-id", "shardId-000000000000",
				"--shard-iterator-type", "AT_SEQUENCE_NUMBER")

			// split-shard 0 at the middle of its range, then merge the children.
			sh := g.ok(t, s, "kinesis", "list-shards", "--stream-name", name)
			end, _ := new(big.Int).SetString(jsonPath(t, sh, "Shards", 0, "HashKeyRange", "EndingHashKey").(string), 10)
			mid := new(big.Int).Rsh(end, 1)
			g.ok(t, s, "kinesis", "split-shard", "--stream-name", name, "--shard-to-split", "shardId-000000000000",
				"--new-starting-hash-key", mid.String())
			g.ok(t, s, "kinesis", "wait", "stream-exists", "--stream-name", name)
			sh = g.ok(t, s, "kinesis", "list-shards", "--stream-name", name)
			if n := jsonLen(t, sh, "Shards"); n != 4 {
				t.Fatalf("shards after split-shard = %d, want 4: %v", n, sh)
			}
			g.ok(t, s, "kinesis", "merge-shards", "--stream-name", name, "--shard-to-merge", "shardId-000000000002",
				"--adjacent-shard-to-merge", "shardId-000000000003")
			g.ok(t, s, "kinesis", "wait", "stream-exists", "--stream-name", name)
			sh = g.ok(t, s, "kinesis", "list-shards", "--stream-name", name, "--shard-filter", "Type=AT_LATEST")
			if n := jsonLen(t, sh, "Shards"); n != 2 {
				t.Errorf("open shards after merge = %d, want 2: %v", n, sh)
			}
			// The split parent ends with ChildShards and no NextShardIterator.
			gr3 := g.ok(t, s, "kinesis", "get-records", "--shard-iterator", iter)
			for i := 0; i < 10 && gr3["NextShardIterator"] != nil; i++ {
				gr3 = g.ok(t, s, "kinesis", "get-records", "--shard-iterator", gr3["NextShardIterator"].(string))
			}
			if gr3["NextShardIterator"] != nil || gr3["ChildShards"] == nil {
				t.Errorf("closed parent's last get-records = %v, want ChildShards and no NextShardIterator", gr3)
			}

			u := g.ok(t, s, "kinesis", "update-shard-count", "--stream-name", name, "--target-shard-count", "4",
				"--scaling-type", "UNIFORM_SCALING")
			if u["CurrentShardCount"] != 2.0 || u["TargetShardCount"] != 4.0 {
				t.Errorf("update-shard-count = %v", u)
			}
			g.ok(t, s, "kinesis", "wait", "stream-exists", "--stream-name", name)
			sum := g.ok(t, s, "kinesis", "describe-stream-summary", "--stream-name", name)
			if n := jsonPath(t, sum, "StreamDescriptionSummary", "OpenShardCount"); n != 4.0 {
				t.Errorf("OpenShardCount after update-shard-count = %v", n)
			}
			g.ok(t, s, "kinesis", "delete-stream", "--stream-name", name)
			g.ok(t, s, "kinesis", "wait", "stream-not-exists", "--stream-name", name)
		})
	}
}

// readmeCLICommands extracts the `aws ...` commands (with their backslash
// continuations) from the README's shell blocks.
func readmeCLICommands(t *testing.T) []string {
	t.Helper()
	var cmds []string
	for _, b := range readmeBlocks(t, "bash", "sh", "shell", "console", "") {
		var cur string
		for _, line := range strings.Split(b, "\n") {
			l := strings.TrimSpace(line)
			l = strings.TrimPrefix(l, "$ ")
			if cur == "" && !strings.HasPrefix(l, "aws ") {
				continue
			}
			cur += l
			if strings.HasSuffix(cur, "\\") {
				cur = strings.TrimSuffix(cur, "\\") + " "
				continue
			}
			if strings.Contains(cur, " kinesis ") {
				cmds = append(cmds, cur)
			}
			cur = ""
		}
	}
	return cmds
}

// TestE2ECLIReadmeExample runs the README's AWS CLI commands as written with
// each CLI generation, `aws` resolving to that generation.
func TestE2ECLIReadmeExample(t *testing.T) {
	cmds := readmeCLICommands(t)
	if len(cmds) == 0 {
		t.Fatalf("README.md has no `aws ... kinesis ...` command in a shell code block")
	}
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			// Each CLI run costs a Python start-up; the two generations
			// share nothing, so run them side by side.
			t.Parallel()
			s := startServer(t) // the default server, quotas on, as a reader runs it
			dir, env, load := readmeShell(t, s)
			bin := t.TempDir()
			if err := os.Symlink(g.aws, filepath.Join(bin, "aws")); err != nil {
				t.Fatalf("symlink aws: %v", err)
			}
			for i, kv := range env {
				if strings.HasPrefix(kv, "PATH=") {
					env[i] = "PATH=" + bin + string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
				}
			}
			env = append(env, "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard")
			for _, c := range cmds {
				c = localizeExample(c, s)
				ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
				cmd := exec.CommandContext(ctx, "bash", "-eo", "pipefail", "-c", load+" && "+c)
				cmd.Env = env
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				cancel()
				if err != nil {
					t.Fatalf("README command failed with %s (%v):\n$ %s\n%s", g.name, err, c, out)
				}
				t.Logf("$ %s\n%s", c, out)
			}
			if n := listStreamNames(t, s, testRegion); len(n) != 0 {
				t.Errorf("streams left after the README's commands (it ends with delete-stream): %v", n)
			}
		})
	}
}

// TestE2ECLIBannerExample runs the AWS CLI line the server prints at start-up
// with each CLI generation as `aws`, with no AWS credentials in the
// environment: it must run as printed.
func TestE2ECLIBannerExample(t *testing.T) {
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t) // the default server, quotas on, as a reader runs it
			line := strings.TrimSpace(bannerBlock(t, s, "AWS CLI:"))
			if !strings.Contains(line, s.Endpoint()) {
				t.Errorf("banner's AWS CLI example does not name the server's endpoint %s: %s", s.Endpoint(), line)
			}
			_, env, _ := readmeShell(t, s)
			bin := t.TempDir()
			if err := os.Symlink(g.aws, filepath.Join(bin, "aws")); err != nil {
				t.Fatalf("symlink aws: %v", err)
			}
			for i, kv := range env {
				if strings.HasPrefix(kv, "PATH=") {
					env[i] = "PATH=" + bin + string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-eo", "pipefail", "-c", line)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("banner AWS CLI example failed with %s (%v):\n$ %s\n%s", g.name, err, line, out)
			}
			if !strings.Contains(string(out), "StreamNames") {
				t.Errorf("banner AWS CLI example printed no ListStreams answer:\n%s", out)
			}
		})
	}
}
