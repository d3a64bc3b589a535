package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The boto3 tests run each script in scripts/ with both boto3 generations
// (subtests "new" and "old"), each against its own fresh server so that
// ListStreams and DescribeLimits see only what that script made. The scripts
// assert the detailed AWS behaviour in Python; the Go side re-checks the key
// facts from the JSON they print and, where it matters, cross-checks the
// server's state with the Go SDK.

// scriptTimeout bounds one script run; the slowest (resharding under load)
// takes well under a minute on a 2-core machine.
const scriptTimeout = 3 * time.Minute

// pythonGen is one boto3 generation under test.
type pythonGen struct {
	name   string // subtest name
	python string // interpreter path
	boto3  string // expected boto3 version prefix ("" = any)
}

func pythonGens(t *testing.T) []pythonGen {
	c := clients(t)
	return []pythonGen{
		{name: "new", python: c.PythonNew},
		{name: "old", python: c.PythonOld, boto3: "1.2"},
	}
}

// scriptsDir is the absolute path of e2e/scripts.
func scriptsDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs("scripts")
	if err != nil {
		t.Fatalf("locate scripts dir: %v", err)
	}
	return d
}

// runScript runs a script with python against s (endpoint as argv[1], then
// args) and returns the JSON object it printed last. A non-zero exit fails
// the test with the script's stderr.
func runScript(t *testing.T, python string, s *Server, script string, args ...string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	path := filepath.Join(scriptsDir(t), script)
	cmd := exec.CommandContext(ctx, python, append([]string{path, s.Endpoint()}, args...)...)
	cmd.Dir = scriptsDir(t)
	cmd.Env = append(s.Env(), "CAUDAL_ENDPOINT="+s.Endpoint(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: timed out after %v\nstderr:\n%s\nstdout:\n%s", python, script, scriptTimeout, stderr.String(), stdout.String())
	}
	if err != nil {
		t.Fatalf("%s %s failed (%v) after %v:\n%s\nstdout:\n%s", python, script, err, time.Since(start).Round(time.Millisecond),
			failLines(stderr.String()), tail(stdout.String(), 4<<10))
	}
	out := lastJSON(t, stdout.String())
	t.Logf("%s %s: ok in %v", filepath.Base(python), script, time.Since(start).Round(time.Millisecond))
	return out
}

// failLines puts the script's "FAIL:" line first, then the rest of stderr.
func failLines(stderr string) string {
	var fail []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "FAIL:") {
			fail = append(fail, l)
		}
	}
	return strings.Join(fail, "\n") + "\n--- stderr ---\n" + tail(stderr, 8<<10)
}

// lastJSON parses the last non-empty line of out as a JSON object.
func lastJSON(t testing.TB, out string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	var v map[string]any
	if err := json.Unmarshal([]byte(last), &v); err != nil {
		t.Fatalf("script output is not a JSON object: %v\n%s", err, tail(out, 4<<10))
	}
	return v
}

// forEachPython runs fn as a subtest per boto3 generation, each with a fresh
// server started with opts, and checks the script really ran on that
// generation.
func forEachPython(t *testing.T, fn func(t *testing.T, g pythonGen, s *Server), opts ...serverOption) {
	for _, g := range pythonGens(t) {
		t.Run(g.name, func(t *testing.T) {
			s := startServer(t, opts...)
			fn(t, g, s)
		})
	}
}

// checkVersion fails unless the script reported the expected boto3 generation.
func checkVersion(t *testing.T, g pythonGen, res map[string]any) {
	t.Helper()
	v, _ := res["versions"].(map[string]any)
	b, _ := v["boto3"].(string)
	if b == "" || g.boto3 != "" && !strings.HasPrefix(b, g.boto3) {
		t.Errorf("script ran on boto3 %q, want %s generation (%q)", b, g.name, g.boto3)
	}
	if g.boto3 == "" && strings.HasPrefix(b, "1.2") {
		t.Errorf("new generation ran on old boto3 %q", b)
	}
}

func resNum(t *testing.T, res map[string]any, key string) float64 {
	t.Helper()
	f, ok := res[key].(float64)
	if !ok {
		t.Fatalf("result has no number %q: %v", key, res)
	}
	return f
}

func resStr(t *testing.T, res map[string]any, key string) string {
	t.Helper()
	s, ok := res[key].(string)
	if !ok {
		t.Fatalf("result has no string %q: %v", key, res)
	}
	return s
}

// listStreamNames lists every stream in region through the Go SDK.
func listStreamNames(t *testing.T, s *Server, region string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := s.KinesisClientIn(t, region).ListStreams(ctx, nil)
	if err != nil {
		t.Fatalf("Go SDK ListStreams in %s: %v", region, err)
	}
	return out.StreamNames
}

// eventuallyNoStreams waits for streams the script deleted to be gone (a
// delete may pass through DELETING).
func eventuallyNoStreams(t *testing.T, s *Server) {
	t.Helper()
	eventually(t, 30*time.Second, func() bool { return len(listStreamNames(t, s, testRegion)) == 0 },
		"streams left after the script deleted them all: %v", listStreamNames(t, s, testRegion))
}

func TestE2EBoto3Streams(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "streams.py")
		checkVersion(t, g, res)
		if got := resNum(t, res, "on_demand_shards"); got != 4 {
			t.Errorf("on-demand stream shards = %v, want 4", got)
		}
		if got := resNum(t, res, "list_streams"); got != 5 {
			t.Errorf("ListStreams saw %v streams, want 5", got)
		}
		if g.name == "new" && res["stream_summaries"] != true {
			t.Errorf("new boto3 got no StreamSummaries from ListStreams")
		}
		eventuallyNoStreams(t, s)
		if n := listStreamNames(t, s, "us-west-2"); len(n) != 0 {
			t.Errorf("us-west-2 streams left: %v", n)
		}
	}, withQuotasOff())
}

func TestE2EBoto3Records(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "records.py")
		checkVersion(t, g, res)
		if got := resNum(t, res, "put_records"); got != 51 {
			t.Errorf("PutRecords results = %v, want 51", got)
		}
		if got := resNum(t, res, "millis_behind"); got <= 0 {
			t.Errorf("MillisBehindLatest = %v, want > 0", got)
		}
		if kids, _ := res["split_children"].([]any); len(kids) != 2 {
			t.Errorf("split children = %v, want 2", res["split_children"])
		}
		eventuallyNoStreams(t, s)
	}, withQuotasOff())
}

func TestE2EBoto3Shards(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "shards.py")
		checkVersion(t, g, res)
		// 4 + 2 (split) + 1 (merge) + scaling 4->8->4->3 creates at least 8+4+3 more.
		if got := resNum(t, res, "shards_total"); got < 7+8+4+3 {
			t.Errorf("shards after all resharding = %v, want >= %d", got, 7+8+4+3)
		}
		eventuallyNoStreams(t, s)
	}, withQuotasOff())
}

func TestE2EBoto3Settings(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "settings.py")
		checkVersion(t, g, res)
		ops := fmt.Sprint(res["ops"])
		for _, op := range []string{"IncreaseStreamRetentionPeriod", "AddTagsToStream", "DescribeLimits", "EnableEnhancedMonitoring", "StartStreamEncryption", "UpdateStreamMode"} {
			if !strings.Contains(ops, op) {
				t.Errorf("settings.py did not exercise %s: %s", op, ops)
			}
		}
		if g.name == "new" {
			for _, op := range []string{"DescribeAccountSettings", "TagResource", "PutResourcePolicy"} {
				if !strings.Contains(ops, op) {
					t.Errorf("new boto3 did not exercise %s: %s", op, ops)
				}
			}
		}
		eventuallyNoStreams(t, s)
	}, withQuotasOff())
}

func TestE2EBoto3Errors(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "errors.py")
		checkVersion(t, g, res)
		want := "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
		if got := resStr(t, res, "bad_name"); !strings.HasPrefix(got, want) {
			t.Errorf("bad stream name message = %q, want prefix %q", got, want)
		}
		if got := resStr(t, res, "put_records_501"); !strings.HasPrefix(got, "1 validation error detected: ") {
			t.Errorf("501 records message = %q", got)
		}
		t.Logf("over-1-MiB record: %v; over-5-MiB PutRecords: %v", res["put_record_over_1mib"], res["put_records_over_5mib"])
		eventuallyNoStreams(t, s)
	}, withQuotasOff())
}

func TestE2EBoto3AllOperations(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "operations.py")
		checkVersion(t, g, res)
		ops, _ := res["operations"].(map[string]any)
		if g.name == "new" && len(ops) < 39 {
			t.Errorf("new botocore model exercised %d operations, want >= 39", len(ops))
		}
		for _, op := range []string{"RegisterStreamConsumer", "DescribeStreamConsumer", "DeregisterStreamConsumer", "SubscribeToShard"} {
			if got, _ := ops[op].(string); !strings.HasPrefix(got, "4") {
				t.Errorf("%s answered %q, want an AWS-shaped 4xx error", op, got)
			}
		}
		t.Logf("operations: %v", ops)
	}, withQuotasOff())
}

func TestE2EBoto3ReshardWhileWriting(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "reshard_producer.py")
		checkVersion(t, g, res)
		acked, read := resNum(t, res, "acked"), resNum(t, res, "read")
		if acked < 200 || read < acked {
			t.Errorf("acked %v, read %v", acked, read)
		}
		// split: 2 -> 4 shards, merge: 5, scale to 4 and to 3 add more.
		if got := resNum(t, res, "shards"); got < 8 {
			t.Errorf("lineage walk visited %v shards, want >= 8", got)
		}
		t.Logf("acked %v, read %v, unacked-but-read %v, soft errors %v, order %v", acked, read, res["unacked_but_read"], res["soft_errors"], res["lineage_order"])
	}, withQuotasOff())
}

// TestE2EBoto3ReshardWithQuotas is the resharding test on a default server
// (quotas on): throttled records are refused per record and never stored;
// every acknowledged record is read exactly once.
func TestE2EBoto3ReshardWithQuotas(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "reshard_producer.py", "quotas")
		checkVersion(t, g, res)
		if resNum(t, res, "throttled") == 0 {
			t.Errorf("no record throttled with quotas on: %v", res)
		}
		if got := resNum(t, res, "unacked_but_read"); got != 0 {
			t.Errorf("%v records were read that were never acknowledged", got)
		}
		t.Logf("acked %v, throttled %v, read %v", res["acked"], res["throttled"], res["read"])
	})
}

func TestE2EBoto3ControlRaces(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "control_races.py")
		checkVersion(t, g, res)
		t.Logf("answers: %v", res["codes"])
	}, withQuotasOff())
}

func TestE2EBoto3Quotas(t *testing.T) {
	// Quotas are on by default: no --quotas flag.
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "quotas.py")
		checkVersion(t, g, res)
		if resNum(t, res, "failed_in_call") <= 0 || resNum(t, res, "ok_in_call") < 0 {
			t.Errorf("no per-record throttling reported: %v", res)
		}
		t.Logf("throttled after %v calls; %v failed / %v ok in that call; message %q",
			res["calls_until_throttled"], res["failed_in_call"], res["ok_in_call"], res["error_message"])
	})
}

func TestE2EBoto3Limits(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "limits.py")
		checkVersion(t, g, res)
		if got := resNum(t, res, "get_records_max"); got != 10000 {
			t.Errorf("GetRecords returned %v records, want 10000", got)
		}
		t.Logf("1 MiB records per GetRecords page: %v; limits %v; over limit: %v", res["big_pages"], res["limits"], res["over_limit"])
		eventuallyNoStreams(t, s)
	}, withQuotasOff())
}

func TestE2EBoto3Auth(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "auth.py")
		checkVersion(t, g, res)
		t.Logf("unknown key: %v; wrong secret: %v", res["unknown_key"], res["wrong_secret"])
		if n := listStreamNames(t, s, testRegion); len(n) != 0 {
			t.Errorf("refused requests created streams: %v", n)
		}
	})
}

// TestE2EBoto3Restart writes with boto3, restarts the server (SIGTERM, and
// SIGKILL for the second generation) and reads everything back, including
// through an iterator handed out before the restart.
func TestE2EBoto3Restart(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		state := filepath.Join(t.TempDir(), "state.json")
		w := runScript(t, g.python, s, "restart.py", "write", state)
		if g.name == "old" {
			s.Kill()
		} else if code := s.Stop(); code != 0 {
			t.Errorf("server exit code on SIGTERM = %d", code)
		}
		s.Restart()
		r := runScript(t, g.python, s, "restart.py", "read", state)
		checkVersion(t, g, r)
		if resNum(t, w, "acked") != resNum(t, r, "records") {
			t.Errorf("acked %v records before the restart, read %v after", w["acked"], r["records"])
		}
	}, withQuotasOff())
}

func TestE2EBoto3LiveTail(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "live_tail.py")
		checkVersion(t, g, res)
		if a, d := resNum(t, res, "acked"), resNum(t, res, "delivered"); d != a {
			t.Errorf("live consumers got %v of %v acknowledged records", d, a)
		}
		t.Logf("acked %v, delivered %v, AT_TIMESTAMP checks %v, errors after delete %v", res["acked"], res["delivered"], res["at_timestamp_checked"], res["delete_errors"])
		eventuallyNoStreams(t, s)
	}, withQuotasOff())
}

func TestE2EBoto3NewerAPIs(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "newer_apis.py")
		checkVersion(t, g, res)
		ran := fmt.Sprint(res["ran"])
		if g.name == "new" {
			for _, op := range []string{"UpdateMaxRecordSize", "CreateStream.MaxRecordSizeInKiB", "UpdateAccountSettings", "UpdateStreamWarmThroughput"} {
				if !strings.Contains(ran, op) {
					t.Errorf("new boto3 did not exercise %s (ran %s, skipped %v)", op, ran, res["skipped"])
				}
			}
		}
		t.Logf("ran %s; skipped %v; warm throughput %v", ran, res["skipped"], res["warm_throughput"])
		eventuallyNoStreams(t, s)
	}, withQuotasOff())
}

// readmeBlocks returns the fenced code blocks of README.md whose info
// string is one of langs.
func readmeBlocks(t *testing.T, langs ...string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "README.md"))
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("README.md does not exist: the README's examples must run as written")
	}
	if err != nil {
		t.Fatalf("read README.md: %v", err)
	}
	var blocks []string
	var cur strings.Builder
	in, lang := false, ""
	for _, line := range strings.Split(string(raw), "\n") {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") {
			if !in {
				in, lang = true, strings.TrimSpace(strings.TrimPrefix(trim, "```"))
				cur.Reset()
				continue
			}
			in = false
			for _, l := range langs {
				if lang == l {
					blocks = append(blocks, cur.String())
				}
			}
			continue
		}
		if in {
			cur.WriteString(line + "\n")
		}
	}
	return blocks
}

// localizeExample points a README example at s: the README is written for
// the default endpoint, the test server listens elsewhere.
func localizeExample(code string, s *Server) string {
	for _, def := range []string{"http://127.0.0.1:4566", "http://localhost:4566"} {
		code = strings.ReplaceAll(code, def, s.Endpoint())
	}
	return code
}

// readmeShell prepares what the README's reader has: a working directory
// whose ./caudal-data is the server's data directory, and an environment with
// no AWS credentials and no region (the README loads them with
// `eval "$(caudal env)"`).
// It returns the directory, the environment and the shell line that loads
// the credentials the README's way.
func readmeShell(t *testing.T, s *Server) (dir string, env []string, loadCreds string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.Symlink(s.Dir, filepath.Join(dir, "caudal-data")); err != nil {
		t.Fatalf("link caudal-data: %v", err)
	}
	for _, kv := range s.Env() {
		// A newcomer's shell has no key and no region: the examples
		// must bring both (the README through `caudal env`).
		if strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") || strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") ||
			strings.HasPrefix(kv, "AWS_DEFAULT_REGION=") || strings.HasPrefix(kv, "AWS_REGION=") {
			continue
		}
		env = append(env, kv)
	}
	// `go run ./cmd/caudal env` in the README; the test runs the built binary.
	// CAUDAL_ENDPOINT only makes the exported AWS_ENDPOINT_URL point at the
	// test server instead of the default port.
	env = append(env, "CAUDAL_ENDPOINT="+s.Endpoint())
	return dir, env, fmt.Sprintf("eval \"$(%s env)\"", caudalBinary)
}

// TestE2EBoto3ReadmeExample runs the README's boto3 example as written,
// pointed at a test server, with each boto3 generation, after loading the
// credentials the way the README says (`eval "$(caudal env)"`).
func TestE2EBoto3ReadmeExample(t *testing.T) {
	var example string
	for _, b := range readmeBlocks(t, "python", "py", "python3") {
		if strings.Contains(b, "boto3") {
			example = b
			break
		}
	}
	if example == "" {
		t.Fatalf("README.md has no python code block using boto3")
	}
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		code := localizeExample(example, s)
		if code == example {
			t.Fatalf("README boto3 example does not use the default endpoint http://127.0.0.1:4566; cannot point it at the test server")
		}
		dir, env, load := readmeShell(t, s)
		if err := os.WriteFile(filepath.Join(dir, "example.py"), []byte(code), 0o644); err != nil {
			t.Fatalf("write example: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "-eo", "pipefail", "-c", load+" && "+g.python+" example.py")
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("README boto3 example failed with %s (%v):\n%s\n--- example as run ---\n%s", g.python, err, out, code)
		}
		// The example writes 10 records and reads them back.
		if !strings.Contains(string(out), "10 records read back") {
			t.Errorf("README example output lacks \"10 records read back\":\n%s", out)
		}
		t.Logf("README example output:\n%s", out)
	})
}

// bannerBlock returns the indented lines that follow the line `title` in the
// server's start-up banner, dedented: the ready-to-paste examples.
func bannerBlock(t *testing.T, s *Server, title string) string {
	t.Helper()
	lines := strings.Split(s.Stdout(), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != title {
			continue
		}
		var block []string
		indent := -1
		for _, b := range lines[i+1:] {
			if strings.TrimSpace(b) == "" {
				break
			}
			if indent < 0 {
				indent = len(b) - len(strings.TrimLeft(b, " \t"))
			}
			if len(b) < indent || strings.TrimSpace(b[:indent]) != "" {
				break
			}
			block = append(block, b[indent:])
		}
		return strings.Join(block, "\n") + "\n"
	}
	t.Fatalf("server banner has no %q section:\n%s", title, s.Stdout())
	return ""
}

// TestE2EBoto3BannerExample pastes the boto3 snippet the server prints at
// start-up into each boto3 generation, with no AWS credentials in the
// environment: it must run as printed.
func TestE2EBoto3BannerExample(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		code := bannerBlock(t, s, "boto3:")
		if !strings.Contains(code, s.Endpoint()) {
			t.Errorf("banner's boto3 example does not name the server's endpoint %s:\n%s", s.Endpoint(), code)
		}
		_, env, _ := readmeShell(t, s)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, g.python, "-c", code)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("banner boto3 example failed with %s (%v):\n%s\n--- as printed ---\n%s", g.python, err, out, code)
		}
		if !strings.Contains(string(out), "StreamNames") {
			t.Errorf("banner example printed no ListStreams answer:\n%s", out)
		}
	})
}
