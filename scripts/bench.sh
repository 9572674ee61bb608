#!/usr/bin/env bash
# make bench: stakewallet against cast (Foundry) on the devnet and on anvil,
# through a proxy adding 0 and 50 ms per round trip; prints round trips,
# median wall times and the ratio to cast (scripts/bench/main.go).
# Extra arguments go to the driver: -runs 9, -delays 0ms,50ms,200ms,
# -targets devnet.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
# cast and anvil come from the npm registry (scripts/package.json).
if [ ! -x scripts/node_modules/.bin/cast ] || [ ! -x scripts/node_modules/.bin/anvil ]; then
	npm ci --prefix scripts --no-audit --no-fund
fi
mkdir -p bin
$GO build -o bin/stakewallet ./cmd/stakewallet
$GO build -o bin/stakewallet-devnet ./cmd/stakewallet-devnet
exec $GO run ./scripts/bench -bin bin "$@"
