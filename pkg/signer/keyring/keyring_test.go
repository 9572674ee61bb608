package keyring

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// Hardhat/anvil account 0: public test key.
const (
	testKeyHex = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	testAddr   = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
)

func testTx() *types.Transaction {
	to := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	return types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(1337), Nonce: 1, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2),
		Gas: 21000, To: &to, Value: big.NewInt(1),
	})
}

func mockKeyring(t *testing.T) *Keyring {
	t.Helper()
	gokeyring.MockInit()
	return New(GoKeyring(), time.Second)
}

func TestPutLoadSignDelete(t *testing.T) {
	ctx := context.Background()
	k := mockKeyring(t)
	key, _ := crypto.HexToECDSA(testKeyHex)
	if err := k.Put(ctx, "alice", key); err != nil {
		t.Fatal(err)
	}
	// What lands in the keyring is the bare hex scalar, nothing else.
	stored, err := gokeyring.Get(Service, "alice")
	if err != nil || stored != testKeyHex {
		t.Fatalf("stored %d chars, err %v", len(stored), err)
	}
	if err := k.Put(ctx, "alice", key); !errors.Is(err, ErrExists) {
		t.Fatalf("overwrite: %v", err)
	}

	want := common.HexToAddress(testAddr)
	s, err := k.Open(ctx, "alice", &want)
	if err != nil {
		t.Fatal(err)
	}
	if s.Address() != want || s.String() != "keyring:alice" {
		t.Fatalf("%s %s", s.Address().Hex(), s)
	}
	signed, err := s.SignTx(ctx, testTx(), big.NewInt(1337))
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.VerifySender(signed, big.NewInt(1337), want); err != nil {
		t.Fatal(err)
	}

	other := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	if _, err := k.Open(ctx, "alice", &other); !errors.Is(err, signer.ErrUnavailable) {
		t.Errorf("mismatched registry address accepted: %v", err)
	}

	if err := k.Delete(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	// Removed behind the signer's back: a clear not-found, not a crash.
	if _, err := s.SignTx(ctx, testTx(), big.NewInt(1337)); !errors.Is(err, signer.ErrNotFound) || !strings.Contains(err.Error(), "removed outside stakewallet") {
		t.Errorf("sign after delete: %v", err)
	}
	if ok, err := k.Exists(ctx, "alice"); ok || err != nil {
		t.Errorf("Exists after delete: %v %v", ok, err)
	}
	if err := k.Delete(ctx, "alice"); !errors.Is(err, signer.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestLoadRejectsForeignEntries(t *testing.T) {
	k := mockKeyring(t)
	tests := []struct{ name, value string }{
		{"short", "abcd"},
		{"not hex", strings.Repeat("zz", 32)},
		{"zero key", strings.Repeat("00", 32)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := gokeyring.Set(Service, "x", tt.value); err != nil {
				t.Fatal(err)
			}
			_, err := k.Load(context.Background(), "x")
			if err == nil || !strings.Contains(err.Error(), "keyring:x") {
				t.Fatalf("foreign entry: %v", err)
			}
			if strings.Contains(err.Error(), tt.value) {
				t.Fatalf("error echoes the entry: %v", err)
			}
		})
	}
}

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		sentinel error
		want     []string
	}{
		{"headless linux", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), signer.ErrUnavailable,
			[]string{"Secret Service", "gnome-keyring", "--backend keystore"}},
		{"no session bus", errors.New("dbus: DBUS_SESSION_BUS_ADDRESS not set"), ErrNoService, []string{"--backend keystore"}},
		{"unsupported platform", gokeyring.ErrUnsupportedPlatform, signer.ErrUnavailable, []string{"--backend keystore"}},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), signer.ErrUnavailable, []string{"keyring:k", "is locked", "--backend keystore"}},
		{"other", errors.New("boom"), signer.ErrUnavailable, []string{"boom", "unlock the keyring"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gokeyring.MockInitWithError(tt.err)
			k := New(GoKeyring(), time.Second)
			_, err := k.Load(context.Background(), "k")
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("%v does not wrap %v", err, tt.sentinel)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

// hangingProvider never answers, like a keyring waiting on a dialog.
type hangingProvider struct{ release chan struct{} }

func (h hangingProvider) Set(string, string, string) error { <-h.release; return nil }
func (h hangingProvider) Get(string, string) (string, error) {
	<-h.release
	return "", gokeyring.ErrNotFound
}
func (h hangingProvider) Delete(string, string) error { <-h.release; return nil }

func TestTimeout(t *testing.T) {
	h := hangingProvider{release: make(chan struct{})}
	defer close(h.release)
	k := New(h, 50*time.Millisecond)
	start := time.Now()
	_, err := k.Load(context.Background(), "k")
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, signer.ErrUnavailable) {
		t.Fatalf("hang: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("timeout took %s", d)
	}
	if !strings.Contains(err.Error(), "keyring-timeout") {
		t.Errorf("no advice in %q", err)
	}
	// The caller's context also bounds the call.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := New(h, time.Hour).Delete(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if New(nil, 0).timeout != DefaultTimeout {
		t.Error("default timeout not applied")
	}
}

// Every platform's limit holds for the longest name we allow.
func TestEntrySizeWithinPlatformLimits(t *testing.T) {
	k := mockKeyring(t)
	key, _ := crypto.HexToECDSA(testKeyHex)
	name := strings.Repeat("n", 64) // keys.MaxNameLen
	if err := k.Put(context.Background(), name, key); err != nil {
		t.Fatal(err)
	}
	v, _ := gokeyring.Get(Service, name)
	if len(v) != SecretLen {
		t.Fatalf("stored %d bytes, want %d", len(v), SecretLen)
	}
	const windowsSecretMax = 2560 // wincred CRED_MAX_CREDENTIAL_BLOB_SIZE
	const macOSTotalMax = 3000    // go-keyring: service+user+password
	// macOS stores the secret base64-encoded with a 18-byte prefix.
	macSecret := len("go-keyring-base64:") + (len(v)+2)/3*4
	if len(v) > windowsSecretMax {
		t.Errorf("secret %d > Windows limit", len(v))
	}
	if total := len(Service) + len(name) + macSecret; total > macOSTotalMax {
		t.Errorf("macOS entry %d > %d", total, macOSTotalMax)
	}
}

func TestPutRedactsSecretInErrors(t *testing.T) {
	// A backend whose error message echoes what it was given.
	k := New(leakyProvider{}, time.Second)
	key, _ := crypto.HexToECDSA(testKeyHex)
	err := k.Put(context.Background(), "x", key)
	if err == nil || strings.Contains(err.Error(), testKeyHex) {
		t.Fatalf("secret in error or no error: %v", err)
	}
	if !errors.Is(err, signer.ErrUnavailable) {
		t.Errorf("%v", err)
	}
}

type leakyProvider struct{}

func (leakyProvider) Set(_, _, p string) error           { return errors.New("cannot store " + p) }
func (leakyProvider) Get(string, string) (string, error) { return "", gokeyring.ErrNotFound }
func (leakyProvider) Delete(string, string) error        { return nil }

// Without a session bus System() fails at once instead of letting godbus
// start one with dbus-launch.
func TestSystemNeedsSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if checkSessionBus() == nil {
		t.Skip("this machine has a session bus at /run/user/UID/bus")
	}
	_, err := New(System(), time.Second).Load(context.Background(), "k")
	if !errors.Is(err, ErrNoService) || !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS is not set") {
		t.Fatalf("%v", err)
	}
}
