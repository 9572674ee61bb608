package keys

import (
	"github.com/stakewallet/stakewallet/internal/prompt"

	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	gethkeystore "github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/stakewallet/stakewallet/pkg/hd"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// Public test keys (Hardhat/anvil accounts 0 and 1).
const (
	key0Hex  = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	addr0Hex = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	key1Hex  = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
	addr1Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
	passText = "correct horse battery staple"
)

type fixture struct {
	store   *Store
	dir     string
	pwFile  string
	options Options
}

// newFixture returns a Store in a temp dir with a password file, light
// scrypt and go-keyring's in-memory mock.
func newFixture(t *testing.T, mutate ...func(*Options)) *fixture {
	t.Helper()
	gokeyring.MockInit()
	home := t.TempDir()
	t.Setenv("STAKEWALLET_HOME", home)
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte(passText+"\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// go-keyring's mock, without requiring a D-Bus session bus.
	opts := Options{Dir: filepath.Join(home, "keys"), PasswordFile: pw, Scrypt: keystore.Params{N: 16, P: 1}, KeyringTimeout: 2 * time.Second, Keyring: keyring.GoKeyring()}
	for _, m := range mutate {
		m(&opts)
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: s, dir: opts.Dir, pwFile: pw, options: opts}
}

func mustKey(t *testing.T, h string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(h)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func signWith(t *testing.T, s signer.Signer) common.Address {
	t.Helper()
	to := common.HexToAddress(addr1Hex)
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Gas: 21000, GasFeeCap: big.NewInt(1), GasTipCap: big.NewInt(1), To: &to})
	signed, err := s.SignTx(context.Background(), tx, big.NewInt(1337))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(big.NewInt(1337)), signed)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := s.(signer.Closer); ok {
		c.Close()
	}
	return from
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"alice", true},
		{"A-b_c.9", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{".hidden", false},
		{"a/b", false},
		{`a\b`, false},
		{"a b", false},
		{"a:b", false},
		{"..", false},
		{"émile", false},
		{"ledger", false},
		{"Keyring", false},
		{"registry", false},
		{"alice.JSON", false},
		{"alice.json.bak", true},
	}
	for _, tt := range tests {
		if err := ValidateName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v", tt.name, err)
		}
	}
}

func TestKeystoreLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e, err := f.store.ImportKey(ctx, "alice", BackendKeystore, mustKey(t, key0Hex), "m/44'/60'/0'/0/0")
	if err != nil {
		t.Fatal(err)
	}
	if e.Address != common.HexToAddress(addr0Hex) || e.File != "alice.json" {
		t.Fatalf("entry %+v", e)
	}
	file := filepath.Join(f.dir, "alice.json")
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{f.dir: 0o700, file: 0o600, filepath.Join(f.dir, RegistryFile): 0o600} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s mode %o, want %o", path, got, want)
			}
		}
	}
	// The file is a geth keystore under the password file's first line.
	data, _ := os.ReadFile(file)
	if k, err := gethkeystore.DecryptKey(data, passText); err != nil || k.Address != e.Address {
		t.Fatalf("geth decrypt: %v", err)
	}

	for _, ref := range []string{"alice", "keystore:alice", "keystore:" + file, " alice "} {
		s, err := f.store.Signer(ctx, ref)
		if err != nil {
			t.Fatalf("%q: %v", ref, err)
		}
		if got := signWith(t, s); got != e.Address {
			t.Errorf("%q signed as %s", ref, got.Hex())
		}
	}
	s, _ := f.store.Signer(ctx, "alice")
	if s.String() != "keystore:alice" {
		t.Errorf("String() = %q", s)
	}

	list, err := f.store.List(ctx)
	if err != nil || len(list) != 1 || list[0].Missing || list[0].Path != "m/44'/60'/0'/0/0" {
		t.Fatalf("list %+v %v", list, err)
	}

	if _, err := f.store.Delete(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Error("keystore file survives delete")
	}
	if _, err := f.store.Signer(ctx, "alice"); !errors.Is(err, signer.ErrNotFound) {
		t.Errorf("deleted key resolves: %v", err)
	}
}

func TestKeyringLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e, err := f.store.ImportKey(ctx, "bob", BackendKeyring, mustKey(t, key1Hex), "")
	if err != nil {
		t.Fatal(err)
	}
	if e.File != "" {
		t.Errorf("keyring entry has a file: %+v", e)
	}
	for _, ref := range []string{"bob", "keyring:bob"} {
		s, err := f.store.Signer(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if s.String() != "keyring:bob" || signWith(t, s) != common.HexToAddress(addr1Hex) {
			t.Errorf("%q: wrong signer %s", ref, s)
		}
	}
	if _, err := f.store.Signer(ctx, "keystore:bob"); !errors.Is(err, signer.ErrNotFound) || !strings.Contains(err.Error(), "keyring key") {
		t.Errorf("keystore:bob: %v", err)
	}

	// Removed behind our back: list marks it, Signer says what to do.
	if err := gokeyring.Delete(keyring.Service, "bob"); err != nil {
		t.Fatal(err)
	}
	list, err := f.store.List(ctx)
	if err != nil || len(list) != 1 || !list[0].Missing {
		t.Fatalf("list after external delete: %+v %v", list, err)
	}
	for _, ref := range []string{"bob", "keyring:bob"} {
		_, err = f.store.Signer(ctx, ref)
		if !errors.Is(err, signer.ErrNotFound) || !strings.Contains(err.Error(), "removed outside stakewallet") {
			t.Errorf("%s: %v", ref, err)
		}
	}
	// Delete still cleans the registry.
	if _, err := f.store.Delete(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if entries, _ := f.store.Entries(); len(entries) != 0 {
		t.Errorf("registry keeps %v", entries)
	}
}

// A keyring entry not in the registry (made by another install, or the
// registry lost) still resolves through keyring:NAME.
func TestKeyringRefWithoutRegistry(t *testing.T) {
	f := newFixture(t)
	if err := gokeyring.Set(keyring.Service, "orphan", key0Hex); err != nil {
		t.Fatal(err)
	}
	s, err := f.store.Signer(context.Background(), "keyring:orphan")
	if err != nil || s.Address() != common.HexToAddress(addr0Hex) {
		t.Fatalf("%v %v", s, err)
	}
	// Importing under that name refuses to overwrite the entry.
	if _, err := f.store.ImportKey(context.Background(), "orphan", BackendKeyring, mustKey(t, key1Hex), ""); !errors.Is(err, ErrExists) {
		t.Errorf("overwrote a foreign keyring entry: %v", err)
	}
	if v, _ := gokeyring.Get(keyring.Service, "orphan"); v != key0Hex {
		t.Error("entry changed")
	}
}

func TestKeyringUnavailable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.store.ImportKey(ctx, "k", BackendKeyring, mustKey(t, key0Hex), ""); err != nil {
		t.Fatal(err)
	}
	gokeyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	_, err := f.store.Signer(ctx, "k")
	if !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "--backend keystore") {
		t.Errorf("signer: %v", err)
	}
	if _, err := f.store.Delete(ctx, "k"); !errors.Is(err, signer.ErrUnavailable) {
		t.Errorf("delete with keyring down: %v", err)
	}
	if entries, _ := f.store.Entries(); len(entries) != 1 {
		t.Error("registry entry dropped although the keyring entry could not be removed")
	}
	list, err := f.store.List(ctx)
	if err != nil || list[0].Missing || list[0].Unchecked == "" {
		t.Errorf("list: %+v %v", list, err)
	}
	// Creating a keyring key fails loudly, never into a file instead.
	if _, err := f.store.Create(ctx, "new", BackendKeyring); !errors.Is(err, signer.ErrUnavailable) {
		t.Errorf("create: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "new.json")); !errors.Is(err, os.ErrNotExist) {
		t.Error("fell back to a file")
	}
}

func TestDuplicateNames(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.store.Create(ctx, "alice", BackendKeyring); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, backend string }{{"alice", BackendKeystore}, {"ALICE", BackendKeyring}, {"Alice", BackendKeystore}} {
		if _, err := f.store.Create(ctx, tt.name, tt.backend); !errors.Is(err, ErrExists) {
			t.Errorf("%s/%s: %v", tt.name, tt.backend, err)
		}
	}
	if _, err := f.store.Create(ctx, "x", "plaintext"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad backend: %v", err)
	}
	if _, err := f.store.Create(ctx, "../x", BackendKeystore); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad name: %v", err)
	}
}

func TestUnknownNameListsKnown(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.store.Signer(ctx, "nobody")
	if !errors.Is(err, signer.ErrNotFound) || !strings.Contains(err.Error(), "none yet") {
		t.Errorf("empty registry: %v", err)
	}
	for _, n := range []string{"carol", "alice"} {
		if _, err := f.store.Create(ctx, n, BackendKeyring); err != nil {
			t.Fatal(err)
		}
	}
	for _, ref := range []string{"nobody", "keyring:nobody", "keystore:nobody"} {
		_, err = f.store.Signer(ctx, ref)
		if !errors.Is(err, signer.ErrNotFound) {
			t.Fatalf("%s: %v", ref, err)
		}
		for _, want := range []string{"alice, carol", "stakewallet keys list", "keys import nobody"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q lacks %q", ref, err, want)
			}
		}
	}
}

func TestRefErrors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tests := []struct {
		ref      string
		sentinel error
		msg      string
	}{
		{"", signer.ErrNotFound, "empty"},
		{"foo:bar", signer.ErrNotFound, "unknown signer"},
		{"keystore:/nonexistent/x.json", signer.ErrNotFound, "missing"},
		{"ledger", signer.ErrUnavailable, "Ledger support is not available"},
		{"keyring:../x", signer.ErrNotFound, "keyring:../x"},
	}
	for _, tt := range tests {
		_, err := f.store.Signer(ctx, tt.ref)
		if !errors.Is(err, tt.sentinel) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%q: %v", tt.ref, err)
		}
	}
}

func TestPassphraseSources(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.store.ImportKey(ctx, "alice", BackendKeystore, mustKey(t, key0Hex), ""); err != nil {
		t.Fatal(err)
	}
	open := func(pwFile string, p Prompter) (signer.Signer, error) {
		opts := f.options
		opts.PasswordFile, opts.Prompter = pwFile, p
		s, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		return s.Signer(ctx, "alice")
	}

	// No file, no terminal: explain --password-file.
	noTTY := newTestPrompter("", false)
	_, err := open("", noTTY)
	if !errors.Is(err, prompt.ErrNoTTY) || !strings.Contains(err.Error(), "--password-file") {
		t.Errorf("no tty: %v", err)
	}
	if _, err := open("", nil); !errors.Is(err, prompt.ErrNoTTY) {
		t.Errorf("nil prompter: %v", err)
	}

	// Wrong password file: wrong passphrase, no retry.
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("nope\n"), 0o600)
	_, err = open(bad, nil)
	if !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "wrong passphrase for keystore:alice") {
		t.Errorf("bad file: %v", err)
	}
	if strings.Contains(err.Error(), "nope") {
		t.Error("error echoes the passphrase")
	}

	// Terminal: two wrong tries, then right.
	tty := newTestPrompter("x\ny\n"+passText+"\n", true)
	errOut := &tty.prompts
	s, err := open("", tty)
	if err != nil {
		t.Fatalf("third attempt: %v", err)
	}
	s.(signer.Closer).Close()
	if !strings.Contains(errOut.String(), "attempt 3/3") {
		t.Errorf("prompts: %q", errOut.String())
	}
	// Three wrong tries: give up.
	tty = newTestPrompter("x\ny\nz\n"+passText+"\n", true)
	if _, err := open("", tty); !errors.Is(err, signer.ErrUnavailable) {
		t.Errorf("after 3 wrong: %v", err)
	}
}

func TestNewPassphrase(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		input string
		ok    bool
		msg   string
	}{
		{"match", "abc\nabc\n", true, ""},
		{"mismatch", "abc\nabd\n", false, "do not match"},
		{"empty", "\n\n", false, "empty passphrase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io := newTestPrompter(tt.input, true)
			f := newFixture(t, func(o *Options) { o.PasswordFile, o.Prompter = "", io })
			_, err := f.store.Create(ctx, "k", BackendKeystore)
			if (err == nil) != tt.ok || (err != nil && !strings.Contains(err.Error(), tt.msg)) {
				t.Fatalf("%v", err)
			}
		})
	}
	f := newFixture(t)
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte("\nsecond\n"), 0o600)
	opts := f.options
	opts.PasswordFile = empty
	s, _ := Open(opts)
	if _, err := s.Create(ctx, "k", BackendKeystore); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty first line: %v", err)
	}
}

func TestReadFirstLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pw\n", "pw"},
		{"pw\r\nmore\n", "pw"},
		{"pw", "pw"},
		{" spaced pw \n", " spaced pw "},
		{"", ""},
	}
	for _, tt := range tests {
		p := filepath.Join(t.TempDir(), "f")
		os.WriteFile(p, []byte(tt.in), 0o600)
		got, err := ReadFirstLine(p)
		if err != nil || string(got) != tt.want {
			t.Errorf("%q: %q %v", tt.in, got, err)
		}
	}
	if _, err := ReadFirstLine(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file read")
	}
}

func TestImportKeystoreFile(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	// A file made by geth, with its own passphrase = the password file's.
	gethDir := t.TempDir()
	ks := gethkeystore.NewKeyStore(gethDir, gethkeystore.LightScryptN, gethkeystore.LightScryptP)
	acct, err := ks.NewAccount(passText)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(acct.URL.Path)

	e, err := f.store.ImportKeystoreFile(ctx, "fromgeth", BackendKeystore, acct.URL.Path)
	if err != nil {
		t.Fatal(err)
	}
	copied, _ := os.ReadFile(filepath.Join(f.dir, "fromgeth.json"))
	if string(copied) != string(orig) || e.Address != acct.Address {
		t.Fatal("keystore import did not copy the file as is")
	}
	s, err := f.store.Signer(ctx, "fromgeth")
	if err != nil || signWith(t, s) != acct.Address {
		t.Fatalf("sign: %v", err)
	}

	// Into the keyring: decrypted and stored there.
	e, err = f.store.ImportKeystoreFile(ctx, "castkey", BackendKeyring, "../../pkg/signer/keystore/testdata/cast-1.7.1.json")
	if err == nil {
		t.Fatal("cast file opened with the wrong passphrase")
	}
	if !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("%v", err)
	}
	castPw := filepath.Join(t.TempDir(), "castpw")
	os.WriteFile(castPw, []byte("cast-fixture-pass\n"), 0o600)
	opts := f.options
	opts.PasswordFile = castPw
	s2, _ := Open(opts)
	e, err = s2.ImportKeystoreFile(ctx, "castkey", BackendKeyring, "../../pkg/signer/keystore/testdata/cast-1.7.1.json")
	if err != nil {
		t.Fatal(err)
	}
	if e.Address != common.HexToAddress("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC") {
		t.Errorf("cast address %s", e.Address.Hex())
	}
	if _, err := s2.Signer(ctx, "keyring:castkey"); err != nil {
		t.Error(err)
	}
}

// An orphan <name>.json (not registered) is never overwritten.
func TestKeystoreFileNotOverwritten(t *testing.T) {
	f := newFixture(t)
	os.MkdirAll(f.dir, 0o700)
	orphan := filepath.Join(f.dir, "ghost.json")
	os.WriteFile(orphan, []byte("precious"), 0o600)
	if _, err := f.store.Create(context.Background(), "ghost", BackendKeystore); !errors.Is(err, ErrExists) {
		t.Fatalf("%v", err)
	}
	if b, _ := os.ReadFile(orphan); string(b) != "precious" {
		t.Fatal("orphan overwritten")
	}
	if entries, _ := f.store.Entries(); len(entries) != 0 {
		t.Error("registry entry left after failed create")
	}
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, b := range []string{BackendKeystore, BackendKeyring} {
		t.Run(b, func(t *testing.T) {
			name := "exp-" + b
			if _, err := f.store.ImportKey(ctx, name, b, mustKey(t, key0Hex), ""); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out.json")
			if _, err := f.store.ExportKeystoreFile(ctx, name, out); err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(out); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
				t.Errorf("export mode %o", fi.Mode().Perm())
			}
			data, _ := os.ReadFile(out)
			if k, err := gethkeystore.DecryptKey(data, passText); err != nil || k.Address != common.HexToAddress(addr0Hex) {
				t.Fatalf("exported file: %v", err)
			}
			if _, err := f.store.ExportKeystoreFile(ctx, name, out); !errors.Is(err, ErrExists) {
				t.Errorf("overwrite: %v", err)
			}
			key, _, err := f.store.ExportPrivateKey(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%x", crypto.FromECDSA(key)); got != key0Hex {
				t.Error("exported a different key")
			}
		})
	}
	if _, err := f.store.AddLedger(ctx, "nano", common.HexToAddress(addr1Hex), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.ExportPrivateKey(ctx, "nano"); !errors.Is(err, ErrNotExportable) {
		t.Errorf("ledger export: %v", err)
	}
}

// fakeLedger records what it was asked and returns a fixed account.
type fakeLedger struct {
	addr              common.Address
	gotRef, transport string
}

func (l *fakeLedger) Open(_ context.Context, ref, transport string) (signer.Signer, error) {
	l.gotRef, l.transport = ref, transport
	return fakeSigner{l.addr}, nil
}

type fakeSigner struct{ addr common.Address }

func (s fakeSigner) Address() common.Address { return s.addr }
func (s fakeSigner) String() string          { return "ledger" }
func (s fakeSigner) SignTx(context.Context, *types.Transaction, *big.Int) (*types.Transaction, error) {
	return nil, errors.New("fakeSigner cannot sign: this test only resolves addresses")
}

func TestLedgerBackendPlug(t *testing.T) {
	ctx := context.Background()
	led := &fakeLedger{addr: common.HexToAddress(addr1Hex)}
	f := newFixture(t, func(o *Options) { o.Ledger, o.LedgerTransport = led, "tcp://127.0.0.1:9999" })
	for _, ref := range []string{"ledger", "ledger:2", "ledger:m/44'/60'/0'/0/3"} {
		if _, err := f.store.Signer(ctx, ref); err != nil || led.gotRef != ref || led.transport != "tcp://127.0.0.1:9999" {
			t.Errorf("%s: %v (%q %q)", ref, err, led.gotRef, led.transport)
		}
	}
	p, _ := hd.ParsePath("m/44'/60'/1'/0/0")
	if _, err := f.store.AddLedger(ctx, "cold", common.HexToAddress(addr1Hex), p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Signer(ctx, "cold"); err != nil || led.gotRef != "ledger:m/44'/60'/1'/0/0" {
		t.Errorf("registered ledger: %v %q", err, led.gotRef)
	}
	// Another device (or passphrase) answers with another address: refuse.
	led.addr = common.HexToAddress(addr0Hex)
	if _, err := f.store.Signer(ctx, "cold"); !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "registry expects") {
		t.Errorf("mismatch: %v", err)
	}
}

// Concurrent writers (within one process: flock locks per open file, so
// this exercises the same exclusion as two processes) lose no entry.
func TestConcurrentImports(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Separate Stores, like separate processes.
			s, err := Open(f.options)
			if err == nil {
				_, err = s.AddLedger(ctx, fmt.Sprintf("k%d", i), common.Address{byte(i)}, nil)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	entries, err := f.store.Entries()
	if err != nil || len(entries) != n {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
}

func TestRegistryFormatAndErrors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.store.ImportKey(ctx, "alice", BackendKeystore, mustKey(t, key0Hex), ""); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(f.dir, RegistryFile))
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil || doc["version"] != float64(1) {
		t.Fatalf("registry: %s %v", raw, err)
	}
	for _, secret := range []string{key0Hex, passText, "ciphertext"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("registry contains %q", secret)
		}
	}
	// No temp files left behind.
	names, _ := os.ReadDir(f.dir)
	for _, n := range names {
		if strings.HasPrefix(n.Name(), ".tmp-") {
			t.Errorf("leftover %s", n.Name())
		}
	}

	os.WriteFile(filepath.Join(f.dir, RegistryFile), []byte("{broken"), 0o600)
	if _, err := f.store.Entries(); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt: %v", err)
	}
	os.WriteFile(filepath.Join(f.dir, RegistryFile), []byte(`{"version":9,"keys":[]}`), 0o600)
	if _, err := f.store.Entries(); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Errorf("future version: %v", err)
	}
	if _, err := Open(Options{}); err == nil {
		t.Error("Open without Dir")
	}
}

func TestMissingKeystoreFile(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.store.ImportKey(ctx, "alice", BackendKeystore, mustKey(t, key0Hex), ""); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(f.dir, "alice.json"))
	st, err := f.store.Show(ctx, "alice")
	if err != nil || !st.Missing {
		t.Errorf("show: %+v %v", st, err)
	}
	if _, err := f.store.Signer(ctx, "alice"); !errors.Is(err, signer.ErrNotFound) || !strings.Contains(err.Error(), "keys delete") {
		t.Errorf("signer: %v", err)
	}
}

// testPrompter answers passphrase prompts from lines of text, as a user at
// a terminal would, and records the prompts.
type testPrompter struct {
	lines   []string
	tty     bool
	prompts strings.Builder
}

func newTestPrompter(input string, tty bool) *testPrompter {
	return &testPrompter{lines: strings.SplitAfter(input, "\n"), tty: tty}
}

func (p *testPrompter) CanPrompt() bool { return p.tty }

func (p *testPrompter) ReadSecret(msg string) ([]byte, error) {
	if !p.tty {
		return nil, prompt.ErrNoTTY
	}
	p.prompts.WriteString(msg)
	if len(p.lines) == 0 || p.lines[0] == "" {
		return nil, errors.New("no more input")
	}
	line := strings.TrimRight(p.lines[0], "\r\n")
	p.lines = p.lines[1:]
	return []byte(line), nil
}

// TestAccount: the account of a key is known without opening it, so a
// plan can be previewed before any secret is asked; the key opens at the
// first signature. A Ledger is opened at once (its address comes from the
// device), and refs that cannot be known without the key are opened too.
func TestAccount(t *testing.T) {
	ctx := context.Background()
	led := &fakeLedger{addr: common.HexToAddress(addr1Hex)}
	f := newFixture(t, func(o *Options) { o.Ledger = led })
	e, err := f.store.ImportKey(ctx, "alice", BackendKeystore, mustKey(t, key0Hex), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ImportKey(ctx, "desk", BackendKeyring, mustKey(t, key1Hex), ""); err != nil {
		t.Fatal(err)
	}
	file := f.store.FilePath(e)
	tests := []struct {
		ref      string
		label    string
		wantOpen bool
	}{
		{"alice", "keystore:alice", false},
		{"keystore:alice", "keystore:alice", false},
		{"keystore:" + file, "keystore:" + file, false},
		{"desk", "keyring:desk", false},
		{"keyring:desk", "keyring:desk", false},
		{"ledger", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			acct, err := f.store.Account(ctx, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			defer acct.Close()
			if acct.IsOpen() != tt.wantOpen || (tt.label != "" && acct.String() != tt.label) {
				t.Errorf("open=%v label %q", acct.IsOpen(), acct)
			}
			if !tt.wantOpen {
				if want, _ := f.store.Address(ctx, tt.ref); acct.Address() != want {
					t.Errorf("address %s, want %s", acct.Address().Hex(), want.Hex())
				}
				if got := signWith(t, acct); got != acct.Address() {
					t.Errorf("signed as %s", got.Hex())
				}
				if !acct.IsOpen() {
					t.Error("signing did not open the key")
				}
			}
		})
	}
	// The passphrase is asked only when signing: with none to be had,
	// Account still answers, and the signature fails as it would have.
	opts := f.options
	opts.PasswordFile = ""
	noPass, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := noPass.Account(ctx, "alice")
	if err != nil || acct.Address() != e.Address {
		t.Fatalf("account without a passphrase: %v", err)
	}
	if _, err := acct.Open(ctx); !errors.Is(err, prompt.ErrNoTTY) {
		t.Errorf("opening without a passphrase: %v", err)
	}
	for _, ref := range []string{"mallory", "keystore:mallory", "keystore:/nonexistent/k.json"} {
		if _, err := f.store.Account(ctx, ref); !errors.Is(err, signer.ErrNotFound) {
			t.Errorf("%s: %v", ref, err)
		}
	}
}

// TestKeystoreDevicePath: `--signer keystore:/dev/zero` is refused at once
// (exit 7, the signer is unusable), not read forever.
func TestKeystoreDevicePath(t *testing.T) {
	f := newFixture(t)
	done := make(chan error, 1)
	go func() {
		_, err := f.store.Account(context.Background(), "keystore:/dev/zero")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("keystore:/dev/zero: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("keystore:/dev/zero is still being read")
	}
}
