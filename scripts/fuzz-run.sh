#!/usr/bin/env bash
# Runs every fuzz target of scripts/fuzz-targets.txt (one "PKG FuzzName" per
# line), one after the other: Go fuzzes one target per `go test` run, and
# the fuzzer already uses every core. Used by `make fuzz-smoke` (10 s each)
# and `make fuzz` (FUZZTIME each, 5m by default).
#
#   scripts/fuzz-run.sh 10s           every target for 10 s
#   scripts/fuzz-run.sh 1m FuzzParse  only the targets whose name matches
#
# Minimizing each new input is capped at FUZZMINIMIZETIME (3 s): left at
# its default of a minute, it can stall a short run on one long input.
#
# A crash stops the run with the fuzzer's report; Go has written the failing
# input under the package's testdata/fuzz/FuzzName/, where `go test` replays
# it from then on. A summary line per target (executions, new inputs) ends
# the run.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${1:-10s}
filter=${2:-}
list=scripts/fuzz-targets.txt
summary=()
status=0
while read -r pkg name; do
	case "$pkg" in '' | '#'*) continue ;; esac
	if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then
		continue
	fi
	echo "== $pkg $name ($fuzztime)"
	log=$(mktemp)
	if ! ${GO:-go} test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZMINIMIZETIME:-3s}" "$pkg" 2>&1 | tee "$log"; then
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
