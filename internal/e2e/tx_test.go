package e2e

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

var hashRE = regexp.MustCompile(`0x[0-9a-fA-F]{64}`)

// timedOut runs a command expected to broadcast and time out (exit 5) and
// returns the hash its JSON error names.
func timedOut(t *testing.T, w *Wallet, args ...string) string {
	t.Helper()
	r := w.Run("", append(args, "--json")...)
	if r.Code != 5 {
		t.Fatalf("%v: exit %d, want 5 (timeout)\nstdout: %s\nstderr: %s", args, r.Code, r.Stdout, r.Stderr)
	}
	doc := r.JSON(t)
	if field(t, doc, "error", "code") != "timeout" {
		t.Fatalf("%v: error %v, want code timeout", args, doc)
	}
	h := hashRE.FindString(field(t, doc, "error", "message").(string))
	if h == "" {
		t.Fatalf("%v: the timeout error names no hash: %v", args, doc)
	}
	return h
}

// mustFail runs a command expected to fail with code, mentioning msg on
// stderr, with nothing on stdout.
func mustFail(t *testing.T, w *Wallet, stdin string, code int, msg string, args ...string) {
	t.Helper()
	r := w.Run(stdin, args...)
	if r.Code != code {
		t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, r.Code, code, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stderr, msg) {
		t.Errorf("%v: stderr does not mention %q:\n%s", args, msg, r.Stderr)
	}
	if r.Stdout != "" {
		t.Errorf("%v: stdout not empty on error: %q", args, r.Stdout)
	}
}

// rawTransfer signs an EIP-1559 transfer with a devnet key, as another
// wallet or an offline machine would, and returns it hex-encoded.
func rawTransfer(t *testing.T, key *ecdsa.PrivateKey, chainID int64, nonce uint64, to common.Address, value *big.Int) (string, common.Hash) {
	t.Helper()
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(chainID), Nonce: nonce, To: &to, Value: value, Gas: 21000,
		GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(50e9),
	})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(big.NewInt(chainID)), key)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return hexutil.Encode(raw), signed.Hash()
}

// A transaction stuck behind a nonce gap: the journal lists it, status
// says it waits, a speed-up and then a cancel replace it in the pool, and
// once the gap is filled the cancel is mined and the journal says the
// others were replaced. Then raw transactions go out through tx send, and
// bad input is refused without sending anything.
func TestTxJournal(t *testing.T) {
	start := time.Now()
	url := startDevnet(t, time.Hour)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	alice, bob := testAccount(t, 0), testAccount(t, 1)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	with := func(args ...string) []string { return append(args, sign...) }

	// (1) A stake one nonce ahead cannot be mined: the gap keeps it queued.
	n := chain.nonce(alice.Address)
	h1 := timedOut(t, w, with("stake", "1", "--nonce", fmt.Sprint(n+1), "--timeout", "2s")...)
	if got := chain.nonce(alice.Address); got != n {
		t.Fatalf("nonce moved to %d while the stake is stuck", got)
	}

	pending := w.MustJSON("tx", "pending", "--signer", "alice")
	txs := field(t, pending, "transactions").([]any)
	if len(txs) != 1 || field(t, txs[0], "txHash") != h1 || field(t, txs[0], "state") != "broadcast" ||
		field(t, txs[0], "node") != "mempool" || field(t, txs[0], "action") != "stake" || bigOf(t, field(t, txs[0], "nonce")).Uint64() != n+1 {
		t.Fatalf("tx pending: %v", pending)
	}

	status := w.MustJSON("tx", "status", h1)
	if field(t, status, "status") != "pending" || field(t, status, "node") != "mempool" ||
		bigOf(t, field(t, status, "waitingForNonce")).Uint64() != n || field(t, status, "journal", "state") != "broadcast" {
		t.Fatalf("tx status of the stuck stake: %v", status)
	}

	// Speed it up: same nonce, higher fees; still stuck behind the gap.
	h2 := timedOut(t, w, with("tx", "speedup", h1, "--timeout", "2s")...)
	if h2 == h1 {
		t.Fatal("the speed-up has the original's hash")
	}
	s1, s2 := w.MustJSON("tx", "status", h1), w.MustJSON("tx", "status", h2)
	for _, k := range []string{"maxFeePerGas", "maxPriorityFeePerGas"} {
		old, bumped := bigOf(t, field(t, s1, k)), bigOf(t, field(t, s2, k))
		if min := new(big.Int).Div(new(big.Int).Mul(old, big.NewInt(110)), big.NewInt(100)); bumped.Cmp(min) < 0 || bumped.Cmp(old) <= 0 {
			t.Errorf("%s: speed-up %s, original %s: want at least +10%%", k, bumped, old)
		}
	}
	for _, k := range []string{"nonce", "to", "value", "gasLimit"} {
		if fmt.Sprint(field(t, s1, k)) != fmt.Sprint(field(t, s2, k)) {
			t.Errorf("%s differs: original %v, speed-up %v", k, field(t, s1, k), field(t, s2, k))
		}
	}
	if field(t, s2, "node") != "mempool" || field(t, s1, "node") != "unknown" {
		t.Errorf("the pool should hold the speed-up instead of the original: %v / %v", field(t, s1, "node"), field(t, s2, "node"))
	}
	// Fees below the replacement minimum are refused before signing.
	mustFail(t, w, "", 2, "replacement minimum", with("tx", "speedup", h1, "--priority-fee", "0.000000001")...)

	// Cancel (given the original's hash: it must outbid the speed-up).
	h3 := timedOut(t, w, with("tx", "cancel", h1, "--timeout", "2s")...)
	pending = w.MustJSON("tx", "pending", "--signer", "alice")
	txs = field(t, pending, "transactions").([]any)
	if len(txs) != 3 {
		t.Fatalf("tx pending after speed-up and cancel: %v", pending)
	}
	for _, tx := range txs {
		switch field(t, tx, "txHash") {
		case h1, h2:
			if field(t, tx, "supersededBy") != h3 {
				t.Errorf("%v should be superseded by the cancel %s", tx, h3)
			}
		case h3:
			if field(t, tx, "action") != "cancel" || field(t, tx, "node") != "mempool" {
				t.Errorf("cancel entry: %v", tx)
			}
		default:
			t.Errorf("unexpected pending entry %v", tx)
		}
	}

	// Left to itself the wallet follows the open journal entries (nonce
	// n+2) and says so; fill the gap explicitly: the stake at nonce n is
	// mined, then the cancel at n+1.
	dry := w.Run("", "stake", "0.5", "--dry-run", "--json", "--signer", "alice")
	if dry.Code != 0 || bigOf(t, field(t, dry.JSON(t), "transactions", 0, "nonce")).Uint64() != n+2 {
		t.Fatalf("a new stake should follow the open entries: exit %d\n%s\n%s", dry.Code, dry.Stdout, dry.Stderr)
	}
	w.MustJSON(with("stake", "0.5", "--nonce", fmt.Sprint(n))...)
	deadline := time.Now().Add(15 * time.Second)
	for chain.nonce(alice.Address) < n+2 {
		if time.Now().After(deadline) {
			t.Fatalf("the cancel was not mined after the gap was filled (nonce %d)", chain.nonce(alice.Address))
		}
		time.Sleep(100 * time.Millisecond)
	}
	status = w.MustJSON("tx", "status", h3)
	if field(t, status, "status") != "success" || field(t, status, "blockNumber") == nil ||
		bigOf(t, field(t, status, "gasUsed")).Uint64() != 21000 || field(t, status, "journal", "state") != "included" ||
		field(t, status, "to") != alice.Address.Hex() || field(t, status, "value") != "0" {
		t.Fatalf("tx status of the mined cancel: %v", status)
	}
	pending = w.MustJSON("tx", "pending", "--signer", "alice")
	if txs := field(t, pending, "transactions").([]any); len(txs) != 0 {
		t.Errorf("still pending after the cancel was mined: %v", txs)
	}
	resolved := field(t, pending, "resolved").([]any)
	if len(resolved) != 2 {
		t.Fatalf("resolved = %v, want the stake and its speed-up", resolved)
	}
	for _, r := range resolved {
		if field(t, r, "state") != "replaced" || field(t, r, "replacedBy") != h3 {
			t.Errorf("resolved entry %v: want replaced by %s", r, h3)
		}
	}
	if st := w.MustJSON("tx", "status", h1); field(t, st, "status") != "replaced" || field(t, st, "journal", "replacedBy") != h3 {
		t.Errorf("tx status of the cancelled stake: %v", st)
	}
	// Only the 0.5 stake happened: the stuck 1 ETH stake never did.
	if got := chain.tokenBalance(lido.DevnetStETH, alice.Address); !near(got, eth("0.5"), 2) {
		t.Errorf("alice has %s stETH wei, want ~0.5e18", got)
	}
	mustFail(t, w, "", 2, "already replaced", with("tx", "speedup", h1)...)
	mustFail(t, w, "", 2, "already mined", with("tx", "cancel", h3)...)

	// (2) tx send: a transfer signed outside the wallet, no --signer.
	carol := common.HexToAddress("0x00000000000000000000000000000000C0FFEE01")
	bn := chain.nonce(bob.Address)
	raw, hash := rawTransfer(t, bob.PrivateKey, 1337, bn, carol, eth("1.5"))
	file := filepath.Join(t.TempDir(), "signed.hex")
	if err := os.WriteFile(file, []byte(raw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := w.MustJSON("tx", "send", file, "--yes")
	if field(t, out, "action") != "send" || field(t, out, "from") != bob.Address.Hex() ||
		field(t, out, "transactions", 0, "txHash") != hash.Hex() || field(t, out, "transactions", 0, "status") != "success" {
		t.Fatalf("tx send: %v", out)
	}
	if got := chain.balance(carol); got.Cmp(eth("1.5")) != 0 {
		t.Fatalf("recipient has %s wei, want 1.5 ETH", got)
	}
	if st := w.MustJSON("tx", "status", hash.Hex()); field(t, st, "journal", "action") != "send" || field(t, st, "journal", "state") != "included" {
		t.Errorf("the sent transaction is not journaled as included: %v", st)
	}
	// Sending it again reports it and sends nothing.
	again := w.Run("", "tx", "send", file, "--yes", "--json")
	if again.Code != 0 || !strings.Contains(again.Stderr, "already mined") || field(t, again.JSON(t), "transactions", 0, "status") != "success" {
		t.Fatalf("second send: exit %d\n%s\n%s", again.Code, again.Stdout, again.Stderr)
	}
	if chain.nonce(bob.Address) != bn+1 || chain.balance(carol).Cmp(eth("1.5")) != 0 {
		t.Fatal("the second send moved funds")
	}
	// From stdin.
	raw2, hash2 := rawTransfer(t, bob.PrivateKey, 1337, bn+1, carol, eth("0.25"))
	r := w.Run(raw2, "tx", "send", "-", "--yes", "--json")
	if r.Code != 0 || field(t, r.JSON(t), "transactions", 0, "txHash") != hash2.Hex() {
		t.Fatalf("tx send -: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := chain.balance(carol); got.Cmp(eth("1.75")) != 0 {
		t.Fatalf("recipient has %s wei after the stdin send, want 1.75 ETH", got)
	}
	// A journal file as it is: the cancelled stake can never be mined.
	entry := filepath.Join(w.Home, "stakewallet", "journal", "1337-"+h1+".json")
	mustFail(t, w, "", 2, "already used", "tx", "send", entry, "--yes")

	// (3) Bad input: nothing is sent.
	bn = chain.nonce(bob.Address)
	unknown := "0x" + strings.Repeat("ab", 32)
	garbage := filepath.Join(t.TempDir(), "garbage")
	if err := os.WriteFile(garbage, []byte("this is not a transaction\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongChain := filepath.Join(t.TempDir(), "mainnet.hex")
	rawMainnet, _ := rawTransfer(t, bob.PrivateKey, 1, bn, carol, eth("1"))
	if err := os.WriteFile(wrongChain, []byte(rawMainnet), 0o600); err != nil {
		t.Fatal(err)
	}
	unconfirmed := filepath.Join(t.TempDir(), "unconfirmed.hex")
	rawNext, _ := rawTransfer(t, bob.PrivateKey, 1337, bn, carol, eth("1"))
	if err := os.WriteFile(unconfirmed, []byte(rawNext), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"status of an unknown hash", []string{"tx", "status", unknown}, 2, "not known to the node"},
		{"status of a malformed hash", []string{"tx", "status", "0x1234"}, 2, "not a transaction hash"},
		{"speedup of an unknown hash", with("tx", "speedup", unknown), 2, "neither in the journal nor known"},
		{"speedup with --nonce", with("tx", "speedup", h1, "--nonce", "3"), 2, "--nonce cannot be used"},
		{"send garbage", []string{"tx", "send", garbage, "--yes"}, 2, "not a hex-encoded signed transaction"},
		{"send a missing file", []string{"tx", "send", filepath.Join(t.TempDir(), "nope"), "--yes"}, 2, "no such file"},
		{"send for another chain", []string{"tx", "send", wrongChain, "--yes"}, 3, "signed for chain 1"},
		{"send without confirmation off a terminal", []string{"tx", "send", unconfirmed}, 6, "--yes"},
		{"pending without an account", []string{"tx", "pending"}, 2, "--all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustFail(t, w, "", tt.code, tt.msg, tt.args...)
		})
	}
	if got := chain.nonce(bob.Address); got != bn {
		t.Errorf("bob's nonce moved from %d to %d: bad input sent something", bn, got)
	}
	// --all lists every account's open transactions: none are left.
	if all := w.MustJSON("tx", "pending", "--all"); len(field(t, all, "transactions").([]any)) != 0 {
		t.Errorf("tx pending --all: %v", all)
	}
	t.Logf("took %s", time.Since(start).Round(time.Millisecond))
}
