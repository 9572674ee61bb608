package keys

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/internal/prompt"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// DeleteOptions are the inputs of `keys delete`.
type DeleteOptions struct {
	IO   *iostreams.IOStreams
	Keys func() (*keys.Store, error)
	JSON bool

	Name string
	// Yes skips the confirmation. It is this command's own flag: --yes is
	// no longer global, and keys delete sends no transaction.
	Yes bool
}

// NewCmdDelete returns `keys delete`; runF replaces its body in tests.
func NewCmdDelete(f *cmdutil.Factory, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IO, Keys: f.Keys}
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key: its keystore file or keyring entry, and its registry entry",
		Long: `Delete the key NAME for good: the keystore file or the OS keyring entry is
removed, then the registry entry. Asks for confirmation unless --yes; back
the key up first with 'stakewallet keys export'. A Ledger key only loses its
registry entry; the device keeps the key.`,
		Example:           "  stakewallet keys delete alice\n  stakewallet keys delete old-bot --yes",
		Args:              cmdutil.ExactArgs(1, "NAME"),
		ValidArgsFunction: cmdutil.CompletePositional(cmdutil.CompleteKeyNames(f)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// DeleteResult is `keys delete`.
type DeleteResult struct {
	Deleted Key `json:"deleted"`
}

// RenderHuman implements output.Human.
func (r *DeleteResult) RenderHuman(w io.Writer, st output.Styles) {
	what := map[string]string{keys.BackendKeystore: "keystore file removed", keys.BackendKeyring: "keyring entry removed", keys.BackendLedger: "the device keeps the key"}[r.Deleted.Backend]
	fmt.Fprintf(w, "%s key %s (%s); %s\n", st.OK.Render("Deleted"), r.Deleted.Name, r.Deleted.Address, what)
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	s, err := opts.Keys()
	if err != nil {
		return err
	}
	e, err := s.Get(opts.Name)
	if err != nil {
		return err
	}
	if !opts.Yes {
		ok, err := opts.IO.Confirm(fmt.Sprintf("Delete key %s (%s)? This cannot be undone", e.Name, e.Address.Hex()))
		if errors.Is(err, iostreams.ErrNoTTY) {
			return prompt.NoTTYf("deleting key %s needs confirmation but stdin is not a terminal: pass --yes", e.Name)
		}
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("key %s not deleted: %w", e.Name, signer.ErrDeclined)
		}
	}
	e, err = s.Delete(ctx, opts.Name)
	if err != nil {
		return classify(err)
	}
	// No file: it is gone (the document has always left it out).
	return output.Print(opts.IO, opts.JSON, &DeleteResult{Deleted: Key{Name: e.Name, Backend: e.Backend, Address: e.Address.Hex(), Path: e.Path}})
}
