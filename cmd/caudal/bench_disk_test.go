package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/caudal/caudal/loadgen"
)

func TestBenchDiskRuns(t *testing.T) {
	ts := startServer(t)
	dir := t.TempDir()
	out := ts.must(t, cliRun{}, "bench", "disk", "--dir", dir, "--files", "2", "--write-size", "8KiB", "--rounds", "5", "--json")
	var rep loadgen.DiskReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if rep.Rounds != 5 || rep.Config.Files != 2 || rep.Config.WriteSize != 8192 || rep.Round.Max <= 0 {
		t.Fatalf("report: %s", out)
	}
	out = ts.must(t, cliRun{}, "bench", "disk", "--dir", dir, "--files", "1", "--write-size", "512", "--rounds", "3", "--rate", "100")
	for _, want := range []string{"1 files, each round appends 512 bytes", "round (slowest of 1)", "one write+fsync", "MB/s made durable"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchDiskUsageErrors(t *testing.T) {
	ts := startServer(t)
	for _, args := range [][]string{
		{"--write-size", "0"},
		{"--write-size", "lots"},
		{"--write-size", "65MiB"},
		{"--files", "0"},
		{"--rate", "-1"},
	} {
		_, _, err := ts.run(t, cliRun{}, append([]string{"bench", "disk", "--dir", t.TempDir()}, args...)...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("bench disk %v: err = %v, want a usage error", args, err)
		}
	}
}
