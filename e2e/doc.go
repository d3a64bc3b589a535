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
package e2e
