#!/usr/bin/env bash
# Regenerates internal/devnet/contracts/artifacts from the Solidity sources
# with the solc-js version pinned in scripts/package.json.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/solc ]; then
  echo "gen-contracts: run 'npm ci' in scripts/ first" >&2
  exit 1
fi
exec node gen-contracts.js
