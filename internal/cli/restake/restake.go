// Package restake implements `stakewallet restake`: claim what is
// claimable and stake the proceeds, safe to run unattended from cron.
package restake

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	stakecmd "github.com/stakewallet/stakewallet/internal/cli/stake"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txflow"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

const (
	// readTimeout bounds the reads before any transaction.
	readTimeout = 2 * time.Minute
	// stakeGasReserve is the gas held back for the stake transaction when
	// the amount is capped by the balance (a Lido submit takes ~80k).
	stakeGasReserve = 200_000
)

type options struct {
	f        *cmdutil.Factory
	keep     string
	min      string
	protocol string
}

// NewCmdRestake returns the restake command.
func NewCmdRestake(f *cmdutil.Factory) *cobra.Command {
	o := &options{f: f}
	cmd := &cobra.Command{
		Use:   "restake [--keep AMOUNT] [--min AMOUNT]",
		Short: "Claim what is claimable and stake the proceeds (safe to run from cron)",
		Long: `Claim every claimable withdrawal request of the signer's account (as
` + "`claim`" + ` does), then stake the proceeds minus --keep with the protocol, but
only when that is at least --min. The amount staked is also capped so that the
account keeps --keep plus the gas of the stake.

Safe to run unattended, again and again:
  - nothing to do (nothing claimable, nothing left to stake) → says so, exit 0;
  - it refuses to start (exit 1, code "pending_transaction") while an earlier
    transaction of the account is still pending, in the journal or in the
    node's mempool, and while another restake of the account runs ("busy");
  - proceeds that could not be staked yet (below --min, a failed stake) are
    remembered in <config>/restake/ and staked by a later run, never twice.
    A claim or stake that timed out after broadcast is not retried: the
    pending check holds restake back until it is mined, and its proceeds
    stay in the account.

Without a terminal it needs --yes (exit 6 before anything is signed).`,
		Example: `  stakewallet restake --signer alice --yes
  stakewallet restake --keep 0.05 --min 0.5 --signer alice --yes --json`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.keep, "keep", "0", "ETH of the proceeds to keep liquid (also left in the account after staking)")
	cmd.Flags().StringVar(&o.min, "min", "0", "stake only when at least this much ETH is to be staked; less waits for later runs")
	cmd.Flags().StringVar(&o.protocol, "protocol", "", "protocol to claim from and stake with (default: the network's)")
	return cmd
}

// refuse is a refusal to start that protects against double spending or
// overlapping runs: exit 1 with its own JSON error code.
func refuse(kind, format string, args ...any) error {
	return cmdutil.WithExit(cmdutil.ExitOther, kind, fmt.Errorf(format, args...))
}

func run(ctx context.Context, o *options) error {
	keep, err := parseAmount("--keep", o.keep)
	if err != nil {
		return err
	}
	minimum, err := parseAmount("--min", o.min)
	if err != nil {
		return err
	}
	f := o.f
	dry := f.Flags.DryRun
	if !f.Flags.Yes && !dry && !f.IO.CanPrompt() {
		return cmdutil.WithExit(cmdutil.ExitNeedsInput, "confirmation_required",
			errors.New("restake needs confirmation but stdin is not a terminal: add --yes (nothing was signed)"))
	}
	env, err := txcmd.Setup(ctx, f)
	if err != nil {
		return err
	}
	defer env.Close()
	p, err := f.Protocol(ctx, o.protocol)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	path := statePath(filepath.Join(cfg.Dir, "restake"), env.Net.ChainID, env.From)
	unlock, err := lock(strings.TrimSuffix(path, ".json") + ".lock")
	if errors.Is(err, errBusy) {
		return refuse("busy", "%v (%s): not starting a second one", err, env.From.Hex())
	}
	if err != nil {
		return err
	}
	defer unlock()

	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	if err := refuseIfPending(rctx, env, cfg.JournalDir()); err != nil {
		return err
	}
	st, err := loadState(path)
	if err != nil {
		return err
	}
	res := &result{env: env, p: p, keep: keep, min: minimum, carried: new(big.Int).Set(st.Owed)}

	// 1. Claim.
	ws, err := p.Withdrawals(rctx, env.From, nil)
	if err != nil {
		return err
	}
	var mine []protocol.Withdrawal
	for _, w := range ws {
		if w.Owner == env.From {
			mine = append(mine, w)
		}
	}
	ids, total := claim.Total(mine)
	owed := new(big.Int).Set(st.Owed)
	if len(ids) > 0 {
		res.claimIDs, res.claimed = ids, total
		doc, err := step(f.IO, f.Flags.JSON, func() error { return claim.Claimable(ctx, env, p, mine) })
		if err != nil {
			return fmt.Errorf("restake: claim: %w", err)
		}
		res.claimDoc = doc
		owed.Add(owed, total)
		if !dry {
			// Remember the proceeds at once: if the stake below fails or
			// the process dies, a later run stakes them.
			st.Owed = new(big.Int).Set(owed)
			if err := st.save(path); err != nil {
				return err
			}
		}
	}

	// 2. Stake.
	balance, err := env.Chain.BalanceAt(rctx, env.From, nil)
	if err != nil {
		return err
	}
	if dry {
		balance.Add(balance, total) // as if the claim were mined
	}
	reserve, err := gasReserve(rctx, env)
	if err != nil {
		return err
	}
	amt, carry, why := stakeAmount(owed, keep, minimum, balance, reserve)
	res.why = why
	if amt == nil && !carry && owed.Sign() > 0 {
		// Kept liquid for good (--keep, or the balance is short): not a
		// debt for later runs.
		owed = new(big.Int)
		if !dry && st.Owed.Sign() > 0 {
			st.Owed = new(big.Int)
			if err := st.save(path); err != nil {
				return err
			}
		}
	}
	if amt != nil {
		if !dry {
			// Forget the proceeds before sending: if the stake is broadcast
			// but its fate is unknown (timeout), a later run must not stake
			// them again. They are restored below if nothing was sent.
			st.Owed = new(big.Int)
			if err := st.save(path); err != nil {
				return err
			}
		}
		doc, err := step(f.IO, f.Flags.JSON, func() error { return stake(ctx, env, p, amt) })
		switch {
		case err != nil && dry && len(ids) > 0 && errors.Is(err, txflow.ErrInsufficientFunds):
			res.why = fmt.Sprintf("then stake %s (cannot be simulated before the claim is mined)", amount.FormatUnits(amt, 18, env.Net.NativeSymbol))
			amt = nil
		case err != nil:
			if !dry && notSent(err) {
				st.Owed = owed
				if serr := st.save(path); serr != nil {
					return errors.Join(err, serr)
				}
			}
			return fmt.Errorf("restake: stake: %w", err)
		default:
			res.stakeDoc, res.staked = doc, amt
			owed = new(big.Int)
		}
	}
	res.owed = owed
	return res.print()
}

// refuseIfPending refuses to start while a transaction of the account may
// still be mined: one the journal knows as signed or broadcast with a
// nonce not yet used on-chain, or any the node holds in its mempool.
// Restake would otherwise send a second claim or stake beside it.
func refuseIfPending(ctx context.Context, env *txcmd.Env, journalDir string) error {
	j, err := journal.Open(journalDir)
	if err != nil {
		return err
	}
	entries, err := j.Pending(env.Net.ChainID, env.From)
	if err != nil {
		return err
	}
	mined, err := env.Chain.NonceAt(ctx, env.From, nil)
	if err != nil {
		return err
	}
	for _, e := range entries {
		// A lower nonce is used up: that entry was mined or replaced, and
		// only its journal state is stale.
		if e.Nonce >= mined {
			return refuse("pending_transaction",
				"transaction %s (%s, nonce %d) of %s is still pending: restake will not start until it is mined or replaced; check it with `stakewallet tx status %s`",
				e.Hash.Hex(), e.Action, e.Nonce, env.From.Hex(), e.Hash.Hex())
		}
	}
	pending, err := env.Chain.PendingNonceAt(ctx, env.From)
	if err != nil {
		return err
	}
	if pending > mined {
		return refuse("pending_transaction",
			"%d transaction(s) of %s are waiting in the node's mempool (nonces %d–%d): restake will not start until they are mined",
			pending-mined, env.From.Hex(), mined, pending-1)
	}
	return nil
}

// stakeAmount is what to stake: the proceeds minus keep, capped so that
// the account keeps keep plus reserve, and nothing when that is below
// min (or zero). carry reports whether unstaked proceeds wait for a later
// run (below --min) rather than stay liquid; why says what was decided.
func stakeAmount(owed, keep, minimum, balance, reserve *big.Int) (amt *big.Int, carry bool, why string) {
	eth := func(v *big.Int) string { return amount.FormatUnits(v, 18, "ETH") }
	if owed.Sign() == 0 {
		return nil, false, "no proceeds to stake"
	}
	want := new(big.Int).Sub(owed, keep)
	if want.Sign() <= 0 {
		return nil, false, fmt.Sprintf("proceeds of %s do not exceed --keep %s: all kept", eth(owed), eth(keep))
	}
	amt = want
	avail := new(big.Int).Sub(balance, keep)
	avail.Sub(avail, reserve)
	capped := avail.Cmp(want) < 0
	if capped {
		amt = avail
	}
	switch {
	case amt.Sign() <= 0:
		return nil, false, fmt.Sprintf("the balance of %s leaves nothing to stake after --keep %s and gas", eth(balance), eth(keep))
	case amt.Cmp(minimum) < 0:
		return nil, true, fmt.Sprintf("%s to stake is below --min %s: kept for a later run", eth(amt), eth(minimum))
	case capped:
		return amt, false, fmt.Sprintf("staked %s of %s proceeds: the balance keeps --keep %s and gas", eth(amt), eth(want), eth(keep))
	}
	return amt, false, fmt.Sprintf("staked the proceeds of %s minus --keep %s", eth(owed), eth(keep))
}

// gasReserve is the most the stake transaction can cost at today's fees.
func gasReserve(ctx context.Context, env *txcmd.Env) (*big.Int, error) {
	g := env.F.Flags
	maxFee := new(big.Int)
	if g.MaxFee != "" {
		v, err := amount.GweiToWei(g.MaxFee)
		if err != nil {
			return nil, cmdutil.BadInputf("--max-fee: %w", err)
		}
		maxFee = v
	} else {
		head, err := env.Chain.HeaderByNumber(ctx, nil)
		if err != nil {
			return nil, err
		}
		tip, err := env.Chain.SuggestGasTipCap(ctx)
		if err != nil {
			return nil, err
		}
		if head.BaseFee != nil {
			maxFee.Mul(head.BaseFee, big.NewInt(2))
		}
		maxFee.Add(maxFee, tip)
	}
	gas := uint64(stakeGasReserve)
	if g.GasLimit > 0 {
		gas = g.GasLimit
	}
	return maxFee.Mul(maxFee, new(big.Int).SetUint64(gas)), nil
}

func stake(ctx context.Context, env *txcmd.Env, p protocol.Protocol, amt *big.Int) error {
	req, err := stakecmd.Request(ctx, env, p, amt, protocol.StakeOptions{}, "Restake")
	if err != nil {
		return err
	}
	return env.Run(ctx, req)
}

// step runs one command body; with --json its document is captured for
// restake's own (stdout carries exactly one), otherwise it prints as the
// command alone would.
func step(ios *iostreams.IOStreams, jsonMode bool, fn func() error) (map[string]any, error) {
	if !jsonMode {
		return nil, fn()
	}
	return claim.CaptureJSON(ios, fn)
}

// notSent reports errors that leave no transaction behind: refused before
// signing, declined, or rejected by the node.
func notSent(err error) bool {
	var ee *cmdutil.ExitError
	if errors.As(err, &ee) && (ee.Code == cmdutil.ExitBadInput || ee.Code == cmdutil.ExitNeedsInput || ee.Code == cmdutil.ExitSignerUnavl) {
		return true
	}
	var limit *protocol.LimitError
	switch {
	case errors.Is(err, txflow.ErrTimeout), errors.Is(err, txflow.ErrReverted), errors.Is(err, chain.ErrMaybeSent):
		return false
	case errors.Is(err, txflow.ErrSimulation), errors.Is(err, txflow.ErrInsufficientFunds), errors.Is(err, txflow.ErrBroadcast),
		errors.Is(err, signer.ErrDeclined), errors.Is(err, signer.ErrUnavailable), errors.Is(err, iostreams.ErrNoTTY),
		errors.As(err, &limit):
		return true
	}
	return false
}

func parseAmount(flag, s string) (*big.Int, error) {
	v, err := amount.Parse(s, 18)
	if err != nil {
		return nil, cmdutil.BadInput(fmt.Errorf("%s: %w", flag, err))
	}
	return v, nil
}

// result is what restake did, for the output.
type result struct {
	env                *txcmd.Env
	p                  protocol.Protocol
	keep, min          *big.Int
	carried            *big.Int // proceeds left by earlier runs
	claimIDs           []*big.Int
	claimed            *big.Int
	staked             *big.Int
	owed               *big.Int // proceeds still to stake after this run
	claimDoc, stakeDoc map[string]any
	why                string
}

func (r *result) nothingToDo() bool { return r.claimIDs == nil && r.staked == nil }

func (r *result) message() string {
	sym := r.env.Net.NativeSymbol
	var parts []string
	if r.claimIDs != nil {
		parts = append(parts, fmt.Sprintf("claimed %s from %s", amount.FormatUnits(r.claimed, 18, sym), cmdutil.Plural(len(r.claimIDs), "request")))
	}
	if r.why != "" {
		parts = append(parts, r.why)
	}
	msg := strings.Join(parts, "; ")
	if r.nothingToDo() {
		msg = "Nothing to do: no claimable requests, " + msg
	}
	if r.env.F.Flags.DryRun {
		msg = "Dry run: would have " + msg
	}
	return msg
}

func (r *result) print() error {
	f := r.env.F
	if f.Flags.JSON {
		doc := map[string]any{
			"action":      "restake",
			"network":     r.env.Net.Name,
			"chainId":     r.env.Net.ChainID,
			"from":        r.env.From.Hex(),
			"protocol":    r.p.Name(),
			"symbol":      r.env.Net.NativeSymbol,
			"decimals":    18,
			"keep":        r.keep.String(),
			"min":         r.min.String(),
			"carriedOver": r.carried.String(),
			"claimed":     nil,
			"staked":      nil,
			"owed":        r.owed.String(),
			"claim":       r.claimDoc,
			"stake":       r.stakeDoc,
			"nothingToDo": r.nothingToDo(),
			"message":     r.message(),
		}
		if f.Flags.DryRun {
			doc["dryRun"] = true
		}
		if r.claimIDs != nil {
			doc["claimed"] = map[string]any{"requestIds": cmdutil.IDStrings(r.claimIDs), "amount": r.claimed.String()}
		}
		if r.staked != nil {
			doc["staked"] = map[string]any{"amount": r.staked.String()}
		}
		var txs []any
		for _, d := range []map[string]any{r.claimDoc, r.stakeDoc} {
			if list, ok := d["transactions"].([]any); ok {
				txs = append(txs, list...)
			}
		}
		if txs == nil {
			txs = []any{}
		}
		doc["transactions"] = txs
		return output.JSON(f.IO.Out, doc)
	}
	st := output.NewStyles(f.IO)
	line := r.message()
	if !r.nothingToDo() && !f.Flags.DryRun {
		line = st.OK.Render("✓ ") + "Restake: " + line
	}
	fmt.Fprintln(f.IO.Out, line+".")
	if r.owed.Sign() > 0 && !f.Flags.DryRun {
		fmt.Fprintln(f.IO.Out, st.Dim.Render(fmt.Sprintf("%s of proceeds is kept for a later run.", amount.FormatUnits(r.owed, 18, r.env.Net.NativeSymbol))))
	}
	return nil
}
