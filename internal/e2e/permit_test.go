package e2e

import (
	"context"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// allowance reads token.allowance(owner, spender) independently of the CLI.
func (c *chainReader) allowance(token, owner, spender common.Address) *big.Int {
	c.t.Helper()
	data := append(common.FromHex("0xdd62ed3e"), common.LeftPadBytes(owner.Bytes(), 32)...)
	data = append(data, common.LeftPadBytes(spender.Bytes(), 32)...)
	out, err := c.ec.CallContract(context.Background(), ethereumCall(token, data), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return new(big.Int).SetBytes(out)
}

// permitNonce reads token.nonces(owner) (EIP-2612, selector 0x7ecebe00).
func (c *chainReader) permitNonce(token, owner common.Address) *big.Int {
	c.t.Helper()
	data := append(common.FromHex("0x7ecebe00"), common.LeftPadBytes(owner.Bytes(), 32)...)
	out, err := c.ec.CallContract(context.Background(), ethereumCall(token, data), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return new(big.Int).SetBytes(out)
}

// actions lists the actions of a sending command's JSON transactions.
func actions(t *testing.T, out map[string]any) []string {
	t.Helper()
	var got []string
	for _, tx := range field(t, out, "transactions").([]any) {
		got = append(got, tx.(map[string]any)["action"].(string))
	}
	return got
}

// permitCase is one unstake and what it must leave.
type permitCase struct {
	name    string
	args    []string
	token   common.Address
	actions []string
	nonce   int64 // the token's permit nonce after the unstake
}

// runPermitCases runs cases for the account behind signArgs and checks each
// is exactly the expected transactions, creates one request and leaves no
// allowance to the queue.
func runPermitCases(t *testing.T, run func(args ...string) map[string]any, chain *chainReader, owner common.Address, cases []permitCase) {
	t.Helper()
	for _, tc := range cases {
		nonceBefore := chain.nonce(owner)
		out := run(tc.args...)
		got := actions(t, out)
		for _, tx := range field(t, out, "transactions").([]any) {
			m := tx.(map[string]any)
			t.Logf("%s: %s gas used %v", tc.name, m["action"], m["gasUsed"])
		}
		if len(got) != len(tc.actions) {
			t.Fatalf("%s: transactions %v, want %v", tc.name, got, tc.actions)
		}
		for i := range got {
			if got[i] != tc.actions[i] {
				t.Errorf("%s: transaction %d is %s, want %s", tc.name, i, got[i], tc.actions[i])
			}
		}
		if sent := chain.nonce(owner) - nonceBefore; sent != uint64(len(tc.actions)) {
			t.Errorf("%s: the account sent %d transactions, want %d", tc.name, sent, len(tc.actions))
		}
		if ids := field(t, out, "requestIds").([]any); len(ids) != 1 {
			t.Errorf("%s: requestIds %v, want one", tc.name, ids)
		}
		if a := chain.allowance(tc.token, owner, lido.DevnetWithdrawalQueue); a.Sign() != 0 {
			t.Errorf("%s: allowance to the queue left at %s, want 0", tc.name, a)
		}
		if p, ok := field(t, out, "transactions", 0).(map[string]any)["permit"].(map[string]any); (ok != (len(tc.actions) == 1)) ||
			(ok && (p["spender"] != lido.DevnetWithdrawalQueue.Hex() || p["contract"] != tc.token.Hex() || p["signed"] != true)) {
			t.Errorf("%s: JSON permit %v", tc.name, field(t, out, "transactions", 0))
		}
		if n := chain.permitNonce(tc.token, owner); n.Cmp(big.NewInt(tc.nonce)) != 0 {
			t.Errorf("%s: permit nonce %s, want %d", tc.name, n, tc.nonce)
		}
	}
}

// permitCases: stETH and wstETH with a permit (one transaction each, the
// token's nonce moves), then --no-permit (approve + request, nonce stays).
func permitCases(signer []string) []permitCase {
	with := func(args ...string) []string { return append(append(args, signer...), "--yes") }
	return []permitCase{
		{name: "stETH with permit", args: with("unstake", "0.3"), token: lido.DevnetStETH,
			actions: []string{"requestWithdrawalsWithPermit"}, nonce: 1},
		{name: "wstETH with permit", args: with("unstake", "0.2", "--token", "wstETH"), token: lido.DevnetWstETH,
			actions: []string{"requestWithdrawalsWstETHWithPermit"}, nonce: 1},
		{name: "stETH --no-permit", args: with("unstake", "0.2", "--no-permit"), token: lido.DevnetStETH,
			actions: []string{"approve", "requestWithdrawals"}, nonce: 1},
		{name: "stETH with permit again", args: with("unstake", "0.1"), token: lido.DevnetStETH,
			actions: []string{"requestWithdrawalsWithPermit"}, nonce: 2},
	}
}

// TestPermitUnstake: on the keystore signer, an unstake whose allowance is
// short signs an EIP-2612 permit and is ONE transaction
// (requestWithdrawals…WithPermit) that leaves no allowance behind, in 2
// round trips (the permit's nonce and domain ride in the first batch);
// --no-permit is approve + request.
func TestPermitUnstake(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{BondingPeriod: time.Hour})
	url := d.HTTPEndpoint()
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password}
	proxy := rpcproxy.Start(t, url)
	run := func(args ...string) map[string]any {
		t.Helper()
		return w.MustJSON(append(args, "--rpc-url", url)...)
	}
	run(append([]string{"stake", "2", "--yes"}, sign...)...)
	run(append([]string{"wrap", "0.5", "--yes"}, sign...)...)

	// The preview shows the permit as something signed: spender, amount,
	// deadline; one transaction.
	r := w.Run("", append([]string{"unstake", "0.1", "--dry-run", "--rpc-url", url}, sign...)...)
	if r.Code != 0 {
		t.Fatalf("dry run: exit %d\n%s", r.Code, r.Stderr)
	}
	for _, want := range []string{"with a signed permit for 0.1 stETH", "signed (EIP-712) before this transaction", "spender", lido.DevnetWithdrawalQueue.Hex(), "permit amount", "0.1 stETH", "deadline"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("preview lacks %q:\n%s", want, r.Stdout)
		}
	}
	if strings.Contains(r.Stdout, "Approve") || strings.Contains(r.Stdout, "  2. ") {
		t.Errorf("preview has an approve step:\n%s", r.Stdout)
	}
	// The round trips of an unstake with a permit, through the counting proxy.
	out, got := measure(t, w, proxy, append([]string{"unstake", "0.1", "--yes"}, sign...)...)
	t.Logf("unstake with permit: %s", got)
	if got.requests != 2 {
		t.Errorf("unstake with permit: %s, want 2", got)
	}
	if a := actions(t, out); len(a) != 1 || a[0] != "requestWithdrawalsWithPermit" {
		t.Errorf("unstake with permit sent %v", a)
	}
	// The nonce is now 1: the cases below count from there.
	cases := permitCases(sign)
	for i := range cases {
		if cases[i].token == lido.DevnetStETH {
			cases[i].nonce++
		}
	}
	runPermitCases(t, run, chain, alice.Address, cases)
}

// TestPermitKeyringOnDevnet: the same with a key in a real Secret Service
// (run through scripts/test-keyring.sh).
func TestPermitKeyringOnDevnet(t *testing.T) {
	if os.Getenv("STAKEWALLET_KEYRING_IT") != "1" {
		t.Skip("needs a real Secret Service: run scripts/test-keyring.sh (make test does)")
	}
	url := startDevnet(t, time.Hour)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	w.Env = append(os.Environ(), w.Env...)
	chain := dialChain(t, url)
	acct := testAccount(t, 3)
	run := func(args ...string) map[string]any {
		t.Helper()
		r := w.Run("", append(args, "--json")...)
		if r.Code != 0 {
			t.Fatalf("stakewallet %v: exit %d\n%s\n%s", args, r.Code, r.Stdout, r.Stderr)
		}
		return r.JSON(t)
	}
	if r := w.Run(devkeys.Mnemonic+"\n", "keys", "import", "permit", "--backend", "keyring", "--mnemonic-file", "-", "--index", "3", "--json"); r.Code != 0 {
		t.Fatalf("keys import: exit %d\n%s", r.Code, r.Stderr)
	}
	sign := []string{"--signer", "keyring:permit"}
	run(append([]string{"stake", "2", "--yes"}, sign...)...)
	run(append([]string{"wrap", "0.5", "--yes"}, sign...)...)
	runPermitCases(t, run, chain, acct.Address, permitCases(sign))
}

// TestPermitLedger: the permit signed on the (emulated) Ledger in full
// EIP-712 mode, the device showing the permit's fields; an app too old for
// full mode signs it as hashes (blind signing on); with neither, the
// preview says why and the plan approves.
func TestPermitLedger(t *testing.T) {
	url := startDevnet(t, time.Hour)
	emu, transport := startLedger(t, ledgeremu.Options{BlindSigning: true})
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	chain := dialChain(t, url)
	me := testAccount(t, 0).Address
	sign := []string{"--signer", "ledger", "--ledger-transport", transport}
	run := func(args ...string) map[string]any {
		t.Helper()
		return w.MustJSON(args...)
	}
	run(append([]string{"stake", "2", "--yes"}, sign...)...)
	run(append([]string{"wrap", "0.5", "--yes"}, sign...)...)

	cases := permitCases(sign)
	for _, tc := range cases {
		runPermitCases(t, run, chain, me, []permitCase{tc})
		if len(tc.actions) != 1 {
			continue
		}
		// The device reviewed the permit field by field (full mode).
		typed := lastTyped(emu)
		if typed == nil || typed.Blind || !typed.Approved {
			t.Fatalf("%s: no full-mode typed-data review on the device: %+v", tc.name, typed)
		}
		shown := map[string]string{}
		for _, f := range typed.Fields {
			shown[f.Path] = f.Value
		}
		if shown["Permit.spender"] != lido.DevnetWithdrawalQueue.Hex() || shown["Permit.owner"] != me.Hex() ||
			shown["EIP712Domain.verifyingContract"] != tc.token.Hex() || shown["Permit.value"] == "" || shown["Permit.deadline"] == "" {
			t.Errorf("%s: device showed %v", tc.name, typed.Fields)
		}
	}

	// An app older than full EIP-712 (1.9.19) signs the permit as two
	// hashes, which needs blind signing (on here): still one transaction.
	update(t, emu, func(o *ledgeremu.Options) { o.Version = "1.9.18" })
	runPermitCases(t, run, chain, me, []permitCase{{name: "app 1.9.18, v0 hashes", args: append(append([]string{"unstake", "0.1"}, sign...), "--yes"),
		token: lido.DevnetStETH, actions: []string{"requestWithdrawalsWithPermit"}, nonce: 3}})
	if sc := lastTyped(emu); sc == nil || !sc.Blind || len(sc.Fields) != 0 || !sc.Approved {
		t.Errorf("v0: device showed %+v", sc)
	}
	// Blind signing off too: no permit; the preview says why.
	update(t, emu, func(o *ledgeremu.Options) { o.BlindSigning = false })
	r := w.Run("", append([]string{"unstake", "0.1", "--dry-run"}, sign...)...)
	if r.Code != 0 {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	for _, want := range []string{"no permit", "1.9.18", "Blind signing", "Approve 0.1 stETH"} {
		if !strings.Contains(r.Stdout+r.Stderr, want) {
			t.Errorf("preview lacks %q:\n%s%s", want, r.Stdout, r.Stderr)
		}
	}
}

// lastTyped is the device's last typed-data review (before the
// transaction's own), or nil.
func lastTyped(emu *ledgeremu.Emulator) *ledgeremu.Screen {
	sc := emu.Screens()
	for i := len(sc) - 1; i >= 0; i-- {
		if sc[i].Kind == "typed data" {
			return &sc[i]
		}
	}
	return nil
}

// TestPermitOffline: an unsigned document of an unstake carries the permit
// to sign (typed data and where its signature goes); tx sign, with no
// network, signs it (keystore, or the Ledger in full EIP-712 mode) before
// the one transaction that carries it; tx send broadcasts that one
// transaction and no allowance is left. A permit whose typed data was
// changed (spender, deadline) is refused; --no-permit documents carry
// approve + request.
func TestPermitOffline(t *testing.T) {
	url := startDevnet(t, time.Hour)
	alice := testAccount(t, 0)
	online := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	online.ImportKey("hot", alice.KeyHex())
	offline := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	offline.ImportKey("alice", alice.KeyHex())
	emu, transport := startLedger(t, ledgeremu.Options{BlindSigning: true})
	chain := dialChain(t, url)
	dir := t.TempDir()
	online.MustJSON("stake", "2", "--signer", "hot", "--password-file", online.Password, "--yes")
	online.MustJSON("wrap", "0.5", "--signer", "hot", "--password-file", online.Password, "--yes")
	if r := online.Run("", "keys", "add", "vault", "--address", alice.Address.Hex()); r.Code != 0 {
		t.Fatalf("keys add --address: exit %d\n%s", r.Code, r.Stderr)
	}
	signers := map[string][]string{
		"keystore": {"--signer", "alice", "--password-file", offline.Password},
		"ledger":   {"--signer", "ledger", "--ledger-transport", transport},
	}
	build := func(t *testing.T, name string, args ...string) string {
		t.Helper()
		f := filepath.Join(dir, name+".json")
		if r := online.Run("", append(args, "--signer", "vault", "--unsigned", "--out", f)...); r.Code != 0 {
			t.Fatalf("%v --unsigned: exit %d\n%s", args, r.Code, r.Stderr)
		}
		return f
	}
	tests := []struct {
		name, signer string
		args         []string
		token        common.Address
		actions      []string
	}{
		{"stETH, keystore", "keystore", []string{"unstake", "0.3"}, lido.DevnetStETH, []string{"requestWithdrawalsWithPermit"}},
		{"wstETH, Ledger", "ledger", []string{"unstake", "0.2", "--token", "wstETH"}, lido.DevnetWstETH, []string{"requestWithdrawalsWstETHWithPermit"}},
		{"stETH, Ledger", "ledger", []string{"unstake", "0.1"}, lido.DevnetStETH, []string{"requestWithdrawalsWithPermit"}},
		{"stETH --no-permit, keystore", "keystore", []string{"unstake", "0.1", "--no-permit"}, lido.DevnetStETH, []string{"approve", "requestWithdrawals"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := build(t, strings.NewReplacer(" ", "-", ",", "").Replace(tt.name), tt.args...)
			u := readDoc(t, file)
			if len(u.Transactions) != len(tt.actions) {
				t.Fatalf("document transactions %d, want %v", len(u.Transactions), tt.actions)
			}
			for i, a := range tt.actions {
				tx := u.Transactions[i]
				if tx.Action != a || (tx.Permit != nil) != strings.HasSuffix(a, "WithPermit") {
					t.Fatalf("document transaction %d: %s (permit %v), want %s", i, tx.Action, tx.Permit != nil, a)
				}
			}
			signed := strings.TrimSuffix(file, ".json") + "-signed.json"
			r := offline.Run("", append([]string{"tx", "sign", file, "--out", signed, "--yes", "--rpc-url", "http://127.0.0.1:1"}, signers[tt.signer]...)...)
			if r.Code != 0 {
				t.Fatalf("tx sign: exit %d\n%s", r.Code, r.Stderr)
			}
			sd := readDoc(t, signed)
			if p := sd.Transactions[0].Permit; (p != nil) != (len(tt.actions) == 1) || (p != nil && len(p.Signature) != 65) {
				t.Fatalf("signed permit %+v", p)
			}
			if tt.signer == "ledger" {
				if sc := lastTyped(emu); sc == nil || sc.Blind || len(sc.Fields) == 0 {
					t.Errorf("the Ledger did not review the permit's fields: %+v", sc)
				}
			}
			before := chain.nonce(alice.Address)
			out := online.MustJSON("tx", "send", signed, "--yes")
			if got := actions(t, out); strings.Join(got, ",") != strings.Join(tt.actions, ",") {
				t.Errorf("sent %v, want %v", got, tt.actions)
			}
			if n := chain.nonce(alice.Address) - before; n != uint64(len(tt.actions)) {
				t.Errorf("%d transactions mined, want %d", n, len(tt.actions))
			}
			if a := chain.allowance(tt.token, alice.Address, lido.DevnetWithdrawalQueue); a.Sign() != 0 {
				t.Errorf("allowance left %s", a)
			}
		})
	}

	// Typed data that does not match the transaction is refused, nothing signed.
	t.Run("tampered permit", func(t *testing.T) {
		file := build(t, "tamper", "unstake", "0.1")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ name, from, to, want string }{
			{"spender", strings.ToLower(lido.DevnetWithdrawalQueue.Hex()), strings.ToLower(testAccount(t, 1).Address.Hex()), "spend"},
			{"deadline", `"deadline": "0x`, `"deadline": "0x1`, "deadline"},
		} {
			s := string(data)
			i := strings.Index(s, `"typedData"`)
			if i < 0 || !strings.Contains(strings.ToLower(s[i:]), c.from) {
				t.Fatalf("%s: %q not in the document's typed data:\n%s", c.name, c.from, s[i:])
			}
			low := strings.ToLower(s[i:])
			j := i + strings.Index(low, c.from)
			bad := s[:j] + c.to + s[j+len(c.from):]
			f := filepath.Join(dir, "tampered-"+c.name+".json")
			if err := os.WriteFile(f, []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			r := offline.Run("", append([]string{"tx", "sign", f, "--out", f + ".signed", "--yes"}, signers["keystore"]...)...)
			if r.Code != 2 || !strings.Contains(r.Stderr, c.want) {
				t.Errorf("%s: exit %d, want 2 mentioning %q\n%s", c.name, r.Code, c.want, r.Stderr)
			}
			if _, err := os.Stat(f + ".signed"); err == nil {
				t.Errorf("%s: a signed document was written", c.name)
			}
		}
	})
}
