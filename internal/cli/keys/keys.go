// Package keys implements `stakewallet keys`: create, import, list, show,
// delete and export named keys (keystore files or the OS keyring), one file
// per subcommand. The work is done by internal/keys; these commands parse
// flags, read secrets without echo and render results.
package keys

import (
	"errors"
	"fmt"
	goio "io"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
	promptpkg "github.com/stakewallet/stakewallet/internal/prompt"
	"github.com/stakewallet/stakewallet/pkg/hd"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
)

// NewCmdKeys returns the keys command and its subcommands.
func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys <command>",
		Short: "Manage named keys: keystore files and the OS keyring",
		Long: `Manage the keys stakewallet signs with. Each key has a name, used with
--signer NAME, and a backend:

  keystore  an encrypted Web3 Secret Storage file (scrypt), as geth and
            Foundry write them; the passphrase is asked on a terminal or
            read from --password-file
  keyring   the OS keyring (Secret Service, macOS Keychain, Windows
            Credential Manager), service "stakewallet", account NAME

The registry of names (no secrets) and the keystore files live in
<config dir>/stakewallet/keys/ ($STAKEWALLET_HOME/keys if set).`,
		Example: `  stakewallet keys new alice
  stakewallet keys import bob --backend keyring --mnemonic --index 1
  stakewallet keys list --json
  stakewallet stake 1 --signer alice`,
	}
	cmd.AddCommand(
		NewCmdNew(f, nil),
		NewCmdImport(f, nil),
		NewCmdList(f, nil),
		NewCmdShow(f, nil),
		NewCmdDelete(f, nil),
		NewCmdExport(f, nil),
		NewCmdAdd(f, nil),
	)
	return cmd
}

// Key is a registered key as every keys subcommand prints it: the JSON
// object of `keys list`, `keys show`, `keys new`, `keys import`, `keys add`
// and `keys delete`.
type Key struct {
	Name    string `json:"name"`
	Backend string `json:"backend"`
	// Address is EIP-55 checksummed (common.Address would marshal it in
	// lower case, which changes the documents scripts already read).
	Address string `json:"address"`
	Path    string `json:"path"`
	File    string `json:"file,omitempty"`
	Missing bool   `json:"missing,omitempty"`
}

// keyOf is e as printed, with its keystore file when it has one.
func keyOf(s *keys.Store, e keys.Entry) Key {
	return Key{Name: e.Name, Backend: e.Backend, Address: e.Address.Hex(), Path: e.Path, File: s.FilePath(e)}
}

// KeyResult is a key that was just created, imported or added.
type KeyResult struct {
	Key
	// Verb heads the human output: "Created", "Imported", "Added".
	Verb string `json:"-"`
}

// RenderHuman implements output.Human.
func (r *KeyResult) RenderHuman(w goio.Writer, st output.Styles) {
	fmt.Fprintf(w, "%s %s key %s\n", st.OK.Render(r.Verb), r.Backend, st.Title.Render(r.Name))
	(&output.KV{}).Add("address", r.Address).Add("path", r.Path).Add("file", r.File).Render(w, st)
}

// classify marks errors that are the user's input as exit 2; the rest
// (signer sentinels, ErrNoTTY) keep the meaning the root command maps.
func classify(err error) error {
	var we *hd.WordError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keys.ErrInvalid), errors.Is(err, keys.ErrExists), errors.Is(err, keys.ErrNotExportable),
		errors.Is(err, keyring.ErrExists), errors.As(err, &we), errors.Is(err, hd.ErrChecksum), errors.Is(err, hd.ErrWordCount):
		return cmdutil.BadInput(err)
	}
	return err
}

func validateBackend(b string) error {
	switch b {
	case keys.BackendKeystore, keys.BackendKeyring:
		return nil
	}
	return cmdutil.BadInputf("--backend %q: use keystore or keyring", b)
}

func validateName(name string) error {
	if err := keys.ValidateName(name); err != nil {
		return cmdutil.BadInput(err)
	}
	return nil
}

// readSecret asks for a secret without echo; without a terminal it says,
// in one sentence, what was needed and the flag that supplies it from a
// file instead.
func readSecret(io *iostreams.IOStreams, prompt, what, fileFlag string) ([]byte, error) {
	if !io.CanPrompt() {
		return nil, promptpkg.NoTTYf("%s is needed but stdin is not a terminal to type it on: pass %s FILE", what, fileFlag)
	}
	return io.ReadSecret(prompt)
}
