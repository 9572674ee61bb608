package ledger

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
)

// maxCount bounds --count: each address is one exchange with the device,
// and a person choosing an account never needs more.
const maxCount = 100

type addressesOptions struct {
	f      *cmdutil.Factory
	count  int
	start  int
	scheme string
}

func newCmdAddresses(f *cmdutil.Factory) *cobra.Command {
	o := &addressesOptions{f: f}
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
			return runAddresses(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.count, "count", 5, "how many addresses to list")
	fl.IntVar(&o.start, "start", 0, "first account index")
	fl.StringVar(&o.scheme, "scheme", string(ledgerapp.SchemeLive), "derivation scheme: live (m/44'/60'/N'/0/0) or legacy (m/44'/60'/0'/N)")
	return cmd
}

// addressJSON is one address of `ledger addresses --json`.
type addressJSON struct {
	Index   int    `json:"index"`
	Path    string `json:"path"`
	Address string `json:"address"`
	Signer  string `json:"signer"`
}

func (o *addressesOptions) validate() (ledgerapp.Scheme, error) {
	scheme, err := ledgerapp.ParseScheme(o.scheme)
	if err != nil {
		return "", cmdutil.BadInputf("--scheme: %w", err)
	}
	switch {
	case o.count < 1 || o.count > maxCount:
		return "", cmdutil.BadInputf("--count %d: give 1 to %d", o.count, maxCount)
	case o.start < 0:
		return "", cmdutil.BadInputf("--start %d: an account index is 0 or more", o.start)
	}
	// The last index must still be a valid (non-hardened) number.
	if _, err := scheme.Path(o.start + o.count - 1); err != nil {
		return "", cmdutil.BadInputf("--start %d --count %d: %w", o.start, o.count, err)
	}
	return scheme, nil
}

func runAddresses(ctx context.Context, o *addressesOptions) error {
	scheme, err := o.validate()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, deviceTimeout)
	defer cancel()
	app, err := openApp(ctx, o.f)
	if err != nil {
		return err
	}
	defer app.Close()
	accts, err := app.Addresses(ctx, scheme, o.start, o.count)
	if err != nil {
		return err
	}
	docs := make([]addressJSON, len(accts))
	for i, a := range accts {
		docs[i] = addressJSON{Index: o.start + i, Path: a.Path.String(), Address: a.Address.Hex(), Signer: signerRef(scheme, o.start+i, a.Path.String())}
	}
	if o.f.Flags.JSON {
		return output.JSON(o.f.IO.Out, map[string]any{"scheme": string(scheme), "addresses": docs})
	}
	rows := make([][]string, len(docs))
	for i, d := range docs {
		rows[i] = []string{strconv.Itoa(d.Index), d.Path, d.Address, d.Signer}
	}
	output.Table(o.f.IO.Out, output.NewStyles(o.f.IO), []string{"INDEX", "PATH", "ADDRESS", "SIGNER"}, rows)
	if o.f.IO.IsStdoutTTY() {
		fmt.Fprintln(o.f.IO.ErrOut, "Sign with --signer SIGNER, or name one with `stakewallet keys add NAME --ledger --path PATH`.")
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
