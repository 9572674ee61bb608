package keys

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
)

// NewOptions are the inputs of `keys new`.
type NewOptions struct {
	IO   *iostreams.IOStreams
	Keys func() (*keys.Store, error)
	JSON bool

	Name    string
	Backend string
}

// NewCmdNew returns `keys new`; runF replaces its body in tests.
func NewCmdNew(f *cmdutil.Factory, runF func(*NewOptions) error) *cobra.Command {
	opts := &NewOptions{IO: f.IO, Keys: f.Keys}
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
			opts.Name = args[0]
			opts.JSON = f.Flags.JSON
			if err := validateName(opts.Name); err != nil {
				return err
			}
			if err := validateBackend(opts.Backend); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return newRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Backend, "backend", keys.BackendKeystore, "where the key is kept: keystore or keyring")
	return cmd
}

func newRun(ctx context.Context, opts *NewOptions) error {
	s, err := opts.Keys()
	if err != nil {
		return err
	}
	e, err := s.Create(ctx, opts.Name, opts.Backend)
	if err != nil {
		return classify(err)
	}
	return output.Print(opts.IO, opts.JSON, &KeyResult{Key: keyOf(s, e), Verb: "Created"})
}
