#!/usr/bin/env bash
# test.sh runs every check caudal has: formatting, vet, all tests (unit and
# end-to-end, shuffled), every benchmark once, and a short run of every fuzz
# target (FUZZTIME, default 100000x: a hundred thousand inputs each). Every step runs even after a failure,
# so one run shows everything that is wrong; the summary lists each step and
# the exit status is non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")"

# A count, not a duration: with a duration, go1.26's fuzz coordinator can
# report a spurious "context deadline exceeded" failure with no failing
# input when the deadline fires while a worker is mid-input
# (golang/go#75804, fixed in go1.27); a count has no deadline to race.
FUZZTIME="${FUZZTIME:-100000x}"
declare -a SUMMARY=()
failed=0

# step NAME CMD...: runs CMD, records its result and duration.
step() {
	local name=$1
	shift
	echo
	echo "=== $name"
	local start=$SECONDS
	if "$@"; then
		SUMMARY+=("ok    $name ($((SECONDS - start)) s)")
	else
		SUMMARY+=("FAIL  $name ($((SECONDS - start)) s)")
		failed=1
	fi
}

check_gofmt() {
	local unformatted
	unformatted="$(gofmt -l .)" || return 1
	if [[ -n "$unformatted" ]]; then
		echo "these files need gofmt -w:"
		echo "$unformatted"
		return 1
	fi
}

# fuzz_targets prints "<package dir> <FuzzName>" for every fuzz target.
fuzz_targets() {
	local file
	grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | sort | while IFS= read -r file; do
		grep -oE '^func Fuzz[A-Za-z0-9_]*\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(/\1/' |
			while IFS= read -r name; do
				echo "$(dirname "$file") $name"
			done
	done
}

step "gofmt" check_gofmt
step "go vet ./..." go vet ./...
step "go test -shuffle=on ./... (unit + end-to-end)" go test -shuffle=on -timeout 30m ./...
step "benchmarks, once each" go test -run='^$' -bench=. -benchtime=1x -timeout 30m ./...

targets="$(fuzz_targets)"
if [[ -z "$targets" ]]; then
	SUMMARY+=("FAIL  fuzz: no fuzz targets found")
	failed=1
fi
while read -r dir name; do
	[[ -n "${name:-}" ]] || continue
	step "fuzz $name ($dir, $FUZZTIME)" go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "$dir"
done <<<"$targets"

echo
echo "=== summary"
for line in "${SUMMARY[@]}"; do
	echo "  $line"
done
if [[ $failed -ne 0 ]]; then
	echo "test.sh: FAILED"
	exit 1
fi
echo "test.sh: all checks passed"
