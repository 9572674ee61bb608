package e2e

import (
	"context"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
	"github.com/stakewallet/stakewallet/pkg/protocol/sts"
)

// TestSTSCycle drives the built binary through Beets stS on devnet-sonic,
// every step checked on-chain: stake S → stS (deposit), unstake
// (undelegate from the validator that holds enough → a withdraw id),
// withdrawals with claimableAt, withdrawals wait --claim (withdraw(id,
// false): the emergency flag read back from the mined transaction), a
// second claim refused, an stS transfer, and the balance with stS's rate.
//
// Bonding period 5 s: stS's withdrawDelay and the SFC's withdrawal period
// (see internal/devnet/models/sts); the devnet's oracle makes the blocks
// that end them. APR 0, so 1 stS per S exactly.
func TestSTSCycle(t *testing.T) {
	_, w, chain := devnetWallet(t, "devnet-sonic", devnet.Config{BondingPeriod: 5 * time.Second})
	alice, sign := w.signAs("alice", 0)
	bob := testAccount(t, 1)
	token := sts.DevnetSTS

	// stake 10 S → 10 stS.
	before := chain.balance(alice.Address)
	out := w.MustJSON(append([]string{"stake", "10", "--protocol", "sts"}, sign...)...)
	if tx := field(t, out, "transactions", 0).(map[string]any); tx["status"] != "success" {
		t.Fatalf("stake: %v", out)
	}
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("10")) != 0 {
		t.Fatalf("stS after staking 10 S: %s", got)
	}
	if spent := new(big.Int).Sub(before, chain.balance(alice.Address)); spent.Cmp(eth("10")) <= 0 || spent.Cmp(eth("10.01")) > 0 {
		t.Errorf("S spent %s: want 10 plus a small fee", spent)
	}
	// Below MIN_DEPOSIT: refused before anything is signed (exit 2).
	nonce := chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"stake", "0.001", "--protocol", "sts"}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "at least 0.01 S") {
		t.Errorf("stake 0.001 S: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("the refused stake sent a transaction")
	}

	// unstake 4 stS: one undelegate, one withdraw id.
	out = w.MustJSON(append([]string{"unstake", "4", "--protocol", "sts"}, sign...)...)
	ids := field(t, out, "requestIds").([]any)
	if len(ids) != 1 || field(t, out, "transactions", 0, "action") != "undelegate" {
		t.Fatalf("unstake: %v", out)
	}
	id := ids[0].(string)
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("6")) != 0 {
		t.Errorf("stS after unstaking 4: %s", got)
	}
	list := w.MustJSON("withdrawals", "--protocol", "sts", "--owner", alice.Address.Hex())
	ws := field(t, list, "withdrawals").([]any)
	if len(ws) != 1 || field(t, ws[0], "id") != id || bigOf(t, field(t, ws[0], "amount")).Cmp(eth("4")) != 0 {
		t.Fatalf("withdrawals: %v", ws)
	}
	if st := field(t, ws[0], "status"); st != "pending" {
		t.Errorf("status right after the request = %v, want pending (5 s delay)", st)
	}
	claimableAt, err1 := time.Parse(time.RFC3339, field(t, ws[0], "claimableAt").(string))
	requestedAt, err2 := time.Parse(time.RFC3339, field(t, ws[0], "requestedAt").(string))
	if err1 != nil || err2 != nil || claimableAt.Sub(requestedAt) != 5*time.Second {
		t.Errorf("requested %v, claimable at %v: want +5 s (withdrawDelay)", requestedAt, claimableAt)
	}
	// A claim before the delay is refused before anything is signed.
	nonce = chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"claim", id, "--protocol", "sts"}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "pending") {
		t.Errorf("claim before the delay: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("the refused claim sent a transaction")
	}

	// withdrawals wait --claim: withdraw(id, false) once the delay passed.
	waitClaim(t, w, chain, alice.Address, eth("4"), append([]string{id, "--protocol", "sts", "--interval", "500ms", "--timeout", "60s"}, sign...)...)
	list = w.MustJSON("withdrawals", "--protocol", "sts", "--owner", alice.Address.Hex())
	if st := field(t, list, "withdrawals", 0, "status"); st != "claimed" {
		t.Errorf("status after the claim: %v", list)
	}
	assertClaimNotEmergency(t, chain, id)

	// A second claim is refused before anything is sent.
	nonce = chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"claim", id, "--protocol", "sts"}, sign...)...); r.Code != 2 || !strings.Contains(r.Stderr, "already claimed") {
		t.Errorf("second claim: exit %d, %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("second claim sent a transaction")
	}

	// transfer 1.5 stS to bob.
	out = w.MustJSON(append([]string{"transfer", "1.5", "stS", "--to", bob.Address.Hex()}, sign...)...)
	if got := chain.tokenBalance(token, bob.Address); got.Cmp(eth("1.5")) != 0 {
		t.Errorf("bob's stS %s after the transfer (%v)", got, out)
	}
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("4.5")) != 0 {
		t.Errorf("alice's stS %s after the transfer, want 4.5", got)
	}
	bal := w.MustJSON("balance", alice.Address.Hex())
	if field(t, bal, "tokens", 0, "symbol") != "stS" || bigOf(t, field(t, bal, "tokens", 0, "amount")).Cmp(eth("4.5")) != 0 ||
		bigOf(t, field(t, bal, "tokens", 0, "rate", "amount")).Cmp(eth("1")) != 0 {
		t.Errorf("balance: %s, want 4.5 stS at a rate of 1 S (APR 0)", mustMarshal(t, bal))
	}
}

// assertClaimNotEmergency finds alice's withdraw transaction of id in the
// chain's blocks and checks its calldata: withdraw(id, false), the bool
// word all zeros.
func assertClaimNotEmergency(t *testing.T, chain *chainReader, id string) {
	t.Helper()
	assertClaimNotEmergencyAt(t, chain, sts.DevnetSTS, id)
}

func assertClaimNotEmergencyAt(t *testing.T, chain *chainReader, stS common.Address, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	head, err := chain.ec.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := new(big.Int).SetString(id, 10)
	for n := int64(head); n >= 0 && n > int64(head)-200; n-- {
		b, err := chain.ec.BlockByNumber(ctx, big.NewInt(n))
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range b.Transactions() {
			data := tx.Data()
			if tx.To() == nil || *tx.To() != stS || len(data) != 4+64 || hex.EncodeToString(data[:4]) != "38d07436" {
				continue
			}
			if new(big.Int).SetBytes(data[4:36]).Cmp(want) != 0 {
				continue
			}
			if w := data[36:68]; strings.Trim(hex.EncodeToString(w), "0") != "" {
				t.Errorf("the claim of %s sent withdraw(id, emergency) with emergency word %x: must be false", id, w)
			}
			return
		}
	}
	t.Errorf("no withdraw(%s, …) transaction found", id)
}

// TestSTSAnvilCycle: the same cycle on anvil after `stakewallet-devnet
// deploy --chain devnet-sonic`, with the config entry built from deploy's
// JSON, the model's oracle run with --once, and the withdrawal delay
// crossed with anvil's clock.
func TestSTSAnvilCycle(t *testing.T) {
	const bonding = 72 * time.Hour
	a := deployToAnvil(t, "devnet-sonic", "anvil-sonic", []string{"sts"}, anvil.WithChainID(4003))
	node, w, chain := a.node, a.w, a.c
	addrs := a.dep.Protocols["sts"]
	if a.dep.ChainID != 4003 || addrs["sts"] == "" || addrs["sfc"] == "" {
		t.Fatalf("deploy --json: %+v", a.dep)
	}
	token := common.HexToAddress(addrs["sts"])
	oracle := func() { a.oracle(t, "--bonding-period", bonding.String()) }
	oracle() // applies the 72 h delay
	// Account 0 deployed the models and is their oracle; the user is 2.
	alice, sign := w.signAs("alice", 2)
	bob := testAccount(t, 3)

	w.MustJSON(append([]string{"stake", "10"}, sign...)...)
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("10")) != 0 {
		t.Fatalf("stS after staking 10 S: %s", got)
	}
	oracle() // the operator delegates the deposit
	out := w.MustJSON(append([]string{"unstake", "4"}, sign...)...)
	ids := field(t, out, "requestIds").([]any)
	if len(ids) != 1 {
		t.Fatalf("unstake: %v", out)
	}
	id := ids[0].(string)
	list := w.MustJSON("withdrawals", "--owner", alice.Address.Hex())
	if st := field(t, list, "withdrawals", 0, "status"); st != "pending" {
		t.Fatalf("before the delay: %v", list)
	}
	nonce := chain.nonce(alice.Address)
	if r := w.Run("", append([]string{"claim", id}, sign...)...); r.Code != 2 || chain.nonce(alice.Address) != nonce {
		t.Errorf("claim before the delay: exit %d (nonce %d → %d), %s", r.Code, nonce, chain.nonce(alice.Address), r.Stderr)
	}

	node.IncreaseTime(t, bonding+time.Hour)
	node.Mine(t, 1)
	list = w.MustJSON("withdrawals", "--owner", alice.Address.Hex())
	if st := field(t, list, "withdrawals", 0, "status"); st != "claimable" {
		t.Fatalf("after the delay: %v", list)
	}
	before := chain.balance(alice.Address)
	out = w.MustJSON(append([]string{"claim", id}, sign...)...)
	tx := field(t, out, "transactions", 0).(map[string]any)
	fee := new(big.Int).Mul(bigOf(t, tx["gasUsed"]), bigOf(t, tx["effectiveGasPrice"]))
	if gained := new(big.Int).Sub(chain.balance(alice.Address), before); gained.Cmp(new(big.Int).Sub(eth("4"), fee)) != 0 {
		t.Errorf("S gained %s, want 4 S - fee %s", gained, fee)
	}
	assertClaimNotEmergencyAt(t, chain, token, id)

	w.MustJSON(append([]string{"transfer", "1", "stS", "--to", bob.Address.Hex()}, sign...)...)
	if got := chain.tokenBalance(token, bob.Address); got.Cmp(eth("1")) != 0 {
		t.Errorf("bob's stS %s", got)
	}
}

// TestSTSLedger: the stS cycle signed on the emulated Ledger (blind-signed:
// SonicStaking has no clear-signing descriptor), on devnet-sonic.
func TestSTSLedger(t *testing.T) {
	_, w, chain := devnetWallet(t, "devnet-sonic", devnet.Config{BondingPeriod: 3 * time.Second})
	emu, transport := startLedger(t, ledgeremu.Options{BlindSigning: true})
	me := testAccount(t, 0).Address
	sign := []string{"--signer", "ledger", "--ledger-transport", transport, "--yes"}

	r := w.Run("", "stake", "0.5", "--dry-run", "--signer", "ledger", "--ledger-transport", transport)
	if r.Code != 0 || !strings.Contains(r.Stdout, "blind-signed") {
		t.Errorf("preview: exit %d, does not say blind-signed:\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	r = w.Run("", append([]string{"stake", "2", "--json"}, sign...)...)
	if r.Code != 0 {
		t.Fatalf("stake: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if sc := lastScreen(t, emu); sc.Address != me || !sc.Blind || !sc.Approved || sc.ChainID.Int64() != 4003 {
		t.Errorf("device showed %+v", sc)
	}
	if got := chain.tokenBalance(sts.DevnetSTS, me); got.Cmp(eth("2")) != 0 {
		t.Fatalf("stS after staking 2 S on the Ledger: %s", got)
	}
	out := w.MustJSON(append([]string{"unstake", "1"}, sign...)...)
	id := field(t, out, "requestIds", 0).(string)
	before := chain.balance(me)
	r = w.Run("", append([]string{"withdrawals", "wait", id, "--claim", "--interval", "300ms", "--timeout", "40s", "--json"}, sign...)...)
	if r.Code != 0 {
		t.Fatalf("wait --claim: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if gained := new(big.Int).Sub(chain.balance(me), before); gained.Cmp(eth("0.99")) < 0 || gained.Cmp(eth("1")) > 0 {
		t.Errorf("S gained by the Ledger-signed claim %s: want 1 less the gas", gained)
	}
	if sc := lastScreen(t, emu); !sc.Blind || !sc.Approved {
		t.Errorf("claim: device showed %+v", sc)
	}
	assertClaimNotEmergency(t, chain, id)
}
