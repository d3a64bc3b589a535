package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/caudal/caudal/server"
)

// testServer is an in-process server with its own data directory.
type testServer struct {
	*server.Server
	dir string
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	dir := t.TempDir()
	s, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Log: io.Discard, QuotasOff: true,
		Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &testServer{Server: s, dir: dir}
}

// syncBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type cliRun struct {
	stdin  string
	in     io.Reader // instead of stdin, e.g. a pipe the test feeds
	getenv map[string]string
	ctx    context.Context
	stdout *syncBuffer // optional: share to watch a running command
}

// run executes one caudal command in-process against ts.
func (ts *testServer) run(t *testing.T, r cliRun, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	if r.stdout == nil {
		r.stdout = &syncBuffer{}
	}
	var errb syncBuffer
	in := r.in
	if in == nil {
		in = strings.NewReader(r.stdin)
	}
	e := &env{stdin: in, stdout: r.stdout, stderr: &errb,
		getenv: func(k string) string { return r.getenv[k] }}
	root := newRootCmd(e)
	root.SetArgs(append([]string{"--endpoint", ts.URL(), "--data", ts.dir}, args...))
	ctx := r.ctx
	if ctx == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
	}
	err = root.ExecuteContext(ctx)
	return r.stdout.String(), errb.String(), err
}

func (ts *testServer) must(t *testing.T, r cliRun, args ...string) string {
	t.Helper()
	out, stderr, err := ts.run(t, r, args...)
	if err != nil {
		t.Fatalf("caudal %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

func (ts *testServer) sdk() *kinesis.Client {
	k := ts.Key()
	return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(ts.URL()),
		Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, "")})
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func numbered(prefix string, from, n int) []string {
	var out []string
	for i := from; i < from+n; i++ {
		out = append(out, fmt.Sprintf("%s-%05d", prefix, i))
	}
	return out
}

// sameSet fails unless got holds exactly the want lines, each once.
func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	if !slices.Equal(g, w) {
		t.Fatalf("%s: got %d lines, want %d (first got: %.5q)", what, len(g), len(w), g)
	}
}

func TestStreamsLifecycle(t *testing.T) {
	ts := startServer(t)
	out := ts.must(t, cliRun{}, "streams", "list")
	if !strings.Contains(out, "no streams") {
		t.Errorf("list on an empty server = %q", out)
	}
	out = ts.must(t, cliRun{}, "streams", "create", "orders", "--shards", "2")
	if !strings.Contains(out, "created stream orders") || !strings.Contains(out, "ACTIVE") {
		t.Errorf("create = %q", out)
	}
	ts.must(t, cliRun{}, "streams", "create", "clicks", "--on-demand")

	out = ts.must(t, cliRun{}, "streams", "list")
	if !regexp.MustCompile(`(?m)^orders\s+ACTIVE\s+PROVISIONED\s+2\s+24h`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^clicks\s+ACTIVE\s+ON_DEMAND\s+\d+`).MatchString(out) {
		t.Errorf("list table:\n%s", out)
	}

	out = ts.must(t, cliRun{}, "streams", "describe", "orders")
	for _, want := range []string{"arn:aws:kinesis:us-east-1:", "shardId-000000000000", "shardId-000000000001",
		"0 – 170141183460469231731687303715884105727", "170141183460469231731687303715884105728 – 340282366920938463463374607431768211455"} {
		if !strings.Contains(out, want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, " open ") != 2 {
		t.Errorf("describe should show two open shards:\n%s", out)
	}

	out = ts.must(t, cliRun{}, "streams", "delete", "orders")
	if !strings.Contains(out, "deleted stream orders") {
		t.Errorf("delete = %q", out)
	}
	out = ts.must(t, cliRun{}, "streams", "list")
	if strings.Contains(out, "orders") || !strings.Contains(out, "clicks") {
		t.Errorf("list after delete:\n%s", out)
	}
	_, _, err := ts.run(t, cliRun{}, "streams", "describe", "orders")
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("describe of a deleted stream: %v", err)
	}
	// Bad usage is refused before any call.
	if _, _, err := ts.run(t, cliRun{}, "streams", "create", "x", "--shards", "2", "--on-demand"); err == nil {
		t.Error("--shards with --on-demand accepted")
	}
}

func TestPutAndTail(t *testing.T) {
	ts := startServer(t)
	ts.must(t, cliRun{}, "streams", "create", "logs", "--shards", "3")
	want := numbered("line", 0, 1234)
	out := ts.must(t, cliRun{stdin: strings.Join(want, "\n") + "\n\n"}, "put", "logs")
	if !regexp.MustCompile(`^put 1234 records to logs in [0-9.]+ s\n$`).MatchString(out) {
		t.Errorf("put summary = %q", out)
	}
	// From a file too, without a trailing newline.
	file := filepath.Join(t.TempDir(), "more.txt")
	more := numbered("file", 0, 600)
	if err := os.WriteFile(file, []byte(strings.Join(more, "\r\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	ts.must(t, cliRun{}, "put", "logs", file)

	out = ts.must(t, cliRun{}, "tail", "logs")
	sameSet(t, "tail", lines(out), append(want, more...))

	// Records of one partition key come out in the order they were put.
	if _, err := ts.sdk().PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String("logs"),
		Records: []types.PutRecordsRequestEntry{{Data: []byte{0xff, 0x00, 0xfe}, PartitionKey: aws.String("bin")}}}); err != nil {
		t.Fatal(err)
	}
	out = ts.must(t, cliRun{}, "tail", "logs", "--json")
	var recs []tailRecord
	for _, l := range lines(out) {
		var r tailRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("tail --json line %q: %v", l, err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 1234+600+1 {
		t.Fatalf("tail --json printed %d records, want %d", len(recs), 1234+600+1)
	}
	last := map[string]*big.Int{}
	for _, r := range recs {
		if r.ShardID == "" || r.SequenceNumber == "" || r.PartitionKey == "" || r.ApproximateArrivalTimestamp == "" {
			t.Fatalf("incomplete record %+v", r)
		}
		seq, _ := new(big.Int).SetString(r.SequenceNumber, 10)
		if prev := last[r.ShardID]; prev != nil && seq.Cmp(prev) <= 0 {
			t.Fatalf("shard %s out of order: %s after %s", r.ShardID, seq, prev)
		}
		last[r.ShardID] = seq
		if r.PartitionKey == "bin" && (r.Encoding != "base64" || r.Data != "/wD+") {
			t.Errorf("binary record = %+v, want base64 /wD+", r)
		}
		if r.PartitionKey != "bin" && r.Encoding != "utf-8" {
			t.Errorf("text record = %+v, want utf-8", r)
		}
	}
}

func TestPutKeyField(t *testing.T) {
	ts := startServer(t)
	ts.must(t, cliRun{}, "streams", "create", "events", "--shards", "4")
	var in strings.Builder
	for i := range 200 {
		fmt.Fprintf(&in, `{"user":"u%d","n":%d}`+"\n", i%7, i)
	}
	in.WriteString(`{"n":"no user"}` + "\n")
	_, stderr, err := ts.run(t, cliRun{stdin: in.String()}, "put", "events", "--key-field", "user")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, `no "user" field`) {
		t.Errorf("no warning for a line without the key field; stderr %q", stderr)
	}
	out := ts.must(t, cliRun{}, "tail", "events", "--json")
	seen := 0
	for _, l := range lines(out) {
		var r tailRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		var obj struct {
			User string `json:"user"`
		}
		if err := json.Unmarshal([]byte(r.Data), &obj); err != nil {
			t.Fatal(err)
		}
		if obj.User != "" {
			seen++
			if r.PartitionKey != obj.User {
				t.Errorf("record %s has partition key %q, want %q", r.Data, r.PartitionKey, obj.User)
			}
		}
	}
	if seen != 200 {
		t.Errorf("tail showed %d keyed records, want 200", seen)
	}
}

// middleHashKey is 2^127, the split point of a one-shard stream.
const middleHashKey = "170141183460469231731687303715884105728"

func waitActive(t *testing.T, c *kinesis.Client, name string) {
	t.Helper()
	for range 200 {
		out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("stream %s never became ACTIVE", name)
}

// TestTailFollowsResharding writes before and after a split and a merge
// and checks tail prints every record exactly once.
func TestTailFollowsResharding(t *testing.T) {
	ts := startServer(t)
	c := ts.sdk()
	ctx := context.Background()
	ts.must(t, cliRun{}, "streams", "create", "rs", "--shards", "1")
	a, b, d := numbered("before", 0, 300), numbered("split", 0, 300), numbered("merged", 0, 300)
	ts.must(t, cliRun{stdin: strings.Join(a, "\n")}, "put", "rs")

	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("rs"),
		ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(middleHashKey)}); err != nil {
		t.Fatalf("SplitShard: %v", err)
	}
	waitActive(t, c, "rs")
	ts.must(t, cliRun{stdin: strings.Join(b, "\n")}, "put", "rs")
	sameSet(t, "tail after split", lines(ts.must(t, cliRun{}, "tail", "rs")), append(slices.Clone(a), b...))

	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("rs"),
		ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")}); err != nil {
		t.Fatalf("MergeShards: %v", err)
	}
	waitActive(t, c, "rs")
	ts.must(t, cliRun{stdin: strings.Join(d, "\n")}, "put", "rs")
	all := append(append(slices.Clone(a), b...), d...)
	sameSet(t, "tail after merge", lines(ts.must(t, cliRun{}, "tail", "rs")), all)

	desc := ts.must(t, cliRun{}, "streams", "describe", "rs")
	if strings.Count(desc, " closed ") != 3 || !strings.Contains(desc, "shardId-000000000001+shardId-000000000002") {
		t.Errorf("describe after split and merge:\n%s", desc)
	}
	// From latest, nothing old is printed.
	if out := ts.must(t, cliRun{}, "tail", "rs", "--from", "latest"); out != "" {
		t.Errorf("tail --from latest printed %d lines", len(lines(out)))
	}
}

func TestTailFollow(t *testing.T) {
	ts := startServer(t)
	c := ts.sdk()
	ts.must(t, cliRun{}, "streams", "create", "live", "--shards", "1")
	old := numbered("old", 0, 50)
	ts.must(t, cliRun{stdin: strings.Join(old, "\n")}, "put", "live")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		_, _, err := ts.run(t, cliRun{ctx: ctx, stdout: out}, "tail", "live", "--follow")
		done <- err
	}()
	// Once the old records are out, tail is following; then write more
	// and split the shard under it.
	waitFor(t, "tail --follow to print the old records", func() bool { return len(lines(out.String())) >= 50 })
	fresh := numbered("new", 0, 100)
	ts.must(t, cliRun{stdin: strings.Join(fresh[:50], "\n")}, "put", "live")
	if _, err := c.SplitShard(context.Background(), &kinesis.SplitShardInput{StreamName: aws.String("live"),
		ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(middleHashKey)}); err != nil {
		t.Fatalf("SplitShard: %v", err)
	}
	waitActive(t, c, "live")
	ts.must(t, cliRun{stdin: strings.Join(fresh[50:], "\n")}, "put", "live")
	waitFor(t, "tail --follow to print the new records", func() bool { return len(lines(out.String())) >= 150 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("tail --follow after interrupt: %v", err)
	}
	sameSet(t, "tail --follow", lines(out.String()), append(old, fresh...))
}

func TestTailFromTimestamp(t *testing.T) {
	ts := startServer(t)
	ts.must(t, cliRun{}, "streams", "create", "ts", "--shards", "2")
	ts.must(t, cliRun{stdin: strings.Join(numbered("early", 0, 100), "\n")}, "put", "ts")
	time.Sleep(20 * time.Millisecond) // arrival times have millisecond resolution
	mark := time.Now().UTC()
	time.Sleep(20 * time.Millisecond)
	late := numbered("late", 0, 100)
	ts.must(t, cliRun{stdin: strings.Join(late, "\n")}, "put", "ts")
	out := ts.must(t, cliRun{}, "tail", "ts", "--from", mark.Format(time.RFC3339Nano))
	sameSet(t, "tail --from time", lines(out), late)
	if _, _, err := ts.run(t, cliRun{}, "tail", "ts", "--from", "yesterday"); err == nil {
		t.Error("--from yesterday accepted")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestClientErrorsSayWhatToDo(t *testing.T) {
	ts := startServer(t)
	// Nothing listens on the endpoint.
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	root := newRootCmd(e)
	root.SetArgs([]string{"--endpoint", "http://127.0.0.1:1", "--data", ts.dir, "streams", "list"})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "cannot reach caudal at http://127.0.0.1:1") || !strings.Contains(err.Error(), "caudal server") {
		t.Errorf("unreachable endpoint: %v", err)
	}

	// No credentials anywhere.
	root = newRootCmd(e)
	root.SetArgs([]string{"--endpoint", ts.URL(), "--data", t.TempDir(), "streams", "list"})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("missing credentials: %v", err)
	}

	// Wrong credentials from the environment.
	_, _, err = ts.run(t, cliRun{getenv: map[string]string{"AWS_ACCESS_KEY_ID": "AKIAWRONG", "AWS_SECRET_ACCESS_KEY": "nope"}}, "streams", "list")
	if err == nil || !strings.Contains(err.Error(), "rejected the credentials") {
		t.Errorf("wrong credentials: %v", err)
	}

	// A missing stream.
	if _, _, err := ts.run(t, cliRun{stdin: "x\n"}, "put", "nope"); err == nil || !strings.Contains(err.Error(), "stream nope not found") {
		t.Errorf("put to a missing stream: %v", err)
	}
}

func TestEnvPrintsExports(t *testing.T) {
	ts := startServer(t)
	out := ts.must(t, cliRun{}, "env")
	k := ts.Key()
	for _, want := range []string{"export AWS_ACCESS_KEY_ID=" + k.AccessKeyID + "\n", "export AWS_SECRET_ACCESS_KEY=",
		"export AWS_DEFAULT_REGION=us-east-1\n", "export AWS_ENDPOINT_URL=" + ts.URL() + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("env output lacks %q:\n%s", want, out)
		}
	}
	if got := shellQuote("a'b c"); got != `'a'\''b c'` {
		t.Errorf("shellQuote = %s", got)
	}
}

func TestServerCommand(t *testing.T) {
	dir := t.TempDir()
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	vars := map[string]string{"CAUDAL_FSYNC": "bogus", "CAUDAL_LISTEN": "127.0.0.1:1"}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: io.Discard, getenv: func(k string) string { return vars[k] }}

	// The environment is read...
	root := newRootCmd(e)
	root.SetArgs([]string{"server", "--data", dir, "--listen", "127.0.0.1:0"})
	if err := root.ExecuteContext(ctx); err == nil || !strings.Contains(err.Error(), "fsync") {
		t.Fatalf("server with CAUDAL_FSYNC=bogus: %v", err)
	}
	// ...and flags win over it.
	root = newRootCmd(e)
	root.SetArgs([]string{"server", "--data", dir, "--listen", "127.0.0.1:0", "--fsync", "interval", "--quotas", "off"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	var first string
	waitFor(t, "the banner", func() bool {
		first, _, _ = strings.Cut(out.String(), "\n")
		return strings.HasPrefix(first, "caudal listening on http://127.0.0.1:") && strings.Contains(out.String(), "quotas:")
	})
	url := strings.TrimPrefix(first, "caudal listening on ")
	if !strings.Contains(out.String(), "fsync:         interval") || !strings.Contains(out.String(), "quotas:        off") {
		t.Errorf("banner does not reflect the flags:\n%s", out)
	}
	resp, err := http.Get(url + "/_caudal/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health = %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server after interrupt: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop")
	}
	if !strings.Contains(out.String(), "stopped cleanly") {
		t.Errorf("no clean-stop message:\n%s", out)
	}
}
