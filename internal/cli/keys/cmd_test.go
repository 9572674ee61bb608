package keys

import (
	"errors"
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/keys"
)

// capture returns a runF that records a copy of the options with their
// dependencies removed (strip reports whether they were all set), so the
// rest can be compared field by field.
func capture[T any](got *any, depsSet *bool, strip func(*T) bool) func(*T) error {
	return func(o *T) error {
		c := *o
		*depsSet = strip(&c)
		*got = c
		return nil
	}
}

// TestNewCmdKeysFlags: every keys subcommand's flags and arguments reach
// its options; what a command does not take (the transaction flags
// included: none of these sends anything) is a usage error before its body
// runs.
func TestNewCmdKeysFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     any
		wantCode int
	}{
		{name: "new", args: []string{"new", "alice"}, want: NewOptions{Name: "alice", Backend: keys.BackendKeystore}},
		{name: "new keyring json", args: []string{"new", "bob", "--backend", "keyring", "--json"}, want: NewOptions{Name: "bob", Backend: keys.BackendKeyring, JSON: true}},
		{name: "new without name", args: []string{"new"}, wantCode: cmdutil.ExitBadInput},
		{name: "new bad name", args: []string{"new", "a/evil"}, wantCode: cmdutil.ExitBadInput},
		{name: "new bad backend", args: []string{"new", "x", "--backend", "file"}, wantCode: cmdutil.ExitBadInput},
		{name: "new --nonce", args: []string{"new", "x", "--nonce", "1"}, wantCode: cmdutil.ExitBadInput},

		{name: "import mnemonic file index 0", args: []string{"import", "m", "--mnemonic-file", "seed.txt", "--index", "0"},
			want: ImportOptions{Name: "m", Backend: keys.BackendKeystore, MnemonicFile: "seed.txt", IndexSet: true}},
		{name: "import mnemonic prompt", args: []string{"import", "m", "--mnemonic", "--path", "m/44'/60'/1'/0/0", "--bip39-passphrase-file", "bp", "--backend", "keyring", "--json"},
			want: ImportOptions{Name: "m", Backend: keys.BackendKeyring, Mnemonic: true, Path: "m/44'/60'/1'/0/0", BIP39PassphraseFile: "bp", JSON: true}},
		{name: "import mnemonic index 3 bip39 prompt", args: []string{"import", "m", "--mnemonic-file", "-", "--index", "3", "--bip39-passphrase"},
			want: ImportOptions{Name: "m", Backend: keys.BackendKeystore, MnemonicFile: "-", Index: 3, IndexSet: true, BIP39Passphrase: true}},
		{name: "import private key", args: []string{"import", "k", "--private-key-file", "-"}, want: ImportOptions{Name: "k", Backend: keys.BackendKeystore, PrivateKeyFile: "-"}},
		{name: "import keystore", args: []string{"import", "k", "--keystore", "k.json"}, want: ImportOptions{Name: "k", Backend: keys.BackendKeystore, KeystoreFile: "k.json"}},
		{name: "import no source", args: []string{"import", "x"}, wantCode: cmdutil.ExitBadInput},
		{name: "import two sources", args: []string{"import", "x", "--mnemonic", "--keystore", "k.json"}, wantCode: cmdutil.ExitBadInput},
		{name: "import index without mnemonic", args: []string{"import", "x", "--private-key-file", "k", "--index", "1"}, wantCode: cmdutil.ExitBadInput},
		{name: "import negative index", args: []string{"import", "x", "--mnemonic", "--index", "-1"}, wantCode: cmdutil.ExitBadInput},
		{name: "import --yes", args: []string{"import", "x", "--mnemonic", "--yes"}, wantCode: cmdutil.ExitBadInput},

		{name: "list", args: []string{"list"}, want: ListOptions{}},
		{name: "list json", args: []string{"list", "--json"}, want: ListOptions{JSON: true}},
		{name: "list --nonce", args: []string{"list", "--nonce", "1"}, wantCode: cmdutil.ExitBadInput},
		{name: "list --dry-run", args: []string{"list", "--dry-run"}, wantCode: cmdutil.ExitBadInput},
		{name: "list an argument", args: []string{"list", "alice"}, wantCode: cmdutil.ExitBadInput},

		{name: "show", args: []string{"show", "alice", "--json"}, want: ShowOptions{Name: "alice", JSON: true}},
		{name: "show without name", args: []string{"show"}, wantCode: cmdutil.ExitBadInput},
		{name: "show --timeout", args: []string{"show", "alice", "--timeout", "1s"}, wantCode: cmdutil.ExitBadInput},

		{name: "delete asks", args: []string{"delete", "a"}, want: DeleteOptions{Name: "a"}},
		{name: "delete --yes", args: []string{"delete", "a", "--yes", "--json"}, want: DeleteOptions{Name: "a", Yes: true, JSON: true}},
		{name: "delete -y", args: []string{"delete", "a", "-y"}, want: DeleteOptions{Name: "a", Yes: true}},
		{name: "delete --dry-run", args: []string{"delete", "a", "--dry-run"}, wantCode: cmdutil.ExitBadInput},
		{name: "delete two names", args: []string{"delete", "a", "b"}, wantCode: cmdutil.ExitBadInput},

		{name: "export out", args: []string{"export", "a", "--out", "a.json", "--json"}, want: ExportOptions{Name: "a", Out: "a.json", JSON: true}},
		{name: "export unsafe", args: []string{"export", "a", "--unsafe-print"}, want: ExportOptions{Name: "a", UnsafePrint: true}},
		{name: "export how", args: []string{"export", "a"}, wantCode: cmdutil.ExitBadInput},
		{name: "export both", args: []string{"export", "a", "--out", "x", "--unsafe-print"}, wantCode: cmdutil.ExitBadInput},
		{name: "export unsafe json", args: []string{"export", "a", "--unsafe-print", "--json"}, wantCode: cmdutil.ExitBadInput},

		{name: "add", args: []string{"add", "cold", "--ledger"}, want: AddOptions{Name: "cold", Ledger: true}},
		{name: "add index confirm", args: []string{"add", "cold", "--ledger", "--index", "2", "--confirm-address", "--json"},
			want: AddOptions{Name: "cold", Ledger: true, Index: 2, IndexSet: true, Confirm: true, JSON: true}},
		{name: "add path", args: []string{"add", "old", "--ledger", "--path", "m/44'/60'/0'/3"}, want: AddOptions{Name: "old", Ledger: true, Path: "m/44'/60'/0'/3"}},
		{name: "add without --ledger", args: []string{"add", "cold"}, wantCode: cmdutil.ExitBadInput},
		{name: "add index and path", args: []string{"add", "cold", "--ledger", "--index", "1", "--path", "m/44'/60'/0'/1"}, wantCode: cmdutil.ExitBadInput},
		{name: "add --gas-limit", args: []string{"add", "cold", "--ledger", "--gas-limit", "1"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			f.Keys = func() (*keys.Store, error) {
				t.Error("parsing flags opened the key store")
				return nil, errors.New("no store in a flags test")
			}
			var got any
			var depsSet bool
			parent := &cobra.Command{Use: "keys"}
			parent.AddCommand(
				NewCmdNew(f, capture(&got, &depsSet, func(o *NewOptions) bool { ok := o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil; return ok })),
				NewCmdImport(f, capture(&got, &depsSet, func(o *ImportOptions) bool { ok := o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil; return ok })),
				NewCmdList(f, capture(&got, &depsSet, func(o *ListOptions) bool { ok := o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil; return ok })),
				NewCmdShow(f, capture(&got, &depsSet, func(o *ShowOptions) bool { ok := o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil; return ok })),
				NewCmdDelete(f, capture(&got, &depsSet, func(o *DeleteOptions) bool { ok := o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil; return ok })),
				NewCmdExport(f, capture(&got, &depsSet, func(o *ExportOptions) bool { ok := o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil; return ok })),
				NewCmdAdd(f, capture(&got, &depsSet, func(o *AddOptions) bool { ok := o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil; return ok })),
			)
			err := clitest.Exec(f, parent, tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Errorf("runF ran after a usage error with %+v", got)
				}
				return
			}
			if got == nil {
				t.Fatal("runF did not run")
			}
			if !depsSet {
				t.Error("the options lack the factory's IO or Keys")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options = %+v\nwant      %+v", got, tt.want)
			}
		})
	}
}
