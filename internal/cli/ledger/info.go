package ledger

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
)

// minEIP1559 is the first Ethereum app that signs EIP-1559 transactions
// (app-ethereum CHANGELOG 1.9.0), the only kind stakewallet sends; older
// apps are refused by pkg/ledger when signing, and `ledger info` says so up
// front.
var minEIP1559 = ledgerapp.Version{Major: 1, Minor: 9, Patch: 0}

type infoOptions struct{ f *cmdutil.Factory }

func newCmdInfo(f *cmdutil.Factory) *cobra.Command {
	o := &infoOptions{f: f}
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
			return runInfo(cmd.Context(), o)
		},
	}
}

// infoJSON is `ledger info --json`.
type infoJSON struct {
	Transport    string `json:"transport"`
	Device       string `json:"device"`
	Model        string `json:"model"`
	ProductID    string `json:"productId,omitempty"`
	App          string `json:"app"`
	AppVersion   string `json:"appVersion"`
	BlindSigning bool   `json:"blindSigning"`
	EIP1559      bool   `json:"eip1559"`
}

func runInfo(ctx context.Context, o *infoOptions) error {
	ctx, cancel := context.WithTimeout(ctx, deviceTimeout)
	defer cancel()
	app, err := openApp(ctx, o.f)
	if err != nil {
		return err
	}
	defer app.Close()
	info, err := app.Info(ctx)
	if err != nil {
		return err
	}
	doc := infoJSON{
		Transport:    info.Transport.Kind,
		Device:       info.Transport.Path,
		Model:        info.Transport.Model,
		App:          info.AppName,
		AppVersion:   info.Config.Version.String(),
		BlindSigning: info.Config.BlindSigning,
		EIP1559:      info.Config.Version.AtLeast(minEIP1559),
	}
	if info.Transport.Kind == "hid" {
		doc.ProductID = fmt.Sprintf("0x%04x", info.Transport.ProductID)
	}
	if o.f.Flags.JSON {
		return output.JSON(o.f.IO.Out, doc)
	}
	st := output.NewStyles(o.f.IO)
	blind := "off: staking, unstaking and claiming will be refused until you turn it on (Ethereum app > Settings > Blind signing)"
	if doc.BlindSigning {
		blind = "on"
	}
	eip1559 := "yes"
	if !doc.EIP1559 {
		eip1559 = "no: update the Ethereum app with Ledger Live (" + minEIP1559.String() + " or newer)"
	}
	model := doc.Model
	if doc.ProductID != "" {
		model += " (product " + doc.ProductID + ")"
	}
	kv := &output.KV{}
	kv.Add("transport", doc.Transport).Add("device", doc.Device).Add("model", model).
		Add("app", doc.App+" "+doc.AppVersion).Add("blind signing", blind).Add("EIP-1559", eip1559)
	kv.Render(o.f.IO.Out, st)
	return nil
}
