package factory

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

func newFactory(t *testing.T) *cmdutil.Factory {
	t.Helper()
	t.Setenv("STAKEWALLET_HOME", t.TempDir())
	ios, _, _ := iostreams.Test("")
	return New("test", ios)
}

func exitCode(err error) int { c, _ := cmdutil.Classify(err); return c }

// TestResolutionErrors: what the user got wrong is exit 2 and says what
// to do, before any network traffic.
func TestResolutionErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		set  func(f *cmdutil.Factory)
		use  func(f *cmdutil.Factory) error
		msg  string
	}{
		{"unknown network", func(f *cmdutil.Factory) { f.Flags.Network = "narnia" },
			func(f *cmdutil.Factory) error { _, err := f.Network(); return err }, "narnia"},
		{"no RPC endpoint", func(f *cmdutil.Factory) { f.Flags.Network = "mainnet" },
			func(f *cmdutil.Factory) error { _, err := f.Chain(ctx); return err }, "--rpc-url"},
		{"bad RPC URL", func(f *cmdutil.Factory) { f.Flags.RPCURLs = []string{"ftp://x"} },
			func(f *cmdutil.Factory) error { _, err := f.Chain(ctx); return err }, "ftp"},
		{"unknown protocol", func(f *cmdutil.Factory) {},
			func(f *cmdutil.Factory) error { _, err := f.Protocol(ctx, "narnia"); return err }, "supported: bnb, lido"},
		{"no signer", func(f *cmdutil.Factory) {},
			func(f *cmdutil.Factory) error { _, err := f.Account(ctx); return err }, "--signer"},
		{"unknown key", func(f *cmdutil.Factory) { f.Flags.Signer = "mallory" },
			func(f *cmdutil.Factory) error { _, err := f.Account(ctx); return err }, "mallory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFactory(t)
			tt.set(f)
			err := tt.use(f)
			if exitCode(err) != cmdutil.ExitBadInput || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("exit %d (%v), want 2 with %q", exitCode(err), err, tt.msg)
			}
		})
	}
}

// TestProtocolAndAccount: the protocol is bound with the network's native
// coin, and the account of a keystore key is known without its
// passphrase (no password file, no terminal here).
func TestProtocolAndAccount(t *testing.T) {
	ctx := context.Background()
	f := newFactory(t)
	node := chaintest.New(t, 1337)
	f.Flags.Network, f.Flags.RPCURLs = "devnet", []string{node.URL()}
	p, err := f.Protocol(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "lido" || p.Unstaking() != protocol.UnstakeQueued {
		t.Errorf("protocol %s, %s", p.Name(), p.Unstaking())
	}
	if _, ok := p.Tokens().ByRole(protocol.RoleStaked); !ok {
		t.Error("no staked token")
	}

	acct, err := devkeys.TestAccount(0)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	writeFile(t, pw, "pw\n")
	store, err := keys.Open(keys.Options{Dir: cfg.KeysDir(), PasswordFile: pw, Scrypt: keystore.LightParams()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportKey(ctx, "alice", keys.BackendKeystore, acct.PrivateKey, ""); err != nil {
		t.Fatal(err)
	}
	f.Flags.Signer = "alice"
	lazy, err := f.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if lazy.Address() != acct.Address || lazy.IsOpen() || lazy.String() != "keystore:alice" {
		t.Errorf("account %s %q open=%v", lazy.Address().Hex(), lazy, lazy.IsOpen())
	}
	// Signing opens it, and without a passphrase source that is exit 6.
	if _, err := lazy.Open(ctx); exitCode(err) != cmdutil.ExitNeedsInput {
		t.Errorf("opening without a passphrase: exit %d (%v)", exitCode(err), err)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
