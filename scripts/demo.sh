#!/usr/bin/env bash
# The whole stakewallet cycle on a local devnet, in human output:
# stake 1 ETH → balance → unstake 0.5 → withdrawals wait → claim →
# transfer 0.1 stETH → balance. Run it with `make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${STAKEWALLET_DEMO_PORT:-8545}"
bonding="${STAKEWALLET_DEMO_BONDING:-20s}"
demo="$PWD/.demo"
rm -rf "$demo"
mkdir -p "$demo"
chmod 700 "$demo"

# Everything the demo writes (keys, journal, config) stays in .demo/.
export STAKEWALLET_HOME="$demo/home"
export STAKEWALLET_NETWORK=devnet
export ETH_RPC_URL="http://127.0.0.1:$port"
unset STAKEWALLET_SIGNER STAKEWALLET_CONFIG

sw=bin/stakewallet
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	echo "Port $port is in use. Stop what runs there or pick another: STAKEWALLET_DEMO_PORT=18545 make demo" >&2
	exit 1
fi

echo "Starting the devnet on 127.0.0.1:$port (bonding period $bonding); its log is in .demo/devnet.log"
bin/stakewallet-devnet --http "127.0.0.1:$port" --bonding-period "$bonding" >"$demo/devnet.log" 2>&1 &
devnet_pid=$!
cleanup() {
	kill -INT "$devnet_pid" 2>/dev/null || true
	wait "$devnet_pid" 2>/dev/null || true
}
trap cleanup EXIT

alice=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
bob=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
for _ in $(seq 1 100); do
	"$sw" balance "$alice" >/dev/null 2>&1 && break
	kill -0 "$devnet_pid" 2>/dev/null || { cat "$demo/devnet.log" >&2; exit 1; }
	sleep 0.2
done

# A throwaway passphrase for the demo keystore.
printf 'demo passphrase %s\n' "$RANDOM$RANDOM" >"$demo/password"
chmod 600 "$demo/password"
export STAKEWALLET_PASSWORD_FILE="$demo/password"

# Dev account 0 of the public test mnemonic (its key is the well-known
# anvil/hardhat test key). It goes in through stdin, never a file.
step "stakewallet keys import alice --private-key-file -"
printf '%s\n' ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 |
	"$sw" keys import alice --private-key-file -
export STAKEWALLET_SIGNER=alice

step "stakewallet stake 1 --dry-run"
"$sw" stake 1 --dry-run
step "stakewallet stake 1 --yes"
"$sw" stake 1 --yes
step "stakewallet balance"
"$sw" balance
step "stakewallet unstake 0.5 --yes"
"$sw" unstake 0.5 --yes
step "stakewallet withdrawals"
"$sw" withdrawals
step "stakewallet withdrawals wait --interval 2s"
"$sw" withdrawals wait --interval 2s
step "stakewallet claim --yes"
"$sw" claim --yes
step "stakewallet transfer 0.1 stETH --to $bob --yes"
"$sw" transfer 0.1 stETH --to "$bob" --yes
step "stakewallet balance"
"$sw" balance
printf '\nDemo complete: staked, unstaked, waited out the bonding period, claimed and transferred.\n'
