#!/usr/bin/env bash
# test.sh runs every check caudal has: formatting, vet, all tests (unit and
# end-to-end, shuffled), every benchmark once, and a short run of every fuzz
# target. It stops at the first failing step and prints a summary.
set -euo pipefail
cd "$(dirname "$0")"

FUZZTIME="${FUZZTIME:-10s}"
declare -a SUMMARY=()
step_start=0

begin() {
	echo
	echo "=== $1"
	step_start=$SECONDS
}
done_step() {
	SUMMARY+=("ok    $1 ($((SECONDS - step_start)) s)")
}
report() {
	local status=$?
	echo
	echo "=== summary"
	local line
	for line in "${SUMMARY[@]+"${SUMMARY[@]}"}"; do
		echo "  $line"
	done
	if [[ $status -ne 0 ]]; then
		echo "  FAIL  ${CURRENT:-setup} (exit $status)"
		echo "test.sh: FAILED"
	else
		echo "test.sh: all checks passed"
	fi
}
trap report EXIT

CURRENT="gofmt"
begin "gofmt"
unformatted="$(gofmt -l .)"
if [[ -n "$unformatted" ]]; then
	echo "these files need gofmt -w:"
	echo "$unformatted"
	exit 1
fi
done_step "gofmt"

CURRENT="go vet"
begin "go vet ./..."
go vet ./...
done_step "go vet"

CURRENT="go test"
begin "go test -shuffle=on -timeout 30m ./..."
go test -shuffle=on -timeout 30m ./...
done_step "go test (unit + end-to-end)"

CURRENT="benchmarks"
begin "benchmarks, once each"
go test -run='^$' -bench=. -benchtime=1x -timeout 30m ./...
done_step "benchmarks"

CURRENT="fuzz"
begin "fuzz targets, $FUZZTIME each"
nfuzz=0
while IFS= read -r file; do
	dir="./$(dirname "$file")"
	while IFS= read -r name; do
		CURRENT="fuzz $name ($dir)"
		echo "--- $name in $dir"
		go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "$dir"
		nfuzz=$((nfuzz + 1))
	done < <(grep -oE '^func (Fuzz[A-Za-z0-9_]*)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(/\1/')
done < <(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | sed 's|^\./||' | sort)
CURRENT="fuzz"
done_step "fuzz ($nfuzz targets, $FUZZTIME each)"
