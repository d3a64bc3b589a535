#!/usr/bin/env bash
# bench/query.sh — issue 5's query benchmark: the same GROUP BY and
# time-range queries (and SELECT 1) through caudal's Athena API and through
# DuckDB directly, over the same 10,000,000 rows of Parquet in the lake.
# Builds caudal from the committed HEAD (git archive: other work in the tree
# does not leak in), then runs bench/querybench, which
# starts `caudal server` on 127.0.0.1 with a temporary data directory,
# uploads, measures, stops the server and removes its files. A few minutes.
#
# Usage: bench/query.sh            full run; writes docs/benchmarks-query.md
#        bench/query.sh --quick    1,000,000 rows, 3 runs; report on stdout only
# Other arguments go to querybench (-n, -warmup, -rows, -files, -poll, -out).
# Text after "<!-- notes -->" in an existing report is kept.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT

OUT=(-out "$ROOT/docs/benchmarks-query.md")
for a in "$@"; do
	case $a in --quick | -quick) OUT=() ;; esac
done
COMMIT=$(git rev-parse --short HEAD)

mkdir "$BIN/src"
git archive HEAD | tar -x -C "$BIN/src"
(cd "$BIN/src" && go build -o "$BIN/caudal" ./cmd/caudal)
go build -o "$BIN/querybench" ./bench/querybench
"$BIN/querybench" -caudal "$BIN/caudal" -version "$COMMIT" -command "bench/query.sh${*:+ $*}" "${OUT[@]}" "$@"
