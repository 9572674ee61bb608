package e2e

import (
	"context"
	"encoding/json"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// Ledger Live account 1 of the test mnemonic, m/44'/60'/1'/0/0 (also
// checked against an independent implementation in pkg/signer/ledger).
var ledgerLive1 = common.HexToAddress("0x8C8d35429F74ec245F8Ef2f4Fd1e551cFF97d650")

// startLedger serves an emulated Ledger (the test mnemonic, so account 0 is
// the devnet's funded 0xf39F…2266) on a loopback TCP port, as Speculos
// would, and returns it with its --ledger-transport value.
func startLedger(t *testing.T, opts ledgeremu.Options) (*ledgeremu.Emulator, string) {
	t.Helper()
	emu, err := ledgeremu.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := emu.ServeTCP(ctx, "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = emu.Close()
	})
	return emu, "tcp://" + addr
}

// update changes a switch of the running emulator.
func update(t *testing.T, emu *ledgeremu.Emulator, f func(*ledgeremu.Options)) {
	t.Helper()
	if err := emu.Update(f); err != nil {
		t.Fatal(err)
	}
}

// lastScreen is what the device showed last.
func lastScreen(t *testing.T, emu *ledgeremu.Emulator) ledgeremu.Screen {
	t.Helper()
	sc := emu.Screens()
	if len(sc) == 0 {
		t.Fatal("the device showed nothing")
	}
	return sc[len(sc)-1]
}

// The demo cycle signed on an emulated Ledger through the built binary:
// stake, unstake, wait, claim, transfer, each checked on-chain; then every
// way the device can fail, each with its exit code, its advice and no
// transaction sent; then registered Ledger keys and the ledger commands.
func TestLedgerCycle(t *testing.T) {
	url := startDevnet(t, 3*time.Second)
	emu, transport := startLedger(t, ledgeremu.Options{BlindSigning: true})
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	chain := dialChain(t, url)
	me, bob := testAccount(t, 0).Address, testAccount(t, 1).Address
	steth := lido.DevnetStETH
	sign := []string{"--signer", "ledger", "--ledger-transport", transport, "--yes"}

	t.Run("stake", func(t *testing.T) {
		ethBefore := chain.balance(me)
		r := w.Run("", append([]string{"stake", "1", "--json"}, sign...)...)
		if r.Code != 0 {
			t.Fatalf("exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
		}
		out := r.JSON(t)
		if field(t, out, "from") != me.Hex() || field(t, out, "transactions", 0, "status") != "success" {
			t.Fatalf("stake output %v", out)
		}
		// stderr is not a terminal: the wait for the device is one line,
		// and the blind-signing notice comes before it.
		if n := strings.Count(r.Stderr, "Review and approve on your Ledger"); n != 1 {
			t.Errorf("review prompt %d times on stderr:\n%s", n, r.Stderr)
		}
		if !strings.Contains(r.Stderr, "blind-signed") {
			t.Errorf("no blind-signing notice on stderr:\n%s", r.Stderr)
		}
		if sc := lastScreen(t, emu); sc.Address != me || !sc.Blind || !sc.Approved || sc.ChainID.Int64() != 1337 {
			t.Errorf("device showed %+v", sc)
		}
		if got := chain.tokenBalance(steth, me); !near(got, eth("1"), 2) {
			t.Errorf("stETH on-chain %s, want ~1e18", got)
		}
		if spent := new(big.Int).Sub(ethBefore, chain.balance(me)); spent.Cmp(eth("1")) <= 0 || spent.Cmp(eth("1.01")) > 0 {
			t.Errorf("ETH spent %s: want 1 ETH plus a small fee", spent)
		}
	})

	t.Run("preview says blind", func(t *testing.T) {
		before := chain.nonce(me)
		r := w.Run("", "stake", "0.1", "--dry-run", "--signer", "ledger", "--ledger-transport", transport)
		if r.Code != 0 {
			t.Fatalf("exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
		}
		for _, want := range []string{"signer", "ledger m/44'/60'/0'/0/0", "signing", "blind-signed", "Blind signing"} {
			if !strings.Contains(r.Stdout, want) {
				t.Errorf("preview lacks %q:\n%s", want, r.Stdout)
			}
		}
		if got := chain.nonce(me); got != before {
			t.Errorf("dry run changed the nonce %d → %d", before, got)
		}
	})

	var id string
	t.Run("unstake", func(t *testing.T) {
		// --no-permit: approve + request (the permit on the device: permit_test.go)
		out := w.MustJSON(append([]string{"unstake", "0.5", "--no-permit"}, sign...)...)
		txs := field(t, out, "transactions").([]any)
		if len(txs) != 2 || field(t, txs[0], "status") != "success" || field(t, txs[1], "status") != "success" {
			t.Fatalf("unstake transactions %v", txs)
		}
		ids := field(t, out, "requestIds").([]any)
		if len(ids) != 1 {
			t.Fatalf("requestIds %v", ids)
		}
		id = ids[0].(string)
		// The oracle accrues rewards meanwhile, so a little more is left.
		if got := chain.tokenBalance(steth, me); got.Cmp(eth("0.499999")) < 0 || got.Cmp(eth("0.501")) > 0 {
			t.Errorf("stETH left %s, want ~0.5e18", got)
		}
	})
	if id == "" {
		t.FailNow()
	}

	t.Run("wait and claim", func(t *testing.T) {
		out := w.MustJSON("withdrawals", "wait", id, "--signer", "ledger", "--ledger-transport", transport, "--interval", "300ms", "--timeout", "40s")
		claimable := bigOf(t, field(t, out, "withdrawals", 0, "claimable"))
		if field(t, out, "withdrawals", 0, "status") != "claimable" || claimable.Sign() <= 0 {
			t.Fatalf("after wait: %v", out)
		}
		before := chain.balance(me)
		out = w.MustJSON(append([]string{"claim", id}, sign...)...)
		tx := field(t, out, "transactions", 0).(map[string]any)
		if tx["status"] != "success" {
			t.Fatalf("claim %v", out)
		}
		fee := new(big.Int).Mul(bigOf(t, tx["gasUsed"]), bigOf(t, tx["effectiveGasPrice"]))
		if gained, want := new(big.Int).Sub(chain.balance(me), before), new(big.Int).Sub(claimable, fee); gained.Cmp(want) != 0 {
			t.Errorf("ETH gained %s, want claimable %s - fee %s", gained, claimable, fee)
		}
	})

	t.Run("transfer", func(t *testing.T) {
		bobBefore := chain.tokenBalance(steth, bob)
		out := w.MustJSON(append([]string{"transfer", "0.1", "stETH", "--to", bob.Hex()}, sign...)...)
		if field(t, out, "from") != me.Hex() || field(t, out, "transactions", 0, "status") != "success" {
			t.Fatalf("transfer output %v", out)
		}
		if got := new(big.Int).Sub(chain.tokenBalance(steth, bob), bobBefore); !near(got, eth("0.1"), 2) {
			t.Errorf("bob received %s stETH wei, want ~0.1e18", got)
		}
	})

	// A port nobody listens on, for "no device".
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := "tcp://" + l.Addr().String()
	l.Close()

	failures := []struct {
		name   string
		device func(*ledgeremu.Options)
		args   []string
		code   int
		kind   string
		says   []string
	}{
		{"locked", func(o *ledgeremu.Options) { o.Locked = true }, nil, 7, "signer_unavailable", []string{"locked", "unlock it with your PIN"}},
		{"app not open", func(o *ledgeremu.Options) { o.AppName = "BOLOS" }, nil, 7, "signer_unavailable", []string{"open the Ethereum app"}},
		{"user rejects", func(o *ledgeremu.Options) { o.Reject = true }, nil, 6, "declined", []string{"rejected"}},
		{"blind signing off", func(o *ledgeremu.Options) { o.BlindSigning = false }, nil, 7, "signer_unavailable", []string{"Blind signing", "Settings"}},
		{"no device", nil, []string{"--ledger-transport", nobody}, 7, "signer_unavailable", []string{nobody, "Speculos"}},
		{"bad ref", nil, []string{"--signer", "ledger:x"}, 2, "bad_input", []string{"ledger:x"}},
		{"bad transport", nil, []string{"--ledger-transport", "usb://ledger"}, 2, "bad_input", []string{"--ledger-transport", "tcp://HOST:PORT"}},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			if tt.device != nil {
				update(t, emu, tt.device)
				t.Cleanup(func() {
					update(t, emu, func(o *ledgeremu.Options) { *o = ledgeremu.Options{BlindSigning: true} })
				})
			}
			before := chain.nonce(me)
			// Later flags win, so the case's --signer/--ledger-transport
			// replace the defaults.
			args := append(append([]string{"stake", "0.1", "--json"}, sign...), tt.args...)
			r := w.Run("", args...)
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.Code, tt.code, r.Stdout, r.Stderr)
			}
			if kind := field(t, r.JSON(t), "error", "code"); kind != tt.kind {
				t.Errorf("error code %v, want %s", kind, tt.kind)
			}
			msg := field(t, r.JSON(t), "error", "message").(string)
			for _, s := range tt.says {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q does not say %q", msg, s)
				}
			}
			if got := chain.nonce(me); got != before {
				t.Errorf("nonce %d → %d: something was sent", before, got)
			}
		})
	}

	t.Run("registered key", func(t *testing.T) {
		out := w.MustJSON("keys", "add", "dev", "--ledger", "--ledger-transport", transport)
		if out["backend"] != "ledger" || out["address"] != me.Hex() || out["path"] != "m/44'/60'/0'/0/0" {
			t.Fatalf("keys add: %v", out)
		}
		out = w.MustJSON("keys", "add", "dev1", "--ledger", "--index", "1", "--ledger-transport", transport)
		if out["address"] != ledgerLive1.Hex() || out["path"] != "m/44'/60'/1'/0/0" {
			t.Fatalf("keys add --index 1: %v", out)
		}
		if r := w.Run("", "keys", "add", "dev", "--ledger", "--ledger-transport", transport); r.Code != 2 || !strings.Contains(r.Stderr, "already exists") {
			t.Errorf("second add dev: exit %d\n%s", r.Code, r.Stderr)
		}

		before := chain.nonce(me)
		out = w.MustJSON("stake", "0.1", "--signer", "dev", "--ledger-transport", transport, "--yes")
		if field(t, out, "from") != me.Hex() || field(t, out, "transactions", 0, "status") != "success" {
			t.Fatalf("stake --signer dev: %v", out)
		}
		if got := chain.nonce(me); got != before+1 {
			t.Errorf("nonce %d → %d, want one transaction", before, got)
		}

		// Another device (another seed) is refused before anything is
		// signed.
		_, other := startLedger(t, ledgeremu.Options{BlindSigning: true, Mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"})
		r := w.Run("", "stake", "0.1", "--signer", "dev", "--ledger-transport", other, "--yes", "--json")
		if r.Code != 7 || !strings.Contains(r.Stdout, me.Hex()) {
			t.Errorf("other device: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
		}
		if got := chain.nonce(me); got != before+1 {
			t.Errorf("other device: nonce changed to %d", got)
		}
	})

	t.Run("confirm address", func(t *testing.T) {
		update(t, emu, func(o *ledgeremu.Options) { o.Reject = true })
		r := w.Run("", "keys", "add", "shown", "--ledger", "--confirm-address", "--ledger-transport", transport)
		update(t, emu, func(o *ledgeremu.Options) { o.Reject = false })
		if r.Code != 6 || !strings.Contains(r.Stderr, "address rejected") || !strings.Contains(r.Stderr, "Check that your Ledger shows the same address") {
			t.Errorf("rejected address: exit %d\n%s", r.Code, r.Stderr)
		}
		if r := w.Run("", "keys", "show", "shown"); r.Code != 2 {
			t.Errorf("a rejected address was registered: keys show exit %d\n%s", r.Code, r.Stdout)
		}
		out := w.MustJSON("keys", "add", "shown", "--ledger", "--confirm-address", "--ledger-transport", transport)
		if out["address"] != me.Hex() {
			t.Fatalf("keys add --confirm-address: %v", out)
		}
		if sc := lastScreen(t, emu); sc.Kind != "address" || sc.Address != me || !sc.Approved {
			t.Errorf("device showed %+v", sc)
		}
	})

	t.Run("ledger addresses", func(t *testing.T) {
		out := w.MustJSON("ledger", "addresses", "--count", "2", "--ledger-transport", transport)
		want := []struct {
			path, signer string
			addr         common.Address
		}{
			{"m/44'/60'/0'/0/0", "ledger", me},
			{"m/44'/60'/1'/0/0", "ledger:1", ledgerLive1},
		}
		list := field(t, out, "addresses").([]any)
		if len(list) != len(want) {
			t.Fatalf("addresses %v", list)
		}
		for i, w := range want {
			if field(t, list[i], "index").(json.Number).String() != strconv.Itoa(i) ||
				field(t, list[i], "path") != w.path || field(t, list[i], "address") != w.addr.Hex() || field(t, list[i], "signer") != w.signer {
				t.Errorf("address %d = %v, want %s %s", i, list[i], w.path, w.addr.Hex())
			}
		}

		legacyPath, err := accounts.ParseDerivationPath("m/44'/60'/0'/3")
		if err != nil {
			t.Fatal(err)
		}
		legacy3, err := emu.Address(legacyPath)
		if err != nil {
			t.Fatal(err)
		}
		out = w.MustJSON("ledger", "addresses", "--scheme", "legacy", "--start", "3", "--count", "1", "--ledger-transport", transport)
		if field(t, out, "addresses", 0, "address") != legacy3.Hex() || field(t, out, "addresses", 0, "path") != "m/44'/60'/0'/3" {
			t.Errorf("legacy 3: %v, want %s", out, legacy3.Hex())
		}

		r := w.Run("", "ledger", "addresses", "--count", "1", "--ledger-transport", transport)
		if r.Code != 0 || !strings.Contains(r.Stdout, "INDEX") || !strings.Contains(r.Stdout, me.Hex()) {
			t.Errorf("table: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
		}
		if r := w.Run("", "ledger", "addresses", "--count", "0"); r.Code != 2 {
			t.Errorf("--count 0: exit %d", r.Code)
		}
		if r := w.Run("", "ledger", "addresses", "--scheme", "bip44"); r.Code != 2 || !strings.Contains(r.Stderr, "live or legacy") {
			t.Errorf("--scheme bip44: exit %d\n%s", r.Code, r.Stderr)
		}
	})

	t.Run("ledger info", func(t *testing.T) {
		out := w.MustJSON("ledger", "info", "--ledger-transport", transport)
		wantInfo := map[string]any{
			"transport": "tcp", "device": transport, "model": "Speculos", "app": "Ethereum",
			"appVersion": "1.22.0", "blindSigning": true, "eip1559": true,
		}
		for k, v := range wantInfo {
			if out[k] != v {
				t.Errorf("%s = %v, want %v", k, out[k], v)
			}
		}
		update(t, emu, func(o *ledgeremu.Options) { o.Locked = true })
		r := w.Run("", "ledger", "info", "--ledger-transport", transport)
		update(t, emu, func(o *ledgeremu.Options) { o.Locked = false })
		if r.Code != 7 || !strings.Contains(r.Stderr, "unlock it with your PIN") {
			t.Errorf("locked: exit %d\n%s", r.Code, r.Stderr)
		}
	})
}
