package keys

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

type deleteOptions struct {
	f    *cmdutil.Factory
	name string
}

func newCmdDelete(f *cmdutil.Factory) *cobra.Command {
	o := &deleteOptions{f: f}
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key: its keystore file or keyring entry, and its registry entry",
		Long: `Delete the key NAME for good: the keystore file or the OS keyring entry is
removed, then the registry entry. Asks for confirmation unless --yes; back
the key up first with 'stakewallet keys export'. A Ledger key only loses its
registry entry; the device keeps the key.`,
		Example: "  stakewallet keys delete alice\n  stakewallet keys delete old-bot --yes",
		Args:    cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runDelete(cmd.Context(), o)
		},
	}
}

func runDelete(ctx context.Context, o *deleteOptions) error {
	s, err := o.f.Keys()
	if err != nil {
		return err
	}
	e, err := s.Get(o.name)
	if err != nil {
		return err
	}
	if !o.f.Flags.Yes {
		ok, err := o.f.IO.Confirm(fmt.Sprintf("Delete key %s (%s)? This cannot be undone", e.Name, e.Address.Hex()))
		if errors.Is(err, iostreams.ErrNoTTY) {
			return fmt.Errorf("deleting key %s needs confirmation but stdin is not a terminal: pass --yes: %w", e.Name, err)
		}
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("key %s not deleted: %w", e.Name, signer.ErrDeclined)
		}
	}
	e, err = s.Delete(ctx, o.name)
	if err != nil {
		return classify(err)
	}
	if o.f.Flags.JSON {
		return output.JSON(o.f.IO.Out, map[string]any{"deleted": keyJSON{Name: e.Name, Backend: e.Backend, Address: e.Address.Hex(), Path: e.Path}})
	}
	st := output.NewStyles(o.f.IO)
	what := map[string]string{keys.BackendKeystore: "keystore file removed", keys.BackendKeyring: "keyring entry removed", keys.BackendLedger: "the device keeps the key"}[e.Backend]
	fmt.Fprintf(o.f.IO.Out, "%s key %s (%s); %s\n", st.OK.Render("Deleted"), e.Name, e.Address.Hex(), what)
	return nil
}
