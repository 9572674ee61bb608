// Package withdrawals implements `stakewallet withdrawals` and
// `stakewallet withdrawals wait`.
package withdrawals

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/watch"
)

// readTimeout bounds one round of reads (statuses, claimable amounts,
// the estimate's history); the chain client bounds each attempt within it.
const readTimeout = 2 * time.Minute

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
		Short: "List withdrawal requests, their place in the queue and their ETA",
		Long: `List the withdrawal requests of an account (--owner, default the signer's)
across the network's protocols (or --protocol): id, protocol, amount, status
(pending, claimable, claimed), when it was requested, the amount a claim pays
now (after any discount), the requests and amount still unfinalized ahead of
it, and when it should become claimable.

For Lido the ETA comes from the chain: the cadence of recent
WithdrawalsFinalized events, the youngest age at which a request was seen
finalized, and the queue ahead versus the largest batch a report finalized.
It is an estimate and is shown as one; when it cannot be made (no recent
finalizations, queue paused, bunker mode) it says unknown and why.

Lido burns a request when it is claimed, so claimed requests drop out of the
list; ` + "`withdrawals wait ID`" + ` still reports them as claimed.`,
		Example: `  stakewallet withdrawals --signer alice
  stakewallet withdrawals --owner 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --json`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.owner, "owner", "", "account whose requests to list (default: the signer's)")
	cmd.Flags().StringVar(&o.protocol, "protocol", "", "only this protocol (default: every protocol of the network)")
	cmd.AddCommand(newCmdWait(f))
	return cmd
}

func runList(ctx context.Context, o *listOptions) error {
	owner, err := txcmd.Owner(ctx, o.f, o.owner, "--owner")
	if err != nil {
		return err
	}
	ps, err := protocols(ctx, o.f, o.protocol)
	if err != nil {
		return err
	}
	o.f.IO.StartProgress("Reading withdrawal requests")
	var rows []Row
	for _, p := range ps {
		rctx, cancel := context.WithTimeout(ctx, readTimeout)
		ws, err := p.Withdrawals(rctx, owner, nil)
		if err != nil {
			cancel()
			o.f.IO.StopProgress()
			return err
		}
		rows = append(rows, withEstimates(rctx, estimatorOf(p), ws)...)
		cancel()
	}
	o.f.IO.StopProgress()
	if o.f.Flags.JSON {
		return output.JSON(o.f.IO.Out, map[string]any{"withdrawals": JSONRows(rows)})
	}
	renderList(o.f.IO.Out, output.NewStyles(o.f.IO), rows)
	return nil
}

// protocols binds the named protocol, or every protocol of the network.
func protocols(ctx context.Context, f *cmdutil.Factory, name string) ([]protocol.Protocol, error) {
	if name != "" {
		p, err := f.Protocol(ctx, name)
		if err != nil {
			return nil, err
		}
		return []protocol.Protocol{p}, nil
	}
	return txcmd.Protocols(ctx, f)
}

// Row is a withdrawal request with its place in the queue; Est is nil
// unless the request is pending.
type Row struct {
	protocol.Withdrawal
	Est *watch.Estimate
}

func estimatorOf(p protocol.Protocol) watch.Estimator {
	if e, ok := p.(watch.Estimating); ok {
		return e.Estimator()
	}
	return nil
}

// withEstimates pairs ws with estimates from est (nil: the protocol has
// none). An estimate that cannot be read leaves the ETA unknown, with the
// reason: the list itself must not fail for it.
func withEstimates(ctx context.Context, est watch.Estimator, ws []protocol.Withdrawal) []Row {
	rows := make([]Row, len(ws))
	var ests map[string]watch.Estimate
	var estErr error
	if est != nil {
		ests, estErr = est.Estimate(ctx, ws)
	}
	for i, w := range ws {
		rows[i] = Row{Withdrawal: w}
		if w.Status != protocol.StatusPending {
			continue
		}
		e, ok := ests[w.ID.String()]
		switch {
		case ok:
		case est == nil:
			e = watch.Estimate{Note: fmt.Sprintf("unknown: no ETA model for %s", w.Protocol)}
		case estErr != nil:
			e = watch.Estimate{Note: fmt.Sprintf("unknown: could not read the queue: %v", estErr)}
		default:
			e = watch.Estimate{Note: "unknown"}
		}
		rows[i].Est = &e
		rows[i].ETA = e.ETA
	}
	return rows
}

// JSON renders requests as SPEC's withdrawals objects.
func JSON(ws []protocol.Withdrawal) []map[string]any {
	rows := make([]Row, len(ws))
	for i, w := range ws {
		rows[i] = Row{Withdrawal: w}
	}
	return JSONRows(rows)
}

// JSONRows renders rows as SPEC's withdrawals objects, with the queue
// position and the ETA's basis beside the ETA.
func JSONRows(rows []Row) []map[string]any {
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, rowJSON(r))
	}
	return out
}

func rowJSON(r Row) map[string]any {
	w := r.Withdrawal
	m := map[string]any{
		"id":            w.ID.String(),
		"protocol":      w.Protocol,
		"owner":         w.Owner.Hex(),
		"amount":        w.Amount.String(),
		"symbol":        w.Token.Symbol,
		"decimals":      w.Token.Decimals,
		"status":        string(w.Status),
		"requestedAt":   w.RequestedAt.UTC().Format(time.RFC3339),
		"eta":           nil,
		"etaNote":       nil,
		"requestsAhead": nil,
		"amountAhead":   nil,
		"claimable":     nil,
	}
	if w.Owner == (common.Address{}) {
		// A claimed Lido request has no owner left (its NFT was burned).
		m["owner"] = nil
	}
	if w.ETA != nil {
		m["eta"] = w.ETA.UTC().Format(time.RFC3339)
	}
	if w.Claimable != nil {
		m["claimable"] = w.Claimable.String()
	}
	if e := r.Est; e != nil {
		if e.Note != "" {
			m["etaNote"] = e.Note
		}
		if e.RequestsAhead != nil {
			m["requestsAhead"] = *e.RequestsAhead
		}
		if e.AmountAhead != nil {
			m["amountAhead"] = e.AmountAhead.String()
		}
	}
	return m
}

func renderList(w io.Writer, st output.Styles, rows []Row) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "No withdrawal requests.")
		return
	}
	var cells [][]string
	notes := map[string]bool{}
	var noteOrder []string
	for _, r := range rows {
		ahead, eta := "-", "-"
		if r.Est != nil {
			ahead = aheadText(r)
			eta = etaText(r.Est, time.Now())
			if r.Est.Note != "" && !notes[r.Est.Note] {
				notes[r.Est.Note] = true
				noteOrder = append(noteOrder, r.Est.Note)
			}
		}
		claimable := "-"
		if r.Claimable != nil {
			claimable = amount.FormatUnits(r.Claimable, 18, "ETH")
		}
		cells = append(cells, []string{
			r.ID.String(), r.Protocol, amount.FormatUnits(r.Amount, r.Token.Decimals, r.Token.Symbol), statusStyle(st, r.Status),
			r.RequestedAt.Local().Format("2006-01-02 15:04:05"), claimable, ahead, eta,
		})
	}
	output.Table(w, st, []string{"ID", "PROTOCOL", "AMOUNT", "STATUS", "REQUESTED", "CLAIMABLE", "AHEAD", "ETA"}, cells)
	sort.Strings(noteOrder)
	for _, n := range noteOrder {
		fmt.Fprintln(w, st.Dim.Render("ETA: "+n))
	}
}

// aheadText is "3 requests · 12.5 stETH" ahead in the queue.
func aheadText(r Row) string {
	e := r.Est
	if e.RequestsAhead == nil {
		return "?"
	}
	s := fmt.Sprintf("%d", *e.RequestsAhead)
	if e.AmountAhead != nil && e.AmountAhead.Sign() > 0 {
		s += " · " + amount.FormatUnits(e.AmountAhead, r.Token.Decimals, r.Token.Symbol)
	}
	return s
}

// etaText is "2026-11-26 12:00 (in ~20 h)", or "unknown".
func etaText(e *watch.Estimate, wall time.Time) string {
	if e.ETA == nil {
		return "unknown"
	}
	return e.ETA.Local().Format("2006-01-02 15:04") + " (" + relative(*e.ETA, estimateNow(e, wall)) + ")"
}

// estimateNow is the estimate's clock advanced by the wall clock since it
// was made (the chain's clock may run ahead of the wall clock).
func estimateNow(e *watch.Estimate, wall time.Time) time.Time {
	if e.AsOf.IsZero() || e.AsOf.Before(wall) {
		return wall
	}
	return e.AsOf
}

// relative renders how far t is from now: "in ~45 min", "in ~20 h",
// "in ~5 d", or "due now" once it has passed.
func relative(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return "due now"
	case d < time.Hour:
		return fmt.Sprintf("in ~%d min", max(1, int((d+time.Minute-1)/time.Minute)))
	case d < 100*time.Hour:
		return fmt.Sprintf("in ~%d h", int((d+30*time.Minute)/time.Hour))
	}
	return fmt.Sprintf("in ~%d d", int((d+12*time.Hour)/(24*time.Hour)))
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
