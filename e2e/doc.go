// Package e2e drives a real caudal server process with real clients: the
// AWS SDK for Go v2 in process, hand-built CBOR and SigV4 requests, boto3 and
// the AWS CLI as subprocesses. Nothing here is mocked: every test starts the
// binary built from ./cmd/caudal on a free loopback port and a temporary data
// directory, and talks to it over HTTP.
//
// The harness in this file is shared by every e2e test:
//
//   - TestMain builds the binary once (or takes CAUDAL_TEST_BINARY).
//   - startServer starts a server and registers its shutdown with t.Cleanup;
//     its stdout and stderr are dumped into the test log when the test fails.
//   - Server.Env gives a subprocess environment that points only at the test
//     credentials (no user config can leak in).
//   - clients locates the real clients (two boto3 generations and two AWS CLI
//     major versions) and fails — never skips — when one is missing.
//   - With CAUDAL_E2E_RACE=1 the server is built with -race, and any data
//     race, panic or unexpected exit it reports fails the running test.
//
// Where to look:
//
//	gosdk_test.go    every Kinesis operation through the AWS SDK for Go v2
//	                 (gosdk_shards_test.go: ListShards filters, split, merge,
//	                 UpdateShardCount; gosdk_errors_test.go: error codes and
//	                 statuses, quotas; gosdk_stress_test.go: resharding under
//	                 load, races, GetRecords bounds, lag, h2c, unicode)
//	cbor_test.go     hand-built CBOR as the AWS SDK for Java sends it
//	auth_test.go     SigV4 refusals over raw HTTP, regions, generated keys,
//	                 SIGTERM under load
//	crash_test.go    SIGKILL mid-PutRecords, many cycles, self-verifying data
//	restart_test.go  what survives restarts and kills (settings, iterators,
//	                 resharding, control-plane acknowledgements)
//	datadir_test.go  one server per data directory
//	python_test.go, cli_test.go, scripts/   boto3 and the AWS CLI
//	lake_cli_test.go the `caudal lake` CLI as a process; the README's S3
//	                 examples (AWS CLI, boto3, caudal lake) as written
//	s3_*_test.go, scripts/s3_*.py   the S3 lake: Go SDK (upload manager,
//	                 checksums, ranges, virtual hosts), boto3, AWS CLI,
//	                 edges (short bodies, races, Expect), presigned URLs,
//	                 kill -9 during uploads, restarts
//	glue_test.go, scripts/glue_*.py   the Glue catalog with boto3 and the CLI
//	athena_test.go, scripts/athena_*.py   Athena over the lake: DDL, paging,
//	                 errors, stop, the course's example
//	tls_test.go      every client over TLS with the self-signed certificate
//
// Run them all with `go test ./e2e/`; select with -run 'TestE2E…'.
package e2e
