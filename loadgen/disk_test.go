package loadgen

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRunDiskCountsRoundsAndCleansUp(t *testing.T) {
	dir := t.TempDir()
	rep, err := RunDisk(context.Background(), DiskConfig{Dir: dir, Files: 3, WriteSize: 4096, Rounds: 20, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rounds != 20 {
		t.Fatalf("rounds = %d, want 20", rep.Rounds)
	}
	if rep.Round.P50 <= 0 || rep.Sync.P50 <= 0 {
		t.Fatalf("latencies not recorded: %+v", rep)
	}
	// A round waits for its slowest writer, so it is never faster than the
	// fastest single write+fsync, and its maximum bounds every single one.
	if rep.Round.Max < rep.Sync.Max {
		t.Fatalf("round max %.3f ms < single max %.3f ms", rep.Round.Max, rep.Sync.Max)
	}
	if want := 3 * 4096 * 20; rep.MBPerSec*1e6*rep.Seconds < float64(want)*0.99 {
		t.Fatalf("MB/s %.3f over %.3f s is less than %d bytes", rep.MBPerSec, rep.Seconds, want)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Fatalf("probe left %d entries in %s", len(ents), dir)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "round (slowest of 3)") {
		t.Fatalf("report:\n%s", buf.String())
	}
}

func TestRunDiskPacesRounds(t *testing.T) {
	rep, err := RunDisk(context.Background(), DiskConfig{Dir: t.TempDir(), Files: 1, WriteSize: 512, Rate: 50, Rounds: 10, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// Ten rounds at 50/s are due over 180 ms: the run cannot be shorter.
	if rep.Seconds < 0.18 {
		t.Fatalf("10 rounds at 50/s took %.3f s, want ≥ 0.18", rep.Seconds)
	}
}

func TestRunDiskRefusesBadConfig(t *testing.T) {
	for _, c := range []DiskConfig{
		{},
		{Dir: t.TempDir(), Files: -1},
		{Dir: t.TempDir(), WriteSize: 128 << 20},
		{Dir: t.TempDir(), Rate: -1},
		{Dir: "/nonexistent/caudal-probe"},
	} {
		if _, err := RunDisk(context.Background(), c); err == nil {
			t.Errorf("RunDisk(%+v) succeeded", c)
		}
	}
}
