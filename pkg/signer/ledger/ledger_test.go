package ledger

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

var (
	account0 = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	// Ledger Live account 1, m/44'/60'/1'/0/0, as derived by an independent
	// Node.js BIP-32 implementation (scripts/ledger-crosscheck.js).
	live1    = common.HexToAddress("0x8C8d35429F74ec245F8Ef2f4Fd1e551cFF97d650")
	hardhat1 = common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	steth    = common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")
	someone  = common.HexToAddress("0x1100000000000000000000000000000000000009")
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		ref  string
		want string
		ok   bool
	}{
		{"ledger", "m/44'/60'/0'/0/0", true},
		{"ledger:0", "m/44'/60'/0'/0/0", true},
		{"ledger:7", "m/44'/60'/7'/0/0", true},
		{"ledger:m/44'/60'/0'/0/3", "m/44'/60'/0'/0/3", true},
		{"ledger:m/44'/60'/0'/5", "m/44'/60'/0'/5", true},
		{"ledger:", "", false},
		{"ledger:-1", "", false},
		{"ledger:abc", "", false},
		{"ledger:2147483648", "", false},
		{"ledger:m/44'/x", "", false},
		{"ledger:m/1/2/3/4/5/6/7/8/9/10/11", "", false},
		{"keystore:alice", "", false},
		{"ledgers", "", false},
	}
	for _, tt := range tests {
		p, err := ParseRef(tt.ref)
		if (err == nil) != tt.ok {
			t.Errorf("ParseRef(%q): err %v", tt.ref, err)
			continue
		}
		if !tt.ok {
			if !errors.Is(err, ErrBadRef) {
				t.Errorf("ParseRef(%q): %v does not wrap ErrBadRef", tt.ref, err)
			}
			continue
		}
		if p.String() != tt.want {
			t.Errorf("ParseRef(%q) = %s, want %s", tt.ref, p, tt.want)
		}
	}
}

// device is an emulator reachable over one of the two transports.
type device struct {
	name string
	open func(t *testing.T, emu *ledgeremu.Emulator, opts Options) *ledgerapp.App
}

var devices = []device{
	{"tcp", func(t *testing.T, emu *ledgeremu.Emulator, opts Options) *ledgerapp.App {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		addr, err := emu.ServeTCP(ctx, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		tr, err := ledgerapp.OpenTransport(ctx, "tcp://"+addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Close() })
		return ledgerapp.NewApp(tr, appOptions(opts))
	}},
	{"hid", func(t *testing.T, emu *ledgeremu.Emulator, opts Options) *ledgerapp.App {
		tr := ledgerapp.NewHIDTransport(emu.HID(), ledgerapp.TransportInfo{Model: "emulator"})
		t.Cleanup(func() { _ = tr.Close() })
		return ledgerapp.NewApp(tr, appOptions(opts))
	}},
}

func appOptions(o Options) ledgerapp.Options {
	return ledgerapp.Options{CommandTimeout: o.CommandTimeout, ReviewTimeout: o.ReviewTimeout, OnEvent: o.OnEvent}
}

func newEmu(t *testing.T, o ledgeremu.Options) *ledgeremu.Emulator {
	t.Helper()
	emu, err := ledgeremu.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

func mustPath(t *testing.T, ref string) accounts.DerivationPath {
	t.Helper()
	p, err := ParseRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func dynTx(chain int64, to common.Address, data []byte) *types.Transaction {
	return types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(chain), Nonce: 4, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(30e9), Gas: 120000, To: &to, Value: big.NewInt(1e17), Data: data})
}

func legacyTx(to common.Address, data []byte) *types.Transaction {
	return types.NewTx(&types.LegacyTx{Nonce: 9, GasPrice: big.NewInt(20e9), Gas: 120000, To: &to, Value: big.NewInt(12345), Data: data})
}

func erc20Transfer(to common.Address, amount int64) []byte {
	d := []byte{0xa9, 0x05, 0x9c, 0xbb}
	d = append(d, common.LeftPadBytes(to.Bytes(), 32)...)
	return append(d, common.LeftPadBytes(big.NewInt(amount).Bytes(), 32)...)
}

func lidoSubmit() []byte { return append([]byte{0xa1, 0x90, 0x3e, 0xab}, make([]byte, 32)...) }

func TestSignEndToEnd(t *testing.T) {
	long := make([]byte, 700) // several chunks
	copy(long, lidoSubmit())
	tests := []struct {
		name  string
		ref   string
		addr  common.Address
		tx    *types.Transaction
		chain int64
	}{
		{"eip1559 hoodi", "ledger", account0, dynTx(560048, someone, nil), 560048},
		{"eip1559 mainnet live 1", "ledger:1", live1, dynTx(1, someone, nil), 1},
		{"eip1559 long calldata", "ledger:m/44'/60'/0'/0/1", hardhat1, dynTx(17000, someone, long), 17000},
		{"legacy mainnet", "ledger", account0, legacyTx(someone, nil), 1},
		{"legacy holesky (v truncated)", "ledger:1", live1, legacyTx(someone, nil), 17000},
		{"legacy sepolia long calldata", "ledger", account0, legacyTx(someone, long), 11155111},
		{"legacy devnet", "ledger", account0, legacyTx(someone, nil), 1337},
	}
	for _, dev := range devices {
		for _, tt := range tests {
			t.Run(dev.name+"/"+tt.name, func(t *testing.T) {
				emu := newEmu(t, ledgeremu.Options{BlindSigning: true})
				var mu sync.Mutex
				var events []ledgerapp.EventKind
				app := dev.open(t, emu, Options{OnEvent: func(e ledgerapp.Event) {
					mu.Lock()
					events = append(events, e.Kind)
					mu.Unlock()
				}})
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				s, err := New(ctx, app, mustPath(t, tt.ref), tt.addr)
				if err != nil {
					t.Fatal(err)
				}
				if s.Address() != tt.addr {
					t.Fatalf("address %s, want %s", s.Address().Hex(), tt.addr.Hex())
				}
				signed, err := s.SignTx(ctx, tt.tx, big.NewInt(tt.chain))
				if err != nil {
					t.Fatal(err)
				}
				from, err := types.Sender(types.LatestSignerForChainID(big.NewInt(tt.chain)), signed)
				if err != nil || from != tt.addr {
					t.Fatalf("sender %s, %v; want %s", from.Hex(), err, tt.addr.Hex())
				}
				if signed.Hash() == tt.tx.Hash() || signed.Type() != tt.tx.Type() {
					t.Error("signed transaction not as expected")
				}
				// The raw transaction round-trips through the wire format.
				raw, _ := signed.MarshalBinary()
				var back types.Transaction
				if err := back.UnmarshalBinary(raw); err != nil || back.Hash() != signed.Hash() {
					t.Errorf("wire round trip: %v", err)
				}
				mu.Lock()
				defer mu.Unlock()
				if !containsSeq(events, ledgerapp.EventReview, ledgerapp.EventDone) {
					t.Errorf("events %v lack review then done", events)
				}
				if sc := emu.Screens(); len(sc) != 1 || sc[0].ChainID.Int64() != tt.chain || sc[0].Address != tt.addr {
					t.Errorf("device showed %+v", sc)
				}
			})
		}
	}
}

func containsSeq(evs []ledgerapp.EventKind, a, b ledgerapp.EventKind) bool {
	for i, e := range evs {
		if e == a {
			for _, f := range evs[i+1:] {
				if f == b {
					return true
				}
			}
		}
	}
	return false
}

func TestOpenOverTCP(t *testing.T) {
	emu := newEmu(t, ledgeremu.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, err := emu.ServeTCP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, "ledger:1", Options{Transport: "tcp://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Address() != live1 || s.String() != "ledger m/44'/60'/1'/0/0" {
		t.Errorf("got %s %s", s.Address().Hex(), s)
	}
	if err := s.VerifyAddress(ctx); err != nil {
		t.Errorf("verify address: %v", err)
	}
	if sc := emu.Screens(); len(sc) != 1 || sc[0].Kind != "address" || sc[0].Address != live1 {
		t.Errorf("device showed %+v", sc)
	}
	info, err := s.App().Info(ctx)
	if err != nil || info.Config.Version.String() != "1.22.0" || info.Config.BlindSigning || info.Transport.Kind != "tcp" {
		t.Errorf("info %+v, %v", info, err)
	}
	accts, err := s.App().Addresses(ctx, ledgerapp.SchemeLive, 0, 2)
	if err != nil || len(accts) != 2 || accts[0].Address != account0 || accts[1].Address != live1 {
		t.Errorf("live addresses %+v, %v", accts, err)
	}
	accts, err = s.App().Addresses(ctx, ledgerapp.SchemeLegacy, 0, 1)
	if err != nil || len(accts) != 1 || accts[0].Path.String() != "m/44'/60'/0'/0" {
		t.Errorf("legacy addresses %+v, %v", accts, err)
	}
}

func TestExpectedAddressMismatch(t *testing.T) {
	emu := newEmu(t, ledgeremu.Options{Mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"})
	app := devices[1].open(t, emu, Options{})
	_, err := New(context.Background(), app, mustPath(t, "ledger"), account0)
	if !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "right device and passphrase") {
		t.Fatalf("got %v", err)
	}
}

func TestClearSigningERC20(t *testing.T) {
	for _, dev := range devices {
		t.Run(dev.name, func(t *testing.T) {
			// Blind signing stays off: an LST transfer on mainnet must
			// still sign, the device showing token and amount.
			emu := newEmu(t, ledgeremu.Options{})
			var notices []string
			app := dev.open(t, emu, Options{OnEvent: func(e ledgerapp.Event) {
				if e.Kind == ledgerapp.EventClearSigning {
					notices = append(notices, e.Message)
				}
			}})
			ctx := context.Background()
			s, err := New(ctx, app, mustPath(t, "ledger"), common.Address{})
			if err != nil {
				t.Fatal(err)
			}
			tx := dynTx(1, steth, erc20Transfer(someone, 15e17))
			if p := s.Plan(tx, big.NewInt(1)); p.Blind || p.Token == nil || p.Token.Ticker != "stETH" {
				t.Fatalf("plan %+v", p)
			}
			if _, err := s.SignTx(ctx, tx, big.NewInt(1)); err != nil {
				t.Fatal(err)
			}
			sc := emu.Screens()
			if len(sc) != 1 || sc[0].Token != "stETH" || sc[0].Amount.Int64() != 15e17 || sc[0].Recipient != someone || sc[0].Blind {
				t.Errorf("device showed %+v", sc)
			}
			if len(notices) != 1 || !strings.Contains(notices[0], "stETH") {
				t.Errorf("notices %q", notices)
			}
		})
	}
}

func TestBlindSigning(t *testing.T) {
	ctx := context.Background()
	tx := dynTx(560048, steth, lidoSubmit())

	// Off: refused before any transaction byte reaches the device.
	emu := newEmu(t, ledgeremu.Options{})
	s, err := New(ctx, devices[1].open(t, emu, Options{}), mustPath(t, "ledger"), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.SignTx(ctx, tx, big.NewInt(560048))
	if !errors.Is(err, ledgerapp.ErrBlindSigningDisabled) || !errors.Is(err, signer.ErrUnavailable) {
		t.Fatalf("got %v", err)
	}
	for _, step := range []string{"Ethereum app", "Settings", "Blind signing"} {
		if !strings.Contains(err.Error(), step) {
			t.Errorf("message %q lacks the step %q", err, step)
		}
	}
	if sc := emu.Screens(); len(sc) != 0 {
		t.Errorf("the device was asked to sign: %+v", sc)
	}

	// On: signed, and the user is told it is blind.
	_ = emu.Update(func(o *ledgeremu.Options) { o.BlindSigning = true })
	var blind bool
	s, err = New(ctx, devices[1].open(t, emu, Options{OnEvent: func(e ledgerapp.Event) {
		blind = blind || e.Kind == ledgerapp.EventBlindSigning
	}}), mustPath(t, "ledger"), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignTx(ctx, tx, big.NewInt(560048)); err != nil {
		t.Fatal(err)
	}
	if sc := emu.Screens(); len(sc) != 1 || !sc[0].Blind || !blind {
		t.Errorf("screens %+v, blind notice %v", sc, blind)
	}
}

func TestLegacyChunkingWorkaround(t *testing.T) {
	// Find calldata whose payload would put a plain 255-byte chunk boundary
	// exactly at v: path (21 bytes) + 234 payload bytes, v at payload
	// offset len-5 for chain 17000 (82 42 68 80 80).
	chain := big.NewInt(17000)
	var tx *types.Transaction
	for n := 4; n < 300 && tx == nil; n++ {
		data := make([]byte, n)
		copy(data, lidoSubmit())
		cand := legacyTx(someone, data)
		p, _ := rlp.EncodeToBytes([]any{cand.Nonce(), cand.GasPrice(), cand.Gas(), cand.To(), cand.Value(), cand.Data(), chain, uint(0), uint(0)})
		if len(p)-5 == 255-21 {
			tx = cand
		}
	}
	if tx == nil {
		t.Fatal("no calldata length hits the boundary")
	}
	emu := newEmu(t, ledgeremu.Options{BlindSigning: true, LegacyEarlyFinish: true})
	s, err := New(context.Background(), devices[1].open(t, emu, Options{}), mustPath(t, "ledger"), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.SignTx(context.Background(), tx, chain)
	if err != nil {
		t.Fatal(err)
	}
	if from, _ := types.Sender(types.LatestSignerForChainID(chain), signed); from != account0 {
		t.Errorf("sender %s", from.Hex())
	}
}

func TestAppTooOldForEIP1559(t *testing.T) {
	emu := newEmu(t, ledgeremu.Options{Version: "1.8.5"})
	s, err := New(context.Background(), devices[0].open(t, emu, Options{}), mustPath(t, "ledger"), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.SignTx(context.Background(), dynTx(1, someone, nil), big.NewInt(1))
	if !errors.Is(err, ledgerapp.ErrAppTooOld) || !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "1.8.5") || !strings.Contains(err.Error(), "1.9.0") {
		t.Fatalf("got %v", err)
	}
	// Legacy transactions still work on that app.
	if _, err := s.SignTx(context.Background(), legacyTx(someone, nil), big.NewInt(1)); err != nil {
		t.Errorf("legacy on 1.8.5: %v", err)
	}
}
