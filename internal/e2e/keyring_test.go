package e2e

import (
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// Stake and unstake with a key held in a real Secret Service
// (gnome-keyring); run through scripts/test-keyring.sh, which sets
// STAKEWALLET_KEYRING_IT=1 inside a private D-Bus session.
func TestKeyringSignerOnDevnet(t *testing.T) {
	if os.Getenv("STAKEWALLET_KEYRING_IT") != "1" {
		t.Skip("needs a real Secret Service: run scripts/test-keyring.sh (make test does)")
	}
	url := startDevnet(t, 2*time.Second)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	// The Secret Service session lives in the environment with-keyring.sh
	// set up (bus address, runtime and data dirs): inherit all of it, then
	// the wallet's own settings (later entries win).
	w.Env = append(os.Environ(), w.Env...)
	chain := dialChain(t, url)
	acct := testAccount(t, 2)
	var outputs []string
	run := func(stdin string, args ...string) map[string]any {
		t.Helper()
		r := w.Run(stdin, append(args, "--json")...)
		outputs = append(outputs, r.Stdout, r.Stderr)
		if r.Code != 0 {
			t.Fatalf("stakewallet %v: exit %d\n%s\n%s", args, r.Code, r.Stdout, r.Stderr)
		}
		return r.JSON(t)
	}

	// The test mnemonic, index 2, piped in: never a file, never a flag value.
	out := run(devkeys.Mnemonic+"\n", "keys", "import", "desk", "--backend", "keyring", "--mnemonic-file", "-", "--index", "2")
	if got := field(t, out, "address"); got != acct.Address.Hex() {
		t.Fatalf("imported address %v, want %s", got, acct.Address.Hex())
	}
	list := run("", "keys", "list")
	if field(t, list, "keys", 0, "backend") != "keyring" {
		t.Fatalf("keys list: %v", list)
	}

	// No passphrase anywhere: the keyring is unlocked by the session.
	before := chain.tokenBalance(lido.DevnetStETH, acct.Address)
	out = run("", "stake", "1", "--signer", "keyring:desk", "--yes")
	if field(t, out, "from") != acct.Address.Hex() {
		t.Fatalf("stake from %v", field(t, out, "from"))
	}
	if got := new(big.Int).Sub(chain.tokenBalance(lido.DevnetStETH, acct.Address), before); !near(got, eth("1"), 2) {
		t.Errorf("stETH gained %s, want ~1e18", got)
	}
	out = run("", "unstake", "0.5", "--signer", "desk", "--yes")
	if ids := field(t, out, "requestIds").([]any); len(ids) != 1 {
		t.Fatalf("requestIds %v", ids)
	}
	if got := chain.tokenBalance(lido.DevnetStETH, acct.Address); !near(got, eth("0.5"), 3) {
		t.Errorf("stETH left %s, want ~0.5e18", got)
	}

	// The key and the mnemonic appear in no file we wrote and no output.
	keyHex := strings.TrimPrefix(acct.KeyHex(), "0x")
	secrets := []string{keyHex, strings.ToUpper(keyHex), devkeys.Mnemonic}
	err := filepath.WalkDir(w.Home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if strings.Contains(string(data), s) {
				t.Errorf("%s contains a secret", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outputs {
		for _, s := range secrets {
			if strings.Contains(o, s) {
				t.Errorf("output contains a secret: %q", o)
			}
		}
	}
}
