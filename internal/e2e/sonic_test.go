package e2e

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
)

// TestSonicCycle drives the built binary through Sonic native staking (the
// SFC) on devnet-sonic, every step checked on-chain or against the
// wallet's own listing: validators (1, 2 active; 3 slashed; 4 offline),
// refusals of an unknown and a slashed validator, stake --validator 1,
// unstake (a fresh wrID), withdrawals found again by a new process, an
// early claim refused with when it becomes claimable, withdrawals wait
// --claim, balance with the delegation and its pending rewards, claim
// --rewards, restake (restakeRewards), and unstake all.
//
// Bonding period 5 s (the SFC's withdrawalPeriodTime; epochs are sealed
// every 5/4 s, withdrawalPeriodEpochs 3); a high APR so that rewards show
// within seconds.
func TestSonicCycle(t *testing.T) {
	w, chain := sonicWallet(t)
	alice, sign := w.signAs("alice", 2)
	proto := []string{"--protocol", "sonic"}
	args := func(a ...string) []string { return append(append(a, proto...), sign...) }

	vs := w.MustJSON("validators", "--protocol", "sonic")
	list := field(t, vs, "validators").([]any)
	want := map[string]string{"1": "active", "2": "active", "3": "slashed", "4": "offline"}
	if len(list) != len(want) {
		t.Fatalf("validators: %v", vs)
	}
	for _, v := range list {
		if id := field(t, v, "id").(string); field(t, v, "status") != want[id] {
			t.Errorf("validator %s: %v, want %s", id, v, want[id])
		}
	}

	// Refused before anything is signed (exit 2).
	nonce := chain.nonce(alice.Address)
	for _, c := range []struct{ validator, say string }{{"99", "no validator 99"}, {"3", "slashed"}} {
		if r := w.Run("", args("stake", "1", "--validator", c.validator)...); r.Code != 2 || !strings.Contains(r.Stderr, c.say) {
			t.Errorf("stake to %s: exit %d, %s", c.validator, r.Code, r.Stderr)
		}
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("a refused stake sent a transaction")
	}

	// stake 20 S to validator 1.
	before := chain.balance(alice.Address)
	out := w.MustJSON(args("stake", "20", "--validator", "1")...)
	if field(t, out, "transactions", 0, "status") != "success" {
		t.Fatalf("stake: %v", out)
	}
	if spent := new(big.Int).Sub(before, chain.balance(alice.Address)); spent.Cmp(eth("20")) <= 0 || spent.Cmp(eth("20.01")) > 0 {
		t.Errorf("S spent %s: want 20 plus a small fee", spent)
	}

	// unstake 5: wrID 0; a second unstake (a new process): wrID 1.
	var ids []string
	for i, amt := range []string{"5", "3"} {
		out = w.MustJSON(args("unstake", amt, "--validator", "1")...)
		got := field(t, out, "requestIds").([]any)
		if len(got) != 1 || got[0] != []string{"1/0", "1/1"}[i] {
			t.Fatalf("unstake %s: %v", amt, out)
		}
		ids = append(ids, got[0].(string))
	}
	ws := field(t, w.MustJSON("withdrawals", "--protocol", "sonic", "--owner", alice.Address.Hex()), "withdrawals").([]any)
	if len(ws) != 2 || field(t, ws[0], "id") != "1/0" || field(t, ws[1], "id") != "1/1" ||
		bigOf(t, field(t, ws[0], "amount")).Cmp(eth("5")) != 0 || field(t, ws[0], "status") != "pending" {
		t.Fatalf("withdrawals found by a new process: %v", ws)
	}

	// A claim before the period is refused, saying when it becomes claimable.
	nonce = chain.nonce(alice.Address)
	if r := w.Run("", args("claim", ids[0])...); r.Code != 2 || !strings.Contains(r.Stderr, "becomes claimable at") {
		t.Errorf("claim before the period: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("the refused claim sent a transaction")
	}

	// withdrawals wait --claim: both requests, withdraw(1, wrID).
	waited := waitClaim(t, w, chain, alice.Address, eth("8"), args("--interval", "500ms", "--timeout", "90s")...).JSON(t)
	if n := len(field(t, waited, "withdrawals").([]any)); n != len(ids) {
		t.Errorf("wait --claim claimed %d requests, want %d", n, len(ids))
	}
	// withdraw deletes a request: the listing is empty.
	if left := field(t, w.MustJSON("withdrawals", "--protocol", "sonic", "--owner", alice.Address.Hex()), "withdrawals").([]any); len(left) != 0 {
		t.Errorf("withdrawals after the claims: %v", left)
	}

	// balance: the delegation (12 S on validator 1) and its rewards.
	var rewards *big.Int
	for range 20 {
		bal := w.MustJSON("balance", alice.Address.Hex())
		ds, _ := bal["delegations"].([]any)
		if len(ds) != 1 || field(t, ds[0], "protocol") != "sonic" || field(t, ds[0], "validator") != "1" ||
			bigOf(t, field(t, ds[0], "staked", "amount")).Cmp(eth("12")) != 0 {
			t.Fatalf("balance delegations: %s", mustMarshal(t, bal))
		}
		if rewards = bigOf(t, field(t, ds[0], "rewards", "amount")); rewards.Sign() > 0 {
			break
		}
		time.Sleep(time.Second)
	}
	if rewards.Sign() == 0 {
		t.Fatal("no pending rewards shown after 20 s at 1000% APR")
	}

	// claim --rewards pays them.
	before = chain.balance(alice.Address)
	out = w.MustJSON(args("claim", "--rewards")...)
	if field(t, out, "transactions", 0, "status") != "success" {
		t.Fatalf("claim --rewards: %v", out)
	}
	paid := bigOf(t, field(t, out, "amount"))
	if paid.Cmp(rewards) < 0 {
		t.Errorf("claim --rewards claimed %s, want at least the %s balance showed", paid, rewards)
	}
	if chain.balance(alice.Address).Cmp(before) <= 0 {
		t.Error("claim --rewards paid nothing net of gas")
	}
	// bnb has no rewards to claim: exit 2.
	if r := w.Run("", append([]string{"claim", "--rewards", "--protocol", "bnb", "--network", "devnet-bsc"}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "compounds") {
		t.Errorf("claim --rewards on bnb: exit %d, %s", r.Code, r.Stderr)
	}

	// restake: restakeRewards once new rewards accrued.
	time.Sleep(2 * time.Second)
	out = w.MustJSON(args("restake", "--yes")...)
	if _, ok := out["rewards"].(map[string]any); !ok {
		t.Fatalf("restake restaked no rewards: %v", out)
	}
	bal := w.MustJSON("balance", alice.Address.Hex())
	staked := bigOf(t, field(t, bal, "delegations", 0, "staked", "amount"))
	if staked.Cmp(eth("12")) <= 0 {
		t.Errorf("stake after restake %s, want more than 12 S", staked)
	}

	// unstake all: the whole delegation, in one request (wrID 0 again).
	out = w.MustJSON(args("unstake", "all", "--validator", "1")...)
	if got := field(t, out, "requestIds").([]any); len(got) != 1 || got[0] != "1/0" {
		t.Errorf("unstake all: %v", out)
	}
	l := w.MustJSON("withdrawals", "--protocol", "sonic", "--owner", alice.Address.Hex())
	if amt := bigOf(t, field(t, l, "withdrawals", 0, "amount")); field(t, l, "withdrawals", 0, "id") != "1/0" || amt.Cmp(staked) != 0 {
		t.Errorf("unstake all requested %s, want the %s staked", amt, staked)
	}
}

// sonicWallet starts devnet-sonic in-process like devnetWallet, but with
// rewards (startDevnetWith sets the APR to 0): bonding period 5 s, APR
// 1000% credited every second.
func sonicWallet(t *testing.T) (*Wallet, *chainReader) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := devnet.Start(ctx, devnet.Config{
		Chain: "devnet-sonic", HTTPAddr: "127.0.0.1:0",
		BondingPeriod: 5 * time.Second, APR: 1000, RewardInterval: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	url := d.HTTPEndpoint()
	return newWallet(t, "STAKEWALLET_NETWORK=devnet-sonic", "ETH_RPC_URL="+url), dialChain(t, url)
}

// TestSonicAnvilCycle: Sonic native staking on anvil after
// `stakewallet-devnet deploy --chain devnet-sonic` (the SFC wherever the
// deploy's transactions put it, the sonic model's validators added to
// it), the oracle run with --once, and the withdrawal period crossed with
// anvil's clock (on a hand-moved clock the model keeps the time rule
// alone: withdrawalPeriodEpochs 0).
func TestSonicAnvilCycle(t *testing.T) {
	const bonding = 72 * time.Hour
	a := deployToAnvil(t, "devnet-sonic", "anvil-sonic", []string{"sonic"}, anvil.WithChainID(4003))
	node, w, chain := a.node, a.w, a.c
	sfc := a.dep.Protocols["sonic"]["sfc"]
	if sfc == "" || sfc != a.dep.Protocols["sts"]["sfc"] {
		t.Fatalf("deploy --json: the sonic model's SFC %q is not the stS model's %q: %+v", sfc, a.dep.Protocols["sts"]["sfc"], a.dep)
	}
	a.oracle(t, "--bonding-period", bonding.String())
	alice, sign := w.signAs("alice", 2)

	vs := field(t, w.MustJSON("validators"), "validators").([]any)
	if len(vs) != 4 || field(t, vs[2], "status") != "slashed" {
		t.Fatalf("validators on anvil: %v", vs)
	}
	w.MustJSON(append([]string{"stake", "10", "--validator", "2"}, sign...)...)
	out := w.MustJSON(append([]string{"unstake", "4", "--validator", "2"}, sign...)...)
	ids := field(t, out, "requestIds").([]any)
	if len(ids) != 1 || ids[0] != "2/0" {
		t.Fatalf("unstake: %v", out)
	}
	if r := w.Run("", append([]string{"claim", "2/0"}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "becomes claimable at") {
		t.Errorf("claim before the period: exit %d, %s", r.Code, r.Stderr)
	}
	node.IncreaseTime(t, bonding+time.Hour)
	node.Mine(t, 1)
	before := chain.balance(alice.Address)
	out = w.MustJSON(append([]string{"claim", "2/0"}, sign...)...)
	tx := field(t, out, "transactions", 0).(map[string]any)
	fee := new(big.Int).Mul(bigOf(t, tx["gasUsed"]), bigOf(t, tx["effectiveGasPrice"]))
	if gained := new(big.Int).Sub(chain.balance(alice.Address), before); gained.Cmp(new(big.Int).Sub(eth("4"), fee)) != 0 {
		t.Errorf("S gained %s, want 4 S - fee %s", gained, fee)
	}
}
