package e2e

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// startDevnet runs the in-process devnet on a free loopback port. Rewards
// are off (APR 0) so that balances are exact; internal/devnet tests accrual.
func startDevnet(t *testing.T, bonding time.Duration) string {
	t.Helper()
	return startDevnetWith(t, devnet.Config{BondingPeriod: bonding}).HTTPEndpoint()
}

func testAccount(t *testing.T, i int) devkeys.Account {
	t.Helper()
	a, err := devkeys.TestAccount(i)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The demo cycle on the devnet: stake → balance → unstake → withdrawals
// wait → claim → transfer, every step checked on-chain.
func TestDevnetCycle(t *testing.T) {
	url := startDevnet(t, 3*time.Second)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	alice, bob := testAccount(t, 0), testAccount(t, 1)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	steth := lido.DevnetStETH

	// stake 1 ETH
	ethBefore := chain.balance(alice.Address)
	out := w.MustJSON(append([]string{"stake", "1"}, sign...)...)
	if field(t, out, "action") != "stake" || field(t, out, "from") != alice.Address.Hex() || bigOf(t, field(t, out, "amount")).Cmp(eth("1")) != 0 {
		t.Fatalf("stake output: %v", out)
	}
	tx := field(t, out, "transactions", 0).(map[string]any)
	if tx["status"] != "success" || !strings.HasPrefix(tx["txHash"].(string), "0x") {
		t.Fatalf("stake tx: %v", tx)
	}
	received := bigOf(t, field(t, out, "received", "amount"))
	if !near(received, eth("1"), 2) {
		t.Errorf("received %s stETH wei, want ~1e18", received)
	}
	onChain := chain.tokenBalance(steth, alice.Address)
	if !near(onChain, eth("1"), 2) {
		t.Errorf("stETH balance on-chain %s, want ~1e18", onChain)
	}
	spent := new(big.Int).Sub(ethBefore, chain.balance(alice.Address))
	if spent.Cmp(eth("1")) <= 0 || spent.Cmp(eth("1.01")) > 0 {
		t.Errorf("ETH spent %s: want 1 ETH plus a small fee", spent)
	}

	// balance
	bal := w.MustJSON("balance", "--signer", "alice")
	if bigOf(t, field(t, bal, "tokens", 0, "amount")).Cmp(onChain) < 0 {
		t.Errorf("balance shows %v, on-chain %s", field(t, bal, "tokens", 0), onChain)
	}

	// unstake 0.5 --no-permit: approve + requestWithdrawals (with a
	// permit, one transaction: permit_test.go)
	out = w.MustJSON(append([]string{"unstake", "0.5", "--no-permit"}, sign...)...)
	txs := field(t, out, "transactions").([]any)
	if len(txs) != 2 || field(t, txs[0], "action") != "approve" || field(t, txs[1], "action") != "requestWithdrawals" {
		t.Fatalf("unstake transactions: %v", txs)
	}
	ids := field(t, out, "requestIds").([]any)
	if len(ids) != 1 {
		t.Fatalf("requestIds = %v", ids)
	}
	id := ids[0].(string)

	list := w.MustJSON("withdrawals", "--owner", alice.Address.Hex())
	ws := field(t, list, "withdrawals").([]any)
	if len(ws) != 1 || field(t, ws[0], "id") != id || bigOf(t, field(t, ws[0], "amount")).Cmp(eth("0.5")) != 0 {
		t.Fatalf("withdrawals: %v", ws)
	}
	if st := field(t, ws[0], "status"); st != "pending" && st != "claimable" {
		t.Errorf("status right after the request = %v", st)
	}

	// wait for the oracle to finalize it
	out = w.MustJSON("withdrawals", "wait", id, "--signer", "alice", "--interval", "500ms", "--timeout", "60s")
	if st := field(t, out, "withdrawals", 0, "status"); st != "claimable" {
		t.Fatalf("after wait: %v", out)
	}
	claimable := bigOf(t, field(t, out, "withdrawals", 0, "claimable"))
	if claimable.Sign() <= 0 || claimable.Cmp(eth("0.5")) > 0 {
		t.Errorf("claimable %s, want (0, 0.5 ETH]", claimable)
	}

	// claim
	ethBefore = chain.balance(alice.Address)
	out = w.MustJSON(append([]string{"claim"}, sign...)...)
	if got := field(t, out, "requestIds").([]any); len(got) != 1 || got[0] != id {
		t.Fatalf("claimed ids %v", got)
	}
	claimTx := field(t, out, "transactions", 0).(map[string]any)
	if claimTx["status"] != "success" {
		t.Fatalf("claim tx %v", claimTx)
	}
	gained := new(big.Int).Sub(chain.balance(alice.Address), ethBefore)
	fee := new(big.Int).Mul(bigOf(t, claimTx["gasUsed"]), bigOf(t, claimTx["effectiveGasPrice"]))
	if want := new(big.Int).Sub(claimable, fee); gained.Cmp(want) != 0 {
		t.Errorf("ETH gained %s, want claimable %s - fee %s", gained, claimable, fee)
	}
	found := false
	for _, ev := range claimTx["events"].([]any) {
		if field(t, ev, "name") == "WithdrawalClaimed" {
			found = true
			if got := bigOf(t, field(t, ev, "args", "amountOfETH")); got.Cmp(claimable) != 0 {
				t.Errorf("WithdrawalClaimed amountOfETH %s, want %s", got, claimable)
			}
		}
	}
	if !found {
		t.Errorf("no WithdrawalClaimed event in %v", claimTx["events"])
	}
	// Lido burns the unstETH NFT on claim, so the request leaves the
	// owner's list; claiming it again is refused before anything is sent.
	list = w.MustJSON("withdrawals", "--owner", alice.Address.Hex())
	if ws := field(t, list, "withdrawals").([]any); len(ws) != 0 {
		t.Errorf("withdrawals after claim: %v", ws)
	}
	nonce := chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"claim", id}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "already claimed") {
		t.Errorf("second claim: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("second claim sent a transaction")
	}

	// transfer 0.1 stETH to bob
	bobBefore := chain.tokenBalance(steth, bob.Address)
	out = w.MustJSON(append([]string{"transfer", "0.1", "stETH", "--to", bob.Address.Hex()}, sign...)...)
	if field(t, out, "to") != bob.Address.Hex() {
		t.Errorf("transfer output %v", out)
	}
	if got := new(big.Int).Sub(chain.tokenBalance(steth, bob.Address), bobBefore); !near(got, eth("0.1"), 2) {
		t.Errorf("bob received %s stETH wei, want ~0.1", got)
	}

	// wrap and unwrap
	out = w.MustJSON(append([]string{"wrap", "0.2"}, sign...)...)
	wrapped := bigOf(t, field(t, out, "received", "amount"))
	if onChain := chain.tokenBalance(lido.DevnetWstETH, alice.Address); wrapped.Sign() <= 0 || onChain.Cmp(wrapped) != 0 {
		t.Errorf("wrap received %s, wstETH on-chain %s", wrapped, onChain)
	}
	out = w.MustJSON(append([]string{"unwrap", "all"}, sign...)...)
	if got := bigOf(t, field(t, out, "received", "amount")); !near(got, eth("0.2"), 2) {
		t.Errorf("unwrap received %s stETH wei, want ~0.2", got)
	}
	if onChain := chain.tokenBalance(lido.DevnetWstETH, alice.Address); onChain.Sign() != 0 {
		t.Errorf("wstETH left after unwrap all: %s", onChain)
	}
}
