package keys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/ens"
	"github.com/stakewallet/stakewallet/pkg/hd"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
	ledgersigner "github.com/stakewallet/stakewallet/pkg/signer/ledger"
)

// addTimeout bounds `keys add`: opening the device takes seconds, but
// --confirm-address waits for a person reading the screen (pkg/ledger
// allows 5 minutes for that).
const addTimeout = 6 * time.Minute

// AddOptions are the inputs of `keys add`.
type AddOptions struct {
	IO *iostreams.IOStreams
	// Keys opens the registry; its Ledger backend reaches the device
	// selected by --ledger-transport.
	Keys func() (*keys.Store, error)
	JSON bool

	Name     string
	Ledger   bool
	Index    int
	IndexSet bool // --index was given (0 is a valid index)
	Path     string
	Confirm  bool
	// Address registers a watch-only key (an address or ENS name).
	Address string
	// Resolve turns Address into an address (an ENS name through the
	// network's registry).
	Resolve func(ctx context.Context, input string) (common.Address, error)
}

// NewCmdAdd returns `keys add`; runF replaces its body in tests.
func NewCmdAdd(f *cmdutil.Factory, runF func(*AddOptions) error) *cobra.Command {
	opts := &AddOptions{IO: f.IO, Keys: f.Keys}
	resolve := func(ctx context.Context, input string) (common.Address, error) {
		d := txcmd.DepsFrom(f)
		if err := txcmd.CheckAccount("--address", input); err != nil {
			return common.Address{}, err
		}
		if !ens.IsName(input) {
			a, err := txcmd.ResolveAccount(ctx, d, nil, "--address", input)
			return a.Address, err
		}
		c, err := f.Chain(ctx)
		if err != nil {
			return common.Address{}, err
		}
		a, err := txcmd.ResolveAccount(ctx, d, c, "--address", input)
		return a.Address, err
	}
	cmd := &cobra.Command{
		Use:   "add NAME (--ledger [--index N | --path P] [--confirm-address] | --address ADDR)",
		Short: "Register a Ledger account, or a watch-only address, under a name",
		Long: `Register an account of a Ledger hardware wallet as NAME, so that
--signer NAME signs with it. Only the address and the derivation path are
stored; the key never leaves the device.

With --address ADDR (an address or an ENS name, resolved once, now), NAME is
a watch-only key: an address with no key anywhere. Read-only commands
(balance, withdrawals, …) use it like any key; a sending command can preview
(--dry-run) or build the transaction unsigned (--unsigned --out FILE) for
` + "`stakewallet tx sign`" + ` on the machine that holds the key, and refuses to sign
(exit 7).

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
  stakewallet keys add vault --address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
  stakewallet stake 1 --signer cold`,
		Args: cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.IndexSet = cmd.Flags().Changed("index")
			if opts.Address != "" {
				opts.Resolve = resolve
			}
			opts.JSON = f.Flags.JSON
			// The flags are checked before any device is opened.
			if _, err := opts.derivationPath(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return addRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Ledger, "ledger", false, "register an account of a Ledger (required)")
	fl.IntVar(&opts.Index, "index", 0, "Ledger Live account `N`: m/44'/60'/N'/0/0")
	fl.StringVar(&opts.Path, "path", "", "absolute BIP-32 derivation `PATH`, e.g. m/44'/60'/0'/0/1")
	fl.BoolVar(&opts.Confirm, "confirm-address", false, "show the address on the device and wait for approval")
	fl.StringVar(&opts.Address, "address", "", "register a watch-only key: this `ADDR` (or ENS name), with no key")
	return cmd
}

// derivationPath checks the flags and returns the path they select.
func (o *AddOptions) derivationPath() (accounts.DerivationPath, error) {
	if err := validateName(o.Name); err != nil {
		return nil, err
	}
	switch {
	case o.Address != "" && (o.Ledger || o.IndexSet || o.Path != "" || o.Confirm):
		return nil, cmdutil.BadInputf("--address registers a watch-only key; --ledger, --index, --path and --confirm-address register a Ledger account: give one kind")
	case o.Address != "":
		return nil, nil
	case !o.Ledger:
		return nil, cmdutil.BadInputf("keys add registers a hardware-wallet account (--ledger) or a watch-only address (--address ADDR) (to import a key from a mnemonic or file, use `stakewallet keys import`)")
	case o.IndexSet && o.Path != "":
		return nil, cmdutil.BadInputf("--index N means --path m/44'/60'/N'/0/0; give one")
	case o.Path != "":
		p, err := hd.ParsePath(o.Path)
		if err != nil {
			return nil, cmdutil.BadInputf("--path: %w", err)
		}
		// The Ledger's own limits (at most 10 components).
		if _, err := ledgersigner.ParseRef("ledger:" + p.String()); err != nil {
			return nil, cmdutil.BadInputf("--path: %w", err)
		}
		return p, nil
	}
	p, err := ledgerapp.SchemeLive.Path(o.Index)
	if err != nil {
		return nil, cmdutil.BadInputf("--index %d: %w", o.Index, err)
	}
	return p, nil
}

// addressVerifier is the part of the Ledger signer that shows the address
// on the device.
type addressVerifier interface {
	VerifyAddress(ctx context.Context) error
}

func addRun(ctx context.Context, o *AddOptions) error {
	path, err := o.derivationPath()
	if err != nil {
		return err
	}
	if o.Address != "" {
		return addWatch(ctx, o)
	}
	s, err := o.Keys()
	if err != nil {
		return err
	}
	// Refuse a taken name before asking the user to go to the device.
	if err := s.CheckNewName(o.Name); err != nil {
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
	if o.Confirm {
		v, ok := sg.(addressVerifier)
		if !ok {
			return errors.New("this build's Ledger signer cannot show addresses on the device")
		}
		fmt.Fprintf(o.IO.ErrOut, "Address at %s: %s\n", path, sg.Address().Hex())
		if err := v.VerifyAddress(ctx); err != nil {
			return fmt.Errorf("%s was not registered: %w", o.Name, err)
		}
	}
	e, err := s.AddLedger(ctx, o.Name, sg.Address(), path)
	if err != nil {
		return classify(err)
	}
	if err := output.Print(o.IO, o.JSON, &KeyResult{Key: keyOf(s, e), Verb: "Added"}); err != nil {
		return err
	}
	if !o.Confirm && !o.JSON {
		fmt.Fprintln(o.IO.ErrOut, "note: the address was read from the device but not shown on its screen; --confirm-address has the device show it for you to check")
	}
	return nil
}

// addWatch registers a watch-only key.
func addWatch(ctx context.Context, o *AddOptions) error {
	s, err := o.Keys()
	if err != nil {
		return err
	}
	if err := s.CheckNewName(o.Name); err != nil {
		return classify(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	addr, err := o.Resolve(ctx, o.Address)
	if err != nil {
		return err
	}
	e, err := s.AddWatch(ctx, o.Name, addr)
	if err != nil {
		return classify(err)
	}
	if err := output.Print(o.IO, o.JSON, &KeyResult{Key: keyOf(s, e), Verb: "Added"}); err != nil {
		return err
	}
	if !o.JSON {
		fmt.Fprintf(o.IO.ErrOut, "note: %s is watch-only: it reads balances and builds unsigned transactions (--unsigned), but cannot sign\n", o.Name)
	}
	return nil
}
