package e2e

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	bnbmodel "github.com/stakewallet/stakewallet/internal/devnet/models/bnb"
	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
	"github.com/stakewallet/stakewallet/pkg/protocol/bnb"
)

// TestBNBCycle drives the built binary through BNB Chain native staking on
// devnet-bsc, every step checked on-chain: validators (monikers, statuses,
// credits), stake with --validator given as a moniker prefix (delegate →
// the validator's credit shares), the refusals before anything is signed
// (unknown, ambiguous and jailed validators, below the minimum delegation,
// a later request claimed before an earlier one, a credit transfer), unstake
// in BNB and "all" (undelegate by shares → request ids), withdrawals with
// their unlock times, withdrawals wait --claim (claim(operator, n)) and the
// BNB balance after.
//
// Bonding period 5 s: the StakeHub's unbondPeriod (see
// internal/devnet/models/bnb); the devnet's oracle makes the blocks that
// end it. APR 0, so one share is worth 1 BNB exactly.
func TestBNBCycle(t *testing.T) {
	_, w, chain := devnetWallet(t, "devnet-bsc", devnet.Config{BondingPeriod: 5 * time.Second})
	alice, sign := w.signAs("alice", 0)
	bob := testAccount(t, 1)
	alpha := bnbmodel.Operator(1).Hex()
	credit := bnb.DevnetCredit(1)

	// validators: the genesis set (bnb is devnet-bsc's default protocol).
	out := w.MustJSON("validators")
	vs := field(t, out, "validators").([]any)
	if len(vs) != len(bnbmodel.Validators) {
		t.Fatalf("validators: %v", out)
	}
	wantStatus := map[string]string{"Alpha": "active", "Ankr": "active", "Binance": "active", "Certik": "jailed", "Defibit": "inactive"}
	for i, v := range vs {
		m := bnbmodel.Validators[i]
		if field(t, v, "id") != bnbmodel.Operator(i+1).Hex() || field(t, v, "moniker") != m.Moniker || field(t, v, "status") != wantStatus[m.Moniker] ||
			field(t, v, "credit") != bnb.DevnetCredit(i+1).Hex() || field(t, v, "creditSymbol") != "st"+m.Moniker ||
			bigOf(t, field(t, v, "stake")).Cmp(eth(big.NewInt(m.SelfStake).String())) != 0 {
			t.Errorf("validator %d: %v", i, v)
		}
	}
	if r := w.Run("", "validators"); r.Code != 0 || !strings.Contains(r.Stdout, "Certik") || !strings.Contains(r.Stdout, "jailed") {
		t.Errorf("validators (human): exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}

	// Refused before anything is signed (exit 2), naming the candidates.
	nonce := chain.nonce(alice.Address)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stake", "2", "--validator", "zeta"}, "unknown validator"},
		{[]string{"stake", "2", "--validator", "a"}, "ambiguous"},
		{[]string{"stake", "2", "--validator", "certik"}, "jailed"},
		{[]string{"stake", "2", "--validator", bnbmodel.Operator(4).Hex()}, "jailed"},
		{[]string{"stake", "2", "--validator", "0x000000000000000000000000000000000000dEaD"}, "not a BNB Chain validator"},
		{[]string{"stake", "0.5", "--validator", "Alpha"}, "at least 1 BNB"},
		{[]string{"stake", "2"}, "--validator"},
		{[]string{"unstake", "1", "--validator", "0x000000000000000000000000000000000000dEaD"}, "unknown validator"},
	} {
		r := w.Run("", append(c.args, sign...)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", c.args, r.Code, r.Stderr, c.want)
		}
		if c.want == "ambiguous" && !(strings.Contains(r.Stderr, "Alpha") && strings.Contains(r.Stderr, "Ankr")) {
			t.Errorf("the ambiguous --validator a does not list Alpha and Ankr: %s", r.Stderr)
		}
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("a refused command sent a transaction")
	}

	// stake 10 BNB with Alpha, by moniker prefix: 10 shares of stAlpha.
	before := chain.balance(alice.Address)
	out = w.MustJSON(append([]string{"stake", "10", "--validator", "alp"}, sign...)...)
	if tx := field(t, out, "transactions", 0).(map[string]any); tx["status"] != "success" {
		t.Fatalf("stake: %v", out)
	}
	if got := chain.tokenBalance(credit, alice.Address); got.Cmp(eth("10")) != 0 {
		t.Fatalf("stAlpha after staking 10 BNB: %s", got)
	}
	if spent := new(big.Int).Sub(before, chain.balance(alice.Address)); spent.Cmp(eth("10")) <= 0 || spent.Cmp(eth("10.01")) > 0 {
		t.Errorf("BNB spent %s: want 10 plus a small fee", spent)
	}

	// Credits cannot be transferred: refused by symbol and by address.
	for _, ref := range []string{"stAlpha", credit.Hex()} {
		if r := w.Run("", append([]string{"transfer", "1", ref, "--to", bob.Address.Hex()}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "cannot be transferred") {
			t.Errorf("transfer %s: exit %d, %s", ref, r.Code, r.Stderr)
		}
	}

	// unstake 4 BNB from Alpha (by id): one undelegate, one request.
	out = w.MustJSON(append([]string{"unstake", "4", "--validator", alpha}, sign...)...)
	ids := field(t, out, "requestIds").([]any)
	if len(ids) != 1 || ids[0] != alpha+"/0" || field(t, out, "transactions", 0, "action") != "unstake" {
		t.Fatalf("unstake: %v", out)
	}
	if got := chain.tokenBalance(credit, alice.Address); got.Cmp(eth("6")) != 0 {
		t.Errorf("stAlpha after unstaking 4 BNB: %s", got)
	}
	list := w.MustJSON("withdrawals", "--owner", alice.Address.Hex())
	ws := field(t, list, "withdrawals").([]any)
	if len(ws) != 1 || field(t, ws[0], "id") != ids[0] || bigOf(t, field(t, ws[0], "amount")).Cmp(eth("4")) != 0 || field(t, ws[0], "status") != "pending" {
		t.Fatalf("withdrawals: %v", ws)
	}
	claimableAt, err1 := time.Parse(time.RFC3339, field(t, ws[0], "claimableAt").(string))
	requestedAt, err2 := time.Parse(time.RFC3339, field(t, ws[0], "requestedAt").(string))
	if err1 != nil || err2 != nil || claimableAt.Sub(requestedAt) != 5*time.Second {
		t.Errorf("requested %v, claimable at %v: want +5 s (unbondPeriod)", requestedAt, claimableAt)
	}

	// unstake all of the rest: the whole stAlpha balance, a second request.
	out = w.MustJSON(append([]string{"unstake", "all", "--validator", "Alpha"}, sign...)...)
	ids2 := field(t, out, "requestIds").([]any)
	if len(ids2) != 1 || ids2[0] != alpha+"/1" {
		t.Fatalf("unstake all: %v", out)
	}
	if got := chain.tokenBalance(credit, alice.Address); got.Sign() != 0 {
		t.Errorf("stAlpha after unstaking all: %s", got)
	}
	// The second request waits for the first: claiming it alone is refused.
	nonce = chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"claim", ids2[0].(string)}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "pending") {
		t.Errorf("claim of the later request: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("the refused claim sent a transaction")
	}

	// withdrawals wait --claim: both requests, claimed in order.
	before = chain.balance(alice.Address)
	waitClaim(t, w, chain, alice.Address, eth("10"), append([]string{ids[0].(string), ids2[0].(string), "--interval", "500ms", "--timeout", "60s"}, sign...)...)
	// A second claim is refused before anything is sent.
	nonce = chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"claim", ids[0].(string)}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "already claimed") {
		t.Errorf("second claim: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("second claim sent a transaction")
	}
	claimOrder(t, w, chain, sign, alice.Address)

	bal := w.MustJSON("balance", alice.Address.Hex())
	t.Logf("balance: %s", mustMarshal(t, bal))
	// The delegation left by claimOrder: 3 BNB with Ankr less 2 unstaked,
	// worth at least that (the share price rounds down by at most 1 wei,
	// the oracle's rewards compound into it); no separate rewards.
	var ankr string
	for i, v := range bnbmodel.Validators {
		if v.Moniker == "Ankr" {
			ankr = bnbmodel.Operator(i + 1).Hex()
		}
	}
	ds, _ := field(t, bal, "delegations").([]any)
	if len(ds) != 1 || field(t, ds[0], "protocol") != "bnb" || field(t, ds[0], "validator") != ankr {
		t.Errorf("delegations %v: want one, bnb validator %s (Ankr)", ds, ankr)
	} else if staked := bigOf(t, field(t, ds[0], "staked", "amount")); staked.Cmp(new(big.Int).Sub(eth("1"), big.NewInt(1))) < 0 || staked.Cmp(eth("1.01")) > 0 {
		t.Errorf("staked with Ankr %s: want about 1 BNB", staked)
	} else if _, ok := ds[0].(map[string]any)["rewards"]; ok {
		t.Errorf("delegation %v: BNB compounds its rewards, want no rewards field", ds[0])
	}
	if got := chain.balance(alice.Address); got.Cmp(new(big.Int).Sub(before, eth("1"))) < 0 {
		t.Errorf("alice's BNB %s", got)
	}
}

// claimOrder: with the unbond period shortened between two undelegations
// (governance may do so), the later request unlocks first by its own time,
// but the StakeHub pays a validator's requests in order: it stays pending,
// its claimableAt is the earlier one's unlock, and claiming it is refused
// before anything is signed.
func claimOrder(t *testing.T, w *Wallet, chain *chainReader, sign []string, owner common.Address) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	oracle, err := devtx.NewSender(ctx, chain.ec, devkeys.Oracle().PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	hub, err := contracts.Load(bnbmodel.NameStakeHub)
	if err != nil {
		t.Fatal(err)
	}
	setPeriod := func(seconds int64) {
		data, err := hub.ABI.Pack("updateParam", "unbondPeriod", common.BigToHash(big.NewInt(seconds)).Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := oracle.Send(ctx, &bnb.DevnetStakeHub, new(big.Int), data); err != nil {
			t.Fatal(err)
		}
	}
	w.MustJSON(append([]string{"stake", "3", "--validator", "ankr"}, sign...)...)
	setPeriod(20)
	first := field(t, w.MustJSON(append([]string{"unstake", "1", "--validator", "ankr"}, sign...)...), "requestIds", 0).(string)
	setPeriod(1)
	second := field(t, w.MustJSON(append([]string{"unstake", "1", "--validator", "ankr"}, sign...)...), "requestIds", 0).(string)
	setPeriod(5)
	time.Sleep(3 * time.Second) // the second's own unlock passes (the oracle mines a block for it)
	list := w.MustJSON("withdrawals", "--owner", owner.Hex())
	rows := map[string]any{}
	for _, row := range field(t, list, "withdrawals").([]any) {
		rows[field(t, row, "id").(string)] = row
	}
	if rows[first] == nil || rows[second] == nil || field(t, rows[first], "status") != "pending" || field(t, rows[second], "status") != "pending" ||
		field(t, rows[second], "claimableAt") != field(t, rows[first], "claimableAt") {
		t.Errorf("withdrawals %s, %s: want both pending, the second claimable when the first is: %s", first, second, mustMarshal(t, list))
	}
	nonce := chain.nonce(owner)
	if r := w.Run("", append([]string{"claim", second}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "pending") {
		t.Errorf("claim of %s before %s: exit %d, %s", second, first, r.Code, r.Stderr)
	}
	if chain.nonce(owner) != nonce {
		t.Error("the refused claim sent a transaction")
	}
}

// TestBNBAnvilCycle: the same cycle on anvil after `stakewallet-devnet
// deploy --chain devnet-bsc` (the StakeHub at an address of the deployment,
// not the system address: the config entry is built from deploy's JSON),
// the model's oracle run with --once, and the unbond period crossed with
// anvil's clock.
func TestBNBAnvilCycle(t *testing.T) {
	const bonding = 72 * time.Hour
	a := deployToAnvil(t, "devnet-bsc", "anvil-bsc", []string{"bnb"}, anvil.WithChainID(714))
	node, w, chain := a.node, a.w, a.c
	if a.dep.ChainID != 714 || a.dep.Protocols["bnb"]["stakeHub"] == "" {
		t.Fatalf("deploy --json: %+v", a.dep)
	}
	a.oracle(t, "--bonding-period", bonding.String())
	// Account 0 deployed the models and is their oracle; the user is 2.
	alice, sign := w.signAs("alice", 2)

	vs := field(t, w.MustJSON("validators"), "validators").([]any)
	if len(vs) != len(bnbmodel.Validators) || field(t, vs[3], "status") != "jailed" {
		t.Fatalf("validators on anvil: %v", vs)
	}
	credit := common.HexToAddress(field(t, vs[0], "credit").(string))
	w.MustJSON(append([]string{"stake", "10", "--validator", "alpha"}, sign...)...)
	if got := chain.tokenBalance(credit, alice.Address); got.Sign() <= 0 {
		t.Fatalf("stAlpha after staking 10 BNB: %s", got)
	}
	out := w.MustJSON(append([]string{"unstake", "4", "--validator", "alpha"}, sign...)...)
	id := field(t, out, "requestIds", 0).(string)
	list := w.MustJSON("withdrawals", "--owner", alice.Address.Hex())
	if st := field(t, list, "withdrawals", 0, "status"); st != "pending" {
		t.Fatalf("before the unbond period: %v", list)
	}
	amount := bigOf(t, field(t, list, "withdrawals", 0, "amount"))
	nonce := chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"claim", id}, sign...)...); r.Code != 2 || chain.nonce(alice.Address) != nonce {
		t.Errorf("claim before the unbond period: exit %d (nonce %d → %d), %s", r.Code, nonce, chain.nonce(alice.Address), r.Stderr)
	}

	node.IncreaseTime(t, bonding+time.Hour)
	node.Mine(t, 1)
	list = w.MustJSON("withdrawals", "--owner", alice.Address.Hex())
	if st := field(t, list, "withdrawals", 0, "status"); st != "claimable" {
		t.Fatalf("after the unbond period: %v", list)
	}
	before := chain.balance(alice.Address)
	out = w.MustJSON(append([]string{"claim", id}, sign...)...)
	tx := field(t, out, "transactions", 0).(map[string]any)
	fee := new(big.Int).Mul(bigOf(t, tx["gasUsed"]), bigOf(t, tx["effectiveGasPrice"]))
	if gained := new(big.Int).Sub(chain.balance(alice.Address), before); gained.Cmp(new(big.Int).Sub(amount, fee)) != 0 {
		t.Errorf("BNB gained %s, want the request's %s - fee %s", gained, amount, fee)
	}
}
