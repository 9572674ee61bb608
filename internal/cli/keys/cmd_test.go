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

// TestNewCmdKeysFlags: every keys subcommand's flags and arguments reach
// its options; what a command does not take (the transaction flags
// included: none of these sends anything) is a usage error before its body
// runs.
func TestNewCmdKeysFlags(t *testing.T) {
	// Each subcommand's options reach the test as a copy without their
	// dependencies, so the rest compare field by field.
	var depsSet bool
	keysCmd := func(f *cmdutil.Factory, runF func(*any) error) *cobra.Command {
		f.Keys = func() (*keys.Store, error) {
			t.Error("parsing flags opened the key store")
			return nil, errors.New("no store in a flags test")
		}
		parent := &cobra.Command{Use: "keys"}
		parent.AddCommand(
			NewCmdNew(f, clitest.Capture(runF, func(o *NewOptions) { depsSet = o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil })),
			NewCmdImport(f, clitest.Capture(runF, func(o *ImportOptions) { depsSet = o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil })),
			NewCmdList(f, clitest.Capture(runF, func(o *ListOptions) { depsSet = o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil })),
			NewCmdShow(f, clitest.Capture(runF, func(o *ShowOptions) { depsSet = o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil })),
			NewCmdDelete(f, clitest.Capture(runF, func(o *DeleteOptions) { depsSet = o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil })),
			NewCmdExport(f, clitest.Capture(runF, func(o *ExportOptions) { depsSet = o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil })),
			NewCmdAdd(f, clitest.Capture(runF, func(o *AddOptions) { depsSet = o.IO != nil && o.Keys != nil; o.IO, o.Keys = nil, nil })),
		)
		return parent
	}
	clitest.RunFlagCases(t, keysCmd, []clitest.FlagCase[any]{
		{Name: "new", Args: []string{"new", "alice"}, Want: NewOptions{Name: "alice", Backend: keys.BackendKeystore}},
		{Name: "new keyring json", Args: []string{"new", "bob", "--backend", "keyring", "--json"}, Want: NewOptions{Name: "bob", Backend: keys.BackendKeyring, JSON: true}},
		{Name: "new without name", Args: []string{"new"}, WantCode: cmdutil.ExitBadInput},
		{Name: "new bad name", Args: []string{"new", "a/evil"}, WantCode: cmdutil.ExitBadInput},
		{Name: "new bad backend", Args: []string{"new", "x", "--backend", "file"}, WantCode: cmdutil.ExitBadInput},
		{Name: "new --nonce", Args: []string{"new", "x", "--nonce", "1"}, WantCode: cmdutil.ExitBadInput},

		{Name: "import mnemonic file index 0", Args: []string{"import", "m", "--mnemonic-file", "seed.txt", "--index", "0"},
			Want: ImportOptions{Name: "m", Backend: keys.BackendKeystore, MnemonicFile: "seed.txt", IndexSet: true}},
		{Name: "import mnemonic prompt", Args: []string{"import", "m", "--mnemonic", "--path", "m/44'/60'/1'/0/0", "--bip39-passphrase-file", "bp", "--backend", "keyring", "--json"},
			Want: ImportOptions{Name: "m", Backend: keys.BackendKeyring, Mnemonic: true, Path: "m/44'/60'/1'/0/0", BIP39PassphraseFile: "bp", JSON: true}},
		{Name: "import mnemonic index 3 bip39 prompt", Args: []string{"import", "m", "--mnemonic-file", "-", "--index", "3", "--bip39-passphrase"},
			Want: ImportOptions{Name: "m", Backend: keys.BackendKeystore, MnemonicFile: "-", Index: 3, IndexSet: true, BIP39Passphrase: true}},
		{Name: "import private key", Args: []string{"import", "k", "--private-key-file", "-"}, Want: ImportOptions{Name: "k", Backend: keys.BackendKeystore, PrivateKeyFile: "-"}},
		{Name: "import keystore", Args: []string{"import", "k", "--keystore", "k.json"}, Want: ImportOptions{Name: "k", Backend: keys.BackendKeystore, KeystoreFile: "k.json"}},
		{Name: "import no source", Args: []string{"import", "x"}, WantCode: cmdutil.ExitBadInput},
		{Name: "import two sources", Args: []string{"import", "x", "--mnemonic", "--keystore", "k.json"}, WantCode: cmdutil.ExitBadInput},
		{Name: "import index without mnemonic", Args: []string{"import", "x", "--private-key-file", "k", "--index", "1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "import negative index", Args: []string{"import", "x", "--mnemonic", "--index", "-1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "import --yes", Args: []string{"import", "x", "--mnemonic", "--yes"}, WantCode: cmdutil.ExitBadInput},

		{Name: "list", Args: []string{"list"}, Want: ListOptions{}},
		{Name: "list json", Args: []string{"list", "--json"}, Want: ListOptions{JSON: true}},
		{Name: "list --nonce", Args: []string{"list", "--nonce", "1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "list --dry-run", Args: []string{"list", "--dry-run"}, WantCode: cmdutil.ExitBadInput},
		{Name: "list an argument", Args: []string{"list", "alice"}, WantCode: cmdutil.ExitBadInput},

		{Name: "show", Args: []string{"show", "alice", "--json"}, Want: ShowOptions{Name: "alice", JSON: true}},
		{Name: "show without name", Args: []string{"show"}, WantCode: cmdutil.ExitBadInput},
		{Name: "show --timeout", Args: []string{"show", "alice", "--timeout", "1s"}, WantCode: cmdutil.ExitBadInput},

		{Name: "delete asks", Args: []string{"delete", "a"}, Want: DeleteOptions{Name: "a"}},
		{Name: "delete --yes", Args: []string{"delete", "a", "--yes", "--json"}, Want: DeleteOptions{Name: "a", Yes: true, JSON: true}},
		{Name: "delete -y", Args: []string{"delete", "a", "-y"}, Want: DeleteOptions{Name: "a", Yes: true}},
		{Name: "delete --dry-run", Args: []string{"delete", "a", "--dry-run"}, WantCode: cmdutil.ExitBadInput},
		{Name: "delete two names", Args: []string{"delete", "a", "b"}, WantCode: cmdutil.ExitBadInput},

		{Name: "export out", Args: []string{"export", "a", "--out", "a.json", "--json"}, Want: ExportOptions{Name: "a", Out: "a.json", JSON: true}},
		{Name: "export unsafe", Args: []string{"export", "a", "--unsafe-print"}, Want: ExportOptions{Name: "a", UnsafePrint: true}},
		{Name: "export how", Args: []string{"export", "a"}, WantCode: cmdutil.ExitBadInput},
		{Name: "export both", Args: []string{"export", "a", "--out", "x", "--unsafe-print"}, WantCode: cmdutil.ExitBadInput},
		{Name: "export unsafe json", Args: []string{"export", "a", "--unsafe-print", "--json"}, WantCode: cmdutil.ExitBadInput},

		{Name: "add", Args: []string{"add", "cold", "--ledger"}, Want: AddOptions{Name: "cold", Ledger: true}},
		{Name: "add index confirm", Args: []string{"add", "cold", "--ledger", "--index", "2", "--confirm-address", "--json"},
			Want: AddOptions{Name: "cold", Ledger: true, Index: 2, IndexSet: true, Confirm: true, JSON: true}},
		{Name: "add path", Args: []string{"add", "old", "--ledger", "--path", "m/44'/60'/0'/3"}, Want: AddOptions{Name: "old", Ledger: true, Path: "m/44'/60'/0'/3"}},
		{Name: "add without --ledger", Args: []string{"add", "cold"}, WantCode: cmdutil.ExitBadInput},
		{Name: "add index and path", Args: []string{"add", "cold", "--ledger", "--index", "1", "--path", "m/44'/60'/0'/1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "add --gas-limit", Args: []string{"add", "cold", "--ledger", "--gas-limit", "1"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *any) {
		if !depsSet {
			t.Error("the options lack the factory's IO or Keys")
		}
		if !reflect.DeepEqual(*got, *want) {
			t.Errorf("options = %+v\nwant      %+v", *got, *want)
		}
	})
}
