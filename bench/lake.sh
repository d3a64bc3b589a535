#!/usr/bin/env bash
# bench/lake.sh — one S3 lake benchmark run on this machine: the disk's
# fsync'd sequential write bandwidth on the data directory's file system,
# then `caudal bench lake` PUT and GET of 1 MiB and 256 MiB objects against a
# `caudal server` (fsync always, the default) on 127.0.0.1, then
# docs/benchmarks-lake.md from the results. A few minutes.
#
# Usage: bench/lake.sh
# Environment:
#   BENCH_SMALL_COUNT   1 MiB objects per workload (default 2000)
#   BENCH_LARGE_COUNT   256 MiB objects per workload (default 8)
#   BENCH_PROFILE       1 (default): perf-sample the server during one 1 MiB
#                       and one 256 MiB PUT phase, and pprof the generator
#   BENCH_BUILD         head (default: the committed HEAD, via git archive) or tree
#   BENCH_OUT           the report (default docs/benchmarks-lake.md). Text
#                       after the line "<!-- notes -->" in an existing report
#                       is kept: the hand-written reading of the numbers.
# Everything listens on 127.0.0.1 only. Raw results stay in the printed work
# directory; the data directory and dd files are removed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SMALL=${BENCH_SMALL_COUNT:-2000}
LARGE=${BENCH_LARGE_COUNT:-8}
PROFILE=${BENCH_PROFILE:-1}
OUT=${BENCH_OUT:-$ROOT/docs/benchmarks-lake.md}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/caudal-lake-bench.XXXXXX")
RES=$WORK/results
DATA=$WORK/data
mkdir -p "$RES" "$DATA"
CAUDAL=$WORK/caudal

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$DATA" "$WORK/dd.bin" "$WORK/src"
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

# --- machine -----------------------------------------------------------------
log "work directory: $WORK"
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc=$(nproc)"
	echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo "ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "disk=$(df --output=source "$DATA" | tail -1), $(df -h --output=size,fstype "$DATA" | tail -1 | xargs), $(findmnt -no FSTYPE,OPTIONS -T "$DATA" | cut -c1-60)"
	echo "kernel=$(uname -r)"
	echo "go=$(go version | awk '{print $3}')"
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "procs_before=$(ps -e --no-headers -o pcpu,comm --sort=-pcpu | awk '$1 > 10 {printf "%s %s%%, ", $2, $1}' | sed 's/, $//')"
} > "$RES/machine.env"

# --- disk --------------------------------------------------------------------
# Three shapes, on the data directory's file system: run.sh's 64 KiB synced
# writes; 1 MiB writes each synced (what one 1 MiB object costs the disk: its
# data and one fsync); 1 MiB writes with one fdatasync at the end (a large
# object streamed, then synced once).
disk() { # suffix
	log "disk: 64 KiB writes, each synced (oflag=dsync)"
	dd if=/dev/zero of="$WORK/dd.bin" bs=64k count=4096 oflag=dsync 2> "$RES/dd-dsync64k$1.txt"
	rm -f "$WORK/dd.bin"
	log "disk: 1 MiB writes, each synced (oflag=dsync)"
	dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=512 oflag=dsync 2> "$RES/dd-dsync1m$1.txt"
	rm -f "$WORK/dd.bin"
	log "disk: 1 MiB writes, one fdatasync at the end (conv=fdatasync)"
	dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=2048 conv=fdatasync 2> "$RES/dd-fdatasync$1.txt"
	rm -f "$WORK/dd.bin"
}
disk ""

# --- caudal ------------------------------------------------------------------
if [ "${BENCH_BUILD:-head}" = tree ]; then
	log "building caudal from the working tree"
	(cd "$ROOT" && go build -o "$CAUDAL" ./cmd/caudal)
	echo "caudal=$(git -C "$ROOT" rev-parse --short HEAD) + working tree" >> "$RES/machine.env"
else
	log "building caudal at $(git -C "$ROOT" rev-parse --short HEAD)"
	mkdir -p "$WORK/src"
	git -C "$ROOT" archive HEAD | tar -x -C "$WORK/src"
	(cd "$WORK/src" && go build -o "$CAUDAL" ./cmd/caudal)
	echo "caudal=$(git -C "$ROOT" rev-parse --short HEAD) (committed HEAD, built from git archive)" >> "$RES/machine.env"
fi
PORT=$(free_port)
"$CAUDAL" server --listen "127.0.0.1:$PORT" --data "$DATA" > "$RES/server.log" 2>&1 &
SPID=$!
PIDS+=("$SPID")
wait_http "http://127.0.0.1:$PORT/_caudal/health" 30 || { log "caudal did not start"; cat "$RES/server.log" >&2; exit 1; }
echo "server=caudal server --listen 127.0.0.1:$PORT --data <tmp> (fsync always, the default)" > "$RES/server.env"

# --- workloads ---------------------------------------------------------------
# run_bench NAME ARGS... : one `caudal bench lake --json` run, credentials
# from the server's data directory.
run_bench() {
	local name=$1
	shift
	local base=$RES/$name
	echo "caudal bench lake --endpoint http://127.0.0.1:PORT --data <server data dir> --server-pid PID --json $*" |
		sed "s#$RES/#<results>/#g" > "$base.cmd"
	log "$name: caudal bench lake $*"
	if ! env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE -u CAUDAL_ACCESS_KEY_ID -u CAUDAL_SECRET_ACCESS_KEY \
		"$CAUDAL" bench lake --endpoint "http://127.0.0.1:$PORT" --data "$DATA" --server-pid "$SPID" --json "$@" > "$base.json" 2> "$base.err"; then
		log "  FAILED: $(tail -1 "$base.err")"
	fi
	python3 - "$base.json" <<'PY' >&2 || true
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("put", "get"):
    p = r.get(k)
    if p:
        print("           %-4s %8.1f objects/s %7.1f MB/s  p50 %.1f ms  p99 %.1f ms" % (k, p["objects_per_s"], p["mb_per_s"], p["latency_ms"]["p50"], p["latency_ms"]["p99"]))
print("           result:", "OK" if r["ok"] else "FAILED: " + r.get("problem", "?"))
PY
}

SM=(--size 1MiB --count "$SMALL" --concurrency 8)
LG=(--size 256MiB --count "$LARGE" --concurrency 2)
run_bench small-default "${SM[@]}"
run_bench small-required "${SM[@]}" --checksum when_required
run_bench small-unsigned "${SM[@]}" --checksum when_required --unsigned-payload
run_bench large-single "${LG[@]}" --part-size 0
run_bench large-required "${LG[@]}" --part-size 0 --checksum when_required
run_bench large-multipart "${LG[@]}" --part-size 16MiB --part-concurrency 4

# --- profiles ----------------------------------------------------------------
# caudal server has no pprof endpoint; perf samples it from outside (Go
# binaries keep their symbols). The generator profiles itself.
perf_top() { # perf.data out
	perf report -i "$1" --stdio --no-children -g none --sort dso,symbol --percent-limit 1 2> /dev/null |
		grep -v '^#' | grep -v '^$' | sed 's/[ -]*$//; s/^ *//' | head -30 > "$2" || true
}
profile_put() { # name seconds ARGS...
	local name=$1 secs=$2
	shift 2
	perf record -F 499 -g -p "$SPID" -o "$RES/$name-server.perf" -- sleep "$secs" > /dev/null 2>&1 &
	local perf=$!
	# How often the server syncs and renames per object, over the whole
	# PUT phase (it runs until the bench ends; SIGINT stops it).
	perf stat -x, -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync,syscalls:sys_enter_renameat,syscalls:sys_enter_renameat2,syscalls:sys_enter_write,syscalls:sys_enter_pwrite64,syscalls:sys_enter_copy_file_range \
		-p "$SPID" -o "$RES/$name-server-syscalls.csv" > /dev/null 2>&1 &
	local pstat=$!
	run_bench "$name" "$@" --get=false --cpuprofile "$RES/$name-generator.pprof"
	kill -INT "$pstat" 2> /dev/null || true
	wait "$perf" "$pstat" || true
	perf_top "$RES/$name-server.perf" "$RES/$name-server-profile.txt"
	(cd "$ROOT" && go tool pprof -top -nodecount=12 "$CAUDAL" "$RES/$name-generator.pprof" 2> /dev/null) | sed -n '/flat%/,$p' > "$RES/$name-generator-profile.txt" || true
}
if [ "$PROFILE" = 1 ] && command -v perf > /dev/null; then
	log "profiling: perf on the server, pprof on the generator, during PUT phases"
	profile_put profile-small 8 --size 1MiB --duration 10s --concurrency 8
	profile_put profile-large 8 --size 256MiB --duration 10s --concurrency 2 --part-size 0
	profile_put profile-multipart 8 --size 256MiB --duration 10s --concurrency 2 --part-size 16MiB --part-concurrency 4
fi

echo "server_hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$SPID/status")" > "$RES/rss.env"
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES/machine.env"
echo "procs_after=$(ps -e --no-headers -o pcpu,comm --sort=-pcpu | awk '$1 > 10 {printf "%s %s%%, ", $2, $1}' | sed 's/, $//')" >> "$RES/machine.env"
disk "-end"

# --- report ------------------------------------------------------------------
log "writing $OUT"
python3 - "$RES" "$OUT" "$SMALL" "$LARGE" > "$OUT.new" <<'PY'
import json, os, re, sys

res, out, small, large = sys.argv[1:5]


def env(name):
    d = {}
    try:
        for line in open(os.path.join(res, name)):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d[k] = v
    except FileNotFoundError:
        pass
    return d


def read(name, default=""):
    try:
        return open(os.path.join(res, name)).read()
    except FileNotFoundError:
        return default


def load(name):
    try:
        return json.load(open(os.path.join(res, name + ".json")))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def dd(name):
    m = re.search(r"(\d+) bytes.*copied, ([\d.]+) s", read(name))
    return int(m.group(1)) / float(m.group(2)) / 1e6 if m else None


def fmt(v, spec=",.0f"):
    return "—" if v is None else format(v, spec)


m, srv, rss = env("machine.env"), env("server.env"), env("rss.env")
disk = {k: (dd(f"dd-{k}.txt"), dd(f"dd-{k}-end.txt")) for k in ("dsync64k", "dsync1m", "fdatasync")}
o = []
w = o.append
w("# S3 lake: PUT and GET throughput next to the disk, one run on one machine\n")
w(f"Generated by `bench/lake.sh` on {m.get('date', '?')} (issue 3). Every number below comes from that one run; "
  "the generator (`caudal bench lake`, the AWS SDK for Go v2) ran on the same machine as the server, over loopback. "
  "MB = 10^6 bytes of object data. Latencies are of whole SDK calls: a PUT until the server answered "
  "(a multipart upload as a whole), a GET until the last byte was read and checked.\n")
w("## Machine\n")
w("| | |\n|---|---|")
for k, label in [("nproc", "CPUs (nproc)"), ("cpu", "CPU model"), ("ram", "RAM"), ("disk", "disk (data dir)"),
                 ("kernel", "kernel"), ("go", "Go"), ("caudal", "caudal commit")]:
    w(f"| {label} | {m.get(k, '?')} |")
w(f"| load average before / after | {m.get('load_before', '?')} / {m.get('load_after', '?')} |")
w(f"| other busy processes (>10% CPU) before / after | {m.get('procs_before') or 'none'} / {m.get('procs_after') or 'none'} |")
w(f"| server | `{srv.get('server', '?')}` |")
w("")
w("## Disk: fsync'd sequential writes on the data directory's file system\n")
w("Measured at the start and again at the end of the run.\n")
w("| how | MB/s at start | MB/s at end |\n|---|---:|---:|")
for k, label in [("dsync64k", "`dd bs=64k count=4096 oflag=dsync` (every 64 KiB write synced)"),
                 ("dsync1m", "`dd bs=1M count=512 oflag=dsync` (every 1 MiB write synced: one small object)"),
                 ("fdatasync", "`dd bs=1M count=2048 conv=fdatasync` (one fdatasync at the end: a large object)")]:
    w(f"| {label} | {fmt(disk[k][0], ',.1f')} | {fmt(disk[k][1], ',.1f')} |")
w("")

rows = [
    ("1 MiB, SDK default (CRC32, signed payload)", "small-default", "dsync1m"),
    ("1 MiB, checksum when_required", "small-required", "dsync1m"),
    ("1 MiB, when_required + unsigned payload", "small-unsigned", "dsync1m"),
    ("256 MiB, single PUT, SDK default", "large-single", "fdatasync"),
    ("256 MiB, single PUT, when_required", "large-required", "fdatasync"),
    ("256 MiB, upload manager (16 MiB parts × 4)", "large-multipart", "fdatasync"),
]
w("## Results\n")
w(f"1 MiB workloads: {int(small):,} objects, 8 in flight. "
  f"256 MiB workloads: {int(large):,} objects, 2 in flight. "
  "Each PUTs every object into a fresh bucket, GETs every one back checking each byte, then deletes them. "
  "PUT / disk = PUT MB/s ÷ the disk's start bandwidth for the matching shape (1 MiB objects: every 1 MiB write "
  "synced; 256 MiB objects: one fdatasync at the end). "
  "CPU is seconds of the phase: generator (getrusage) / server (`/proc/<pid>/stat`), on a machine with "
  f"{m.get('nproc', '?')} CPUs shared by both.\n")
w("| workload | PUT MB/s | PUT objects/s | PUT / disk | PUT p50 / p99 ms | GET MB/s | GET p50 / p99 ms | PUT CPU s gen / server | GET CPU s gen / server | verified |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")


def cpu(p):
    s = p.get("server_cpu_s")
    return f"{p['generator_cpu_s']:.1f} / {fmt(s, '.1f')}"


for label, name, dk in rows:
    r = load(name)
    if not r or not r.get("put"):
        err = read(name + ".err").strip().splitlines()
        w(f"| {label} | run failed: {err[-1] if err else '?'} | | | | | | | | |")
        continue
    p, g = r["put"], r.get("get")
    share = p["mb_per_s"] / disk[dk][0] if disk[dk][0] else None
    gl = f"{g['latency_ms']['p50']:.1f} / {g['latency_ms']['p99']:.1f}" if g else "—"
    v = r["verification"]
    verdict = f"{v['verified']:,} of {v['acked']:,}" + ("" if r["ok"] else f" — FAILED: {r.get('problem', '')}")
    w(f"| {label} | {p['mb_per_s']:,.1f} | {p['objects_per_s']:,.1f} | {fmt(share and share * 100, '.0f')}% | "
      f"{p['latency_ms']['p50']:.1f} / {p['latency_ms']['p99']:.1f} | {fmt(g and g['mb_per_s'], ',.1f')} | {gl} | "
      f"{cpu(p)} | {cpu(g) if g else '—'} | {verdict} |")
w("")
w("CPU per MiB moved, from the same runs (ms of CPU per MiB of object data):\n")
w("| workload | PUT gen | PUT server | GET gen | GET server |\n|---|---:|---:|---:|---:|")
for label, name, _ in rows:
    r = load(name)
    if not r or not r.get("put"):
        continue
    cells = []
    for k in ("put", "get"):
        p = r.get(k)
        mib = p["bytes"] / 2**20 if p and p["bytes"] else None
        for cpu_s in (p and p["generator_cpu_s"], p and p.get("server_cpu_s")):
            cells.append(fmt(cpu_s * 1e3 / mib if mib and cpu_s is not None else None, ".2f"))
    w(f"| {label} | " + " | ".join(cells) + " |")
w("")
if "server_hwm_kb" in rss:
    w(f"Server peak resident memory (VmHWM) after every workload: {int(rss['server_hwm_kb']) / 1024:,.0f} MiB.\n")

w("## Commands\n")
w("```sh")
w(srv.get("server", "").split(" (")[0])
for _, name, _ in rows + [("", n, "") for n in ("profile-small", "profile-large", "profile-multipart")]:
    c = read(name + ".cmd").strip()
    if c:
        w(c)
w("```\n")

PROFILED = {"profile-small": "1 MiB objects, 8 in flight",
            "profile-large": "256 MiB objects, 2 in flight, single PUT",
            "profile-multipart": "256 MiB objects, 2 in flight, upload manager (16 MiB parts × 4)"}
sys_rows = []
for n, what in PROFILED.items():
    r = load(n)
    counts = {}
    for line in read(f"{n}-server-syscalls.csv").splitlines():
        f = line.split(",")
        if len(f) > 2 and f[0].strip().isdigit():
            counts[f[2].replace("syscalls:sys_enter_", "")] = int(f[0])
    if r and r.get("put") and r["put"]["objects"] and counts:
        sys_rows.append((what, r["put"]["objects"], counts))
if sys_rows:
    w("## Server syscalls per object (PUT phase)\n")
    w("Counted with `perf stat -e syscalls:sys_enter_*` on the server over the profile runs' whole PUT phase "
      "(bucket creation included; objects in flight when the run ended add their share). Per object stored:\n")
    names = ["fsync", "fdatasync", "renameat", "renameat2", "write", "pwrite64", "copy_file_range"]
    w("| workload | objects | " + " | ".join(names) + " |")
    w("|---|---:|" + "---:|" * len(names))
    for what, n, counts in sys_rows:
        w(f"| {what} | {n:,} | " + " | ".join(fmt(counts[k] / n if k in counts else None, ",.2f") for k in names) + " |")
    w("")

profiles = [(f"{n}-{side}-profile.txt", n, side) for n in PROFILED for side in ("server", "generator")]
if any(read(f) for f, _, _ in profiles):
    w("## Profiles (PUT phase)\n")
    w("`caudal server` has no profiling endpoint, so the server is sampled with `perf record -F 499 -g -p <pid>` "
      "for 8 s of a 10 s PUT-only run (`--get=false`); the generator writes a Go CPU profile (`--cpuprofile`). "
      "Top entries by self time.\n")
    for f, n, side in profiles:
        t = read(f).strip()
        if not t:
            continue
        r = load(n)
        what = PROFILED[n]
        if r and r.get("put"):
            what += f" — {r['put']['mb_per_s']:,.1f} MB/s during the profile"
        w(f"### {side}: {what}\n")
        w("```")
        w(t)
        w("```\n")

# Keep the hand-written part of an existing report.
notes = ""
try:
    prev = open(out).read()
    i = prev.find("<!-- notes -->")
    if i >= 0:
        notes = prev[i:]
except FileNotFoundError:
    pass
print("\n".join(o))
print(notes or "<!-- notes -->\n", end="")
PY
mv "$OUT.new" "$OUT"
log "done: $OUT (raw results in $RES)"
