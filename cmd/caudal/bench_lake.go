package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/caudal/caudal/loadgen"
)

// newBenchLakeCmd is `caudal bench lake`, the S3 load generator.
func newBenchLakeCmd(e *env, g *globals) *cobra.Command {
	var cfg loadgen.LakeConfig
	var size, partSize, checksum, cpuProfile string
	var asJSON, pathStyle, get bool
	cmd := &cobra.Command{
		Use:   "lake",
		Short: "Load-test an S3 endpoint (caudal, AWS S3, MinIO): PUT, then GET and verify every byte",
		Long: `Load-test any S3-compatible endpoint with the AWS SDK for Go v2 (--endpoint,
--region and credentials resolve as for the other commands; for another endpoint
set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).

PUT phase: --concurrency workers upload --count objects (or for --duration) of
--size bytes under the prefix run-<random>/ of --bucket (created if
missing; default a fresh caudal-bench-<random>). Objects larger than
--part-size go through the SDK's upload manager in parts of that size,
--part-concurrency parts at a time per object; smaller ones, or all with
--part-size 0, are one PutObject each (at most 5 GiB).

GET phase: every acknowledged object is read back whole and each byte checked:
content is generated from a per-object seed, so nothing is held in memory and a
lost, truncated or corrupted object is found. Exit status 1 if one is, or
if a PUT failed.

At the end the run's objects are deleted with DeleteObjects, and the bucket if
the run created it, unless --keep.

--checksum: when_supported (the SDK's default: CRC32 on every PUT and part,
GET responses validated), when_required (no checksums, as older SDKs), or an
algorithm (crc32, crc32c, crc64nvme, sha1, sha256) set explicitly on every PUT
and validated on every GET. Over http:// the SDK reads each PUT body twice:
once for the checksum and the SHA-256 payload signature, once to send it;
--unsigned-payload skips the SHA-256 (the SDK does so by itself over https,
where it sends the checksum as an aws-chunked trailer instead).

Latencies are of whole SDK calls: a PUT until S3 answered (a multipart upload
as a whole), a GET until the last byte was read; p50/p99 within 1.6%. MB is
10^6 bytes of object data.`,
		Example: `  caudal bench lake --size 1MiB --count 2000 --concurrency 8
  caudal bench lake --size 256MiB --count 8 --concurrency 2 --part-size 0
  caudal bench lake --size 64MiB --duration 30s --checksum when_required --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if cfg.Size, err = loadgen.ParseSize(size); err != nil {
				return usageError{fmt.Errorf("--size: %w", err)}
			}
			if cfg.Size == 0 {
				return usageError{errors.New("--size: want at least 1 byte")}
			}
			if cfg.PartSize, err = loadgen.ParseSize(partSize); err != nil {
				return usageError{fmt.Errorf("--part-size: %w", err)}
			}
			// The flags' 0 would mean "default" to loadgen.
			if cfg.Concurrency < 1 || cfg.PartConcurrency < 1 {
				return usageError{errors.New("--concurrency and --part-concurrency: want at least 1")}
			}
			if cfg.PartSize == 0 {
				cfg.PartSize = -1 // the flag's 0 means never multipart
			}
			cfg.Checksum = loadgen.ChecksumMode(strings.ToLower(checksum))
			cfg.SkipGet = !get
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
			creds, src, err := resolveCredentials(ctx, e, g)
			if err != nil {
				return err
			}
			opts := s3.Options{Region: g.region, BaseEndpoint: aws.String(g.endpoint), Credentials: creds, UsePathStyle: pathStyle}
			rep, runErr := loadgen.RunLake(ctx, opts, cfg)
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
				return explainS3(&client{g: g, credSrc: src}, runErr)
			}
			if !rep.OK {
				return fmt.Errorf("bench failed: %s", rep.Problem)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Bucket, "bucket", "", "bucket to use, created if missing (default: a fresh caudal-bench-<random>)")
	f.BoolVar(&cfg.Keep, "keep", false, "keep the objects (and a fresh bucket) at the end")
	f.StringVar(&size, "size", "1MiB", "bytes per object (B, KiB, MiB, GiB; KB, MB, GB)")
	f.IntVar(&cfg.Count, "count", 0, "objects to PUT (default: PUT for --duration)")
	f.DurationVar(&cfg.Duration, "duration", 0, "how long the PUT phase runs (default 10s; with --count, a cap)")
	f.IntVar(&cfg.Concurrency, "concurrency", 8, "objects in flight")
	f.StringVar(&partSize, "part-size", loadgen.FormatSize(loadgen.DefaultPartSize), "upload objects larger than this in parts of this size (≥ 5MiB); 0: one PutObject per object")
	f.IntVar(&cfg.PartConcurrency, "part-concurrency", 4, "parts in flight per multipart object")
	f.StringVar(&checksum, "checksum", string(loadgen.ChecksumWhenSupported), "when_supported|when_required|crc32|crc32c|crc64nvme|sha1|sha256")
	f.BoolVar(&cfg.UnsignedPayload, "unsigned-payload", false, "sign PUTs with UNSIGNED-PAYLOAD instead of the body's SHA-256")
	f.BoolVar(&pathStyle, "path-style", true, "address buckets path-style (http://host/bucket/key); false: virtual-host style")
	f.BoolVar(&get, "get", true, "after the PUT phase, GET every object back, timed, and verify it")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the generator to this file")
	f.IntVar(&cfg.ServerPID, "server-pid", 0, "report the CPU time of this local server process per phase (Linux)")
	return cmd
}

// explainS3 adds advice to S3's credential errors, then defers to the
// CLI's common explanations (unreachable endpoint).
func explainS3(c *client, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied":
			return fmt.Errorf("%s at %s rejected the credentials from %s: %w — use the key the server printed at start-up (or --data pointing at its data directory)",
				api.ErrorCode(), c.g.endpoint, c.credSrc, err)
		}
	}
	return c.explain(err)
}
