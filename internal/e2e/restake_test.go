package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// restake as cron runs it: nothing to do says so; claim and stake happen
// once however often it runs; proceeds below --min wait for a later run.
func TestRestakeTwiceDoesTheWorkOnce(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{BondingPeriod: 3 * time.Second})
	url := d.HTTPEndpoint()
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	w.MustJSON(append([]string{"stake", "3"}, sign...)...)

	// No terminal and no --yes: exit 6 before anything is signed.
	nonce := chain.nonce(alice.Address)
	if r := w.Run("", "restake", "--signer", "alice", "--password-file", w.Password); r.Code != 6 || !strings.Contains(r.Stderr, "--yes") {
		t.Fatalf("restake without --yes: exit %d, %s", r.Code, r.Stderr)
	}
	// Nothing to do: says so, exit 0, sends nothing.
	out := w.MustJSON(append([]string{"restake"}, sign...)...)
	if field(t, out, "nothingToDo") != true || !strings.HasPrefix(field(t, out, "message").(string), "Nothing to do") {
		t.Fatalf("restake with nothing to do: %v", out)
	}
	if r := w.Run("", append([]string{"restake"}, sign...)...); r.Code != 0 || !strings.Contains(r.Stdout, "Nothing to do") {
		t.Fatalf("human restake with nothing to do: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Fatal("a transaction was sent with nothing to do")
	}

	for _, amt := range []string{"1", "0.5"} {
		w.MustJSON(append([]string{"unstake", amt}, sign...)...)
	}
	w.MustJSON("withdrawals", "wait", "--signer", "alice", "--interval", "200ms", "--timeout", "30s")
	stethBefore := chain.tokenBalance(lido.DevnetStETH, alice.Address)
	nonce = chain.nonce(alice.Address)
	out = w.MustJSON(append([]string{"restake", "--keep", "0.1"}, sign...)...)
	if got := bigOf(t, field(t, out, "claimed", "amount")); got.Cmp(eth("1.5")) != 0 {
		t.Errorf("claimed %s, want 1.5 ETH", got)
	}
	if got := bigOf(t, field(t, out, "staked", "amount")); got.Cmp(eth("1.4")) != 0 {
		t.Errorf("staked %s, want 1.5 - 0.1 ETH", got)
	}
	txs := field(t, out, "transactions").([]any)
	if len(txs) != 2 || field(t, txs[0], "action") != "claimWithdrawals" || field(t, txs[1], "action") != "stake" {
		t.Fatalf("transactions %v", txs)
	}
	if field(t, out, "owed") != "0" || field(t, out, "nothingToDo") != false {
		t.Errorf("after restaking: %v", out)
	}
	if got := chain.nonce(alice.Address) - nonce; got != 2 {
		t.Errorf("%d transactions sent, want claim + stake", got)
	}
	if gained := chain.tokenBalance(lido.DevnetStETH, alice.Address); !near(gained.Sub(gained, stethBefore), eth("1.4"), 2) {
		t.Errorf("stETH gained %s, want 1.4", gained)
	}
	for _, id := range field(t, out, "claimed", "requestIds").([]any) {
		v := bigOf(t, id)
		if _, claimed, _ := chain.requestState(lido.DevnetWithdrawalQueue, v); !claimed {
			t.Errorf("request %s not claimed on-chain", v)
		}
	}

	// The second run finds nothing: no second claim, no second stake.
	nonce = chain.nonce(alice.Address)
	out = w.MustJSON(append([]string{"restake", "--keep", "0.1"}, sign...)...)
	if field(t, out, "nothingToDo") != true || len(field(t, out, "transactions").([]any)) != 0 {
		t.Errorf("second restake: %v", out)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("the second restake sent a transaction")
	}

	// Below --min: claimed, remembered, staked by a later run.
	w.MustJSON(append([]string{"unstake", "0.2"}, sign...)...)
	w.MustJSON("withdrawals", "wait", "--signer", "alice", "--interval", "200ms", "--timeout", "30s")
	out = w.MustJSON(append([]string{"restake", "--min", "1"}, sign...)...)
	if field(t, out, "staked") != nil || field(t, out, "owed") != "200000000000000000" || !strings.Contains(field(t, out, "message").(string), "below --min") {
		t.Fatalf("restake below --min: %v", out)
	}
	stethBefore = chain.tokenBalance(lido.DevnetStETH, alice.Address)
	out = w.MustJSON(append([]string{"restake", "--min", "0.1"}, sign...)...)
	if field(t, out, "claim") != nil || field(t, out, "carriedOver") != "200000000000000000" || bigOf(t, field(t, out, "staked", "amount")).Cmp(eth("0.2")) != 0 {
		t.Fatalf("restake of the carried proceeds: %v", out)
	}
	if gained := chain.tokenBalance(lido.DevnetStETH, alice.Address); !near(gained.Sub(gained, stethBefore), eth("0.2"), 2) {
		t.Errorf("stETH gained %s, want 0.2", gained)
	}
}

// restake refuses to start while an earlier transaction of the account is
// still pending (anvil with automine off keeps it in the mempool), and
// runs once it is mined.
func TestRestakeRefusesWhilePending(t *testing.T) {
	node := anvil.Start(t)
	entry := devnetTool(t, "deploy", "--rpc-url", node.URL(), "--name", "anvil")
	w := newWallet(t)
	cfg := filepath.Join(w.Home, "config.toml")
	if err := os.WriteFile(cfg, []byte("[defaults]\nnetwork = \"anvil\"\n\n"+entry), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Env = append(w.Env, "STAKEWALLET_CONFIG="+cfg)
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, node.URL())
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	w.MustJSON(append([]string{"stake", "1"}, sign...)...)

	node.Call(t, nil, "evm_setAutomine", false)
	r := w.Run("", append([]string{"stake", "0.5", "--timeout", "2s"}, sign...)...)
	if r.Code != 5 {
		t.Fatalf("stake with mining off: exit %d, want 5 (broadcast, not mined)\n%s", r.Code, r.Stderr)
	}
	nonce := chain.nonce(alice.Address)
	pending, err := chain.ec.PendingNonceAt(context.Background(), alice.Address)
	if err != nil || pending != nonce+1 {
		t.Fatalf("pending nonce %d (%v), nonce %d: the stake is not in the mempool", pending, err, nonce)
	}

	r = w.Run("", append([]string{"restake", "--json"}, sign...)...)
	if r.Code != 1 {
		t.Fatalf("restake with a pending transaction: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	doc := r.JSON(t)
	msg := field(t, doc, "error", "message").(string)
	if field(t, doc, "error", "code") != "pending_transaction" || !strings.Contains(msg, "nonce "+strconv.FormatUint(nonce, 10)) {
		t.Errorf("refusal: %v", doc)
	}
	if p, _ := chain.ec.PendingNonceAt(context.Background(), alice.Address); p != pending || chain.nonce(alice.Address) != nonce {
		t.Error("restake sent a transaction beside the pending one")
	}

	node.Mine(t, 1)
	r = w.Run("", append([]string{"restake"}, sign...)...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "Nothing to do") {
		t.Fatalf("restake once the stake is mined: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := chain.tokenBalance(common.HexToAddress(tomlValue(t, entry, "steth")), alice.Address); !near(got, eth("1.5"), 4) {
		t.Errorf("stETH %s after both stakes", got)
	}
}
