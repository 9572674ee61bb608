package keyringit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	dbus "github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	clikeys "github.com/stakewallet/stakewallet/internal/cli/keys"
	"github.com/stakewallet/stakewallet/internal/cli/root"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

const (
	itEnv        = "STAKEWALLET_KEYRING_IT"
	helperEnv    = "STAKEWALLET_KEYRING_HELPER"
	testMnemonic = "test test test test test test test test test test test junk"
	addr0        = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	addr1        = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
)

func requireSecretService(t *testing.T) {
	t.Helper()
	if os.Getenv(itEnv) != "1" {
		t.Skipf("needs a real Secret Service: run scripts/test-keyring.sh (it sets %s=1)", itEnv)
	}
}

// uniqueName keeps runs from colliding with leftovers in a reused keyring.
func uniqueName(t *testing.T, prefix string) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + "-" + hex.EncodeToString(b)
}

func testTx() *types.Transaction {
	to := common.HexToAddress(addr1)
	return types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Gas: 21000, GasFeeCap: big.NewInt(2), GasTipCap: big.NewInt(1), To: &to, Value: big.NewInt(1)})
}

func signAs(t *testing.T, s signer.Signer) common.Address {
	t.Helper()
	signed, err := s.SignTx(context.Background(), testTx(), big.NewInt(1337))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(big.NewInt(1337)), signed)
	if err != nil {
		t.Fatal(err)
	}
	return from
}

// runCLI runs `stakewallet ARGS` against keysDir under the real root
// command (global flags, flag errors), stdin not a terminal.
func runCLI(t *testing.T, keysDir string, args ...string) (string, error) {
	t.Helper()
	f, streams := clitest.NewFactory("")
	f.Keys = func() (*keys.Store, error) {
		return keys.Open(keys.Options{Dir: keysDir, PasswordFile: f.Flags.PasswordFile, Prompter: f.IO, KeyringTimeout: 10 * time.Second, Scrypt: keystore.Params{N: 16, P: 1}}) // cheapest scrypt: tests only
	}
	r := root.NewCmdRoot(f, clikeys.NewCmdKeys)
	r.SetArgs(args)
	err := r.ExecuteContext(context.Background())
	return streams.Out.String() + streams.ErrOut.String(), err
}

// The keyring signer against gnome-keyring: store, read back what is
// stored, sign, delete.
func TestKeyringRealSecretService(t *testing.T) {
	requireSecretService(t)
	ctx := context.Background()
	k := keyring.New(keyring.System(), 10*time.Second)
	name := uniqueName(t, "it-raw")
	key, _ := crypto.GenerateKey()
	want := crypto.PubkeyToAddress(key.PublicKey)
	if err := k.Put(ctx, name, key); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gokeyring.Delete(keyring.Service, name) })

	stored, err := gokeyring.Get(keyring.Service, name)
	if err != nil || len(stored) != keyring.SecretLen {
		t.Fatalf("stored %d bytes, %v", len(stored), err)
	}
	if err := k.Put(ctx, name, key); !errors.Is(err, keyring.ErrExists) {
		t.Errorf("overwrite: %v", err)
	}
	s, err := k.Open(ctx, name, &want)
	if err != nil {
		t.Fatal(err)
	}
	if got := signAs(t, s); got != want {
		t.Errorf("signed as %s", got.Hex())
	}
	if err := k.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Load(ctx, name); !errors.Is(err, signer.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

// What the lead's devnet test relies on: `keys import NAME --backend keyring
// --mnemonic-file F`, then Store.Signer for keyring:NAME and NAME.
func TestKeyringImportMnemonicAndSign(t *testing.T) {
	requireSecretService(t)
	ctx := context.Background()
	keysDir := filepath.Join(t.TempDir(), "keys")
	mn := filepath.Join(t.TempDir(), "mnemonic")
	if err := os.WriteFile(mn, []byte(testMnemonic+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	name := uniqueName(t, "it-cli")
	t.Cleanup(func() { gokeyring.Delete(keyring.Service, name) })

	out, err := runCLI(t, keysDir, "keys", "import", name, "--backend", "keyring", "--mnemonic-file", mn)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(out, addr0) {
		t.Errorf("import output: %s", out)
	}
	store, err := keys.Open(keys.Options{Dir: keysDir, KeyringTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"keyring:" + name, name} {
		s, err := store.Signer(ctx, ref)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if got := signAs(t, s); got != common.HexToAddress(addr0) {
			t.Errorf("%s signed as %s", ref, got.Hex())
		}
	}

	// Removed behind our back (as `secret-tool clear` would): the
	// registry stays, list marks it, the signer says what happened.
	if err := gokeyring.Delete(keyring.Service, name); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, keysDir, "keys", "list", "--json")
	if err != nil || !strings.Contains(out, `"missing": true`) {
		t.Errorf("list: %v\n%s", err, out)
	}
	if _, err := store.Signer(ctx, name); !errors.Is(err, signer.ErrNotFound) || !strings.Contains(err.Error(), "removed outside stakewallet") {
		t.Errorf("signer after external removal: %v", err)
	}
	if out, err := runCLI(t, keysDir, "keys", "delete", name, "--yes"); err != nil {
		t.Errorf("delete: %v\n%s", err, out)
	}
}

// A locked collection nobody can unlock (no prompter on a headless box)
// must fail within the timeout with exit-7 semantics, not hang. Runs last:
// the throwaway keyring stays locked afterwards.
func TestKeyringZLockedCollection(t *testing.T) {
	requireSecretService(t)
	ctx := context.Background()
	k := keyring.New(keyring.System(), 3*time.Second)
	name := uniqueName(t, "it-lock")
	key, _ := crypto.GenerateKey()
	if err := k.Put(ctx, name, key); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gokeyring.Delete(keyring.Service, name) })

	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{"/org/freedesktop/secrets/collection/login"}).Store(&locked, &prompt); err != nil {
		t.Fatalf("lock: %v", err)
	}
	start := time.Now()
	_, err = k.Load(ctx, name)
	if !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "--backend keystore") {
		t.Fatalf("locked keyring: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
	t.Logf("locked collection: %v (after %s)", err, time.Since(start).Round(time.Millisecond))
}

// No Secret Service at all (headless Linux): a clear exit-7 error that
// says what to do, and no fallback to a file. Runs in a child process,
// because go-keyring keeps the D-Bus connection of the first call.
func TestNoSecretService(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is the Linux keyring")
	}
	if os.Getenv(helperEnv) == "1" {
		t.Skip("running as the helper")
	}
	tests := []struct {
		name string
		cmd  func(self string) (*exec.Cmd, error)
		want string
	}{
		{"no session bus", func(self string) (*exec.Cmd, error) {
			c := exec.Command(self, "-test.run=^TestHelperKeyringCall$", "-test.v")
			c.Env = []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus")}
			return c, nil
		}, "no Secret Service"},
		{"no bus address at all", func(self string) (*exec.Cmd, error) {
			if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
				return nil, errors.New("this machine has a session bus at /run/user/UID/bus")
			}
			c := exec.Command(self, "-test.run=^TestHelperKeyringCall$", "-test.v")
			c.Env = []string{"DBUS_SESSION_BUS_ADDRESS="}
			return c, nil
		}, "DBUS_SESSION_BUS_ADDRESS is not set"},
		{"bus without org.freedesktop.secrets", func(self string) (*exec.Cmd, error) {
			if _, err := exec.LookPath("dbus-run-session"); err != nil {
				return nil, fmt.Errorf("dbus-run-session not installed (apt-get install dbus): %w", err)
			}
			cfg := filepath.Join(t.TempDir(), "session.conf")
			if err := os.WriteFile(cfg, []byte(bareSessionConfig), 0o600); err != nil {
				return nil, err
			}
			return exec.Command("dbus-run-session", "--config-file="+cfg, "--", self, "-test.run=^TestHelperKeyringCall$", "-test.v"), nil
		}, "org.freedesktop.secrets was not provided"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.cmd(os.Args[0])
			if err != nil {
				t.Skipf("cannot set up this case: %v", err)
			}
			// The case's own variables come last, so they win.
			c.Env = append(append(os.Environ(), helperEnv+"=1", itEnv+"="), c.Env...)
			out, err := c.CombinedOutput()
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			t.Logf("helper:\n%s", out)
			for _, want := range []string{"RESULT unavailable=true notfound=false", "--backend keystore", "gnome-keyring", "NOFILE true", tt.want} {
				if !strings.Contains(string(out), want) {
					t.Errorf("helper output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// bareSessionConfig is a session bus with no service directories, so
// nothing can be activated: the state of a headless server.
const bareSessionConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// TestHelperKeyringCall is the child of TestNoSecretService.
func TestHelperKeyringCall(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process of TestNoSecretService; not a test on its own")
	}
	ctx := context.Background()
	_, err := keyring.New(keyring.System(), 5*time.Second).Load(ctx, "probe")
	fmt.Printf("ERROR %v\nRESULT unavailable=%v notfound=%v\n", err, errors.Is(err, signer.ErrUnavailable), errors.Is(err, signer.ErrNotFound))
	dir := t.TempDir()
	s, err := keys.Open(keys.Options{Dir: dir, KeyringTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(ctx, "k", keys.BackendKeyring)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var registered int
	if entries, lerr := s.Entries(); lerr == nil {
		registered = len(entries)
	}
	fmt.Printf("CREATE unavailable=%v\nNOFILE %v\n", errors.Is(err, signer.ErrUnavailable), len(files) == 0 && registered == 0)
}
