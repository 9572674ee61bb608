package withdrawals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/readcmd"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/watch"
)

// estimateEvery is how often the ETAs are refreshed while nothing
// changes; a status change refreshes them at once.
const estimateEvery = 10 * time.Minute

// WaitOptions are the wait command's inputs. It sends with --claim, so it
// has the transaction flags.
type WaitOptions struct {
	txcmd.Deps
	JSON bool
	// Tx are the transaction flags; Tx.Timeout is 0 unless --timeout was
	// given, as it then bounds the whole wait (see NewCmdWait).
	Tx cmdutil.TxFlags

	IDs          []string
	Owner        string
	ProtocolName string
	Claim        bool
	Interval     time.Duration
}

// NewCmdWait returns the wait subcommand; runF replaces its body in tests.
func NewCmdWait(f *cmdutil.Factory, runF func(*WaitOptions) error) *cobra.Command {
	opts := &WaitOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags()}
	cmd := &cobra.Command{
		Use:   "wait [ID...]",
		Short: "Wait until withdrawal requests are claimable (and claim them with --claim)",
		Long: `Wait until the given requests (default: every unclaimed request of the
account, across the network's protocols) are claimable. With --claim, claim
them as soon as they are: all that are claimable at once go into as few
claimWithdrawals transactions as the gas limit allows, with hints found
on-chain, and the wait goes on for the rest.

New blocks are followed by subscription when an --rpc-url is ws:// or wss://;
otherwise the block number is polled every --interval (± 20% jitter). The
status of all requests is read in one call, at most once per new block, so
the RPC cost does not grow with the number of requests. RPC errors do not end
the wait: they are retried with exponential backoff (rate limits honour the
provider's Retry-After).

On a terminal a live view shows the elapsed time and, per request, a progress
bar and the ETA; piped, one line per state change goes to stderr; with --json,
one JSON object per state change goes to stderr and the final document to
stdout. --timeout bounds the whole wait (exit 5); without it the wait lasts as
long as it takes. Ctrl-C stops waiting and prints the command that resumes.`,
		Example: `  stakewallet withdrawals wait --signer alice
  stakewallet withdrawals wait 12 13 --claim --signer alice --yes
  stakewallet withdrawals wait --owner 0xf39F… --interval 30s --timeout 2h --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			opts.JSON = f.Flags.JSON
			if !cmd.Flags().Changed("timeout") {
				// --timeout's default bounds inclusion of a transaction; a
				// bonding period is days, so only an explicit one bounds
				// the wait (and 0 leaves the claim's inclusion at txflow's
				// default).
				opts.Tx.Timeout = 0
			}
			if runF != nil {
				return runF(opts)
			}
			return waitRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "account (address or ENS name) whose requests to wait for (default: the signer's)")
	cmd.Flags().StringVar(&opts.ProtocolName, "protocol", "", "protocol of the given ids, or the only protocol to wait on (default: the network's)")
	cmd.Flags().BoolVar(&opts.Claim, "claim", false, "claim the requests as soon as they are claimable")
	cmd.Flags().DurationVar(&opts.Interval, "interval", watch.DefaultInterval, "how often to poll for a new block over HTTP (± 20% jitter)")
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	cmdutil.RefuseUnsigned(cmd, "withdrawals wait --claim claims when the requests become claimable; wait here, then build `claim` unsigned")
	return cmd
}

func waitRun(ctx context.Context, opts *WaitOptions) error {
	if opts.Interval <= 0 {
		return cmdutil.BadInputf("--interval must be positive")
	}
	if opts.Claim && opts.Owner != "" {
		return cmdutil.BadInputf("--claim claims for the signer; it cannot be combined with --owner")
	}
	net, err := opts.Network()
	if err != nil {
		return err
	}
	var env *txcmd.Env
	var owner common.Address
	if opts.Claim {
		// Fail now, not after days of waiting, if the claim could not be
		// confirmed or signed.
		if !opts.Tx.Yes && !opts.Tx.DryRun && !opts.IO.CanPrompt() {
			return cmdutil.WithExit(cmdutil.ExitNeedsInput, "confirmation_required",
				errors.New("--claim needs confirmation but stdin is not a terminal: add --yes (nothing was signed)"))
		}
		if env, err = txcmd.Setup(ctx, opts.Deps, opts.JSON, opts.Tx); err != nil {
			return err
		}
		defer env.Close()
		owner = env.From
	} else {
		acct, err := txcmd.OwnerAccount(ctx, opts.Deps, opts.Owner, "--owner")
		if err != nil {
			return err
		}
		owner = acct.Address
	}
	var groups []*group
	if len(opts.IDs) > 0 {
		p, err := opts.Protocol(ctx, opts.ProtocolName)
		if err != nil {
			return err
		}
		reqs, err := cmdutil.Requests(p)
		if err != nil {
			return err
		}
		ids, err := cmdutil.ParseIDs(p, opts.IDs)
		if err != nil {
			return err
		}
		groups = []*group{newGroup(source{p, reqs}, ids)}
	} else {
		srcs, err := sources(ctx, opts.Deps, new(readcmd.Reader), opts.ProtocolName)
		if err != nil {
			return err
		}
		for _, s := range srcs {
			groups = append(groups, newGroup(s, nil))
		}
	}
	c, err := opts.Chain(ctx)
	if err != nil {
		return err
	}

	native := net.Native()
	w := &waiter{owner: owner, now: time.Now, groups: groups}
	rep := newReporter(opts.IO.ErrOut, output.NewStyles(opts.IO), native, opts.JSON, opts.IO.IsStderrTTY(), opts.Interval, time.Now)
	w.rep = rep
	w.expiry = newExpiryWarner(opts.IO.ErrOut, opts.JSON, opts.Claim, rep, time.Now, headTime(c)) // claim windows closing within 24 h
	var claims []*claim.Result
	if opts.Claim {
		w.claim = func(ctx context.Context, p protocol.Protocol, ws []protocol.Withdrawal) error {
			rep.pause()
			defer rep.resume()
			res, err := claim.Claimable(ctx, env, p, ws)
			if err != nil {
				return err
			}
			claims = append(claims, res)
			if !opts.JSON {
				// People see each claim as it happens, as `claim` shows
				// it; with --json it goes into the one final document.
				if err := output.Print(opts.IO, false, res); err != nil {
					return err
				}
			}
			ids := make([]string, len(ws))
			for i, wd := range ws {
				ids[i] = string(wd.ID)
			}
			rep.claimed(ids, res)
			return nil
		}
	}

	waitCtx := ctx
	if opts.Tx.Timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, opts.Tx.Timeout)
		defer cancel()
	}
	opts.IO.StopProgress()
	err = watch.Run(waitCtx, c, watch.Options{
		Interval:  opts.Interval,
		Subscribe: hasWebsocket(c.Endpoints()),
		Retryable: retryable,
		MinDelay:  minDelay,
		OnRetry:   rep.retry,
		OnMode:    rep.mode,
	}, w.check)
	rep.stop()
	resume := resumeCommand(opts)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted with %s; resume with `%s`: %w", plural(w.pending(), "request")+" pending", resume, ctx.Err())
	case errors.Is(err, context.DeadlineExceeded) && waitCtx.Err() != nil:
		return cmdutil.WithExit(cmdutil.ExitTimeout, "timeout", fmt.Errorf("timed out after %s with %s still pending; resume with `%s`", opts.Tx.Timeout, plural(w.pending(), "request"), resume))
	default:
		var fe *finalError
		if errors.As(err, &fe) {
			return fe.err
		}
		return err
	}
	res := &WaitResult{Withdrawals: RequestDocs(w.rows()), rows: w.rows(), native: native, claimMode: opts.Claim}
	if opts.Claim {
		res.Claims = claims
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// newGroup is one protocol's requests in the wait: the given ids, or
// (none given) every unclaimed request of the owner.
func newGroup(s source, ids []protocol.RequestID) *group {
	return &group{p: s.p, reqs: s.reqs, ids: ids, explicit: len(ids) > 0, est: estimatorOf(s.p)}
}

// WaitResult is the wait's final document: the requests as they ended
// and, with --claim, the claims sent (an empty list when none was needed;
// the key is absent without --claim).
type WaitResult struct {
	Withdrawals []RequestDoc    `json:"withdrawals"`
	Claims      []*claim.Result `json:"claims,omitempty"`

	rows      []Row
	native    protocol.Token
	claimMode bool
}

// MarshalJSON keeps "claims": [] with --claim when nothing was claimed,
// which omitempty alone would drop.
func (r *WaitResult) MarshalJSON() ([]byte, error) {
	if !r.claimMode {
		return json.Marshal(struct {
			Withdrawals []RequestDoc `json:"withdrawals"`
		}{r.Withdrawals})
	}
	claims := r.Claims
	if claims == nil {
		claims = []*claim.Result{}
	}
	return json.Marshal(struct {
		Withdrawals []RequestDoc    `json:"withdrawals"`
		Claims      []*claim.Result `json:"claims"`
	}{r.Withdrawals, claims})
}

// RenderHuman implements output.Human: the requests' table and what is
// left to do (the claims were shown as they were sent).
func (r *WaitResult) RenderHuman(w io.Writer, st output.Styles) {
	if len(r.rows) == 0 {
		fmt.Fprintln(w, "No pending withdrawal requests: nothing to wait for.")
		return
	}
	renderList(w, st, r.rows, r.native, time.Now())
	var claimable []protocol.RequestID
	for _, row := range r.rows {
		if row.Status == protocol.StatusClaimable {
			claimable = append(claimable, row.ID)
		}
	}
	switch {
	case r.claimMode:
		fmt.Fprintf(w, "Done: %s claimed.\n", plural(len(r.rows), "request"))
	case len(claimable) > 0:
		fmt.Fprintf(w, "All claimable. Claim with `stakewallet claim %s`.\n", strings.Join(cmdutil.IDStrings(claimable), " "))
	default:
		fmt.Fprintln(w, "Nothing left to claim.")
	}
}

// resumeCommand is the command line that continues this wait.
func resumeCommand(o *WaitOptions) string {
	parts := []string{"stakewallet withdrawals wait"}
	parts = append(parts, o.IDs...)
	if o.Owner != "" {
		parts = append(parts, "--owner", o.Owner)
	}
	if o.ProtocolName != "" {
		parts = append(parts, "--protocol", o.ProtocolName)
	}
	if o.Claim {
		parts = append(parts, "--claim")
	}
	return strings.Join(parts, " ")
}

func hasWebsocket(urls []string) bool {
	for _, u := range urls {
		l := strings.ToLower(u)
		if strings.HasPrefix(l, "ws://") || strings.HasPrefix(l, "wss://") {
			return true
		}
	}
	return false
}

// finalError marks an error that ends the wait: a failed claim is not an
// RPC hiccup, and retrying it could pay gas twice.
type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }
func (e *finalError) Unwrap() error { return e.err }

// retryable: RPC trouble is retried, mistakes and refusals are not.
func retryable(err error) bool {
	var fe *finalError
	var limit *protocol.LimitError
	var ee *cmdutil.ExitError
	var wrong *chain.WrongChainError
	switch {
	case errors.As(err, &fe), errors.As(err, &limit), errors.As(err, &ee), errors.As(err, &wrong),
		errors.Is(err, chain.ErrInvalidURL):
		return false
	}
	return true
}

// minDelay: the chain client already waited out each Retry-After (up to
// chain.DefaultMaxRetryAfter) before giving up on a rate-limited call, so
// the provider wants at least that much quiet before the next try.
func minDelay(err error) time.Duration {
	var httpErr rpc.HTTPError
	if errors.As(err, &httpErr) && (httpErr.StatusCode == 429 || httpErr.StatusCode == 503) {
		return chain.DefaultMaxRetryAfter
	}
	return 0
}

// group is one protocol's requests in the wait.
type group struct {
	p        protocol.Protocol
	reqs     protocol.Requests
	ids      []protocol.RequestID // nil until found (no ids given)
	explicit bool
	est      protocol.Estimator
	rows     []Row
	byID     map[protocol.RequestID]int
	ests     map[protocol.RequestID]protocol.Estimate
	tried    map[protocol.RequestID]bool // claims sent
}

// waiter is the check the watch loop runs once per new block.
type waiter struct {
	owner   common.Address
	groups  []*group
	rep     reporter
	claim   func(ctx context.Context, p protocol.Protocol, ws []protocol.Withdrawal) error
	now     func() time.Time
	lastEst time.Time
	expiry  *expiryWarner // nil: no claim-window warnings
}

func (w *waiter) rows() []Row {
	var out []Row
	for _, g := range w.groups {
		out = append(out, g.rows...)
	}
	return out
}

func (w *waiter) pending() int {
	n := 0
	for _, r := range w.rows() {
		if r.Status == protocol.StatusPending {
			n++
		}
	}
	return n
}

// check reads every group's requests in one status call each, reports
// what changed, refreshes ETAs when something changed (or every
// estimateEvery), and claims what became claimable (--claim).
func (w *waiter) check(ctx context.Context, head uint64) (bool, error) {
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	var changed []change
	refresh := w.lastEst.IsZero() || w.now().Sub(w.lastEst) >= estimateEvery
	for _, g := range w.groups {
		first := g.byID == nil
		var ws []protocol.Withdrawal
		switch {
		case first && !g.explicit:
			// Find the requests: every unclaimed one of the owner, read
			// with their status in the same call.
			all, err := g.reqs.Withdrawals(rctx, w.owner, nil)
			if err != nil {
				return false, err
			}
			for _, r := range all {
				if r.Status != protocol.StatusClaimed {
					ws = append(ws, r)
					g.ids = append(g.ids, r.ID)
				}
			}
		case len(g.ids) > 0:
			var err error
			if ws, err = g.reqs.Withdrawals(rctx, w.owner, g.ids); err != nil {
				return false, err
			}
		}
		if first && w.claim != nil {
			// Claims pay the signer: someone else's request cannot be
			// claimed, so say so now rather than after the wait.
			for _, r := range ws {
				if r.Status != protocol.StatusClaimed && r.Owner != w.owner {
					return false, &protocol.LimitError{Reason: fmt.Sprintf("request %s belongs to %s, not the signer %s: --claim cannot claim it", r.ID, r.Owner.Hex(), w.owner.Hex())}
				}
			}
		}
		c := g.update(ws)
		if len(c) > 0 || first {
			refresh = true
		}
		changed = append(changed, c...)
	}
	if refresh {
		w.estimate(rctx)
		w.lastEst = w.now()
	}
	w.rep.snapshot(w.rows(), w.withEstimates(changed), head)
	if w.expiry != nil {
		w.expiry.check(rctx, w.rows())
	}
	if w.claim != nil {
		for _, g := range w.groups {
			if err := w.claimReady(ctx, g, head); err != nil {
				return false, &finalError{err: err}
			}
		}
	}
	return w.done(), nil
}

// update stores the new state and returns the requests whose status
// changed (all of them the first time).
func (g *group) update(ws []protocol.Withdrawal) []change {
	prev := map[protocol.RequestID]protocol.Status{}
	for _, r := range g.rows {
		prev[r.ID] = r.Status
	}
	first := g.byID == nil
	g.rows = make([]Row, len(ws))
	g.byID = make(map[protocol.RequestID]int, len(ws))
	var out []change
	for i, wd := range ws {
		id := wd.ID
		r := Row{Withdrawal: wd}
		if e, ok := g.ests[id]; ok && wd.Status == protocol.StatusPending {
			r.Est, r.ETA = &e, e.ETA
		}
		g.rows[i], g.byID[id] = r, i
		if p := prev[id]; first || p != wd.Status {
			out = append(out, change{row: r, prev: p})
		}
	}
	return out
}

// estimate refreshes the ETAs; a failure leaves them unknown with the
// reason and never fails the wait.
func (w *waiter) estimate(ctx context.Context) {
	for _, g := range w.groups {
		if len(g.rows) == 0 {
			continue
		}
		ws := make([]protocol.Withdrawal, len(g.rows))
		for i, r := range g.rows {
			ws[i] = r.Withdrawal
		}
		rows := withEstimates(ctx, g.est, ws)
		g.ests = map[protocol.RequestID]protocol.Estimate{}
		for i, r := range rows {
			if r.Est != nil {
				g.ests[r.ID] = *r.Est
			}
			g.rows[i] = r
		}
	}
}

// withEstimates copies the current estimates into changes found before
// they were refreshed.
func (w *waiter) withEstimates(cs []change) []change {
	for i, c := range cs {
		for _, g := range w.groups {
			if j, ok := g.byID[c.row.ID]; ok && g.p.Name() == c.row.Protocol {
				cs[i].row = g.rows[j]
			}
		}
	}
	return cs
}

// claimReady claims the group's claimable requests that no claim was sent
// for yet, all in one go, and marks them claimed.
func (w *waiter) claimReady(ctx context.Context, g *group, head uint64) error {
	var ready []protocol.Withdrawal
	for _, r := range g.rows {
		if r.Status == protocol.StatusClaimable && !g.tried[r.ID] {
			ready = append(ready, r.Withdrawal)
		}
	}
	if len(ready) == 0 {
		return nil
	}
	if g.tried == nil {
		g.tried = map[protocol.RequestID]bool{}
	}
	for _, r := range ready {
		g.tried[r.ID] = true
	}
	if err := w.claim(ctx, g.p, ready); err != nil {
		return err
	}
	var changed []change
	for _, r := range ready {
		i := g.byID[r.ID]
		g.rows[i].Status, g.rows[i].Claimable = protocol.StatusClaimed, nil
		changed = append(changed, change{row: g.rows[i], prev: protocol.StatusClaimable})
	}
	w.rep.snapshot(w.rows(), changed, head)
	return nil
}

// done: nothing pending, and with --claim nothing left to claim.
func (w *waiter) done() bool {
	for _, r := range w.rows() {
		if r.Status == protocol.StatusPending || (w.claim != nil && r.Status == protocol.StatusClaimable) {
			return false
		}
	}
	return true
}
