#!/usr/bin/env bash
# Runs the fuzz targets listed in scripts/fuzz-targets.txt ("PACKAGE
# FuzzName" per line) one after the other: Go fuzzes one target per
# `go test` run, and each run already uses every core.
#
#   scripts/fuzz-run.sh 10s             every target for 10 s (make fuzz-smoke)
#   scripts/fuzz-run.sh 5m              every target for 5 min (make fuzz)
#   scripts/fuzz-run.sh 1m FuzzDecrypt  only the targets whose name contains FuzzDecrypt
#   scripts/fuzz-run.sh -check          only check that the list names every target
#
# Minimizing each new input is capped at FUZZMINIMIZETIME (3 s): left at its
# default of a minute, it can stall a short run on one long input.
#
# A crash stops the run with the fuzzer's report. Go has written the failing
# input under the package's testdata/fuzz/FuzzName/, where `go test` replays
# it from then on: fix the code, keep the input. The run ends with a line
# per target: executions and new inputs, from the fuzzer's last report.
set -euo pipefail
cd "$(dirname "$0")/.."

list=scripts/fuzz-targets.txt

# Every Fuzz function of the module must be in the list, or it would
# silently never be fuzzed.
missing=0
while IFS=: read -r file line; do
	name=${line#func }
	name=${name%%(*}
	pkg=./$(dirname "$file")
	if ! grep -qx "$pkg $name" "$list"; then
		echo "fuzz-run: $file has $name, which $list does not list" >&2
		missing=1
	fi
done < <(grep -rn --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*(' cmd pkg internal | cut -d: -f1,3)
[ "$missing" = 0 ] || exit 1
if [ "${1:-}" = "-check" ]; then
	exit 0
fi

fuzztime=${1:-10s}
filter=${2:-}
summary=()
status=0
while read -r pkg name; do
	case "$pkg" in '' | '#'*) continue ;; esac
	if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then
		continue
	fi
	echo "== $pkg $name ($fuzztime)"
	log=$(mktemp)
	run() { ${GO:-go} test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZMINIMIZETIME:-3s}" "$pkg" 2>&1 | tee "$log"; }
	ok=1
	run || ok=0
	# Go's fuzz coordinator can report "context deadline exceeded" when
	# -fuzztime ends while it is still minimizing a new input: no crash,
	# no failing input written. Run that target again, up to twice (a
	# loaded machine makes it likelier); a real crash says "Failing input
	# written" and stops the run.
	for again in 1 2; do
		if [ "$ok" = 0 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
			echo "fuzz-run: $name ended with the fuzzer's deadline flake (no failing input); running it again ($again of 2)"
			ok=1
			run || ok=0
		fi
	done
	if [ "$ok" = 0 ]; then
		summary+=("FAIL $pkg $name")
		status=1
		rm -f "$log"
		break
	fi
	last=$(grep -E '^fuzz: elapsed' "$log" | tail -n 1 || true)
	summary+=("ok   $pkg $name: ${last#fuzz: }")
	rm -f "$log"
done <"$list"
echo
printf '%s\n' "${summary[@]}"
exit $status
