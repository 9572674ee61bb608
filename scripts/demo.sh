#!/usr/bin/env bash
# The whole stakewallet cycle on the local devnet chains, in human output.
# stakewallet-devnet runs every chain (devnet, devnet-avalanche,
# devnet-sonic, devnet-bsc) on consecutive ports from $STAKEWALLET_DEMO_PORT; then, per
# protocol: Lido on devnet (stake 1 ETH → balance → unstake 0.5 →
# withdrawals wait → claim → transfer 0.1 stETH → balance), and the other
# protocols' cycles below. Run it with `make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${STAKEWALLET_DEMO_PORT:-8545}"
# One port per chain, in the order stakewallet-devnet starts them: --http
# gives the first chain $port and the next ones $port+1, $port+2.
chains=(devnet devnet-avalanche devnet-sonic devnet-bsc)
rpc_avalanche="http://127.0.0.1:$((port + 1))"
rpc_sonic="http://127.0.0.1:$((port + 2))"
rpc_bsc="http://127.0.0.1:$((port + 3))"
bonding="${STAKEWALLET_DEMO_BONDING:-10s}"
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

for i in "${!chains[@]}"; do
	p=$((port + i))
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "Port $p (for ${chains[$i]}) is in use. Stop what runs there or pick other ports: STAKEWALLET_DEMO_PORT=18545 make demo" >&2
		exit 1
	fi
done

chain_list=$(IFS=,; echo "${chains[*]}")
echo "Starting the devnet chains $chain_list on 127.0.0.1:$port-$((port + ${#chains[@]} - 1)) (bonding period $bonding); the log is in .demo/devnet.log"
bin/stakewallet-devnet --chains "$chain_list" --http "127.0.0.1:$port" --bonding-period "$bonding" >"$demo/devnet.log" 2>&1 &
devnet_pid=$!
cleanup() {
	kill -INT "$devnet_pid" 2>/dev/null || true
	wait "$devnet_pid" 2>/dev/null || true
}
trap cleanup EXIT

alice=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
bob=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
# Every chain prints its ready line once all are up.
for _ in $(seq 1 150); do
	[ "$(grep -c '^stakewallet-devnet ready:' "$demo/devnet.log" 2>/dev/null)" -ge "${#chains[@]}" ] && break
	kill -0 "$devnet_pid" 2>/dev/null || { cat "$demo/devnet.log" >&2; exit 1; }
	sleep 0.2
done
grep '^stakewallet-devnet ready:' "$demo/devnet.log"
"$sw" balance "$alice" >/dev/null

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

# ---- Lido on devnet (chain 1337, ETH): queued withdrawals ----
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

# ---- The other protocols: one block each, on its chain ----
# Each cycle runs with the same alice key, on its chain:
#   Rocket Pool on devnet (instant burn):   --protocol rocketpool
#   Benqi sAVAX on devnet-avalanche (cooldown, then a redeem window):
#                                           --network devnet-avalanche --rpc-url "$rpc_avalanche"
#   Beets stS on devnet-sonic (withdrawal delay):
#                                           --network devnet-sonic --rpc-url "$rpc_sonic"
# Rocket Pool on devnet: deposit for rETH, burn it back for ETH at once.
step "stakewallet stake 1 --protocol rocketpool --yes"
"$sw" stake 1 --protocol rocketpool --yes
step "stakewallet unstake 0.5 --protocol rocketpool --yes"
"$sw" unstake 0.5 --protocol rocketpool --yes
step "stakewallet transfer 0.1 rETH --to $bob --yes"
"$sw" transfer 0.1 rETH --to "$bob" --yes
step "stakewallet balance"
"$sw" balance

# Benqi sAVAX on devnet-avalanche (AVAX): a cooldown, then a redeem window.
avax=(--network devnet-avalanche --rpc-url "$rpc_avalanche")
step "stakewallet --network devnet-avalanche stake 2 --yes"
"$sw" "${avax[@]}" stake 2 --yes
step "stakewallet --network devnet-avalanche unstake 1 --yes"
"$sw" "${avax[@]}" unstake 1 --yes
step "stakewallet --network devnet-avalanche withdrawals"
"$sw" "${avax[@]}" withdrawals
step "stakewallet --network devnet-avalanche withdrawals wait --claim --interval 2s --yes"
"$sw" "${avax[@]}" withdrawals wait --claim --interval 2s --yes
step "stakewallet --network devnet-avalanche transfer 0.1 sAVAX --to $bob --yes"
"$sw" "${avax[@]}" transfer 0.1 sAVAX --to "$bob" --yes
step "stakewallet --network devnet-avalanche balance"
"$sw" "${avax[@]}" balance

# Beets stS on devnet-sonic (S): undelegate, then the withdrawal delay.
sonic=(--network devnet-sonic --rpc-url "$rpc_sonic")
step "stakewallet --network devnet-sonic stake 2 --yes"
"$sw" "${sonic[@]}" stake 2 --yes
step "stakewallet --network devnet-sonic unstake 1 --yes"
"$sw" "${sonic[@]}" unstake 1 --yes
step "stakewallet --network devnet-sonic withdrawals wait --claim --interval 2s --yes"
"$sw" "${sonic[@]}" withdrawals wait --claim --interval 2s --yes
step "stakewallet --network devnet-sonic transfer 0.1 stS --to $bob --yes"
"$sw" "${sonic[@]}" transfer 0.1 stS --to "$bob" --yes
step "stakewallet --network devnet-sonic balance"
"$sw" "${sonic[@]}" balance

# Sonic native staking (SFC) on devnet-sonic (S): delegate to validator 1,
# undelegate (the wallet picks a free wrID), wait out the withdrawal period
# (its time and its epochs), then claim the delegation's rewards.
step "stakewallet --network devnet-sonic stake 2 --protocol sonic --validator 1 --yes"
"$sw" "${sonic[@]}" stake 2 --protocol sonic --validator 1 --yes
step "stakewallet --network devnet-sonic unstake 1 --protocol sonic --validator 1 --yes"
"$sw" "${sonic[@]}" unstake 1 --protocol sonic --validator 1 --yes
step "stakewallet --network devnet-sonic withdrawals wait --protocol sonic --claim --interval 2s --yes"
"$sw" "${sonic[@]}" withdrawals wait --protocol sonic --claim --interval 2s --yes
step "stakewallet --network devnet-sonic claim --rewards --protocol sonic --yes"
"$sw" "${sonic[@]}" claim --rewards --protocol sonic --yes

# BNB Chain staking on devnet-bsc (BNB): delegate to a validator, unbond.
bsc=(--network devnet-bsc --rpc-url "$rpc_bsc")
step "stakewallet --network devnet-bsc validators"
"$sw" "${bsc[@]}" validators
step "stakewallet --network devnet-bsc stake 2 --validator alpha --yes"
"$sw" "${bsc[@]}" stake 2 --validator alpha --yes
step "stakewallet --network devnet-bsc unstake 1 --validator alpha --yes"
"$sw" "${bsc[@]}" unstake 1 --validator alpha --yes
step "stakewallet --network devnet-bsc withdrawals wait --claim --interval 2s --yes"
"$sw" "${bsc[@]}" withdrawals wait --claim --interval 2s --yes
step "stakewallet --network devnet-bsc balance"
"$sw" "${bsc[@]}" balance

printf '\nDemo complete: staked, unstaked, waited out the bonding period, claimed and transferred.\n'
