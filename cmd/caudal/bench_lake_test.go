package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/caudal/caudal/loadgen"
)

// TestBenchLakeRuns runs `caudal bench lake` against an in-process server
// with the server's credentials from its data directory, in both output
// forms.
func TestBenchLakeRuns(t *testing.T) {
	ts := startServer(t)
	out := ts.must(t, cliRun{}, "bench", "lake", "--size", "2KiB", "--count", "12", "--concurrency", "3", "--json")
	var rep loadgen.LakeReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if !rep.OK || rep.Config.Size != 2048 || rep.Put.Objects != 12 || rep.Verification.Verified != 12 || rep.Config.Endpoint != ts.URL() {
		t.Fatalf("report: %s", out)
	}
	out = ts.must(t, cliRun{}, "bench", "lake", "--size", "100", "--count", "2", "--checksum", "WHEN_REQUIRED", "--part-size", "0")
	for _, want := range []string{"100B objects, 8 in flight, one PutObject each, checksum when_required", "put", "get", "delete", "result: OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchLakeUsageErrors(t *testing.T) {
	ts := startServer(t)
	for _, args := range [][]string{
		{"--size", "lots"},
		{"--size", "0"},
		{"--part-size", "1MiB"},
		{"--part-size", "-5"},
		{"--checksum", "md5"},
		{"--concurrency", "0"},
		{"--size", "6GiB", "--part-size", "0"},
		{"--part-concurrency", "0"},
		{"--count", "-1"},
	} {
		_, _, err := ts.run(t, cliRun{}, append([]string{"bench", "lake"}, args...)...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("bench lake %v: err = %v, want a usage error", args, err)
		}
	}
}
