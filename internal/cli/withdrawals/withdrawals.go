// Package withdrawals implements `stakewallet withdrawals` and
// `stakewallet withdrawals wait`.
package withdrawals

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

type listOptions struct {
	f        *cmdutil.Factory
	owner    string
	protocol string
}

// NewCmdWithdrawals returns the withdrawals command and its wait subcommand.
func NewCmdWithdrawals(f *cmdutil.Factory) *cobra.Command {
	o := &listOptions{f: f}
	cmd := &cobra.Command{
		Use:   "withdrawals",
		Short: "List withdrawal requests and their status",
		Long: `List the withdrawal requests of an account (--owner, default the signer's):
id, amount, status (pending, claimable, claimed), when it was requested, the
amount a claim pays now, and the ETA when known.`,
		Example: `  stakewallet withdrawals --signer alice
  stakewallet withdrawals --owner 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --json`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.owner, "owner", "", "account whose requests to list (default: the signer's)")
	cmd.Flags().StringVar(&o.protocol, "protocol", "", "protocol (default: the network's)")
	cmd.AddCommand(newCmdWait(f))
	return cmd
}

func runList(ctx context.Context, o *listOptions) error {
	owner, err := txcmd.Owner(ctx, o.f, o.owner, "--owner")
	if err != nil {
		return err
	}
	p, err := o.f.Protocol(ctx, o.protocol)
	if err != nil {
		return err
	}
	ws, err := p.Withdrawals(ctx, owner, nil)
	if err != nil {
		return err
	}
	if o.f.Flags.JSON {
		return output.JSON(o.f.IO.Out, map[string]any{"withdrawals": JSON(ws)})
	}
	render(o.f, ws)
	return nil
}

// JSON renders requests as SPEC's withdrawals objects.
func JSON(ws []protocol.Withdrawal) []map[string]any {
	out := make([]map[string]any, 0, len(ws))
	for _, w := range ws {
		m := map[string]any{
			"id":          w.ID.String(),
			"protocol":    w.Protocol,
			"owner":       w.Owner.Hex(),
			"amount":      w.Amount.String(),
			"symbol":      w.Token.Symbol,
			"decimals":    w.Token.Decimals,
			"status":      string(w.Status),
			"requestedAt": w.RequestedAt.UTC().Format(time.RFC3339),
			"eta":         nil,
			"claimable":   nil,
		}
		if w.ETA != nil {
			m["eta"] = w.ETA.UTC().Format(time.RFC3339)
		}
		if w.Claimable != nil {
			m["claimable"] = w.Claimable.String()
		}
		out = append(out, m)
	}
	return out
}

func render(f *cmdutil.Factory, ws []protocol.Withdrawal) {
	st := output.NewStyles(f.IO)
	if len(ws) == 0 {
		f.IO.Out.Write([]byte("No withdrawal requests.\n"))
		return
	}
	var rows [][]string
	for _, w := range ws {
		claimable, eta := "-", "unknown"
		if w.Claimable != nil {
			claimable = amount.FormatUnits(w.Claimable, 18, "ETH")
		}
		switch {
		case w.Status != protocol.StatusPending:
			eta = "-"
		case w.ETA != nil:
			eta = w.ETA.Local().Format("2006-01-02 15:04") + " (in ~" + time.Until(*w.ETA).Round(time.Minute).String() + ")"
		}
		rows = append(rows, []string{
			w.ID.String(), amount.FormatUnits(w.Amount, w.Token.Decimals, w.Token.Symbol), statusStyle(st, w.Status),
			w.RequestedAt.Local().Format("2006-01-02 15:04:05"), claimable, eta,
		})
	}
	output.Table(f.IO.Out, st, []string{"ID", "AMOUNT", "STATUS", "REQUESTED", "CLAIMABLE", "ETA"}, rows)
}

func statusStyle(st output.Styles, s protocol.Status) string {
	switch s {
	case protocol.StatusClaimable:
		return st.OK.Render(string(s))
	case protocol.StatusPending:
		return st.Warn.Render(string(s))
	}
	return st.Dim.Render(string(s))
}
