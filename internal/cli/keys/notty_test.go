package keys

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/prompt"
)

// TestNoTTYMessages: each keys command that needs input it cannot ask for
// without a terminal fails with exit 6 (input_required) and one sentence
// that says what it needed and which flag gives it, without "stdin is not
// a terminal" twice.
func TestNoTTYMessages(t *testing.T) {
	e := newEnv(t)
	e.mustRun("", false, "keys", "new", "stored", "--password-file", e.pwFile)
	e.mustRun("", false, "keys", "new", "desk", "--backend", "keyring")
	keystoreFile := filepath.Join(e.home, "keys", "stored.json")
	seed := writeFile(t, "seed", testMnemonic+"\n")
	out := filepath.Join(t.TempDir(), "desk.json")
	const passwordFile = "but stdin is not a terminal: pass --password-file FILE (or set STAKEWALLET_PASSWORD_FILE)"

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"import a private key from stdin", key2Hex + "\n", []string{"keys", "import", "alice", "--private-key-file", "-"},
			"keystore:alice needs a new passphrase " + passwordFile},
		{"import a keystore file", "", []string{"keys", "import", "copy", "--keystore", keystoreFile},
			"keystore:" + keystoreFile + " needs its passphrase " + passwordFile},
		{"new keystore key", "", []string{"keys", "new", "bob"},
			"keystore:bob needs a new passphrase " + passwordFile},
		{"export a keyring key to a file", "", []string{"keys", "export", "desk", "--out", out},
			out + " needs a new passphrase " + passwordFile},
		{"type the mnemonic", "", []string{"keys", "import", "m", "--mnemonic", "--password-file", e.pwFile},
			"the BIP-39 mnemonic is needed but stdin is not a terminal to type it on: pass --mnemonic-file FILE"},
		{"type the BIP-39 passphrase", "", []string{"keys", "import", "m", "--mnemonic-file", seed, "--bip39-passphrase", "--password-file", e.pwFile},
			"the BIP-39 passphrase is needed but stdin is not a terminal to type it on: pass --bip39-passphrase-file FILE"},
		{"confirm a deletion", "", []string{"keys", "delete", "stored"},
			"deleting key stored needs confirmation but stdin is not a terminal: pass --yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.stdin, false, tt.args...)
			if r.err == nil {
				t.Fatal("succeeded without a terminal")
			}
			if got := r.err.Error(); got != tt.want {
				t.Errorf("message\n got %q\nwant %q", got, tt.want)
			}
			if n := strings.Count(r.err.Error(), "not a terminal"); n != 1 {
				t.Errorf("%q says \"not a terminal\" %d times", r.err, n)
			}
			if code, kind := clitest.ExitCode(r.err); code != cmdutil.ExitNeedsInput || kind != "input_required" || !errors.Is(r.err, prompt.ErrNoTTY) {
				t.Errorf("exit %d (%s), want %d (input_required)", code, kind, cmdutil.ExitNeedsInput)
			}
		})
	}
}
