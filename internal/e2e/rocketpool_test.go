package e2e

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// rpRead calls a view of the Rocket Pool contracts through the adapter's
// ABI and returns its uint256.
func (c *chainReader) rpRead(to common.Address, method string, args ...any) *big.Int {
	c.t.Helper()
	a, err := rocketpool.ABI()
	if err != nil {
		c.t.Fatal(err)
	}
	data, err := a.Pack(method, args...)
	if err != nil {
		c.t.Fatal(err)
	}
	out, err := c.ec.CallContract(context.Background(), ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	vals, err := a.Unpack(method, out)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	return vals[0].(*big.Int)
}

// The Rocket Pool cycle on the devnet with the built binary: stake →
// balance (rETH and its rate) → unstake (instant burn; the ETH received) →
// transfer rETH; then the refusals (minimum, capacity, collateral), each
// exit 2 before anything is signed. The devnet's oracle runs (APR 0, so
// the rate holds still and amounts are exact): it assigns the deposit
// pool's 32 ETH lots to validators, which is what makes collateral short.
func TestRocketPoolCycle(t *testing.T) {
	_, w, chain := devnetWallet(t, "devnet", devnet.Config{})
	alice, sign := w.signAs("alice", 6, "--protocol", "rocketpool")
	bob := testAccount(t, 7)
	reth := rocketpool.DevnetRETH

	// stake 1 ETH: rETH = getRethValue(1 ETH − fee)
	fee := new(big.Int).Mul(eth("1"), chain.rpRead(rocketpool.DevnetSettingsDeposit, "getDepositFee"))
	fee.Div(fee, eth("1"))
	wantReth := chain.rpRead(reth, "getRethValue", new(big.Int).Sub(eth("1"), fee))
	ethBefore := chain.balance(alice.Address)
	out := w.MustJSON(append([]string{"stake", "1"}, sign...)...)
	tx := field(t, out, "transactions", 0).(map[string]any)
	if tx["action"] != "stake" || tx["status"] != "success" {
		t.Fatalf("stake tx: %v", tx)
	}
	if desc := tx["description"].(string); !strings.Contains(desc, "~"+amount.FormatUnits(wantReth, 18, "rETH")) || !strings.Contains(desc, "deposit fee "+amount.FormatUnits(fee, 18, "ETH")) {
		t.Errorf("stake description %q: want the rETH expected and the fee", desc)
	}
	held := chain.tokenBalance(reth, alice.Address)
	if held.Cmp(wantReth) != 0 || bigOf(t, field(t, out, "received", "amount")).Cmp(wantReth) != 0 {
		t.Errorf("rETH on-chain %s, received %v, want getRethValue(net) = %s", held, field(t, out, "received"), wantReth)
	}
	if spent := new(big.Int).Sub(ethBefore, chain.balance(alice.Address)); spent.Cmp(eth("1")) <= 0 || spent.Cmp(eth("1.01")) > 0 {
		t.Errorf("ETH spent %s: want 1 ETH plus a small fee", spent)
	}

	// balance: rETH with its exchange rate
	rate := chain.rpRead(reth, "getExchangeRate")
	bal := w.MustJSON("balance", "--signer", "alice")
	found := false
	for _, tok := range field(t, bal, "tokens").([]any) {
		if field(t, tok, "symbol") != "rETH" {
			continue
		}
		found = true
		if bigOf(t, field(t, tok, "amount")).Cmp(held) != 0 || bigOf(t, field(t, tok, "rate", "amount")).Cmp(rate) != 0 {
			t.Errorf("balance rETH %v, want %s at rate %s", tok, held, rate)
		}
	}
	if !found {
		t.Errorf("balance lists no rETH: %v", bal)
	}
	if r := w.Run("", "balance", "--signer", "alice"); r.Code != 0 || !strings.Contains(r.Stdout, "rETH") || !strings.Contains(r.Stdout, amount.FormatUnits(rate, 18, "ETH")) {
		t.Errorf("human balance (exit %d) shows no rETH rate %s:\n%s", r.Code, amount.FormatUnits(rate, 18, "ETH"), r.Stdout)
	}

	// unstake 0.5 rETH: one burn, ETH in the same transaction
	wantEth := chain.rpRead(reth, "getEthValue", eth("0.5"))
	ethBefore = chain.balance(alice.Address)
	out = w.MustJSON(append([]string{"unstake", "0.5"}, sign...)...)
	txs := field(t, out, "transactions").([]any)
	if len(txs) != 1 || field(t, txs[0], "action") != "burn" || field(t, txs[0], "status") != "success" {
		t.Fatalf("unstake transactions: %v", txs)
	}
	if got := bigOf(t, field(t, out, "received", "amount")); got.Cmp(wantEth) != 0 {
		t.Errorf("unstake received %s, want getEthValue(0.5 rETH) = %s", got, wantEth)
	}
	if _, ok := out["requestIds"]; ok {
		t.Errorf("an instant burn left request ids: %v", out["requestIds"])
	}
	if got := chain.tokenBalance(reth, alice.Address); new(big.Int).Sub(held, got).Cmp(eth("0.5")) != 0 {
		t.Errorf("rETH %s → %s, want 0.5 burnt", held, got)
	}
	if gained := new(big.Int).Sub(chain.balance(alice.Address), ethBefore); gained.Sign() <= 0 || gained.Cmp(wantEth) > 0 {
		t.Errorf("ETH balance changed by %s, want %s minus the fee", gained, wantEth)
	}
	if r := w.Run("", append([]string{"unstake", "0.1"}, sign...)...); r.Code != 0 || !strings.Contains(r.Stdout, "received") {
		t.Errorf("human unstake (exit %d) does not show what was received:\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}

	// transfer rETH
	out = w.MustJSON("transfer", "0.1", "rETH", "--to", bob.Address.Hex(), "--signer", "alice", "--password-file", w.Password, "--yes")
	if got := chain.tokenBalance(reth, bob.Address); got.Cmp(eth("0.1")) != 0 {
		t.Errorf("bob holds %s rETH wei after the transfer, want 0.1 rETH (output %v)", got, out)
	}

	// withdrawals: none, it is instant
	if r := w.Run("", "withdrawals", "--protocol", "rocketpool", "--signer", "alice"); r.Code != 2 {
		t.Errorf("withdrawals of an instant protocol: exit %d, want 2\n%s", r.Code, r.Stderr)
	}

	// refusals: exit 2, nothing sent
	refuse := func(what string, args []string, says ...string) {
		t.Helper()
		nonce := chain.nonce(alice.Address)
		r := w.Run("", append(args, sign...)...)
		if r.Code != 2 {
			t.Errorf("%s: exit %d, want 2\nstdout: %s\nstderr: %s", what, r.Code, r.Stdout, r.Stderr)
		}
		for _, s := range says {
			if !strings.Contains(r.Stderr, s) {
				t.Errorf("%s: stderr does not say %q:\n%s", what, s, r.Stderr)
			}
		}
		if got := chain.nonce(alice.Address); got != nonce {
			t.Errorf("%s: nonce %d → %d, want nothing sent", what, nonce, got)
		}
	}
	refuse("below the minimum", []string{"stake", "0.001"}, "minimum deposit of 0.01 ETH")
	room := chain.rpRead(rocketpool.DevnetDepositPool, "getMaximumDepositAmount")
	refuse("above capacity", []string{"stake", "500"}, "takes right now, "+amount.FormatUnits(room, 18, "ETH"))

	// collateral: stake 150 ETH; the oracle assigns the pool's 32 ETH lots
	w.MustJSON(append([]string{"stake", "150"}, sign...)...)
	deadline := time.Now().Add(30 * time.Second)
	for chain.rpRead(rocketpool.DevnetDepositPool, "getExcessBalance").Cmp(eth("32")) >= 0 {
		if time.Now().After(deadline) {
			t.Fatal("the devnet's oracle did not assign the deposit pool's ETH in 30 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	all := chain.tokenBalance(reth, alice.Address)
	avail := chain.rpRead(reth, "getTotalCollateral")
	need := chain.rpRead(reth, "getEthValue", all)
	if avail.Cmp(need) >= 0 {
		t.Fatalf("collateral %s covers burning all (%s): no shortage to refuse", avail, need)
	}
	refuse("collateral short", []string{"unstake", "all"}, "can pay only "+amount.FormatUnits(avail, 18, "ETH"), "not the "+amount.FormatUnits(need, 18, "ETH"), "burn at most")
}

// The Rocket Pool cycle on anvil after `stakewallet-devnet deploy`: the
// network entry names only RocketStorage and rETH (everything else is
// resolved through RocketStorage at run time), `stakewallet-devnet oracle
// --once` reports the balances (the rate rises at the APR) and assigns the
// deposit pool's 32 ETH lots; stake → balance → unstake at the new rate →
// transfer, then the collateral refusal.
func TestAnvilRocketPool(t *testing.T) {
	a := deployToAnvil(t, "devnet", "anvil", []string{"rocketpool"})
	w, chain := a.w, a.c
	rp := a.dep.Protocols["rocketpool"]
	if len(rp) != 2 || !common.IsHexAddress(rp["storage"]) || !common.IsHexAddress(rp["reth"]) {
		t.Fatalf("deploy --json: rocketpool %v, want storage and reth only", rp)
	}
	oracleOnce := func() {
		t.Helper()
		a.oracle(t, "--bonding-period", "1s", "--apr", "4")
	}
	reth := common.HexToAddress(rp["reth"])
	alice, sign := w.signAs("alice", 2)
	bob := testAccount(t, 3)

	w.MustJSON(append([]string{"stake", "1"}, sign...)...)
	held := chain.tokenBalance(reth, alice.Address)
	if held.Sign() <= 0 {
		t.Fatal("stake minted no rETH")
	}
	rate0 := chain.rpRead(reth, "getExchangeRate")
	oracleOnce()
	rate1 := chain.rpRead(reth, "getExchangeRate")
	if rate1.Cmp(rate0) <= 0 {
		t.Fatalf("the oracle's report left the rate at %s (was %s)", rate1, rate0)
	}
	bal := w.MustJSON("balance", "--signer", "alice")
	if got := bigOf(t, field(t, bal, "tokens", 0, "rate", "amount")); field(t, bal, "tokens", 0, "symbol") != "rETH" || got.Cmp(rate1) != 0 {
		t.Errorf("balance: %v, want rETH at rate %s", field(t, bal, "tokens"), rate1)
	}

	wantEth := chain.rpRead(reth, "getEthValue", eth("0.5"))
	out2 := w.MustJSON(append([]string{"unstake", "0.5"}, sign...)...)
	if got := bigOf(t, field(t, out2, "received", "amount")); got.Cmp(wantEth) != 0 {
		t.Errorf("unstake received %s, want getEthValue(0.5 rETH) at the new rate = %s", got, wantEth)
	}
	w.MustJSON(append([]string{"transfer", "0.1", "rETH", "--to", bob.Address.Hex()}, sign...)...)
	if got := chain.tokenBalance(reth, bob.Address); got.Cmp(eth("0.1")) != 0 {
		t.Errorf("bob holds %s rETH wei, want 0.1 rETH", got)
	}

	w.MustJSON(append([]string{"stake", "150"}, sign...)...)
	oracleOnce()
	all := chain.tokenBalance(reth, alice.Address)
	if avail, need := chain.rpRead(reth, "getTotalCollateral"), chain.rpRead(reth, "getEthValue", all); avail.Cmp(need) >= 0 {
		t.Fatalf("collateral %s covers burning all (%s) after the oracle assigned the pool", avail, need)
	}
	nonce := chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"unstake", "all"}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "can pay only") {
		t.Errorf("unstake all with short collateral: exit %d, want 2 saying what can be paid\n%s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("the refused unstake sent a transaction")
	}
}

// Rocket Pool signed on the emulated Ledger: the Ethereum app has no
// clear-signing descriptor for deposit()/burn here, so both are
// blind-signed, and the preview and stderr say so.
func TestLedgerRocketPool(t *testing.T) {
	_, w, chain := devnetWallet(t, "devnet", devnet.Config{})
	emu, transport := startLedger(t, ledgeremu.Options{BlindSigning: true})
	me := testAccount(t, 0).Address
	reth := rocketpool.DevnetRETH
	sign := []string{"--protocol", "rocketpool", "--signer", "ledger", "--ledger-transport", transport}

	r := w.Run("", append([]string{"stake", "1", "--dry-run"}, sign...)...)
	if r.Code != 0 {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	for _, want := range []string{"Deposit 1 ETH into Rocket Pool for ~", "deposit fee", "blind-signed"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("preview lacks %q:\n%s", want, r.Stdout)
		}
	}

	for _, step := range []struct {
		args   []string
		action string
	}{
		{[]string{"stake", "1"}, "stake"},
		{[]string{"unstake", "0.5"}, "burn"},
	} {
		before := chain.tokenBalance(reth, me)
		r := w.Run("", append(append(step.args, "--json", "--yes"), sign...)...)
		if r.Code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", step.args, r.Code, r.Stdout, r.Stderr)
		}
		out := r.JSON(t)
		if field(t, out, "transactions", 0, "action") != step.action || field(t, out, "transactions", 0, "status") != "success" {
			t.Fatalf("%v: %v", step.args, out)
		}
		if !strings.Contains(r.Stderr, "blind-signed") {
			t.Errorf("%v: no blind-signing notice on stderr:\n%s", step.args, r.Stderr)
		}
		if sc := lastScreen(t, emu); sc.Address != me || !sc.Blind || !sc.Approved || sc.ChainID.Int64() != 1337 {
			t.Errorf("%v: device showed %+v", step.args, sc)
		}
		if after := chain.tokenBalance(reth, me); after.Cmp(before) == 0 {
			t.Errorf("%v: rETH balance unchanged at %s", step.args, after)
		}
	}
}

// TestRocketPoolRoundTrips bounds the JSON-RPC round trips of Rocket
// Pool's commands, counted by the proxy: stake is the adapter's one read
// (RocketStorage's addresses with the fee and the balances for the
// preview), the wallet's batch (with the three Checks) and the send;
// unstake is the adapter's one read (getEthValue for the preview and the
// collateral Check), the batch, the send and the wallet's read of the ETH
// received. (balance covers every protocol of the network, Lido's requests
// too: its count is TestRoundTrips'; rETH's rate is a read in its batch,
// see RateCall in pkg/protocol/rocketpool.)
func TestRocketPoolRoundTrips(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{})
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	_, sign := w.signAs("alice", 8, "--protocol", "rocketpool")
	proxy := rpcproxy.Start(t, d.HTTPEndpoint())
	for _, tt := range []struct {
		args []string
		want int
	}{
		{append([]string{"stake", "1"}, sign...), 3},
		{append([]string{"unstake", "0.5"}, sign...), 4},
		{append([]string{"transfer", "0.1", "rETH", "--to", testAccount(t, 9).Address.Hex()}, sign[2:]...), 2},
	} {
		_, tr := measure(t, w, proxy, tt.args...)
		t.Logf("%s: %s", tt.args[0], tr)
		if tr.requests > tt.want {
			t.Errorf("%s: %s, want at most %d", tt.args[0], tr, tt.want)
		}
	}
}
