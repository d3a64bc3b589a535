#!/usr/bin/env bash
# bench/run.sh — one benchmark run on this machine: the disk's fsync'd
# sequential write bandwidth, then the same `caudal bench` workloads against
# caudal (quotas off, fsync always) and kinesalite (npm, in memory, bound
# to 127.0.0.1), then docs/benchmarks-streams.md from the results.
#
# Usage: bench/run.sh
# Environment:
#   BENCH_SECONDS       write phase of each workload (default 20)
#   BENCH_SOAK_SECONDS  extra sustained run against caudal sampling its RSS (default 0: skip)
#   BENCH_PROFILE       1 (default): profile the server (perf) and the generator (pprof)
#   BENCH_CACHE         where kinesalite is installed (default ~/.cache/caudal-bench)
#   BENCH_OUT           the report (default docs/benchmarks-streams.md)
# Everything listens on 127.0.0.1 only. Raw results stay in the printed work
# directory; data directories are removed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${BENCH_SECONDS:-20}
SOAK=${BENCH_SOAK_SECONDS:-0}
PROFILE=${BENCH_PROFILE:-1}
CACHE=${BENCH_CACHE:-$HOME/.cache/caudal-bench}
OUT=${BENCH_OUT:-$ROOT/docs/benchmarks-streams.md}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/caudal-bench.XXXXXX")
RES=$WORK/results
mkdir -p "$RES" "$WORK/data"
CAUDAL=$WORK/caudal

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$WORK/data" "$WORK/dd.bin" "$WORK/src"
}
trap cleanup EXIT

log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() { # url seconds
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		if curl -s -o /dev/null "$1"; then return 0; fi
		sleep 0.1
	done
	return 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# --- machine -----------------------------------------------------------------
log "work directory: $WORK"
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc=$(nproc)"
	echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo "ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	dev=$(df --output=source "$WORK" | tail -1)
	echo "disk=$dev, $(df -h --output=size,fstype "$WORK" | tail -1 | xargs), $(findmnt -no FSTYPE,OPTIONS -T "$WORK" | cut -c1-60)"
	echo "kernel=$(uname -r)"
	echo "go=$(go version | awk '{print $3}')"
	echo "caudal=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . 2>/dev/null || echo '+local changes')"
	echo "node=$(node --version 2>/dev/null || echo none)"
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$RES/machine.env"

# --- disk --------------------------------------------------------------------
log "disk: 64 KiB writes, each synced (oflag=dsync)"
dd if=/dev/zero of="$WORK/dd.bin" bs=64k count=4096 oflag=dsync 2> "$RES/dd-dsync.txt"
rm -f "$WORK/dd.bin"
log "disk: 1 MiB writes, one fdatasync at the end (conv=fdatasync)"
dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=2048 conv=fdatasync 2> "$RES/dd-fdatasync.txt"
rm -f "$WORK/dd.bin"

# --- caudal ------------------------------------------------------------------
# Build the committed HEAD (exported with git archive), so the numbers belong
# to a commit and not to whatever is half-edited in the working tree;
# BENCH_BUILD=tree builds the working tree instead.
if [ "${BENCH_BUILD:-head}" = tree ]; then
	log "building caudal from the working tree"
	(cd "$ROOT" && go build -o "$CAUDAL" ./cmd/caudal)
else
	log "building caudal at $(git -C "$ROOT" rev-parse --short HEAD)"
	mkdir -p "$WORK/src"
	git -C "$ROOT" archive HEAD | tar -x -C "$WORK/src"
	(cd "$WORK/src" && go build -o "$CAUDAL" ./cmd/caudal)
	echo "caudal=$(git -C "$ROOT" rev-parse --short HEAD) (committed HEAD, built from git archive)" >> "$RES/machine.env"
fi
CPORT=$(free_port)
"$CAUDAL" server --listen "127.0.0.1:$CPORT" --quotas off --data "$WORK/data/caudal" > "$RES/caudal-server.log" 2>&1 &
CPID=$!
PIDS+=("$CPID")
wait_http "http://127.0.0.1:$CPORT/_caudal/health" 30 || { log "caudal did not start"; cat "$RES/caudal-server.log" >&2; exit 1; }
echo "server=caudal server --listen 127.0.0.1:$CPORT --quotas off --data <tmp> (fsync always, the default)" > "$RES/caudal.env"
# caudal's resident memory every 2 s for the whole run (epoch seconds, KiB).
(
	while kill -0 "$CPID" 2> /dev/null; do
		echo "$(date +%s) $(rss_kb "$CPID")"
		sleep 2
	done
) > "$RES/caudal-rss.txt" 2> /dev/null &
PIDS+=($!)

# --- kinesalite --------------------------------------------------------------
KPID=
KDIR=$CACHE/kinesalite
mkdir -p "$KDIR"
if [ ! -f "$KDIR/node_modules/kinesalite/package.json" ]; then
	log "installing kinesalite from npm into $KDIR"
	(cd "$KDIR" && npm install --no-audit --no-fund kinesalite@3 > "$RES/npm.log" 2>&1) || log "npm install kinesalite failed (see $RES/npm.log): continuing with caudal only"
fi
if [ -f "$KDIR/node_modules/kinesalite/package.json" ]; then
	# kinesalite's CLI listens on every interface and has no host flag, so
	# start it through its module API on 127.0.0.1. In memory (its default
	# without --path); streams become ACTIVE at once; no shard limit in the way.
	cat > "$WORK/kinesalite.js" <<'JS'
const [port, dir] = process.argv.slice(2);
require(dir)({createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000})
  .listen(+port, '127.0.0.1', () => console.log('kinesalite listening on 127.0.0.1:' + port));
JS
	KPORT=$(free_port)
	node "$WORK/kinesalite.js" "$KPORT" "$KDIR/node_modules/kinesalite" > "$RES/kinesalite-server.log" 2>&1 &
	KPID=$!
	PIDS+=("$KPID")
	if wait_http "http://127.0.0.1:$KPORT/" 30; then
		echo "version=$(node -p "require('$KDIR/node_modules/kinesalite/package.json').version")" > "$RES/kinesalite.env"
		echo "server=node kinesalite.js (require('kinesalite')({createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000}).listen($KPORT, '127.0.0.1'); in memory)" >> "$RES/kinesalite.env"
	else
		log "kinesalite did not start: continuing with caudal only"
		KPID=
	fi
else
	echo "unavailable=npm install kinesalite failed" > "$RES/kinesalite.env"
fi

# --- workloads ---------------------------------------------------------------
# run_bench NAME TARGET ARGS... : one `caudal bench --json` run, with the
# server's and the generator's CPU time around it.
run_bench() {
	local name=$1 target=$2 port pid
	shift 2
	local -a envs
	if [ "$target" = caudal ]; then
		port=$CPORT pid=$CPID
		envs=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE -u CAUDAL_ACCESS_KEY_ID -u CAUDAL_SECRET_ACCESS_KEY)
		set -- --data "$WORK/data/caudal" "$@"
	else
		port=$KPORT pid=$KPID
		envs=(env AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench)
	fi
	local base=$RES/$name.$target
	echo "caudal bench --endpoint http://127.0.0.1:PORT $*" | sed "s#$WORK/data/caudal#<server data dir>#; s#$RES/#<results>/#g" > "$base.cmd"
	log "$name on $target: caudal bench $*"
	local t0 t1
	echo "$name $target $(date +%s)" >> "$RES/windows.txt"
	t0=$(cpu_ticks "$pid")
	if ! /usr/bin/time -f '%U %S %e' -o "$base.time" "${envs[@]}" "$CAUDAL" bench --endpoint "http://127.0.0.1:$port" --server-pid "$pid" --json "$@" > "$base.json" 2> "$base.err"; then
		log "  FAILED: $(tail -1 "$base.err")"
	fi
	t1=$(cpu_ticks "$pid")
	echo "$name $target $(date +%s) end" >> "$RES/windows.txt"
	echo "$(((t1 - t0)))" > "$base.servercpu" # clock ticks (1/100 s)
	python3 - "$base.json" <<'PY' >&2 || true
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("write", "consumers", "read_back"):
    p = r.get(k)
    if p:
        print("           %-9s %9.0f records/s %7.1f MB/s  p99 %.1f ms" % (k, p["records_per_s"], p["mb_per_s"], p["latency_ms"]["p99"]))
print("           verification:", "OK" if r["ok"] else "FAILED")
PY
}

TARGETS=(caudal)
[ -n "$KPID" ] && TARGETS+=(kinesalite)
COMMON=(--shards 4 --keys 1024 --duration "${SECS}s")
rate_of() { # results-json [phase]: records/s, or 0
	python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))[sys.argv[2]]["records_per_s"]))' "$1" "${2:-write}" 2> /dev/null || echo 0
}
for t in "${TARGETS[@]}"; do
	# Peak needs enough batches in flight to fill group commits, and too
	# many only queue: a short sweep picks each target's best producer
	# count for the 500-record workloads.
	best=4 bestrate=0
	for p in 2 4 8 16 32; do
		run_bench "sweep-p$p" "$t" --shards 4 --keys 1024 --duration 5s --producers "$p" --record-size 1024 --batch 500 --read-back=false
		r=$(rate_of "$RES/sweep-p$p.$t.json")
		if [ "$r" -gt "$bestrate" ]; then best=$p bestrate=$r; fi
	done
	echo "$best" > "$RES/best-producers.$t"
	run_bench put1k "$t" "${COMMON[@]}" --producers "$best" --record-size 1024 --batch 500 --read-back
	run_bench put100 "$t" "${COMMON[@]}" --producers "$best" --record-size 100 --batch 500 --read-back
	run_bench putrecord "$t" "${COMMON[@]}" --producers 32 --api putrecord --record-size 1024 --read-back
	run_bench mixed "$t" "${COMMON[@]}" --producers "$best" --record-size 1024 --batch 500 --consumers --read-back=false
	half=$(($(rate_of "$RES/put1k.$t.json") / 2))
	if [ "$half" -gt 0 ]; then
		run_bench halfpeak "$t" "${COMMON[@]}" --producers "$best" --record-size 1024 --batch 500 --rate "$half" --read-back=false
	fi
done

# The disk alone in the half-peak pattern: each 1 KiB x 500 call puts about
# a quarter of its framed bytes on each of the 4 shards, and its answer
# waits for the slowest of those 4 appends + fsyncs. `caudal bench disk`
# replays exactly that on bare files, at the half-peak call rate, so the
# p99 target can be read against what fsync alone costs here.
half=$(($(rate_of "$RES/put1k.caudal.json") / 2))
if [ "$half" -gt 0 ]; then
	rounds=$(python3 -c "print(round($half / 500, 1))")
	wsize=$((500 * (1024 + 26 + 8) / 4)) # records x (data + frame header + key) / shards
	log "disk alone in the half-peak pattern: 4 files, ${wsize} B appended + fsync each, $rounds rounds/s"
	echo "caudal bench disk --dir <data dir> --files 4 --write-size ${wsize}B --rate $rounds --duration ${SECS}s" > "$RES/disk-halfpeak.cmd.txt"
	"$CAUDAL" bench disk --dir "$WORK/data" --files 4 --write-size "${wsize}B" --rate "$rounds" --duration "${SECS}s" --json > "$RES/disk-halfpeak.json" 2> "$RES/disk-halfpeak.err" ||
		log "  disk probe FAILED: $(tail -1 "$RES/disk-halfpeak.err")"
fi

if [ "$SOAK" -gt 0 ]; then
	half=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["write"]["records_per_s"] / 2))' "$RES/put1k.caudal.json")
	best=$(cat "$RES/best-producers.caudal" 2> /dev/null || echo 4)
	log "soak: ${SOAK}s at $half records/s against caudal (its RSS is sampled throughout)"
	run_bench soak caudal --shards 4 --keys 1024 --duration "${SOAK}s" --producers "$best" --record-size 1024 --batch 500 --rate "$half" --read-back=false
fi

echo "caudal_hwm_kb=$(hwm_kb "$CPID")" > "$RES/rss.env"
[ -n "$KPID" ] && echo "kinesalite_hwm_kb=$(hwm_kb "$KPID")" >> "$RES/rss.env"
du -sk "$WORK/data/caudal" | awk '{print "caudal_data_kb=" $1}' >> "$RES/rss.env"

# --- profiles ----------------------------------------------------------------
if [ "$PROFILE" = 1 ]; then
	log "profiling: server with perf, generator with --cpuprofile, 1 KiB x 500 for 10 s"
	if command -v perf > /dev/null; then
		perf record -F 499 -p "$CPID" -o "$RES/server.perf" -- sleep 10 > /dev/null 2>&1 &
		PERF=$!
		# How often the server syncs, and how many writes it issues.
		perf stat -x, -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync,syscalls:sys_enter_write,syscalls:sys_enter_pwrite64 \
			-p "$CPID" -o "$RES/server-syscalls.csv" -- sleep 10 > /dev/null 2>&1 &
		PSTAT=$!
	fi
	best=$(cat "$RES/best-producers.caudal" 2> /dev/null || echo 4)
	run_bench profile caudal --shards 4 --keys 1024 --duration 10s --producers "$best" --record-size 1024 --batch 500 --read-back=false --cpuprofile "$RES/generator.pprof"
	if [ -n "${PERF:-}" ]; then
		wait "$PERF" "$PSTAT" || true
		perf report -i "$RES/server.perf" --stdio --no-children --sort dso,symbol --percent-limit 0.7 2> /dev/null |
			grep -v '^#' | grep -v '^$' | sed 's/[ -]*$//; s/^ *//' | head -40 > "$RES/server-profile.txt" || true
	fi
	(cd "$ROOT" && go tool pprof -top -nodecount=20 "$CAUDAL" "$RES/generator.pprof" 2> /dev/null) | sed -n '/flat%/,$p' > "$RES/generator-profile.txt" || true

	if command -v perf > /dev/null; then
		# The read path: write for 8 s, then sample the server and the
		# generator for 5 s of the read-back that follows.
		log "profiling the read-back: perf on the server and on the generator"
		env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE "$CAUDAL" bench --endpoint "http://127.0.0.1:$CPORT" --data "$WORK/data/caudal" \
			--shards 4 --keys 1024 --duration 8s --producers "$best" --record-size 1024 --batch 500 --read-back --json > "$RES/profileread.caudal.json" 2> "$RES/profileread.caudal.err" &
		BENCH=$!
		sleep 9
		perf record -F 499 -p "$CPID" -o "$RES/server-read.perf" -- sleep 5 > /dev/null 2>&1 &
		P1=$!
		perf record -F 499 -p "$BENCH" -o "$RES/generator-read.perf" -- sleep 5 > /dev/null 2>&1 &
		P2=$!
		wait "$P1" "$P2" "$BENCH" || true
		for f in server-read generator-read; do
			perf report -i "$RES/$f.perf" --stdio --no-children --sort dso,symbol --percent-limit 1 2> /dev/null |
				grep -v '^#' | grep -v '^$' | sed 's/[ -]*$//; s/^ *//' | head -25 > "$RES/$f-profile.txt" || true
		done
	fi
fi
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES/machine.env"
# The disk again, after the servers' load: a shared disk varies.
log "disk again (end of run)"
dd if=/dev/zero of="$WORK/dd.bin" bs=64k count=4096 oflag=dsync 2> "$RES/dd-dsync-end.txt"
rm -f "$WORK/dd.bin"
dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=2048 conv=fdatasync 2> "$RES/dd-fdatasync-end.txt"
rm -f "$WORK/dd.bin"

log "writing $OUT"
python3 "$ROOT/bench/report.py" "$RES" "$SECS" > "$OUT"
log "done: $OUT (raw results in $RES)"
