package keys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/pkg/hd"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
	ledgersigner "github.com/stakewallet/stakewallet/pkg/signer/ledger"
)

// addTimeout bounds `keys add`: opening the device takes seconds, but
// --confirm-address waits for a person reading the screen (pkg/ledger
// allows 5 minutes for that).
const addTimeout = 6 * time.Minute

type addOptions struct {
	f        *cmdutil.Factory
	name     string
	ledger   bool
	index    int
	indexSet bool
	path     string
	confirm  bool
}

func newCmdAdd(f *cmdutil.Factory) *cobra.Command {
	o := &addOptions{f: f}
	cmd := &cobra.Command{
		Use:   "add NAME --ledger [--index N | --path P] [--confirm-address]",
		Short: "Register a Ledger account under a name",
		Long: `Register an account of a Ledger hardware wallet as NAME, so that
--signer NAME signs with it. Only the address and the derivation path are
stored; the key never leaves the device.

  --index N   Ledger Live account N, m/44'/60'/N'/0/0 (default 0), the same
              account as --signer ledger:N
  --path P    any absolute BIP-32 path, e.g. m/44'/60'/0'/1 (legacy
              layout); see 'stakewallet ledger addresses --scheme legacy'

The device must be connected and unlocked with the Ethereum app open
(--ledger-transport selects USB or Speculos). With --confirm-address the
device shows the address and you approve it there: do this once for a key
that will receive funds, to be sure the address is the device's.

When signing, stakewallet checks that the device still derives the
registered address, so another device or BIP-39 passphrase is refused
before anything is signed.`,
		Example: `  stakewallet keys add cold --ledger
  stakewallet keys add cold2 --ledger --index 1 --confirm-address
  stakewallet keys add old --ledger --path "m/44'/60'/0'/3"
  stakewallet stake 1 --signer cold`,
		Args: cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			o.indexSet = cmd.Flags().Changed("index")
			return runAdd(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.ledger, "ledger", false, "register an account of a Ledger (required)")
	fl.IntVar(&o.index, "index", 0, "Ledger Live account `N`: m/44'/60'/N'/0/0")
	fl.StringVar(&o.path, "path", "", "absolute BIP-32 derivation `PATH`, e.g. m/44'/60'/0'/0/1")
	fl.BoolVar(&o.confirm, "confirm-address", false, "show the address on the device and wait for approval")
	return cmd
}

// derivationPath checks the flags and returns the path they select.
func (o *addOptions) derivationPath() (accounts.DerivationPath, error) {
	if err := validateName(o.name); err != nil {
		return nil, err
	}
	switch {
	case !o.ledger:
		return nil, cmdutil.BadInputf("keys add registers a hardware-wallet account: pass --ledger (to import a key from a mnemonic or file, use `stakewallet keys import`)")
	case o.indexSet && o.path != "":
		return nil, cmdutil.BadInputf("--index N means --path m/44'/60'/N'/0/0; give one")
	case o.path != "":
		p, err := hd.ParsePath(o.path)
		if err != nil {
			return nil, cmdutil.BadInputf("--path: %w", err)
		}
		// The Ledger's own limits (at most 10 components).
		if _, err := ledgersigner.ParseRef("ledger:" + p.String()); err != nil {
			return nil, cmdutil.BadInputf("--path: %w", err)
		}
		return p, nil
	}
	p, err := ledgerapp.SchemeLive.Path(o.index)
	if err != nil {
		return nil, cmdutil.BadInputf("--index %d: %w", o.index, err)
	}
	return p, nil
}

// addressVerifier is the part of the Ledger signer that shows the address
// on the device.
type addressVerifier interface {
	VerifyAddress(ctx context.Context) error
}

func runAdd(ctx context.Context, o *addOptions) error {
	path, err := o.derivationPath()
	if err != nil {
		return err
	}
	s, err := o.f.Keys()
	if err != nil {
		return err
	}
	// Refuse a taken name before asking the user to go to the device.
	if err := s.CheckNewName(o.name); err != nil {
		return classify(err)
	}
	ctx, cancel := context.WithTimeout(ctx, addTimeout)
	defer cancel()
	// Through the Store, so the device is reached exactly as --signer
	// ledger:PATH reaches it (transport, progress, errors).
	sg, err := s.Signer(ctx, "ledger:"+path.String())
	if err != nil {
		return err
	}
	if c, ok := sg.(signer.Closer); ok {
		defer c.Close()
	}
	if o.confirm {
		v, ok := sg.(addressVerifier)
		if !ok {
			return errors.New("this build's Ledger signer cannot show addresses on the device")
		}
		fmt.Fprintf(o.f.IO.ErrOut, "Address at %s: %s\n", path, sg.Address().Hex())
		if err := v.VerifyAddress(ctx); err != nil {
			return fmt.Errorf("%s was not registered: %w", o.name, err)
		}
	}
	e, err := s.AddLedger(ctx, o.name, sg.Address(), path)
	if err != nil {
		return classify(err)
	}
	if err := printKey(o.f, s, e, "Added"); err != nil {
		return err
	}
	if !o.confirm && !o.f.Flags.JSON {
		fmt.Fprintln(o.f.IO.ErrOut, "note: the address was read from the device but not shown on its screen; --confirm-address has the device show it for you to check")
	}
	return nil
}
