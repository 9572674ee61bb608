package tx

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/keys"
	"github.com/stakewallet/stakewallet/internal/cli/restake"
	"github.com/stakewallet/stakewallet/internal/cli/stake"
	"github.com/stakewallet/stakewallet/internal/cli/unstake"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	ikeys "github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
	"github.com/stakewallet/stakewallet/pkg/txdoc"
)

func signCmd(f *cmdutil.Factory) *cobra.Command    { return NewCmdSign(f, nil) }
func stakeCmd(f *cmdutil.Factory) *cobra.Command   { return stake.NewCmdStake(f, nil) }
func unstakeCmd(f *cmdutil.Factory) *cobra.Command { return unstake.NewCmdUnstake(f, nil) }
func keysCmd(f *cmdutil.Factory) *cobra.Command    { return keys.NewCmdKeys(f) }
func restakeCmd(f *cmdutil.Factory) *cobra.Command { return restake.NewCmdRestake(f, nil) }

// offlineWorld is a node-backed env with Alice's address also registered
// as the watch-only key "vault".
func offlineWorld(t *testing.T) *txWorld {
	t.Helper()
	w := newWorld(t, "")
	w.RunOK(t, keysCmd, "add", "vault", "--address", w.Alice.Hex())
	return w
}

func (w *txWorld) file(name string) string { return filepath.Join(w.Home, name) }

func readDocFile(t *testing.T, path string) *txdoc.Doc {
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

// The offline cycle in-process: a watch-only key builds stake and unstake
// (approve + request) unsigned; tx sign signs them with no RPC reachable
// and reads nothing from the node; tx send broadcasts exactly the signed
// transactions, and a second send sends nothing.
func TestOfflineCycle(t *testing.T) {
	w := offlineWorld(t)
	w.RunOK(t, stakeCmd, "1", "--signer", "vault", "--unsigned", "--out", w.file("stake.json"))
	w.AssertNothingSent(t)
	st, err := os.Stat(w.file("stake.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stake.json: %v, mode %v; want 0600", err, st.Mode())
	}
	// Refuses to overwrite.
	w.RunFails(t, stakeCmd, cmdutil.ExitBadInput, "already exists", "1", "--signer", "vault", "--unsigned", "--out", w.file("stake.json"))

	steps := []struct {
		name, unsigned, signed string
		actions                []string
		build                  func(*cmdutil.Factory) *cobra.Command
		args                   []string
	}{
		{"stake", w.file("stake.json"), w.file("stake-signed.json"), []string{"stake"}, nil, nil},
		{"unstake", w.file("unstake.json"), w.file("unstake-signed.json"), []string{"approve", "requestWithdrawals"}, unstakeCmd, []string{"0.5"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.build != nil {
				w.RunOK(t, s.build, append(s.args, "--signer", "vault", "--unsigned", "--out", s.unsigned)...)
			}
			d := readDocFile(t, s.unsigned)
			if len(d.Transactions) != len(s.actions) || d.From != w.Alice || d.ChainID != 1337 || d.Signed() {
				t.Fatalf("unsigned document: %+v", d)
			}
			for i, a := range s.actions {
				if d.Transactions[i].Action != a {
					t.Errorf("transaction %d is %s, want %s", i+1, d.Transactions[i].Action, a)
				}
				if i > 0 && d.Transactions[i].Nonce != d.Transactions[i-1].Nonce+1 {
					t.Errorf("nonces %d, %d are not consecutive", d.Transactions[i-1].Nonce, d.Transactions[i].Nonce)
				}
			}
			if len(s.actions) == 2 && (d.Transactions[1].GasEstimated || len(d.Notes) == 0) {
				t.Errorf("the request after an approve must carry the protocol's gas figure and a note: %+v, notes %v", d.Transactions[1], d.Notes)
			}

			// Sign with no network: the RPC a closed port, and nothing asked
			// of the node.
			t.Setenv("ETH_RPC_URL", "http://127.0.0.1:1")
			before := w.Node.Requests()
			w.RunOK(t, signCmd, s.unsigned, "--signer", "alice", "--yes", "--out", s.signed)
			if n := w.Node.Requests() - before; n != 0 {
				t.Errorf("tx sign made %d requests to the node, want 0", n)
			}
			signed := readDocFile(t, s.signed)
			if !signed.Signed() || len(signed.Transactions) != len(s.actions) {
				t.Fatalf("signed document: %+v", signed)
			}
			t.Setenv("ETH_RPC_URL", w.Node.URL())

			sentBefore := len(w.Node.Sent())
			w.RunOK(t, sendCmd, s.signed, "--yes", "--json")
			sent := w.Node.Sent()[sentBefore:]
			if len(sent) != len(s.actions) {
				t.Fatalf("%d transactions sent, want %d", len(sent), len(s.actions))
			}
			for i, tx := range sent {
				if tx.Hash() != *signed.Transactions[i].Hash {
					t.Errorf("sent %s, the document signed %s", tx.Hash().Hex(), signed.Transactions[i].Hash.Hex())
				}
			}
			var want []string
			for _, a := range s.actions {
				want = append(want, a+":success")
			}
			if got := w.TxActions(t); got != strings.Join(want, ",") {
				t.Errorf("tx send: %s, want %s", got, strings.Join(want, ","))
			}
			for _, tx := range sent {
				if e := w.state(tx.Hash()); e.State != "included" {
					t.Errorf("journal entry of %s is %s, want included", tx.Hash().Hex(), e.State)
				}
			}
			// Again: mined already, nothing goes out twice.
			w.RunOK(t, sendCmd, s.signed, "--yes", "--json")
			if n := len(w.Node.Sent()) - sentBefore; n != len(s.actions) {
				t.Errorf("a second tx send sent %d more", n-len(s.actions))
			}
		})
	}
}

// tx sign works with no RPC configured at all.
func TestSignWithoutRPC(t *testing.T) {
	w := offlineWorld(t)
	w.RunOK(t, stakeCmd, "1", "--signer", "vault", "--unsigned", "--out", w.file("u.json"))
	t.Setenv("ETH_RPC_URL", "")
	before := w.Node.Requests()
	w.RunOK(t, signCmd, w.file("u.json"), "--signer", "alice", "--yes", "--out", w.file("s.json"))
	if n := w.Node.Requests() - before; n != 0 {
		t.Errorf("tx sign made %d requests, want 0", n)
	}
	// stdin in, stdout out: the document itself.
	data, err := os.ReadFile(w.file("u.json"))
	if err != nil {
		t.Fatal(err)
	}
	w.F.IO.In = strings.NewReader(string(data))
	w.RunOK(t, signCmd, "-", "--signer", "alice", "--yes")
	d, err := txdoc.Parse([]byte(w.Out.String()))
	if err != nil || !d.Signed() {
		t.Fatalf("stdout is not a signed document: %v\n%s", err, w.Out)
	}
}

// Everything tx sign and the sending commands refuse, each with its exit
// code, and nothing signed or sent.
func TestOfflineRefusals(t *testing.T) {
	w := offlineWorld(t)
	bob, err := devkeys.TestAccount(1)
	if err != nil {
		t.Fatal(err)
	}
	store, err := ikeys.Open(ikeys.Options{Dir: filepath.Join(w.Home, "keys"), PasswordFile: w.PasswordFile, Scrypt: keystore.LightParams()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportKey(context.Background(), "bob", ikeys.BackendKeystore, bob.PrivateKey, ""); err != nil {
		t.Fatal(err)
	}
	unsigned := w.file("u.json")
	w.RunOK(t, stakeCmd, "1", "--signer", "alice", "--yes")
	sent, journaled := len(w.Node.Sent()), len(w.Journal())
	w.RunOK(t, unstakeCmd, "0.5", "--signer", "vault", "--unsigned", "--out", unsigned)
	good, err := os.ReadFile(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	tampered := func(name, old, new string) string {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("document lacks %q", old)
		}
		p := w.file(name)
		if err := os.WriteFile(p, bytes.Replace(good, []byte(old), []byte(new), 1), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	d := readDocFile(t, unsigned)
	queue := strings.ToLower(d.Transactions[1].To.Hex())
	approveData := d.Transactions[0].Data.String()
	// The approve's amount word, 0.5 stETH, made 50.
	fifty := strings.Replace(approveData, "00000000000000000000000000000000000000000000000006f05b59d3b20000", "000000000000000000000000000000000000000000000002b5e3af16b1880000", 1)
	if fifty == approveData {
		t.Fatalf("approve calldata %s lacks the 0.5 word", approveData)
	}
	tests := []struct {
		name  string
		build func(*cmdutil.Factory) *cobra.Command
		args  []string
		code  int
		msg   string
	}{
		{"to changed", signCmd, []string{tampered("to.json", `"to": "`+queue+`"`, `"to": "0x00000000000000000000000000000000deadbeef"`), "--yes"}, 2, "is not a lido contract"},
		{"value changed", signCmd, []string{tampered("value.json", `"value": "0"`, `"value": "1000000000000000000"`), "--yes"}, 2, "takes no coin"},
		{"calldata changed", signCmd, []string{tampered("data.json", approveData, fifty), "--yes"}, 2, "does not carry the amount"},
		{"preview changed", signCmd, []string{tampered("preview.json", "1. Approve 0.5 stETH", "1. Approve 0.05 stETH"), "--yes"}, 2, "preview line"},
		{"wrong chain", signCmd, []string{unsigned, "--network", "mainnet", "--yes"}, 2, "chain 1337"},
		{"network renamed", signCmd, []string{tampered("net.json", `"network": "devnet"`, `"network": "nowhere"`), "--yes"}, 2, "preview line 3"},
		{"unknown network", signCmd, []string{w.file("net.json"), "--yes"}, 2, "not known here"},
		{"newer version", signCmd, []string{tampered("v.json", `"version": 1`, `"version": 9`), "--yes"}, 2, "upgrade"},
		{"another signer", signCmd, []string{unsigned, "--signer", "bob", "--yes"}, 2, "the document is from"},
		{"watch-only signer", signCmd, []string{unsigned, "--signer", "vault", "--yes"}, 7, "--unsigned"},
		{"no terminal", signCmd, []string{unsigned}, 6, "--yes"},
		{"unsigned sent", sendCmd, []string{unsigned, "--yes"}, 2, "sign it first"},
		{"watch-only stake", stakeCmd, []string{"1", "--signer", "vault", "--yes"}, 7, "--unsigned"},
		{"--from signing", stakeCmd, []string{"1", "--from", w.Alice.Hex(), "--yes"}, 7, "--unsigned"},
		{"--out without --unsigned", stakeCmd, []string{"1", "--out", w.file("x.json"), "--yes"}, 2, "goes with --unsigned"},
		{"--unsigned with --dry-run", stakeCmd, []string{"1", "--unsigned", "--dry-run"}, 2, "drop --dry-run"},
		{"restake", restakeCmd, []string{"--unsigned", "--yes"}, 2, "--unsigned cannot be used with stakewallet restake: restake stakes what its claim paid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "unknown network" {
				// The document's own network decides.
				t.Setenv("STAKEWALLET_NETWORK", "")
			}
			w.RunFails(t, tc.build, tc.code, tc.msg, append(tc.args, "--signer", signerFor(tc.args))...)
			if len(w.Node.Sent()) != sent || len(w.Journal()) != journaled {
				t.Errorf("something was signed or sent: %d transactions, journal %v", len(w.Node.Sent())-sent, w.Journal())
			}
		})
	}
}

// signerFor keeps a test's own --signer, else Alice (who holds the key of
// the document's "from").
func signerFor(args []string) string {
	for i, a := range args {
		if a == "--signer" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return "alice"
}

// --from builds a document for any address, on stdout when there is no
// --out: stdout is the document and nothing else, --json or not.
func TestFromAddressToStdout(t *testing.T) {
	w := newWorld(t, "")
	for _, asJSON := range []bool{false, true} {
		args := []string{"1", "--from", w.Alice.Hex(), "--unsigned"}
		if asJSON {
			args = append(args, "--json")
		}
		w.RunOK(t, stakeCmd, args...)
		d, err := txdoc.Parse([]byte(w.Out.String()))
		if err != nil {
			t.Fatalf("--json=%v: stdout is not a document: %v\n%s", asJSON, err, w.Out)
		}
		if d.From != w.Alice || d.Action != "stake" || d.Type != txdoc.TypeUnsigned {
			t.Errorf("document %+v", d)
		}
	}
	// And previews (--dry-run) for it.
	w.Node.SetBalance(w.Bob, clitest.Ether(2))
	w.RunOK(t, stakeCmd, "1", "--from", w.Bob.Hex(), "--dry-run", "--json")
	var dry struct {
		From   string
		DryRun bool
	}
	w.JSON(t, &dry)
	if dry.From != w.Bob.Hex() || !dry.DryRun {
		t.Errorf("--from --dry-run: %+v", dry)
	}
	w.AssertNothingSent(t)
}

// A signed document whose nonce another transaction took meanwhile is
// stale: refused before anything is sent.
func TestSendStaleDocument(t *testing.T) {
	w := offlineWorld(t)
	w.RunOK(t, stakeCmd, "1", "--signer", "vault", "--unsigned", "--out", w.file("u.json"))
	w.RunOK(t, signCmd, w.file("u.json"), "--signer", "alice", "--yes", "--out", w.file("s.json"))
	// Alice stakes from this machine first, with the same nonce.
	w.RunOK(t, stakeCmd, "2", "--signer", "alice", "--yes")
	sent := len(w.Node.Sent())
	w.RunFails(t, sendCmd, cmdutil.ExitBadInput, "the document is stale; build it again", w.file("s.json"), "--yes")
	if len(w.Node.Sent()) != sent {
		t.Error("a stale document was sent")
	}

	// Ahead of the account: an earlier document was never sent.
	next := w.Node.Nonce(w.Alice)
	w.RunOK(t, stakeCmd, "1", "--signer", "vault", "--unsigned", "--nonce", fmt.Sprint(next+1), "--out", w.file("ahead.json"))
	w.RunOK(t, signCmd, w.file("ahead.json"), "--signer", "alice", "--yes", "--out", w.file("ahead-signed.json"))
	w.RunFails(t, sendCmd, cmdutil.ExitBadInput, fmt.Sprintf("the next nonce of %s is %d", w.Alice.Hex(), next), w.file("ahead-signed.json"), "--yes")
	if len(w.Node.Sent()) != sent {
		t.Error("a document ahead of the account's nonce was sent")
	}
}

// TestOfflineRoundTrips counts JSON-RPC round trips (HTTP requests) of each
// step on the fake node: building unsigned costs what a dry run does (one
// batch), signing none, and sending a document one batch of reads plus,
// per transaction, the chain ID check right before it goes out and its
// synchronous send (before: 5 reads per transaction, then those two).
func TestOfflineRoundTrips(t *testing.T) {
	w := offlineWorld(t)
	w.RunOK(t, stakeCmd, "1", "--signer", "alice", "--yes") // stETH to unstake
	steps := []struct {
		name  string
		build func(*cmdutil.Factory) *cobra.Command
		args  []string
		txs   int
	}{
		{"stake", stakeCmd, []string{"1"}, 1},
		{"unstake, approve needed", unstakeCmd, []string{"0.5"}, 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			unsigned, signed := w.file(s.name+".json"), w.file(s.name+"-signed.json")
			w.Node.ResetCounters()
			w.RunOK(t, s.build, append(s.args, "--signer", "vault", "--unsigned", "--out", unsigned)...)
			if n := w.Node.Requests(); n != 1 {
				t.Errorf("--unsigned: %d round trips (%v), want 1", n, w.Node.Calls())
			}
			w.Node.ResetCounters()
			w.RunOK(t, signCmd, unsigned, "--signer", "alice", "--yes", "--out", signed)
			if n := w.Node.Requests(); n != 0 {
				t.Errorf("tx sign: %d round trips, want 0", n)
			}
			w.Node.ResetCounters()
			w.RunOK(t, sendCmd, signed, "--yes")
			if n, want := w.Node.Requests(), 1+2*s.txs; n != want {
				t.Errorf("tx send: %d round trips (%v), want %d", n, w.Node.Calls(), want)
			}
		})
	}
}
