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
	"github.com/stakewallet/stakewallet/internal/cli/readcmd"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// readTimeout bounds one round of reads (statuses, claimable amounts,
// the estimate's history); the chain client bounds each attempt within it.
const readTimeout = 2 * time.Minute

// timeLayout is how times are shown to people, in local time.
const timeLayout = "2006-01-02 15:04"

// WithdrawalsOptions are the withdrawals command's inputs. It only reads,
// so it has no transaction flags.
type WithdrawalsOptions struct {
	txcmd.Deps
	JSON bool

	// Owner is --owner (an address or an ENS name); "" means the
	// signer's account.
	Owner string
	// ProtocolName is --protocol; "" means every protocol of the network
	// that has withdrawal requests.
	ProtocolName string
}

// NewCmdWithdrawals returns the withdrawals command and its wait
// subcommand; runF replaces the list's body in tests.
func NewCmdWithdrawals(f *cmdutil.Factory, runF func(*WithdrawalsOptions) error) *cobra.Command {
	opts := &WithdrawalsOptions{Deps: txcmd.DepsFrom(f)}
	cmd := &cobra.Command{
		Use:   "withdrawals",
		Short: "List withdrawal requests, their place in the queue and their ETA",
		Long: `List the withdrawal requests of an account (--owner, default the signer's)
across the network's protocols (or --protocol): id, protocol, amount, status
(pending, claimable, claimed, expired), when it was requested, the amount a
claim pays now (after any discount), the requests and amount still
unfinalized ahead of it, and when it should become claimable. Protocols whose
unstake pays out at once have no requests and are left out.

For Lido the ETA comes from the chain: the cadence of recent
WithdrawalsFinalized events, the youngest age at which a request was seen
finalized, and the queue ahead versus the largest batch a report finalized.
It is an estimate and is shown as one; when it cannot be made (no recent
finalizations, queue paused, bunker mode) it says unknown and why.

Lido burns a request when it is claimed, so claimed requests drop out of the
list; ` + "`withdrawals wait ID`" + ` still reports them as claimed.`,
		Example: `  stakewallet withdrawals --signer alice
  stakewallet withdrawals --owner 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --json
  stakewallet withdrawals --owner alice.eth`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return withdrawalsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "account (address or ENS name) whose requests to list (default: the signer's)")
	cmd.Flags().StringVar(&opts.ProtocolName, "protocol", "", "only this protocol (default: every protocol of the network)")
	cmd.AddCommand(NewCmdWait(f, nil))
	return cmd
}

func withdrawalsRun(ctx context.Context, opts *WithdrawalsOptions) error {
	acct, err := txcmd.OwnerAccount(ctx, opts.Deps, opts.Owner, "--owner")
	if err != nil {
		return err
	}
	owner := acct.Address
	net, err := opts.Network()
	if err != nil {
		return err
	}
	c, err := opts.Chain(ctx)
	if err != nil {
		return err
	}
	rd := readcmd.New(c)
	srcs, err := sources(ctx, opts.Deps, rd, opts.ProtocolName)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Reading withdrawal requests")
	// Each protocol's list is a worker: their reads go out together, so
	// the round trips are those of the deepest list, not their sum.
	lists := make([][]Row, len(srcs))
	workers := make([]func(ctx context.Context) error, len(srcs))
	for i, s := range srcs {
		workers[i] = func(ctx context.Context) error {
			rctx, cancel := context.WithTimeout(ctx, readTimeout)
			defer cancel()
			ws, err := s.reqs.Withdrawals(rctx, owner, nil)
			if err != nil {
				return fmt.Errorf("read the %s withdrawal requests: %w", s.p.DisplayName(), err)
			}
			lists[i] = withEstimates(rctx, estimatorOf(s.p), ws)
			return nil
		}
	}
	err = rd.Run(ctx, workers...)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	var rows []Row
	for _, l := range lists {
		rows = append(rows, l...)
	}
	res := newListResult(rows, net.Native())
	if acct.Name != "" {
		res.Owner, res.OwnerName, res.account = owner.Hex(), acct.Name, acct
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// source is a protocol that has withdrawal requests.
type source struct {
	p    protocol.Protocol
	reqs protocol.Requests
}

// sources binds the named protocol (which must have requests: exit 2
// otherwise), or every protocol of the network that has them.
func sources(ctx context.Context, d txcmd.Deps, rd *readcmd.Reader, name string) ([]source, error) {
	if name != "" {
		p, err := rd.Protocol(ctx, d, name)
		if err != nil {
			return nil, err
		}
		reqs, err := cmdutil.Requests(p)
		if err != nil {
			return nil, err
		}
		return []source{{p, reqs}}, nil
	}
	ps, err := rd.Protocols(ctx, d)
	if err != nil {
		return nil, err
	}
	var out []source
	for _, p := range ps {
		if reqs, ok := p.(protocol.Requests); ok {
			out = append(out, source{p, reqs})
		}
	}
	return out, nil
}

// Row is a withdrawal request with its place in the queue; Est is nil
// unless the request is pending.
type Row struct {
	protocol.Withdrawal
	Est *protocol.Estimate
}

func estimatorOf(p protocol.Protocol) protocol.Estimator {
	if e, ok := p.(protocol.Estimating); ok {
		return e.Estimator()
	}
	return nil
}

// withEstimates pairs ws with estimates from est (nil: the protocol has
// none). An estimate that cannot be read leaves the ETA unknown, with the
// reason: the list itself must not fail for it.
func withEstimates(ctx context.Context, est protocol.Estimator, ws []protocol.Withdrawal) []Row {
	rows := make([]Row, len(ws))
	var ests map[protocol.RequestID]protocol.Estimate
	var estErr error
	if est != nil {
		ests, estErr = est.Estimate(ctx, ws)
	}
	for i, w := range ws {
		rows[i] = Row{Withdrawal: w}
		if w.Status != protocol.StatusPending {
			continue
		}
		e, ok := ests[w.ID]
		switch {
		case ok:
		case w.ClaimableAt != nil:
			// A cooldown fixes the time: no model is needed for it.
			e = protocol.Estimate{ETA: w.ClaimableAt, Note: "the end of the protocol's cooldown"}
		case est == nil:
			e = protocol.Estimate{Note: fmt.Sprintf("unknown: no ETA model for %s", w.Protocol)}
		case estErr != nil:
			e = protocol.Estimate{Note: fmt.Sprintf("unknown: could not read the queue: %v", estErr)}
		default:
			e = protocol.Estimate{Note: "unknown"}
		}
		rows[i].Est = &e
		rows[i].ETA = e.ETA
	}
	return rows
}

// RequestDoc is one withdrawal request in a JSON document (the list, the
// wait's events and final document). Keys whose value is unknown are
// null; the ones only some protocols have are left out when unset.
type RequestDoc struct {
	ID       string  `json:"id"`
	Protocol string  `json:"protocol"`
	Owner    *string `json:"owner"`
	// Target is the validator the request unbonds from.
	Target      string `json:"target,omitempty"`
	Amount      string `json:"amount"`
	Symbol      string `json:"symbol"`
	Decimals    uint8  `json:"decimals"`
	Status      string `json:"status"`
	RequestedAt string `json:"requestedAt"`
	// ClaimableAt and ClaimBy (RFC 3339) bound a cooldown's claim window.
	ClaimableAt   string  `json:"claimableAt,omitempty"`
	ClaimBy       string  `json:"claimBy,omitempty"`
	ETA           *string `json:"eta"`
	ETANote       *string `json:"etaNote"`
	RequestsAhead *uint64 `json:"requestsAhead"`
	AmountAhead   *string `json:"amountAhead"`
	Claimable     *string `json:"claimable"`
}

// NewRequestDoc renders a row, with the queue position and the ETA's
// basis beside the ETA.
func NewRequestDoc(r Row) RequestDoc {
	w := r.Withdrawal
	d := RequestDoc{
		ID:          string(w.ID),
		Protocol:    w.Protocol,
		Target:      w.Target,
		Amount:      w.Amount.String(),
		Symbol:      w.Token.Symbol,
		Decimals:    w.Token.Decimals,
		Status:      string(w.Status),
		RequestedAt: w.RequestedAt.UTC().Format(time.RFC3339),
		ClaimableAt: rfc3339(w.ClaimableAt),
		ClaimBy:     rfc3339(w.ClaimBy),
	}
	// A claimed Lido request has no owner left (its NFT was burned).
	if w.Owner != (common.Address{}) {
		owner := w.Owner.Hex()
		d.Owner = &owner
	}
	if w.ETA != nil {
		eta := w.ETA.UTC().Format(time.RFC3339)
		d.ETA = &eta
	}
	if w.Claimable != nil {
		c := w.Claimable.String()
		d.Claimable = &c
	}
	if e := r.Est; e != nil {
		if e.Note != "" {
			note := e.Note
			d.ETANote = &note
		}
		d.RequestsAhead = e.RequestsAhead
		if e.AmountAhead != nil {
			a := e.AmountAhead.String()
			d.AmountAhead = &a
		}
	}
	return d
}

// RequestDocs renders rows; never nil, so that JSON has a list.
func RequestDocs(rows []Row) []RequestDoc {
	out := make([]RequestDoc, 0, len(rows))
	for _, r := range rows {
		out = append(out, NewRequestDoc(r))
	}
	return out
}

func rfc3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ListResult is the withdrawals command's result. When --owner was an ENS
// name, Owner and OwnerName say what it resolved to (for an address they
// would only repeat the argument).
type ListResult struct {
	Owner       string       `json:"owner,omitempty"`
	OwnerName   string       `json:"ownerName,omitempty"`
	Withdrawals []RequestDoc `json:"withdrawals"`

	rows    []Row
	native  protocol.Token
	account txcmd.Account
}

func newListResult(rows []Row, native protocol.Token) *ListResult {
	return &ListResult{Withdrawals: RequestDocs(rows), rows: rows, native: native}
}

// RenderHuman implements output.Human.
func (r *ListResult) RenderHuman(w io.Writer, st output.Styles) {
	if r.OwnerName != "" {
		fmt.Fprintln(w, st.Title.Render("Withdrawal requests of "+r.account.String()))
	}
	renderList(w, st, r.rows, r.native, time.Now())
}

func renderList(w io.Writer, st output.Styles, rows []Row, native protocol.Token, now time.Time) {
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
			eta = etaText(r.Est, now)
			if r.Est.Note != "" && !notes[r.Est.Note] {
				notes[r.Est.Note] = true
				noteOrder = append(noteOrder, r.Est.Note)
			}
		}
		claimable := "-"
		if r.Claimable != nil && r.Status == protocol.StatusClaimable {
			claimable = amount.FormatUnits(r.Claimable, native.Decimals, native.Symbol)
			if r.ClaimBy != nil {
				claimable += " until " + r.ClaimBy.Local().Format(timeLayout)
			}
		}
		cells = append(cells, []string{
			string(r.ID), r.Protocol, amount.FormatUnits(r.Amount, r.Token.Decimals, r.Token.Symbol), statusText(st, r.Withdrawal),
			r.RequestedAt.Local().Format("2006-01-02 15:04:05"), claimable, ahead, eta,
		})
	}
	output.Table(w, st, []string{"ID", "PROTOCOL", "AMOUNT", "STATUS", "REQUESTED", "CLAIMABLE", "AHEAD", "ETA"}, cells)
	sort.Strings(noteOrder)
	for _, n := range noteOrder {
		fmt.Fprintln(w, st.Dim.Render("ETA: "+n))
	}
}

// statusText is the status, and for an expired request when its claim
// window closed ("expired 2026-01-02 15:04").
func statusText(st output.Styles, w protocol.Withdrawal) string {
	s := statusStyle(st, w.Status)
	if w.Status == protocol.StatusExpired && w.ClaimBy != nil {
		s += " " + st.Dim.Render(w.ClaimBy.Local().Format(timeLayout))
	}
	return s
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
func etaText(e *protocol.Estimate, wall time.Time) string {
	if e.ETA == nil {
		return "unknown"
	}
	return e.ETA.Local().Format(timeLayout) + " (" + relative(*e.ETA, estimateNow(e, wall)) + ")"
}

// estimateNow is the estimate's clock advanced by the wall clock since it
// was made (the chain's clock may run ahead of the wall clock).
func estimateNow(e *protocol.Estimate, wall time.Time) time.Time {
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
	case protocol.StatusExpired:
		return st.Err.Render(string(s))
	}
	return st.Dim.Render(string(s))
}
