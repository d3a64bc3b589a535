package loadgen

// The disk probe: what a durable append costs on this file system, without
// any server in the way.
//
// A shard log's group commit appends a batch to its segment file and
// fsyncs it before anyone is acknowledged; a PutRecords call whose records
// spread over N shards is acknowledged when the slowest of N such commits
// is. The probe replays that pattern on bare files: Files writers, each
// appending WriteSize bytes and then calling fsync, all at once, Rate rounds
// a second. Each round's latency is the slowest of its writers' (the floor
// under a call that spans every shard); each write+fsync is recorded too.
// Rounds are paced on a fixed schedule (open loop): a slow round delays the
// next one, and the wait counts in its latency, as it would for a caller.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"text/tabwriter"
	"time"
)

// DiskConfig describes one probe run.
type DiskConfig struct {
	Dir       string        // where the probe's files are created (and removed)
	Files     int           // writers, one file each (default 4)
	WriteSize int           // bytes appended per write (default 128 KiB)
	Rate      float64       // rounds per second; 0: back to back
	Duration  time.Duration // how long to run (default 10s)
	// Rounds stops after this many rounds instead (Duration still caps).
	Rounds int
}

// DiskReport is the probe's result.
type DiskReport struct {
	Config DiskReportConfig `json:"config"`
	// Round is the latency of whole rounds (the slowest writer of each).
	Round Latency `json:"round_latency_ms"`
	// Sync is the latency of single write+fsync pairs.
	Sync    Latency `json:"sync_latency_ms"`
	Rounds  uint64  `json:"rounds"`
	Seconds float64 `json:"seconds"`
	// MBPerSec is the bytes made durable per second (10^6 bytes).
	MBPerSec float64 `json:"mb_per_s"`
}

// DiskReportConfig echoes the configuration in the report.
type DiskReportConfig struct {
	Dir       string  `json:"dir"`
	Files     int     `json:"files"`
	WriteSize int     `json:"write_size"`
	Rate      float64 `json:"rate"`
}

func (c DiskConfig) withDefaults() DiskConfig {
	if c.Files == 0 {
		c.Files = 4
	}
	if c.WriteSize == 0 {
		c.WriteSize = 128 << 10
	}
	if c.Duration == 0 {
		c.Duration = 10 * time.Second
	}
	return c
}

// RunDisk runs the disk probe. Its files live in a fresh directory under
// cfg.Dir, removed at the end.
func RunDisk(ctx context.Context, cfg DiskConfig) (*DiskReport, error) {
	cfg = cfg.withDefaults()
	switch {
	case cfg.Dir == "":
		return nil, errors.New("disk probe: no directory")
	case cfg.Files < 1 || cfg.Files > 256:
		return nil, fmt.Errorf("disk probe: files %d: want 1..256", cfg.Files)
	case cfg.WriteSize < 1 || cfg.WriteSize > 64<<20:
		return nil, fmt.Errorf("disk probe: write size %d: want 1 byte..64 MiB", cfg.WriteSize)
	case cfg.Rate < 0:
		return nil, fmt.Errorf("disk probe: rate %g: want ≥ 0", cfg.Rate)
	}
	dir, err := os.MkdirTemp(cfg.Dir, "caudal-disk-probe-")
	if err != nil {
		return nil, fmt.Errorf("disk probe: %w", err)
	}
	defer os.RemoveAll(dir)
	files := make([]*os.File, cfg.Files)
	for i := range files {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("f%03d", i)), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("disk probe: %w", err)
		}
		defer f.Close()
		files[i] = f
	}
	// Non-zero, varying content: nothing in the stack can skip the work.
	data := make([]byte, cfg.WriteSize)
	for i := range data {
		data[i] = byte(i*131 + i>>8)
	}

	var (
		round, single Histogram
		mu            sync.Mutex // guards single
		rounds        uint64
		written       uint64
	)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) / cfg.Rate)
	}
	errs := make([]error, len(files))
	for ctx.Err() == nil && time.Now().Before(deadline) && (cfg.Rounds == 0 || rounds < uint64(cfg.Rounds)) {
		// Open loop: a round is due on the schedule, and a late start
		// counts in its latency. Back to back, it is due now.
		due := time.Now()
		if interval > 0 {
			due = start.Add(time.Duration(rounds) * interval)
			time.Sleep(time.Until(due))
		}
		var wg sync.WaitGroup
		for i, f := range files {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.Now()
				if _, err := f.Write(data); err != nil {
					errs[i] = err
					return
				}
				if err := f.Sync(); err != nil {
					errs[i] = err
					return
				}
				d := time.Since(t)
				mu.Lock()
				single.Record(d)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("disk probe: %w", err)
		}
		round.Record(time.Since(due))
		rounds++
		written += uint64(len(files) * len(data))
	}
	elapsed := time.Since(start)
	rep := &DiskReport{
		Config:  DiskReportConfig{Dir: cfg.Dir, Files: cfg.Files, WriteSize: cfg.WriteSize, Rate: cfg.Rate},
		Round:   latencyOf(&round),
		Sync:    latencyOf(&single),
		Rounds:  rounds,
		Seconds: elapsed.Seconds(),
	}
	if s := elapsed.Seconds(); s > 0 {
		rep.MBPerSec = float64(written) / 1e6 / s
	}
	return rep, nil
}

// WriteText prints the report as a table.
func (r *DiskReport) WriteText(w io.Writer) error {
	c := r.Config
	rate := "back to back"
	if c.Rate > 0 {
		rate = fmt.Sprintf("%g rounds/s", c.Rate)
	}
	fmt.Fprintf(w, "disk probe in %s: %d files, each round appends %d bytes to every file and fsyncs it, %s\n\n",
		c.Dir, c.Files, c.WriteSize, rate)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "latency\tcount\tp50 ms\tp99 ms\tp99.9 ms\tmax ms\tmean ms\t")
	fmt.Fprintf(tw, "round (slowest of %d)\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", c.Files, r.Rounds, r.Round.P50, r.Round.P99, r.Round.P999, r.Round.Max, r.Round.Mean)
	fmt.Fprintf(tw, "one write+fsync\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", r.Rounds*uint64(c.Files), r.Sync.P50, r.Sync.P99, r.Sync.P999, r.Sync.Max, r.Sync.Mean)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%.1f MB/s made durable over %.1f s\n", r.MBPerSec, r.Seconds)
	return err
}
