#!/usr/bin/env bash
# bench/delivery.sh — issue 6's delivery benchmark, in one run against one
# `caudal server` (127.0.0.1, a temporary data directory, fsync always,
# quotas off): the stream ingest rate with `caudal bench` (1 KiB records),
# JSON → Parquet delivery throughput for a stream-sourced and a direct-put
# delivery stream with data format conversion (the drain rate with a
# backlog, compared with the ingest rate, and the rate while producers put;
# records/s, MB/s and server CPU per record), and the delay from put to
# queryable through Athena (p50/max over marker records). Builds caudal from the committed HEAD (git archive: other
# work in the tree does not leak in), then runs bench/deliverybench, which
# starts the server, measures, stops it and removes its files. A few minutes.
#
# Usage: bench/delivery.sh            full run; writes docs/benchmarks-delivery.md
#        bench/delivery.sh --quick    50,000 records, 5 s ingest, 3 markers; report on stdout only
# Other arguments go to deliverybench (-records, -producers, -ingest, -markers, -interval,
# -latency-interval, -out). Text after "<!-- notes -->" in an existing report is kept.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT

OUT=(-out "$ROOT/docs/benchmarks-delivery.md")
for a in "$@"; do
	case $a in --quick | -quick) OUT=() ;; esac
done
COMMIT=$(git rev-parse --short HEAD)

mkdir "$BIN/src"
git archive HEAD | tar -x -C "$BIN/src"
(cd "$BIN/src" && go build -o "$BIN/caudal" ./cmd/caudal)
go build -o "$BIN/deliverybench" ./bench/deliverybench
"$BIN/deliverybench" -caudal "$BIN/caudal" -version "$COMMIT" -command "bench/delivery.sh${*:+ $*}" "${OUT[@]}" "$@"
