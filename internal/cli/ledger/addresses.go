package ledger

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
)

// maxCount bounds --count: each address is one exchange with the device,
// and a person choosing an account never needs more.
const maxCount = 100

// AddressesOptions are the inputs of `ledger addresses`.
type AddressesOptions struct {
	IO      *iostreams.IOStreams
	OpenApp OpenAppFunc
	JSON    bool

	// Transport is --ledger-transport: hid or tcp://HOST:PORT.
	Transport string
	Count     int
	Start     int
	Scheme    string
}

// NewCmdAddresses returns `ledger addresses`; runF replaces its body in
// tests.
func NewCmdAddresses(f *cmdutil.Factory, runF func(*AddressesOptions) error) *cobra.Command {
	opts := &AddressesOptions{IO: f.IO, OpenApp: openAppFrom(f)}
	cmd := &cobra.Command{
		Use:   "addresses",
		Short: "List the addresses the Ledger derives: index, path, address",
		Long: `List addresses of the connected Ledger, nothing shown on the device:

  --scheme live    Ledger Live accounts, m/44'/60'/N'/0/0 (the default; what
                   --signer ledger:N and 'keys add --ledger --index N' use)
  --scheme legacy  the older Ledger Chrome app / MyEtherWallet layout,
                   m/44'/60'/0'/N; sign with --signer ledger:m/44'/60'/0'/N

The SIGNER column is the --signer value for each address.`,
		Example: `  stakewallet ledger addresses
  stakewallet ledger addresses --count 10 --start 5
  stakewallet ledger addresses --scheme legacy --json
  stakewallet ledger addresses --ledger-transport tcp://127.0.0.1:9999`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			opts.Transport = f.Flags.LedgerTransport
			// The flags are checked before the device is opened.
			if _, err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return addressesRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.Count, "count", 5, "how many addresses to list")
	fl.IntVar(&opts.Start, "start", 0, "first account index")
	fl.StringVar(&opts.Scheme, "scheme", string(ledgerapp.SchemeLive), "derivation scheme: live (m/44'/60'/N'/0/0) or legacy (m/44'/60'/0'/N)")
	return cmd
}

// Address is one address of `ledger addresses`.
type Address struct {
	Index   int    `json:"index"`
	Path    string `json:"path"`
	Address string `json:"address"`
	// Signer is the shortest --signer value for the account.
	Signer string `json:"signer"`
}

// AddressesResult is `ledger addresses`.
type AddressesResult struct {
	Scheme    string    `json:"scheme"`
	Addresses []Address `json:"addresses"`
}

// RenderHuman implements output.Human.
func (r *AddressesResult) RenderHuman(w io.Writer, st output.Styles) {
	rows := make([][]string, len(r.Addresses))
	for i, a := range r.Addresses {
		rows[i] = []string{strconv.Itoa(a.Index), a.Path, a.Address, a.Signer}
	}
	output.Table(w, st, []string{"INDEX", "PATH", "ADDRESS", "SIGNER"}, rows)
}

func (o *AddressesOptions) validate() (ledgerapp.Scheme, error) {
	scheme, err := ledgerapp.ParseScheme(o.Scheme)
	if err != nil {
		return "", cmdutil.BadInputf("--scheme: %w", err)
	}
	switch {
	case o.Count < 1 || o.Count > maxCount:
		return "", cmdutil.BadInputf("--count %d: give 1 to %d", o.Count, maxCount)
	case o.Start < 0:
		return "", cmdutil.BadInputf("--start %d: an account index is 0 or more", o.Start)
	}
	// The last index must still be a valid (non-hardened) number.
	if _, err := scheme.Path(o.Start + o.Count - 1); err != nil {
		return "", cmdutil.BadInputf("--start %d --count %d: %w", o.Start, o.Count, err)
	}
	return scheme, nil
}

func addressesRun(ctx context.Context, opts *AddressesOptions) error {
	scheme, err := opts.validate()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, deviceTimeout)
	defer cancel()
	app, err := opts.OpenApp(ctx, opts.Transport)
	if err != nil {
		return err
	}
	defer app.Close()
	accts, err := app.Addresses(ctx, scheme, opts.Start, opts.Count)
	if err != nil {
		return err
	}
	res := &AddressesResult{Scheme: string(scheme), Addresses: make([]Address, len(accts))}
	for i, a := range accts {
		index := opts.Start + i
		res.Addresses[i] = Address{Index: index, Path: a.Path.String(), Address: a.Address.Hex(), Signer: signerRef(scheme, index, a.Path.String())}
	}
	if err := output.Print(opts.IO, opts.JSON, res); err != nil {
		return err
	}
	if !opts.JSON && opts.IO.IsStdoutTTY() {
		fmt.Fprintln(opts.IO.ErrOut, "Sign with --signer SIGNER, or name one with `stakewallet keys add NAME --ledger --path PATH`.")
	}
	return nil
}

// signerRef is the shortest --signer value for an account.
func signerRef(scheme ledgerapp.Scheme, index int, path string) string {
	switch {
	case scheme == ledgerapp.SchemeLive && index == 0:
		return "ledger"
	case scheme == ledgerapp.SchemeLive:
		return "ledger:" + strconv.Itoa(index)
	}
	return "ledger:" + path
}
