#!/usr/bin/env bash
# bench/kill.sh: the kill -9 soak. It runs the end-to-end crash test
# (e2e/crash_test.go, TestE2ECrashKill9DuringPutRecords) for CYCLES cycles
# (default 100) on one data directory: concurrent PutRecords/PutRecord
# producers on loopback, SIGKILL at a random moment, restart, and a full
# read of every shard checking that every acknowledged record is there
# exactly once, in order, byte-identical, and that nothing corrupt is served.
# CI runs the same test with 30 cycles as part of ./test.sh.
#
#   bench/kill.sh [CYCLES]
set -euo pipefail
cd "$(dirname "$0")/.."
cycles="${1:-100}"
export CAUDAL_CRASH_CYCLES="$cycles"
start=$SECONDS
go test -count=1 -timeout 30m -v -run '^TestE2ECrashKill9DuringPutRecords$' ./e2e 2>&1 |
	grep -E '^(=== RUN|--- |PASS|FAIL|ok )|seed|acknowledged|lost|corrupt|cycles' || true
status=${PIPESTATUS[0]}
echo "bench/kill.sh: $cycles SIGKILL cycles, exit $status, $((SECONDS - start)) s"
exit "$status"
