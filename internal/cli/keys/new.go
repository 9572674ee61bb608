package keys

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
)

type newOptions struct {
	f       *cmdutil.Factory
	name    string
	backend string
}

func newCmdNew(f *cmdutil.Factory) *cobra.Command {
	o := &newOptions{f: f}
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a new random key",
		Long: `Create a key from fresh randomness and register it as NAME.

With --backend keystore (the default) the key is written to an encrypted
keystore file; its passphrase is asked twice without echo, or read from the
first line of --password-file. With --backend keyring it goes into the OS
keyring. Only the name and address are printed; back the key up with
'stakewallet keys export NAME --out FILE'.`,
		Example: `  stakewallet keys new alice
  stakewallet keys new bot --password-file ~/.stakewallet-pass
  stakewallet keys new desk --backend keyring`,
		Args: cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runNew(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.backend, "backend", keys.BackendKeystore, "where the key is kept: keystore or keyring")
	return cmd
}

func runNew(ctx context.Context, o *newOptions) error {
	if err := validateName(o.name); err != nil {
		return err
	}
	if err := validateBackend(o.backend); err != nil {
		return err
	}
	s, err := o.f.Keys()
	if err != nil {
		return err
	}
	e, err := s.Create(ctx, o.name, o.backend)
	if err != nil {
		return classify(err)
	}
	return printKey(o.f, s, e, "Created")
}

// printKey reports a key that was just created or imported.
func printKey(f *cmdutil.Factory, s *keys.Store, e keys.Entry, verb string) error {
	if f.Flags.JSON {
		return output.JSON(f.IO.Out, toJSON(s, e))
	}
	st := output.NewStyles(f.IO)
	fmt.Fprintf(f.IO.Out, "%s %s key %s\n", st.OK.Render(verb), e.Backend, st.Title.Render(e.Name))
	kv := &output.KV{}
	kv.Add("address", e.Address.Hex()).Add("path", e.Path).Add("file", s.FilePath(e))
	kv.Render(f.IO.Out, st)
	return nil
}
