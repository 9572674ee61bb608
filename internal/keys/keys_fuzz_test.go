package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// recordingLedger stands in for the Ledger backend: it records the ref it
// is handed and refuses, as a disconnected device would.
type recordingLedger struct{ refs []string }

var errNoFakeLedger = fmt.Errorf("fake Ledger not connected: %w", signer.ErrUnavailable)

func (l *recordingLedger) Open(_ context.Context, ref, _ string) (signer.Signer, error) {
	l.refs = append(l.refs, ref)
	return nil, errNoFakeLedger
}

// FuzzSignerRef resolves arbitrary --signer references against a store
// holding a keystore key "alice", a keyring key "bob" and a Ledger key
// "carol". Only the documented spellings of those keys resolve, to their
// own addresses; a ledger ref reaches the Ledger backend unchanged (the
// scheme split must not eat any of it); Address agrees with Signer; every
// refusal wraps signer.ErrNotFound or signer.ErrUnavailable, so the CLI
// maps it to an exit code; and no error shows the passphrase.
func FuzzSignerRef(f *testing.F) {
	gokeyring.MockInit()
	ctx := context.Background()
	dir := f.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(passText+"\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	ledger := &recordingLedger{}
	s, err := Open(Options{
		Dir: filepath.Join(dir, "keys"), PasswordFile: pw, Scrypt: keystore.Params{N: 16, P: 1},
		KeyringTimeout: 2 * time.Second, Keyring: keyring.GoKeyring(), Ledger: ledger,
	})
	if err != nil {
		f.Fatal(err)
	}
	k0, err := crypto.HexToECDSA(key0Hex)
	if err != nil {
		f.Fatal(err)
	}
	k1, err := crypto.HexToECDSA(key1Hex)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.ImportKey(ctx, "alice", BackendKeystore, k0, ""); err != nil {
		f.Fatal(err)
	}
	if _, err := s.ImportKey(ctx, "bob", BackendKeyring, k1, ""); err != nil {
		f.Fatal(err)
	}
	carolPath := accounts.DerivationPath{0x8000002c, 0x8000003c, 0x80000000, 0, 7}
	if _, err := s.AddLedger(ctx, "carol", common.HexToAddress(addr1Hex), carolPath); err != nil {
		f.Fatal(err)
	}
	want := map[string]common.Address{
		"alice": common.HexToAddress(addr0Hex), "keystore:alice": common.HexToAddress(addr0Hex),
		"bob": common.HexToAddress(addr1Hex), "keyring:bob": common.HexToAddress(addr1Hex),
	}

	for _, ref := range []string{
		"alice", " keystore:alice\n", "bob", "keyring:bob", "carol", "ledger", "ledger:3", "ledger:m/44'/60'/0'/0/0",
		"keystore:", "keyring:", "ledger:", ":", "Alice", "keystore:bob", "keyring:alice", "keystore:carol",
		"keystore:missing.json", "keystore:dir/alice", "trezor:0", "keystore:alice:extra", "ledger:ledger:1",
	} {
		f.Add(ref)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		r := strings.TrimSpace(ref)
		scheme, rest, hasScheme := strings.Cut(r, ":")
		if hasScheme && scheme == BackendKeystore && looksLikePath(rest) &&
			(filepath.IsAbs(rest) || strings.HasPrefix(rest, "~") || strings.Contains(rest, "..")) {
			// A path outside the package directory: the fuzzer must not
			// read /dev or the home directory.
			return
		}
		ledger.refs = nil
		sg, err := s.Signer(ctx, ref)
		if (sg == nil) == (err == nil) {
			t.Fatalf("Signer(%q) = %v, %v: want exactly one of signer and error", ref, sg, err)
		}
		isLedger := r == BackendLedger || (hasScheme && scheme == BackendLedger)
		switch {
		case isLedger:
			if len(ledger.refs) != 1 || ledger.refs[0] != r || !errors.Is(err, errNoFakeLedger) {
				t.Fatalf("Signer(%q): the Ledger backend got %q (error %v), want exactly %q", ref, ledger.refs, err, r)
			}
		case r == "carol":
			if len(ledger.refs) != 1 || ledger.refs[0] != "ledger:"+carolPath.String() {
				t.Fatalf("Signer(%q): the Ledger backend got %q, want ledger:%s", ref, ledger.refs, carolPath)
			}
		case len(ledger.refs) != 0:
			t.Fatalf("Signer(%q) asked the Ledger backend for %q", ref, ledger.refs)
		}
		if addr, ok := want[r]; ok {
			if err != nil || sg.Address() != addr {
				t.Fatalf("Signer(%q) = %v, %v; want %s", ref, sg, err, addr.Hex())
			}
		} else if err == nil {
			t.Fatalf("Signer(%q) resolved to %s (%s): no such key", ref, sg.Address().Hex(), sg)
		}
		if c, ok := sg.(signer.Closer); ok {
			_ = c.Close()
		}
		if err != nil {
			checkRefError(t, "Signer", ref, err)
		}

		addr, aerr := s.Address(ctx, ref)
		if (aerr == nil) != (err == nil) || (err == nil && addr != sg.Address()) {
			t.Fatalf("Address(%q) = %s, %v but Signer gave %v, %v", ref, addr.Hex(), aerr, sg, err)
		}
		if aerr != nil {
			checkRefError(t, "Address", ref, aerr)
		}
	})
}

func checkRefError(t *testing.T, fn, ref string, err error) {
	t.Helper()
	if strings.Contains(err.Error(), passText) {
		t.Fatalf("%s(%q) error shows the passphrase: %v", fn, ref, err)
	}
	if !errors.Is(err, signer.ErrNotFound) && !errors.Is(err, signer.ErrUnavailable) {
		t.Fatalf("%s(%q) error wraps neither ErrNotFound nor ErrUnavailable: %v", fn, ref, err)
	}
}

// FuzzValidateName: a name ValidateName accepts must be reachable as
// --signer NAME and keystore:NAME, so it can neither contain the scheme
// separator, look like a keystore path, nor be a scheme itself.
func FuzzValidateName(f *testing.F) {
	for _, n := range []string{"alice", "a.b-c_d", "ledger", "Keyring", "x.json", ".hidden", "a:b", "a/b", "registry", strings.Repeat("a", 65), "~"} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if err := ValidateName(name); err != nil {
			if err.Error() == "" {
				t.Fatalf("ValidateName(%q): empty error", name)
			}
			return
		}
		if strings.Contains(name, ":") || looksLikePath(name) || strings.TrimSpace(name) != name {
			t.Fatalf("ValidateName accepted %q, which --signer cannot name", name)
		}
		for _, scheme := range []string{BackendLedger, BackendKeystore, BackendKeyring} {
			if strings.EqualFold(name, scheme) {
				t.Fatalf("ValidateName accepted the scheme %q", name)
			}
		}
		if name == "" || len(name) > MaxNameLen || strings.HasPrefix(name, ".") {
			t.Fatalf("ValidateName accepted %q", name)
		}
	})
}
