package e2e

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	polymodel "github.com/stakewallet/stakewallet/internal/devnet/models/polygon"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol/polygon"
)

// TestPolygonCycle drives the built binary through Polygon POL delegation
// on the devnet (Ethereum, chain 1337), every step checked on-chain:
// validators (ids, statuses, share tokens), the refusals before anything is
// signed (jailed and unknown validators), stake --validator 1 (approve +
// buyVoucherPOL: two transactions; one when an earlier approve covers the
// amount), unstake (sellVoucher_newPOL → request id 1/1), a claim before
// the withdrawal delay (refused with the epoch it becomes claimable),
// withdrawals wait --claim (unstakeClaimTokens_newPOL) and balance showing
// the POL back.
//
// Bonding period 20 s: the model's withdrawal delay is then 4 checkpoints,
// sealed every 5 s by the devnet's oracle (internal/devnet/models/polygon),
// so a fresh unbond stays pending for 15 to 20 s.
func TestPolygonCycle(t *testing.T) {
	url, w, chain := devnetWallet(t, "devnet", devnet.Config{BondingPeriod: 20 * time.Second})
	alice, sign := w.signAs("alice", 0, "--protocol", "polygon")
	share := polygon.DevnetValidatorShare(1)
	polBal := func() *big.Int { return chain.tokenBalance(polygon.DevnetPOL, alice.Address) }

	// validators: ids 1..3, the third jailed.
	out := w.MustJSON("validators", "--protocol", "polygon")
	vs := field(t, out, "validators").([]any)
	if len(vs) != len(polymodel.Validators) {
		t.Fatalf("validators: %v", out)
	}
	for i, v := range vs {
		m := polymodel.Validators[i]
		status := "active"
		if m.Locked {
			status = "jailed"
		}
		if field(t, v, "id") != big.NewInt(int64(i+1)).String() || field(t, v, "status") != status ||
			field(t, v, "credit") != polygon.DevnetValidatorShare(i+1).Hex() ||
			bigOf(t, field(t, v, "stake")).Cmp(eth(big.NewInt(m.SelfStake).String())) != 0 {
			t.Errorf("validator %d: %v", i+1, v)
		}
	}

	// Refused before anything is signed (exit 2).
	nonce := chain.nonce(alice.Address)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stake", "1", "--validator", "3"}, "jailed"},
		{[]string{"stake", "1", "--validator", "9"}, "9"},
		{[]string{"stake", "1"}, "--validator"},
	} {
		r := w.Run("", append(c.args, sign...)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", c.args, r.Code, r.Stderr, c.want)
		}
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("a refused command sent a transaction")
	}

	// stake 100 POL with validator 1: approve + buyVoucherPOL.
	start := polBal()
	out = w.MustJSON(append([]string{"stake", "100", "--validator", "1"}, sign...)...)
	txs := field(t, out, "transactions").([]any)
	if len(txs) != 2 || field(t, txs[0], "action") != "approve" || field(t, txs[1], "action") != "stake" || field(t, txs[1], "status") != "success" {
		t.Fatalf("stake: %v", out)
	}
	if got := chain.tokenBalance(share, alice.Address); got.Cmp(eth("100")) != 0 {
		t.Fatalf("shares of validator 1 after staking 100 POL: %s", got)
	}
	if spent := new(big.Int).Sub(start, polBal()); spent.Cmp(eth("100")) != 0 {
		t.Errorf("POL spent %s, want 100", spent)
	}

	// An earlier approve of 50 POL covers a stake of 20: one transaction.
	approveFor(t, url, alice.PrivateKey, eth("50"))
	out = w.MustJSON(append([]string{"stake", "20", "--validator", "1"}, sign...)...)
	if txs := field(t, out, "transactions").([]any); len(txs) != 1 || field(t, txs[0], "action") != "stake" {
		t.Fatalf("stake within the allowance: %v", out)
	}
	if got := chain.tokenBalance(share, alice.Address); got.Cmp(eth("120")) != 0 {
		t.Fatalf("shares after the second stake: %s", got)
	}

	// Shares are not transferred by the wallet (their ERC-20 transfer pays
	// rewards in MATIC): refused by address, before anything is signed.
	nonce = chain.nonce(alice.Address)
	bob := testAccount(t, 1)
	r := w.Run("", "transfer", "1", share.Hex(), "--to", bob.Address.Hex(), "--signer", "alice", "--password-file", w.Password, "--yes")
	if r.Code != 2 || !strings.Contains(r.Stderr, "cannot be transferred") {
		t.Errorf("transfer of validator shares: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("the refused transfer sent a transaction")
	}

	// unstake 30 POL: one request, 1/1.
	out = w.MustJSON(append([]string{"unstake", "30", "--validator", "1"}, sign...)...)
	ids := field(t, out, "requestIds").([]any)
	if len(ids) != 1 || ids[0] != "1/1" {
		t.Fatalf("unstake: %v", out)
	}
	if s := mustMarshal(t, out); !strings.Contains(s, "POL") || strings.Contains(s, "ETH\"") {
		t.Errorf("unstake 30 is not named in POL: %s", s)
	}
	if got := chain.tokenBalance(share, alice.Address); got.Cmp(eth("90")) != 0 {
		t.Errorf("shares after unstaking 30 POL: %s", got)
	}
	list := w.MustJSON("withdrawals", "--protocol", "polygon", "--owner", alice.Address.Hex())
	ws := field(t, list, "withdrawals").([]any)
	if len(ws) != 1 || field(t, ws[0], "id") != "1/1" || bigOf(t, field(t, ws[0], "amount")).Cmp(eth("30")) != 0 {
		t.Fatalf("withdrawals: %v", ws)
	}

	// A claim before the delay is refused with the epoch it becomes
	// claimable at.
	if st := field(t, ws[0], "status"); st != "pending" {
		t.Errorf("fresh request: status %v, want pending", st)
	}
	nonce = chain.nonce(alice.Address)
	r = w.Run("", append([]string{"claim", "1/1"}, sign...)...)
	if r.Code != 2 || !strings.Contains(r.Stderr, "claimable at epoch") {
		t.Errorf("early claim: exit %d, %s; want exit 2 naming the epoch", r.Code, r.Stderr)
	}
	t.Logf("early claim: %s", strings.TrimSpace(r.Stderr))
	if chain.nonce(alice.Address) != nonce {
		t.Error("the refused claim sent a transaction")
	}

	// withdrawals wait --claim: the POL comes back.
	before := polBal()
	r = w.Run("", append([]string{"withdrawals", "wait", "1/1", "--claim", "--interval", "500ms", "--timeout", "90s", "--json"}, sign...)...)
	if r.Code != 0 || field(t, r.JSON(t), "withdrawals", 0, "status") != "claimed" {
		t.Fatalf("wait --claim: exit %d\nstdout: %s\nstderr: %s", r.Code, r.Stdout, r.Stderr)
	}
	if gained := new(big.Int).Sub(polBal(), before); gained.Cmp(eth("30")) < 0 || gained.Cmp(eth("31")) > 0 {
		t.Errorf("POL gained by the claim %s: want 30 (and any rewards)", gained)
	}
	// balance shows POL, as the chain has it.
	bal := w.MustJSON("balance", alice.Address.Hex())
	s := mustMarshal(t, bal)
	if !strings.Contains(s, "POL") {
		t.Errorf("balance does not show POL: %s", s)
	}
	t.Logf("balance: %s", s)

	// restake (issue 12): unstake 10 POL more, wait until claimable, then
	// restake --keep 1: it claims 10 POL and stakes the claimed POL minus
	// --keep (9 POL, in POL, capped by the POL balance) back to validator 1.
	out = w.MustJSON(append([]string{"unstake", "10", "--validator", "1"}, sign...)...)
	if ids := field(t, out, "requestIds").([]any); len(ids) != 1 || ids[0] != "1/2" {
		t.Fatalf("second unstake: %v", out)
	}
	if r := w.Run("", "withdrawals", "wait", "1/2", "--protocol", "polygon", "--owner", alice.Address.Hex(), "--interval", "500ms", "--timeout", "90s"); r.Code != 0 {
		t.Fatalf("wait for 1/2: exit %d\n%s", r.Code, r.Stderr)
	}
	sharesBefore := chain.tokenBalance(share, alice.Address)
	out = w.MustJSON(append([]string{"restake", "--keep", "1"}, sign...)...)
	claimed := bigOf(t, field(t, out, "claimed", "amount"))
	staked := bigOf(t, field(t, out, "staked", "amount"))
	if field(t, out, "symbol") != "POL" || bigOf(t, field(t, out, "keep")).Cmp(eth("1")) != 0 ||
		claimed.Cmp(eth("10")) < 0 || claimed.Cmp(eth("11")) > 0 || staked.Cmp(new(big.Int).Sub(claimed, eth("1"))) != 0 {
		t.Fatalf("restake: want the claimed POL (10, and any rewards) minus --keep 1 staked: %v", out)
	}
	if got := new(big.Int).Sub(chain.tokenBalance(share, alice.Address), sharesBefore); got.Cmp(staked) != 0 {
		t.Errorf("shares gained by restake %s, want %s (the POL staked)", got, staked)
	}
	t.Logf("restake: %v", field(t, out, "message"))
}

// approveFor approves amount of POL to the StakeManager from key's account.
func approveFor(t *testing.T, url string, key *ecdsa.PrivateKey, amount *big.Int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	client, err := ethclient.DialContext(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sender, err := devtx.NewSender(ctx, client, key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := erc20.ABI.Pack("approve", polygon.DevnetStakeManager, amount)
	if err != nil {
		t.Fatal(err)
	}
	to := polygon.DevnetPOL
	if _, err := sender.Send(ctx, &to, new(big.Int), data); err != nil {
		t.Fatalf("approve POL: %v", err)
	}
}

// The Polygon cycle on anvil after `stakewallet-devnet deploy`: the network
// entry names the StakeManager, POL and the RootChain; `stakewallet-devnet
// oracle --once` scales the withdrawal delay to the bonding period (1 s: one
// checkpoint) and seals a checkpoint when one is due; the clock is moved
// with evm_increaseTime. stake (approve + buy) → unstake → a claim refused
// with its epoch → a checkpoint → claim → the POL back.
func TestPolygonAnvilCycle(t *testing.T) {
	a := deployToAnvil(t, "devnet", "anvil", []string{"polygon"})
	node, w, chain := a.node, a.w, a.c
	pg := a.dep.Protocols["polygon"]
	for _, role := range []string{polygon.RoleStakeManager, polygon.RolePOL, polygon.RoleRootChain} {
		if !common.IsHexAddress(pg[role]) {
			t.Fatalf("deploy --json: polygon %v, want %s", pg, role)
		}
	}
	oracleOnce := func() {
		t.Helper()
		a.oracle(t, "--bonding-period", "1s", "--apr", "4")
	}
	polToken := common.HexToAddress(pg[polygon.RolePOL])
	alice, sign := w.signAs("alice", 4)

	oracleOnce() // the delay becomes one checkpoint; the first checkpoint
	start := chain.tokenBalance(polToken, alice.Address)
	if start.Cmp(polymodel.TestAccountPOL) != 0 {
		t.Fatalf("alice holds %s POL wei, want the genesis %s", start, polymodel.TestAccountPOL)
	}
	out2 := w.MustJSON(append([]string{"stake", "100", "--validator", "1"}, sign...)...)
	if txs := field(t, out2, "transactions").([]any); len(txs) != 2 {
		t.Fatalf("stake: %v", out2)
	}
	out2 = w.MustJSON(append([]string{"unstake", "30", "--validator", "1"}, sign...)...)
	if ids := field(t, out2, "requestIds").([]any); len(ids) != 1 || ids[0] != "1/1" {
		t.Fatalf("unstake: %v", out2)
	}
	nonce := chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"claim", "1/1"}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "claimable at epoch") {
		t.Errorf("early claim: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("the refused claim sent a transaction")
	}
	node.IncreaseTime(t, 10*time.Second)
	node.Mine(t, 1)
	oracleOnce() // a checkpoint is due: the unbond's epoch is reached
	before := chain.tokenBalance(polToken, alice.Address)
	out2 = w.MustJSON(append([]string{"claim", "1/1"}, sign...)...)
	if field(t, out2, "transactions", 0, "status") != "success" {
		t.Fatalf("claim: %v", out2)
	}
	if gained := new(big.Int).Sub(chain.tokenBalance(polToken, alice.Address), before); gained.Cmp(eth("30")) != 0 {
		t.Errorf("the claim paid %s POL wei, want 30 POL", gained)
	}
	// unstake all: every share left (70), a second unbond 1/2.
	shares := common.HexToAddress(field(t, w.MustJSON("validators"), "validators", 0, "credit").(string))
	out2 = w.MustJSON(append([]string{"unstake", "all", "--validator", "1"}, sign...)...)
	if ids := field(t, out2, "requestIds").([]any); len(ids) != 1 || ids[0] != "1/2" {
		t.Fatalf("unstake all: %v", out2)
	}
	if left := chain.tokenBalance(shares, alice.Address); left.Sign() != 0 {
		t.Errorf("shares left after unstake all: %s", left)
	}
	ws := field(t, w.MustJSON("withdrawals", "--owner", alice.Address.Hex()), "withdrawals").([]any)
	if len(ws) != 2 || field(t, ws[1], "id") != "1/2" || bigOf(t, field(t, ws[1], "amount")).Cmp(eth("70")) != 0 || field(t, ws[0], "status") != "claimed" {
		t.Errorf("withdrawals after unstake all: %v", ws)
	}
}
