package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/caudal/caudal/loadgen"
)

// newBenchDiskCmd is `caudal bench disk`, the fsync latency probe: what a
// durable append costs on a file system before any server is involved.
func newBenchDiskCmd(e *env) *cobra.Command {
	var cfg loadgen.DiskConfig
	var writeSize string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "disk",
		Short: "Measure write+fsync latency on a file system, in the pattern of a shard log's group commits",
		Long: `Replay a shard log's durable appends on bare files in --dir, with no server
involved: --files writers (one per shard) each append --write-size bytes and
fsync, all at once, --rate rounds a second (0: back to back), for --duration
or --rounds.

A PutRecords call whose records spread over N shards is acknowledged when the
slowest of N such commits is, so the round latency (the slowest writer of each
round) is the floor under that call's latency on this disk; the single
write+fsync latency is reported too. Rounds are paced on a fixed schedule, so
a slow round delays the next and the wait counts in its latency. The probe's
files are removed at the end.`,
		Example: `  caudal bench disk --dir /var/lib/caudal
  caudal bench disk --dir . --files 4 --write-size 128KiB --rate 84 --duration 10s --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := loadgen.ParseSize(writeSize)
			if err != nil {
				return usageError{fmt.Errorf("--write-size: %w", err)}
			}
			if n < 1 || n > 64<<20 {
				return usageError{fmt.Errorf("--write-size %s: want 1B..64MiB", writeSize)}
			}
			if cfg.Files < 1 || cfg.Files > 256 {
				return usageError{fmt.Errorf("--files %d: want 1..256", cfg.Files)}
			}
			if cfg.Rate < 0 {
				return usageError{fmt.Errorf("--rate %g: want ≥ 0", cfg.Rate)}
			}
			cfg.WriteSize = int(n)
			rep, err := loadgen.RunDisk(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return rep.WriteText(e.stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Dir, "dir", ".", "directory on the file system to measure (the probe's files are created and removed there)")
	f.IntVar(&cfg.Files, "files", 4, "concurrent writers, one file each (shards)")
	f.StringVar(&writeSize, "write-size", "128KiB", "bytes appended per write (B, KiB, MiB)")
	f.Float64Var(&cfg.Rate, "rate", 0, "rounds per second (0: back to back)")
	f.DurationVar(&cfg.Duration, "duration", 0, "how long to run (default 10s; with --rounds, a cap)")
	f.IntVar(&cfg.Rounds, "rounds", 0, "stop after this many rounds")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
