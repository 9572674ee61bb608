package e2e

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Each bad input gets a clear message and exit code 2 (3 for RPC trouble),
// and nothing is sent: the account's nonce is unchanged afterwards.
func TestBadInputChangesNothing(t *testing.T) {
	url := startDevnet(t, time.Hour)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	alice, bob := testAccount(t, 0), testAccount(t, 1)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}

	// A closed port for the unreachable-RPC case.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()

	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"negative", []string{"stake", "-1"}, 2, "no sign"},
		{"exponent", []string{"stake", "1e18"}, 2, "no exponent"},
		{"too many decimals", []string{"stake", "0.1234567890123456789"}, 2, "more than 18 decimal places"},
		{"separator", []string{"stake", "1,000"}, 2, "separators"},
		{"empty", []string{"stake", ""}, 2, "empty"},
		{"huge", []string{"stake", strings.Repeat("9", 90)}, 2, "too large"},
		{"zero", []string{"stake", "0"}, 2, "greater than zero"},
		{"no amount", []string{"stake"}, 2, "needs AMOUNT"},
		{"more than balance", []string{"stake", "20000"}, 2, "insufficient ETH: have "},
		{"over the stake limit", []string{"stake", "1000000"}, 2, "stake limit"},
		{"unknown flag", []string{"stake", "1", "--frobnicate"}, 2, "unknown flag"},
		{"unknown command", []string{"stak", "1"}, 2, "unknown command"},
		{"unknown signer", []string{"stake", "1", "--signer", "mallory"}, 2, "mallory"},
		{"wrong passphrase", []string{"stake", "1", "--password-file", "/dev/null"}, 7, "passphrase"},
		{"unknown network", []string{"stake", "1", "--network", "narnia"}, 2, "unknown network"},
		{"unstake more than staked", []string{"unstake", "5"}, 2, "insufficient stETH balance"},
		{"unstake all of nothing", []string{"unstake", "all", "--token", "wstETH"}, 2, "has no wstETH"},
		{"unstake dust", []string{"unstake", "0.00000000000000005"}, 2, "100 wei"},
		{"transfer bad address", []string{"transfer", "1", "stETH", "--to", "0x1234"}, 2, "not an address"},
		{"transfer bad checksum", []string{"transfer", "1", "stETH", "--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79c8"}, 2, "checksum"},
		{"transfer no recipient", []string{"transfer", "1", "stETH"}, 2, "--to"},
		{"transfer unknown token", []string{"transfer", "1", "DOGE", "--to", bob.Address.Hex()}, 2, "unknown token"},
		{"claim nothing pending", []string{"claim", "999"}, 2, "999"},
		{"claim bad id", []string{"claim", "abc"}, 2, "not a positive whole number"},
		{"bad max fee", []string{"stake", "1", "--max-fee", "-3"}, 2, "--max-fee"},
		{"unreachable rpc", []string{"stake", "1", "--rpc-url", dead}, 3, "unreachable"},
		{"wrong chain", []string{"stake", "1", "--network", "mainnet", "--rpc-url", url}, 3, "chain 1337"},
	}
	// Some stETH, so unstake reaches its amount checks.
	w.MustJSON(append([]string{"stake", "1"}, sign...)...)
	before := chain.nonce(alice.Address)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{}, tt.args...), sign...)
			if tt.name == "wrong passphrase" || tt.name == "unknown signer" {
				// these override --password-file / --signer: put theirs last
				// (--yes is the command's flag: it goes after the command)
				args = append(append(append([]string{}, sign[:len(sign)-1]...), tt.args...), "--yes")
			}
			r := w.Run("", args...)
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.Code, tt.code, r.Stdout, r.Stderr)
			}
			if !strings.Contains(r.Stderr, tt.msg) {
				t.Errorf("stderr does not mention %q:\n%s", tt.msg, r.Stderr)
			}
			if r.Stdout != "" {
				t.Errorf("stdout not empty on error: %q", r.Stdout)
			}
			// The same with --json: one error document on stdout.
			rj := w.Run("", append(args, "--json")...)
			if rj.Code != tt.code {
				t.Fatalf("--json exit %d, want %d", rj.Code, tt.code)
			}
			doc := rj.JSON(t)
			if msg, _ := field(t, doc, "error", "message").(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("JSON error %v does not mention %q", doc, tt.msg)
			}
			if code, _ := field(t, doc, "error", "code").(string); code == "" {
				t.Errorf("JSON error without code: %v", doc)
			}
		})
	}
	if after := chain.nonce(alice.Address); after != before {
		t.Fatalf("nonce moved from %d to %d: bad input sent a transaction", before, after)
	}
}

// Without a terminal and without --yes the CLI must not sign (exit 6).
func TestNoTTYNeedsYes(t *testing.T) {
	url := startDevnet(t, time.Hour)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	before := chain.nonce(alice.Address)
	r := w.Run("y\n", "stake", "1", "--signer", "alice", "--password-file", w.Password)
	if r.Code != 6 || !strings.Contains(r.Stderr, "--yes") {
		t.Fatalf("exit %d, stderr %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != before {
		t.Fatal("a transaction was sent without confirmation")
	}
	// --dry-run needs no confirmation, signs nothing, and shows the plan.
	out := w.MustJSON("stake", "1", "--signer", "alice", "--password-file", w.Password, "--dry-run")
	if field(t, out, "dryRun") != true || field(t, out, "transactions", 0, "status") != "unsigned" {
		t.Fatalf("dry run: %v", out)
	}
	if chain.nonce(alice.Address) != before {
		t.Fatal("--dry-run sent a transaction")
	}
}

// The key opens only to sign: a dry run with a keystore key, no terminal
// and no password file previews and exits 0 (registered key and keystore
// file alike), and transaction flags are refused by read-only commands.
func TestDryRunWithoutPassphrase(t *testing.T) {
	url := startDevnet(t, time.Hour)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	file := filepath.Join(w.Home, "stakewallet", "keys", "alice.json")
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the keystore file of alice: %v", err)
	}
	for _, signer := range []string{"alice", "keystore:alice", "keystore:" + file} {
		r := w.Run("", "stake", "1", "--dry-run", "--signer", signer)
		if r.Code != 0 || !strings.Contains(r.Stdout, "Dry run: nothing was signed or sent.") || !strings.Contains(r.Stdout, alice.Address.Hex()) {
			t.Errorf("--signer %s: exit %d\nstdout: %s\nstderr: %s", signer, r.Code, r.Stdout, r.Stderr)
		}
		if strings.Contains(r.Stderr, "passphrase") {
			t.Errorf("--signer %s: asked for a passphrase: %s", signer, r.Stderr)
		}
	}
	for _, args := range [][]string{
		{"balance", "--signer", "alice", "--nonce", "3"},
		{"withdrawals", "--signer", "alice", "--yes"},
		{"networks", "--dry-run"},
		{"keys", "list", "--gas-limit", "21000"},
	} {
		r := w.Run("", args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, "unknown flag") {
			t.Errorf("%v: exit %d, stderr %s", args, r.Code, r.Stderr)
		}
	}
}
