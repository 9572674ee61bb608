package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
	"github.com/stakewallet/stakewallet/pkg/txdoc"
)

// readDoc parses a transaction document written by the CLI.
func readDoc(t *testing.T, path string) *txdoc.Doc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := txdoc.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// receipt reads a mined transaction's receipt straight from the node.
func (c *chainReader) receipt(h common.Hash) *types.Receipt {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.ec.TransactionReceipt(ctx, h)
	if err != nil {
		c.t.Fatalf("receipt of %s: %v", h.Hex(), err)
	}
	return r
}

// The whole offline cycle through the built binaries on the devnet: an
// online machine knows the account only as a watch-only key and builds
// stake, unstake and claim unsigned; an offline machine (no RPC configured,
// or one on a closed port) signs them with a keystore key, or with the
// emulated Ledger; the online machine broadcasts them, and the chain shows
// exactly those transactions, and no other, from the account.
func TestOfflineSigningCycle(t *testing.T) {
	url := startDevnet(t, 3*time.Second)
	alice := testAccount(t, 0)
	online := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	// The offline machine knows no RPC at all.
	offline := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	offline.ImportKey("alice", alice.KeyHex())
	_, transport := startLedger(t, ledgeremu.Options{BlindSigning: true})
	chain := dialChain(t, url)
	dir := t.TempDir()

	r := online.Run("", "keys", "add", "vault", "--address", alice.Address.Hex(), "--json")
	if r.Code != 0 {
		t.Fatalf("keys add --address: exit %d\n%s", r.Code, r.Stderr)
	}
	// Read-only commands work with it; signing is refused (exit 7) with
	// the way out.
	if bal := online.MustJSON("balance", "--signer", "vault"); bigOf(t, field(t, bal, "native", "amount")).Sign() <= 0 {
		t.Fatalf("balance of the watch-only key: %v", bal)
	}
	if r := online.Run("", "stake", "1", "--signer", "vault", "--yes"); r.Code != 7 || !strings.Contains(r.Stderr, "--unsigned") {
		t.Fatalf("stake signed by a watch-only key: exit %d\n%s", r.Code, r.Stderr)
	}

	signers := map[string][]string{
		"keystore": {"--signer", "alice", "--password-file", offline.Password},
		"ledger":   {"--signer", "ledger", "--ledger-transport", transport},
	}
	nonceBefore := chain.nonce(alice.Address)
	var sentHashes []common.Hash
	steps := []struct {
		name   string
		args   []string
		signer string
		rpc    []string // tx sign's RPC flags: a closed port, or none at all
		before func(t *testing.T)
	}{
		{name: "stake", args: []string{"stake", "1"}, signer: "keystore", rpc: []string{"--rpc-url", "http://127.0.0.1:1"}},
		{name: "stake on the Ledger", args: []string{"stake", "0.5"}, signer: "ledger", rpc: []string{"--rpc-url", "http://127.0.0.1:1"}},
		{name: "unstake", args: []string{"unstake", "0.5"}, signer: "keystore"},
		{name: "claim", args: []string{"claim"}, signer: "keystore", before: func(t *testing.T) {
			out := online.MustJSON("withdrawals", "wait", "--signer", "vault", "--interval", "500ms", "--timeout", "60s")
			if st := field(t, out, "withdrawals", 0, "status"); st != "claimable" {
				t.Fatalf("after wait: %v", out)
			}
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.before != nil {
				s.before(t)
			}
			unsigned := filepath.Join(dir, strings.ReplaceAll(s.name, " ", "-")+".json")
			signed := strings.TrimSuffix(unsigned, ".json") + "-signed.json"
			r := online.Run("", append(s.args, "--signer", "vault", "--unsigned", "--out", unsigned)...)
			if r.Code != 0 {
				t.Fatalf("%v --unsigned: exit %d\n%s", s.args, r.Code, r.Stderr)
			}
			u := readDoc(t, unsigned)
			if u.From != alice.Address || u.Signed() || u.Action != s.args[0] {
				t.Fatalf("unsigned document: %+v", u)
			}
			r = offline.Run("", append(append([]string{"tx", "sign", unsigned, "--out", signed, "--yes"}, s.rpc...), signers[s.signer]...)...)
			if r.Code != 0 {
				t.Fatalf("tx sign: exit %d\n%s", r.Code, r.Stderr)
			}
			sd := readDoc(t, signed)
			if !sd.Signed() || len(sd.Transactions) != len(u.Transactions) {
				t.Fatalf("signed document: %+v", sd)
			}
			out := online.MustJSON("tx", "send", signed, "--yes")
			txs := field(t, out, "transactions").([]any)
			if len(txs) != len(sd.Transactions) {
				t.Fatalf("tx send: %v", out)
			}
			for i, tx := range txs {
				want := *sd.Transactions[i].Hash
				if field(t, tx, "txHash") != want.Hex() || field(t, tx, "status") != "success" {
					t.Errorf("sent %v, want %s mined", tx, want.Hex())
				}
				rc := chain.receipt(want)
				if rc.Status != types.ReceiptStatusSuccessful {
					t.Errorf("%s reverted on-chain", want.Hex())
				}
				sentHashes = append(sentHashes, want)
			}
		})
	}
	// Exactly those transactions left the account, and nothing else.
	if got, want := chain.nonce(alice.Address)-nonceBefore, uint64(len(sentHashes)); got != want {
		t.Errorf("the account sent %d transactions, the documents %d", got, want)
	}
	if bal := chain.tokenBalance(lido.DevnetStETH, alice.Address); !near(bal, eth("1"), 3) {
		t.Errorf("stETH after staking 1.5 and unstaking 0.5: %s", bal)
	}

	// Refused: a tampered document and a document for another chain, both
	// before anything is signed.
	t.Run("refusals", func(t *testing.T) {
		unsigned := filepath.Join(dir, "refuse.json")
		if r := online.Run("", "stake", "0.1", "--signer", "vault", "--unsigned", "--out", unsigned); r.Code != 0 {
			t.Fatalf("stake --unsigned: exit %d\n%s", r.Code, r.Stderr)
		}
		good, err := os.ReadFile(unsigned)
		if err != nil {
			t.Fatal(err)
		}
		d := readDoc(t, unsigned)
		stakeTo := strings.ToLower(d.Transactions[0].To.Hex())
		cases := []struct {
			name, old, new string
			args           []string
			msg            string
		}{
			{"to", `"to": "` + stakeTo + `"`, `"to": "0x1100000000000000000000000000000000000003"`, nil, "preview line"},
			{"value", `"value": "100000000000000000"`, `"value": "200000000000000000"`, nil, "is not the amount"},
			{"calldata", `"data": "0xa1903eab`, `"data": "0xdeadbeef`, nil, "no function"},
			{"wrong chain", "", "", []string{"--network", "mainnet"}, "chain 1337"},
		}
		for _, c := range cases {
			file := unsigned
			if c.old != "" {
				if !strings.Contains(string(good), c.old) {
					t.Fatalf("%s: document lacks %q", c.name, c.old)
				}
				file = filepath.Join(dir, "tampered-"+strings.ReplaceAll(c.name, " ", "-")+".json")
				if err := os.WriteFile(file, []byte(strings.Replace(string(good), c.old, c.new, 1)), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := append(append([]string{"tx", "sign", file, "--yes"}, c.args...), signers["keystore"]...)
			r := offline.Run("", args...)
			if r.Code != 2 || !strings.Contains(r.Stderr, c.msg) {
				t.Errorf("%s: exit %d, want 2 mentioning %q\n%s", c.name, r.Code, c.msg, r.Stderr)
			}
			if strings.Contains(r.Stdout, "signed-tx") {
				t.Errorf("%s: a signed document was written", c.name)
			}
		}
	})
}
