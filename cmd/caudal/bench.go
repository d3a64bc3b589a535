package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/spf13/cobra"

	"github.com/caudal/caudal/loadgen"
)

func newBenchCmd(e *env, g *globals) *cobra.Command {
	var cfg loadgen.Config
	var api, cpuProfile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load-test a Kinesis endpoint (caudal, AWS, kinesalite) and verify every record",
		Long: `Load-test any Kinesis-compatible endpoint (--endpoint, --region and credentials
resolve as for the other commands; for another endpoint set
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).

Producers put records with PutRecords (or PutRecord) to a fresh stream
bench-<random> with --shards shards, deleted at the end unless --keep, or to
--stream. With --consumers every shard is read with GetRecords while writing;
with --read-back (the default) everything is read back after writing, timed.
Each record carries its producer and a counter, and each read pass is checked:
every acknowledged record read exactly once, none corrupt. Throttled records are
retried with backoff and counted. Exit status 1 if verification fails.

PutRecords, PutRecord and GetRecords go through the generator's own client (SigV4
signed, the same wire protocol, far less CPU per record than the SDK, so the
generator takes less from a server on the same machine); --sdk uses the AWS
SDK for Go v2 for them too. Latencies are of whole calls (p50/p99/p99.9
within 1.6%). MB is 10^6 bytes of record data.`,
		Example: `  caudal bench --duration 20s --record-size 1024 --batch 500
  caudal bench --api putrecord --producers 16 --records 100000 --json
  caudal bench --consumers --rate 20000 --shards 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.API = loadgen.API(strings.ToLower(api))
			cfg.Endpoint = g.endpoint
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return fmt.Errorf("cpu profile: %w", err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return fmt.Errorf("cpu profile: %w", err)
				}
				defer pprof.StopCPUProfile()
			}
			ctx := cmd.Context()
			c, err := newClient(ctx, e, g)
			if err != nil {
				return err
			}
			kc := loadgen.TuneClient(c.Client, cfg.Producers+max(cfg.Shards, 1)*2)
			rep, runErr := loadgen.Run(ctx, kc, cfg)
			if rep != nil {
				if asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					if err := enc.Encode(rep); err != nil {
						return err
					}
				} else if err := rep.WriteText(e.stdout); err != nil {
					return err
				}
			}
			if runErr != nil {
				if errors.Is(runErr, loadgen.ErrConfig) {
					return usageError{runErr}
				}
				return c.explain(runErr)
			}
			if !rep.OK {
				return errors.New("verification failed: not every acknowledged record was read back exactly once")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Producers, "producers", 4, "concurrent producers")
	f.StringVar(&api, "api", "putrecords", "write call: putrecords|putrecord")
	f.IntVar(&cfg.RecordSize, "record-size", 1024, "bytes of data per record (≥ 16)")
	f.IntVar(&cfg.Batch, "batch", 500, "records per PutRecords call (≤ 500)")
	f.IntVar(&cfg.Keys, "keys", 1024, "distinct partition keys (spread over shards)")
	f.IntVar(&cfg.Shards, "shards", 2, "shards of the fresh stream (ignored with --stream)")
	f.StringVar(&cfg.Stream, "stream", "", "use this existing stream instead of a fresh bench-<random> one")
	f.BoolVar(&cfg.Keep, "keep", false, "keep the fresh stream at the end")
	f.DurationVar(&cfg.Duration, "duration", 0, "how long producers write (default 10s; with --records, a cap)")
	f.Int64Var(&cfg.Records, "records", 0, "stop after this many records in total instead of after --duration")
	f.Float64Var(&cfg.Rate, "rate", 0, "cap the total write rate, records/s (0: as fast as possible)")
	f.BoolVar(&cfg.Consumers, "consumers", false, "read every shard with GetRecords while writing (read-while-write)")
	f.BoolVar(&cfg.ReadBack, "read-back", true, "after writing, read everything back, timed, and verify it")
	f.BoolVar(&cfg.SDK, "sdk", false, "call PutRecords, PutRecord and GetRecords through the AWS SDK for Go v2 instead of the generator's own, cheaper client")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the generator to this file")
	f.IntVar(&cfg.ServerPID, "server-pid", 0, "report the CPU time of this local server process per phase (Linux)")
	cmd.AddCommand(newBenchLakeCmd(e, g))
	cmd.AddCommand(newBenchDiskCmd(e))
	return cmd
}
