package ledger

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
)

// minEIP1559 is the first Ethereum app that signs EIP-1559 transactions
// (app-ethereum CHANGELOG 1.9.0), the only kind stakewallet sends; older
// apps are refused by pkg/ledger when signing, and `ledger info` says so up
// front.
var minEIP1559 = ledgerapp.Version{Major: 1, Minor: 9, Patch: 0}

// InfoOptions are the inputs of `ledger info`.
type InfoOptions struct {
	IO      *iostreams.IOStreams
	OpenApp OpenAppFunc
	JSON    bool

	// Transport is --ledger-transport: hid or tcp://HOST:PORT.
	Transport string
}

// NewCmdInfo returns `ledger info`; runF replaces its body in tests.
func NewCmdInfo(f *cmdutil.Factory, runF func(*InfoOptions) error) *cobra.Command {
	opts := &InfoOptions{IO: f.IO, OpenApp: openAppFrom(f)}
	return &cobra.Command{
		Use:   "info",
		Short: "Show the connected Ledger: transport, model, Ethereum app version and settings",
		Long: `Show the connected Ledger and its Ethereum app: the transport and device,
the model, the app's name and version, whether "Blind signing" is on (needed
for staking, unstaking and claiming, which the device cannot show in clear)
and whether the app signs EIP-1559 transactions (1.9.0 or newer).

It fails with exit code 7 and the fix when the device is missing, locked or
not in the Ethereum app.`,
		Example: `  stakewallet ledger info
  stakewallet ledger info --json
  stakewallet ledger info --ledger-transport tcp://127.0.0.1:9999`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			opts.Transport = f.Flags.LedgerTransport
			if runF != nil {
				return runF(opts)
			}
			return infoRun(cmd.Context(), opts)
		},
	}
}

// InfoResult is `ledger info`.
type InfoResult struct {
	Transport    string `json:"transport"`
	Device       string `json:"device"`
	Model        string `json:"model"`
	ProductID    string `json:"productId,omitempty"`
	App          string `json:"app"`
	AppVersion   string `json:"appVersion"`
	BlindSigning bool   `json:"blindSigning"`
	EIP1559      bool   `json:"eip1559"`
}

// RenderHuman implements output.Human.
func (r *InfoResult) RenderHuman(w io.Writer, st output.Styles) {
	blind := "off: staking, unstaking and claiming will be refused until you turn it on (Ethereum app > Settings > Blind signing)"
	if r.BlindSigning {
		blind = "on"
	}
	eip1559 := "yes"
	if !r.EIP1559 {
		eip1559 = "no: update the Ethereum app with Ledger Live (" + minEIP1559.String() + " or newer)"
	}
	model := r.Model
	if r.ProductID != "" {
		model += " (product " + r.ProductID + ")"
	}
	(&output.KV{}).Add("transport", r.Transport).Add("device", r.Device).Add("model", model).
		Add("app", r.App+" "+r.AppVersion).Add("blind signing", blind).Add("EIP-1559", eip1559).Render(w, st)
}

func infoRun(ctx context.Context, opts *InfoOptions) error {
	ctx, cancel := context.WithTimeout(ctx, deviceTimeout)
	defer cancel()
	app, err := opts.OpenApp(ctx, opts.Transport)
	if err != nil {
		return err
	}
	defer app.Close()
	info, err := app.Info(ctx)
	if err != nil {
		return err
	}
	res := &InfoResult{
		Transport:    info.Transport.Kind,
		Device:       info.Transport.Path,
		Model:        info.Transport.Model,
		App:          info.AppName,
		AppVersion:   info.Config.Version.String(),
		BlindSigning: info.Config.BlindSigning,
		EIP1559:      info.Config.Version.AtLeast(minEIP1559),
	}
	if info.Transport.Kind == "hid" {
		res.ProductID = fmt.Sprintf("0x%04x", info.Transport.ProductID)
	}
	return output.Print(opts.IO, opts.JSON, res)
}
