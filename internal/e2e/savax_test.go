package e2e

import (
	"bufio"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
	"github.com/stakewallet/stakewallet/pkg/protocol/savax"
)

// TestSAvaxCycle drives the built binary through Benqi sAVAX on
// devnet-avalanche, every step checked on-chain: stake AVAX → sAVAX,
// unstake (requestUnlock), withdrawals with claimableAt/claimBy,
// withdrawals wait --claim (claimed inside the redeem window, with the
// loud warning that it closes within 24 h), a request left to expire and
// claimed back as sAVAX (redeemOverdueShares), and an sAVAX transfer.
//
// Bonding period 5 s: cooldown 5 s, redeem window 10 s (see
// internal/devnet/models/savax); the devnet's oracle makes the blocks that
// end them.
func TestSAvaxCycle(t *testing.T) {
	_, w, chain := devnetWallet(t, "devnet-avalanche", devnet.Config{BondingPeriod: 5 * time.Second})
	alice, sign := w.signAs("alice", 0)
	bob := testAccount(t, 1)
	token := savax.DevnetStakedAvax

	// stake 10 AVAX: no rewards (APR 0), so 1 sAVAX per AVAX exactly.
	before := chain.balance(alice.Address)
	out := w.MustJSON(append([]string{"stake", "10", "--protocol", "savax"}, sign...)...)
	if tx := field(t, out, "transactions", 0).(map[string]any); tx["status"] != "success" {
		t.Fatalf("stake: %v", out)
	}
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("10")) != 0 {
		t.Fatalf("sAVAX after staking 10 AVAX: %s", got)
	}
	if spent := new(big.Int).Sub(before, chain.balance(alice.Address)); spent.Cmp(eth("10")) <= 0 || spent.Cmp(eth("10.01")) > 0 {
		t.Errorf("AVAX spent %s: want 10 plus a small fee", spent)
	}

	// unstake 4 sAVAX: one requestUnlock, one request id.
	out = w.MustJSON(append([]string{"unstake", "4", "--protocol", "savax"}, sign...)...)
	ids := field(t, out, "requestIds").([]any)
	if len(ids) != 1 {
		t.Fatalf("unstake: requestIds %v", out)
	}
	id := ids[0].(string)
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("6")) != 0 {
		t.Errorf("sAVAX after unstaking 4: %s", got)
	}
	list := w.MustJSON("withdrawals", "--protocol", "savax", "--owner", alice.Address.Hex())
	ws := field(t, list, "withdrawals").([]any)
	if len(ws) != 1 || field(t, ws[0], "id") != id || field(t, ws[0], "status") != "pending" {
		t.Fatalf("withdrawals: %v", ws)
	}
	claimableAt, err1 := time.Parse(time.RFC3339, field(t, ws[0], "claimableAt").(string))
	claimBy, err2 := time.Parse(time.RFC3339, field(t, ws[0], "claimBy").(string))
	requestedAt, err3 := time.Parse(time.RFC3339, field(t, ws[0], "requestedAt").(string))
	if err1 != nil || err2 != nil || err3 != nil || claimableAt.Sub(requestedAt) != 6*time.Second || claimBy.Sub(requestedAt) != 15*time.Second {
		t.Errorf("requested %v, claimable at %v, claim by %v: want +6 s and +15 s (cooldown 5 s, window 10 s)", requestedAt, claimableAt, claimBy)
	}

	// withdrawals wait --claim: claims inside the window and warns that it
	// closes within 24 h (stderr event with --json).
	r := waitClaim(t, w, chain, alice.Address, eth("4"), append([]string{id, "--protocol", "savax", "--interval", "500ms", "--timeout", "60s"}, sign...)...)
	warned := false
	sc := bufio.NewScanner(strings.NewReader(r.Stderr))
	for sc.Scan() {
		var ev map[string]any
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev["event"] == "claimWindowClosing" && ev["id"] == id {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no claimWindowClosing event for %s on stderr:\n%s", id, r.Stderr)
	}
	list = w.MustJSON("withdrawals", "--protocol", "savax", "--owner", alice.Address.Hex())
	if ws := field(t, list, "withdrawals").([]any); len(ws) != 0 {
		t.Errorf("open requests after the claim: %v", ws)
	}

	// A request left past its window expires; claim gives its sAVAX back.
	out = w.MustJSON(append([]string{"unstake", "2", "--protocol", "savax"}, sign...)...)
	id2 := field(t, out, "requestIds", 0).(string)
	deadline := time.Now().Add(45 * time.Second)
	for {
		list = w.MustJSON("withdrawals", "--protocol", "savax", "--owner", alice.Address.Hex())
		if field(t, list, "withdrawals", 0, "id") == id2 && field(t, list, "withdrawals", 0, "status") == "expired" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("request %s never expired: %v", id2, list)
		}
		time.Sleep(time.Second)
	}
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("4")) != 0 {
		t.Errorf("sAVAX while 2 are locked: %s, want 4", got)
	}
	out = w.MustJSON(append([]string{"claim", id2, "--protocol", "savax"}, sign...)...)
	if tx := field(t, out, "transactions", 0).(map[string]any); tx["status"] != "success" || tx["action"] != "redeemOverdueShares" {
		t.Errorf("claim of the expired request: %v", out)
	}
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("6")) != 0 {
		t.Errorf("sAVAX after the expired request came back: %s, want 6", got)
	}

	// transfer 1.5 sAVAX to bob.
	out = w.MustJSON(append([]string{"transfer", "1.5", "sAVAX", "--to", bob.Address.Hex()}, sign...)...)
	if got := chain.tokenBalance(token, bob.Address); got.Cmp(eth("1.5")) != 0 {
		t.Errorf("bob's sAVAX %s after the transfer (%v)", got, out)
	}
	bal := w.MustJSON("balance", alice.Address.Hex())
	found := false
	for _, tok := range field(t, bal, "tokens").([]any) {
		if field(t, tok, "protocol") == "savax" {
			found = true
			if bigOf(t, field(t, tok, "amount")).Cmp(eth("4.5")) != 0 || bigOf(t, field(t, tok, "rate", "amount")).Cmp(eth("1")) != 0 {
				t.Errorf("balance of sAVAX %v: want 4.5 at a rate of 1 AVAX", tok)
			}
		}
	}
	if !found {
		t.Errorf("balance shows no sAVAX: %s", mustMarshal(t, bal))
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAnvilSAvax: the same model on anvil after `stakewallet-devnet deploy
// --chain devnet-avalanche`, with mainnet's periods (15 days, then a 2-day
// window) crossed by anvil's clock: a claim inside the window, the 24 h
// warning of wait --claim, an expired request returned as sAVAX.
func TestAnvilSAvax(t *testing.T) {
	node := anvil.Start(t, anvil.WithChainID(43112))
	entry := devnetTool(t, "deploy", "--chain", "devnet-avalanche", "--rpc-url", node.URL(), "--name", "anvil-avax")
	if !strings.Contains(entry, "[networks.anvil-avax.protocols.savax]") {
		t.Fatalf("deploy printed no sAVAX network entry:\n%s", entry)
	}
	token := common.HexToAddress(tomlValue(t, entry, "savax"))
	w := newWallet(t)
	cfg := filepath.Join(w.Home, "config.toml")
	if err := os.WriteFile(cfg, []byte("[defaults]\nnetwork = \"anvil-avax\"\n\n"+entry), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Env = append(w.Env, "STAKEWALLET_CONFIG="+cfg)
	alice, sign := w.signAs("alice", 0)
	chain := dialChain(t, node.URL())

	w.MustJSON(append([]string{"stake", "3", "--protocol", "savax"}, sign...)...)
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("3")) != 0 {
		t.Fatalf("sAVAX after staking 3: %s", got)
	}
	id := field(t, w.MustJSON(append([]string{"unstake", "1", "--protocol", "savax"}, sign...)...), "requestIds", 0).(string)
	list := w.MustJSON("withdrawals", "--protocol", "savax", "--signer", "alice")
	claimBy, _ := time.Parse(time.RFC3339, field(t, list, "withdrawals", 0, "claimBy").(string))
	requested, _ := time.Parse(time.RFC3339, field(t, list, "withdrawals", 0, "requestedAt").(string))
	if got := claimBy.Sub(requested); got != 17*24*time.Hour {
		t.Errorf("claimBy - requestedAt = %s, want 17 days (15-day cooldown, 2-day window)", got)
	}

	// 16 days and an hour later: claimable, with 23 hours left.
	node.IncreaseTime(t, 16*24*time.Hour+time.Hour)
	node.Mine(t, 1)
	before := chain.balance(alice.Address)
	r := w.Run("", append([]string{"withdrawals", "wait", id, "--protocol", "savax", "--claim", "--interval", "200ms", "--timeout", "30s"}, sign...)...)
	if r.Code != 0 {
		t.Fatalf("wait --claim: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	// 23 hours less the seconds the run took, rounded down to the minute.
	if !regexp.MustCompile(`WARNING: savax request ` + regexp.QuoteMeta(id) + ` must be claimed within (22h5\dm|23h00m) `).MatchString(r.Stderr) {
		t.Errorf("no 24 h warning on stderr:\n%s", r.Stderr)
	}
	if gained := new(big.Int).Sub(chain.balance(alice.Address), before); gained.Cmp(eth("0.99")) < 0 || gained.Cmp(eth("1")) > 0 {
		t.Errorf("AVAX gained %s, want 1 less gas", gained)
	}

	// Past the window: expired, and claim returns the sAVAX.
	id2 := field(t, w.MustJSON(append([]string{"unstake", "1", "--protocol", "savax"}, sign...)...), "requestIds", 0).(string)
	node.IncreaseTime(t, 17*24*time.Hour+time.Minute)
	node.Mine(t, 1)
	list = w.MustJSON("withdrawals", "--protocol", "savax", "--signer", "alice")
	if field(t, list, "withdrawals", 0, "id") != id2 || field(t, list, "withdrawals", 0, "status") != "expired" {
		t.Fatalf("after 17 days: %v", list)
	}
	w.MustJSON(append([]string{"claim", "--protocol", "savax"}, sign...)...)
	if got := chain.tokenBalance(token, alice.Address); got.Cmp(eth("2")) != 0 {
		t.Errorf("sAVAX after the expired request came back: %s, want 2", got)
	}
}

// TestSAvaxLedger: the sAVAX cycle signed on the emulated Ledger (blind:
// the Ethereum app has no descriptor for StakedAvax calls here, and the
// preview and stderr say so), on chain 43112.
func TestSAvaxLedger(t *testing.T) {
	_, w, chain := devnetWallet(t, "devnet-avalanche", devnet.Config{BondingPeriod: 5 * time.Second})
	emu, transport := startLedger(t, ledgeremu.Options{BlindSigning: true})
	me := testAccount(t, 0).Address
	token := savax.DevnetStakedAvax
	sign := []string{"--signer", "ledger", "--ledger-transport", transport, "--yes"}
	device := func(what string) {
		t.Helper()
		if sc := lastScreen(t, emu); sc.Address != me || !sc.Blind || !sc.Approved || sc.ChainID.Int64() != 43112 {
			t.Errorf("%s: device showed %+v, want a blind signature approved on chain 43112", what, sc)
		}
	}

	r := w.Run("", append([]string{"stake", "2", "--protocol", "savax", "--json"}, sign...)...)
	if r.Code != 0 || !strings.Contains(r.Stderr, "blind-signed") {
		t.Fatalf("stake: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	device("stake")
	if got := chain.tokenBalance(token, me); got.Cmp(eth("2")) != 0 {
		t.Fatalf("sAVAX after the Ledger stake: %s", got)
	}
	out := w.MustJSON(append([]string{"unstake", "0.5", "--protocol", "savax"}, sign...)...)
	id := field(t, out, "requestIds", 0).(string)
	device("unstake")
	w.MustJSON("withdrawals", "wait", id, "--protocol", "savax", "--owner", me.Hex(), "--interval", "300ms", "--timeout", "60s")
	before := chain.balance(me)
	out = w.MustJSON(append([]string{"claim", id, "--protocol", "savax"}, sign...)...)
	if field(t, out, "transactions", 0, "action") != "redeem" {
		t.Errorf("claim: %v", out)
	}
	device("claim")
	if gained := new(big.Int).Sub(chain.balance(me), before); gained.Cmp(eth("0.49")) < 0 || gained.Cmp(eth("0.5")) > 0 {
		t.Errorf("AVAX gained by the Ledger claim %s, want 0.5 less gas", gained)
	}
}
