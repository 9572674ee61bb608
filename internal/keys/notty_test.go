package keys

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/prompt"
)

// TestNoTTYMessages: every place the store needs a passphrase it cannot ask
// for says so in one sentence that names the key and the way out, without
// prompt.ErrNoTTY's own text repeating "stdin is not a terminal", and
// still matches prompt.ErrNoTTY (exit 6).
func TestNoTTYMessages(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.store.ImportKey(ctx, "alice", BackendKeystore, mustKey(t, key0Hex), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ImportKey(ctx, "desk", BackendKeyring, mustKey(t, key1Hex), ""); err != nil {
		t.Fatal(err)
	}
	opts := f.options
	opts.PasswordFile, opts.Prompter = "", newTestPrompter("", false)
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	aliceFile := filepath.Join(f.dir, "alice.json")
	out := filepath.Join(t.TempDir(), "out.json")
	const way = "but stdin is not a terminal: pass --password-file FILE (or set STAKEWALLET_PASSWORD_FILE)"
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"sign with a keystore key", func() error { _, err := s.Signer(ctx, "alice"); return err },
			"keystore:alice needs its passphrase " + way},
		{"import a key into a keystore file", func() error {
			_, err := s.ImportKey(ctx, "bob", BackendKeystore, mustKey(t, key1Hex), "")
			return err
		}, "keystore:bob needs a new passphrase " + way},
		{"import a keystore file", func() error { _, err := s.ImportKeystoreFile(ctx, "copy", BackendKeystore, aliceFile); return err },
			"keystore:" + aliceFile + " needs its passphrase " + way},
		{"export a keyring key to a file", func() error { _, err := s.ExportKeystoreFile(ctx, "desk", out); return err },
			out + " needs a new passphrase " + way},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("message\n got %q\nwant %q", err.Error(), tt.want)
			}
			if !errors.Is(err, prompt.ErrNoTTY) {
				t.Errorf("%v does not match prompt.ErrNoTTY", err)
			}
			if n := strings.Count(err.Error(), "not a terminal"); n != 1 {
				t.Errorf("%q says \"not a terminal\" %d times", err, n)
			}
		})
	}
}
