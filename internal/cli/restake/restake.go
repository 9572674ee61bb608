// Package restake implements `stakewallet restake`: claim what is
// claimable and stake the proceeds, safe to run unattended from cron.
package restake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/stake"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/erc20"
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

// RestakeOptions are the restake command's inputs.
type RestakeOptions struct {
	txcmd.Deps
	JSON bool
	Tx   cmdutil.TxFlags

	// Keep and Min are amounts of the native coin (or of the protocol's
	// RoleUnderlying token, such as POL), as typed.
	Keep         string
	Min          string
	ProtocolName string
	// Validator is the stake target for protocols that are not a
	// protocol.Restaker (those know it from the claimed requests).
	Validator string
}

// NewCmdRestake returns the restake command; runF replaces its body in tests.
func NewCmdRestake(f *cmdutil.Factory, runF func(*RestakeOptions) error) *cobra.Command {
	opts := &RestakeOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags()}
	cmd := &cobra.Command{
		Use:   "restake [--keep AMOUNT] [--min AMOUNT]",
		Short: "Claim what is claimable and stake the proceeds (safe to run from cron)",
		Long: `Claim every claimable withdrawal request of the signer's account (as
` + "`claim`" + ` does), then stake the proceeds minus --keep with the protocol, but
only when that is at least --min. The amount staked is also capped so that the
account keeps --keep plus the gas of the stake. Amounts are in the network's
native coin, or in the token the protocol stakes (Polygon's POL: capped by
the POL balance, the gas being paid in the native coin).

Protocols that delegate to a validator restake to the validator the claimed
requests unbonded from when they know it; otherwise pass --validator. Where
delegation rewards wait to be claimed (Sonic, Polygon), restake also
re-delegates them to the validators that earned them (restakeRewards,
restakePOL; rewards in the native coin once they reach --min). BNB Chain
compounds them by itself.
Protocols without withdrawal requests have nothing to claim and are refused.

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
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return restakeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Keep, "keep", "0", "native coin of the proceeds to keep liquid (also left in the account after staking)")
	cmd.Flags().StringVar(&opts.Min, "min", "0", "stake only when at least this much native coin is to be staked; less waits for later runs")
	cmd.Flags().StringVar(&opts.ProtocolName, "protocol", "", "protocol to claim from and stake with (default: the network's)")
	cmd.Flags().StringVar(&opts.Validator, "validator", "", "validator to stake with, for protocols that delegate and do not know it from the claimed requests")
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	cmdutil.RefuseUnsigned(cmd, "restake stakes what its claim paid, known only once the claim is mined; build `claim` and then `stake` unsigned instead")
	return cmd
}

// refuse is a refusal to start that protects against double spending or
// overlapping runs: exit 1 with its own JSON error code.
func refuse(kind, format string, args ...any) error {
	return cmdutil.WithExit(cmdutil.ExitOther, kind, fmt.Errorf(format, args...))
}

// requestsOf is p's request capability, or an exit-2 error saying why
// restake cannot work without it.
func requestsOf(p protocol.Protocol) (protocol.Requests, error) {
	r, ok := p.(protocol.Requests)
	if !ok {
		return nil, cmdutil.BadInputf("%s cannot be restaken: its unstake pays out in the same transaction, so there are no withdrawal requests to claim (stake the coin with `stakewallet stake`)", p.DisplayName())
	}
	return r, nil
}

// checkTarget refuses, before anything is read, a --validator the
// protocol would ignore or a missing one it needs.
func checkTarget(p protocol.Protocol, validator string) error {
	if _, ok := p.(protocol.Restaker); ok {
		if validator != "" {
			return cmdutil.BadInputf("%s restakes to the validator the claimed requests unbonded from: --validator is not taken", p.DisplayName())
		}
		return nil
	}
	return stake.CheckTarget(p, validator)
}

func restakeRun(ctx context.Context, opts *RestakeOptions) error {
	net, err := opts.Network()
	if err != nil {
		return err
	}
	native := net.Native()
	keep, err := parseAmount("--keep", opts.Keep, native)
	if err != nil {
		return err
	}
	minimum, err := parseAmount("--min", opts.Min, native)
	if err != nil {
		return err
	}
	dry := opts.Tx.DryRun
	if !opts.Tx.Yes && !dry && !opts.IO.CanPrompt() {
		return cmdutil.WithExit(cmdutil.ExitNeedsInput, "confirmation_required",
			errors.New("restake needs confirmation but stdin is not a terminal: add --yes (nothing was signed)"))
	}
	env, err := txcmd.Setup(ctx, opts.Deps, opts.JSON, opts.Tx)
	if err != nil {
		return err
	}
	defer env.Close()
	p, err := opts.Protocol(ctx, opts.ProtocolName)
	if err != nil {
		return err
	}
	reqs, err := requestsOf(p)
	if err != nil {
		return err
	}
	// Protocols staking an ERC-20 (Polygon's POL) claim and stake that
	// token: --keep and --min are in it.
	coin := stakeCoin(p, native)
	if coin != native {
		if keep, err = parseAmount("--keep", opts.Keep, coin); err != nil {
			return err
		}
		if minimum, err = parseAmount("--min", opts.Min, coin); err != nil {
			return err
		}
	}
	if err := checkTarget(p, opts.Validator); err != nil {
		return err
	}
	if opts.Validator, err = cmdutil.ValidatorTarget(ctx, p, opts.Validator, cmdutil.ForStake); err != nil {
		return err
	}
	cfg, err := opts.Config()
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
	res := newResult(env, p, keep, minimum, st.Owed)
	res.Symbol, res.Decimals, res.native = coin.Symbol, coin.Decimals, coin
	// fail returns err after showing the claims already sent, if any.
	fail := func(err error) error {
		if !opts.JSON {
			res.showClaim(opts.IO)
		}
		return err
	}

	// 1. Claim.
	ws, err := reqs.Withdrawals(rctx, env.From, nil)
	if err != nil {
		return err
	}
	var mine, claimed []protocol.Withdrawal
	for _, w := range ws {
		if w.Owner == env.From {
			mine = append(mine, w)
			if w.Status == protocol.StatusClaimable {
				claimed = append(claimed, w)
			}
		}
	}
	ids, total := claim.Total(mine)
	owed := new(big.Int).Set(st.Owed)
	if len(ids) > 0 {
		res.Claimed = &Claimed{RequestIDs: cmdutil.IDStrings(ids), Amount: total.String()}
		if res.Claim, err = claim.Claimable(ctx, env, p, mine); err != nil {
			return fmt.Errorf("restake: claim: %w", err)
		}
		owed.Add(owed, total)
		if !dry {
			// Remember the proceeds at once: if the stake below fails or
			// the process dies, a later run stakes them.
			st.Owed = new(big.Int).Set(owed)
			if err := st.save(path); err != nil {
				return fail(err)
			}
		}
	}

	// 1b. Delegation rewards, restaked where they were earned.
	if rw, ok := p.(protocol.Rewarder); ok {
		calls, err := rw.RestakeRewards(rctx, env.From, "")
		var le *protocol.LimitError
		switch {
		case errors.As(err, &le):
			// No rewards to restake: nothing to do for them.
		case err != nil:
			return fail(fmt.Errorf("restake: rewards: %w", err))
		case nativeBelow(calls, minimum):
			// Rewards in the native coin below --min wait for a later run
			// (each restake costs gas).
		default:
			if res.Rewards, err = claim.RunRewards(ctx, env, p, calls, "restakeRewards", "Restake"); err != nil {
				return fail(fmt.Errorf("restake: rewards: %w", err))
			}
		}
	}

	// 2. Stake.
	amt, carry, why, err := plan(rctx, env, coin, owed, keep, minimum, total)
	if err != nil {
		return fail(err)
	}
	res.why = why
	if amt == nil && !carry && owed.Sign() > 0 {
		// Kept liquid for good (--keep, or the balance is short): not a
		// debt for later runs.
		owed = new(big.Int)
		if !dry && st.Owed.Sign() > 0 {
			st.Owed = new(big.Int)
			if err := st.save(path); err != nil {
				return fail(err)
			}
		}
	}
	if amt != nil {
		staked, err := stakeProceeds(ctx, env, p, claimed, opts.Validator, amt, path, st, owed)
		switch {
		case err != nil && dry && len(ids) > 0 && errors.Is(err, txflow.ErrInsufficientFunds):
			res.why = fmt.Sprintf("then stake %s (cannot be simulated before the claim is mined)", amount.FormatUnits(amt, coin.Decimals, coin.Symbol))
		case err != nil:
			return fail(fmt.Errorf("restake: stake: %w", err))
		default:
			res.Stake, res.Staked = staked, &Staked{Amount: amt.String()}
			owed = new(big.Int)
		}
	}
	res.finish(owed)
	return output.Print(opts.IO, opts.JSON, res)
}

// nativeBelow reports whether calls restake rewards in the native coin
// adding up to less than minimum (--min, in the native coin; rewards in
// another token, such as Polygon's POL, are not held to it).
func nativeBelow(calls []protocol.Call, minimum *big.Int) bool {
	total := new(big.Int)
	for _, c := range calls {
		if !c.Token.IsNative() {
			return false
		}
		if c.Amount != nil {
			total.Add(total, c.Amount)
		}
	}
	return total.Cmp(minimum) < 0
}

// stakeCoin is what p claims and stakes: its RoleUnderlying token when
// it has one (Polygon's POL), else the native coin.
func stakeCoin(p protocol.Protocol, native protocol.Token) protocol.Token {
	if u, ok := p.Tokens().ByRole(protocol.RoleUnderlying); ok {
		return u
	}
	return native
}

// plan decides what to stake of owed, in coin: the balance of coin (plus,
// on a dry run, the claim's proceeds as if it were mined) less --keep and,
// for the native coin, the gas. An ERC-20 (POL) keeps no gas reserve: the
// gas is paid in the native coin, whose balance the transaction flow
// checks.
func plan(ctx context.Context, env *txcmd.Env, coin protocol.Token, owed, keep, minimum, claimed *big.Int) (amt *big.Int, carry bool, why string, err error) {
	var balance, reserve *big.Int
	if coin.IsNative() {
		bal, head, tip, err := feeReads(ctx, env)
		if err != nil {
			return nil, false, "", err
		}
		if reserve, err = gasReserve(env, head, tip); err != nil {
			return nil, false, "", err
		}
		balance = bal
	} else {
		bal, err := erc20.BalanceOf(ctx, env.Chain, coin.Address, env.From)
		if err != nil {
			return nil, false, "", fmt.Errorf("read the %s balance of %s: %w", coin.Symbol, env.From.Hex(), err)
		}
		balance, reserve = new(big.Int).Set(bal), new(big.Int)
	}
	if env.Tx.DryRun {
		balance.Add(balance, claimed)
	}
	amt, carry, why = stakeAmount(owed, keep, minimum, balance, reserve, coin)
	return amt, carry, why, nil
}

// stakeProceeds stakes amt, keeping the state file right whatever
// happens: owed is forgotten before anything is sent, so that a stake whose
// fate is unknown (a timeout) is never repeated by a later run, and put
// back when the error proves nothing was sent.
func stakeProceeds(ctx context.Context, env *txcmd.Env, p protocol.Protocol, claimed []protocol.Withdrawal, validator string, amt *big.Int, path string, st *state, owed *big.Int) (*stake.Result, error) {
	dry := env.Tx.DryRun
	target := validator
	if r, ok := p.(protocol.Restaker); ok {
		t, err := r.RestakeTarget(ctx, env.From, claimed)
		if err != nil {
			return nil, fmt.Errorf("find the validator to restake with: %w", err)
		}
		target = t
	}
	if !dry {
		st.Owed = new(big.Int)
		if err := st.save(path); err != nil {
			return nil, err
		}
	}
	res, err := stake.Stake(ctx, env, p, protocol.StakeRequest{From: env.From, Amount: amt, Target: target}, "Restake")
	if err != nil && !dry && notSent(err) {
		st.Owed = owed
		if serr := st.save(path); serr != nil {
			return nil, errors.Join(err, serr)
		}
	}
	return res, err
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
	mined, pending, err := nonces(ctx, env)
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
func stakeAmount(owed, keep, minimum, balance, reserve *big.Int, native protocol.Token) (amt *big.Int, carry bool, why string) {
	coin := func(v *big.Int) string { return amount.FormatUnits(v, native.Decimals, native.Symbol) }
	if owed.Sign() == 0 {
		return nil, false, "no proceeds to stake"
	}
	want := new(big.Int).Sub(owed, keep)
	if want.Sign() <= 0 {
		return nil, false, fmt.Sprintf("proceeds of %s do not exceed --keep %s: all kept", coin(owed), coin(keep))
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
		return nil, false, fmt.Sprintf("the balance of %s leaves nothing to stake after --keep %s and gas", coin(balance), coin(keep))
	case amt.Cmp(minimum) < 0:
		return nil, true, fmt.Sprintf("%s to stake is below --min %s: kept for a later run", coin(amt), coin(minimum))
	case capped:
		return amt, false, fmt.Sprintf("staked %s of %s proceeds: the balance keeps --keep %s and gas", coin(amt), coin(want), coin(keep))
	}
	return amt, false, fmt.Sprintf("staked the proceeds of %s minus --keep %s", coin(owed), coin(keep))
}

// gasReserve is the most the stake transaction can cost at today's fees
// (head and tip as feeReads read them).
func gasReserve(env *txcmd.Env, head *types.Header, tip *big.Int) (*big.Int, error) {
	maxFee := new(big.Int)
	if env.Tx.MaxFee != "" {
		v, err := amount.GweiToWei(env.Tx.MaxFee)
		if err != nil {
			return nil, cmdutil.BadInputf("--max-fee: %w", err)
		}
		maxFee = v
	} else {
		if head.BaseFee != nil {
			maxFee.Mul(head.BaseFee, big.NewInt(2))
		}
		maxFee.Add(maxFee, tip)
	}
	gas := uint64(stakeGasReserve)
	if env.Tx.GasLimit > 0 {
		gas = env.Tx.GasLimit
	}
	return maxFee.Mul(maxFee, new(big.Int).SetUint64(gas)), nil
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

func parseAmount(flag, s string, native protocol.Token) (*big.Int, error) {
	v, err := amount.Parse(s, native.Decimals)
	if err != nil {
		return nil, cmdutil.BadInput(fmt.Errorf("%s: %w", flag, err))
	}
	return v, nil
}

// Result is what restake did. Claim and Stake are the claim and stake
// commands' own results (null when that step did not run); Claimed and
// Staked sum them up; Transactions lists both steps' transactions.
type Result struct {
	Action   string `json:"action"`
	Network  string `json:"network"`
	ChainID  uint64 `json:"chainId"`
	From     string `json:"from"`
	Protocol string `json:"protocol"`
	// Symbol and Decimals are the native coin's (or the protocol's
	// RoleUnderlying token's, such as POL), which every amount below is in
	// (base units).
	Symbol      string        `json:"symbol"`
	Decimals    uint8         `json:"decimals"`
	Keep        string        `json:"keep"`
	Min         string        `json:"min"`
	CarriedOver string        `json:"carriedOver"`
	Claimed     *Claimed      `json:"claimed"`
	Staked      *Staked       `json:"staked"`
	Owed        string        `json:"owed"`
	Claim       *claim.Result `json:"claim"`
	Stake       *stake.Result `json:"stake"`
	// Rewards is the restaking of delegation rewards (protocol.Rewarder).
	Rewards     *claim.RewardsResult `json:"rewards,omitempty"`
	NothingToDo bool                 `json:"nothingToDo"`
	Message     string               `json:"message"`
	DryRun      bool                 `json:"dryRun,omitempty"`
	// Transactions are the claim's then the stake's (never null).
	Transactions []txcmd.TxDoc `json:"transactions"`

	native protocol.Token
	owed   *big.Int
	why    string
}

// Claimed is what this run claimed.
type Claimed struct {
	RequestIDs []string `json:"requestIds"`
	Amount     string   `json:"amount"`
}

// Staked is what this run staked.
type Staked struct {
	Amount string `json:"amount"`
}

func newResult(env *txcmd.Env, p protocol.Protocol, keep, minimum, carried *big.Int) *Result {
	native := env.Native()
	return &Result{
		Action: "restake", Network: env.Net.Name, ChainID: env.Net.ChainID, From: env.From.Hex(),
		Protocol: p.Name(), Symbol: native.Symbol, Decimals: native.Decimals,
		Keep: keep.String(), Min: minimum.String(), CarriedOver: carried.String(),
		DryRun: env.Tx.DryRun, native: native,
	}
}

// finish fills the summary fields once both steps ran.
func (r *Result) finish(owed *big.Int) {
	r.owed = owed
	r.Owed = owed.String()
	r.NothingToDo = r.Claimed == nil && r.Staked == nil && r.Rewards == nil
	r.Message = r.message()
	r.Transactions = []txcmd.TxDoc{}
	if r.Claim != nil && r.Claim.Result != nil {
		r.Transactions = append(r.Transactions, r.Claim.Transactions...)
	}
	if r.Rewards != nil && r.Rewards.Result != nil {
		r.Transactions = append(r.Transactions, r.Rewards.Transactions...)
	}
	if r.Stake != nil && r.Stake.Result != nil {
		r.Transactions = append(r.Transactions, r.Stake.Transactions...)
	}
}

func (r *Result) message() string {
	var parts []string
	if r.Claimed != nil {
		v, _ := new(big.Int).SetString(r.Claimed.Amount, 10)
		parts = append(parts, fmt.Sprintf("claimed %s from %s", amount.FormatUnits(v, r.native.Decimals, r.native.Symbol), cmdutil.Plural(len(r.Claimed.RequestIDs), "request")))
	}
	if r.Rewards != nil {
		parts = append(parts, fmt.Sprintf("restaked %s of rewards", amount.FormatUnits(r.Rewards.Total, r.native.Decimals, r.native.Symbol)))
	}
	if r.why != "" {
		parts = append(parts, r.why)
	}
	msg := strings.Join(parts, "; ")
	if r.NothingToDo {
		msg = "Nothing to do: no claimable requests, " + msg
	}
	if r.DryRun {
		msg = "Dry run: would have " + msg
	}
	return msg
}

// showClaim prints the claim's result on stderr when a later step fails,
// so that the hashes of claims already sent are not lost (with --json the
// error document is all stdout may carry).
func (r *Result) showClaim(ios *iostreams.IOStreams) {
	if r.Claim == nil || r.Claim.Result == nil || !r.Claim.Sent() {
		return
	}
	r.Claim.RenderHuman(ios.ErrOut, output.NewStyles(ios))
}

// RenderHuman implements output.Human: the claim's and the stake's
// results as those commands print them, then one line on what restake
// decided.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	if r.Claim != nil {
		r.Claim.RenderHuman(w, st)
	}
	if r.Rewards != nil {
		r.Rewards.RenderHuman(w, st)
	}
	if r.Stake != nil {
		r.Stake.RenderHuman(w, st)
	}
	line := r.Message
	if !r.NothingToDo && !r.DryRun {
		line = st.OK.Render("✓ ") + "Restake: " + line
	}
	fmt.Fprintln(w, line+".")
	if r.owed != nil && r.owed.Sign() > 0 && !r.DryRun {
		fmt.Fprintln(w, st.Dim.Render(fmt.Sprintf("%s of proceeds is kept for a later run.", amount.FormatUnits(r.owed, r.native.Decimals, r.native.Symbol))))
	}
}

// batcher is a chain client that reads in one round trip (*chain.Client).
type batcher interface {
	Batch(ctx context.Context, elems []rpc.BatchElem) error
}

// batch answers elems in one round trip when the client batches, else
// one by one through fallback; the first failure is returned.
func batch(ctx context.Context, env *txcmd.Env, elems []rpc.BatchElem, fallback func() error) error {
	b, ok := env.Chain.(batcher)
	if !ok {
		return fallback()
	}
	err := b.Batch(ctx, elems)
	for _, e := range elems {
		err = errors.Join(err, e.Error)
	}
	return err
}

// nonces reads the account's mined and pending nonces (one round trip).
func nonces(ctx context.Context, env *txcmd.Env) (mined, pending uint64, err error) {
	var m, p hexutil.Uint64
	err = batch(ctx, env, []rpc.BatchElem{
		{Method: "eth_getTransactionCount", Args: []any{env.From, "latest"}, Result: &m},
		{Method: "eth_getTransactionCount", Args: []any{env.From, "pending"}, Result: &p},
	}, func() error {
		var err error
		if mined, err = env.Chain.NonceAt(ctx, env.From, nil); err != nil {
			return err
		}
		pending, err = env.Chain.PendingNonceAt(ctx, env.From)
		m, p = hexutil.Uint64(mined), hexutil.Uint64(pending)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("read the nonces of %s: %w", env.From.Hex(), err)
	}
	return uint64(m), uint64(p), nil
}

// feeReads reads the account's balance, the latest block and the priority
// fee (one round trip).
func feeReads(ctx context.Context, env *txcmd.Env) (balance *big.Int, head *types.Header, tip *big.Int, err error) {
	var bal, t hexutil.Big
	err = batch(ctx, env, []rpc.BatchElem{
		{Method: "eth_getBalance", Args: []any{env.From, "latest"}, Result: &bal},
		{Method: "eth_getBlockByNumber", Args: []any{"latest", false}, Result: &head},
		{Method: "eth_maxPriorityFeePerGas", Result: &t},
	}, func() error {
		b, err := env.Chain.BalanceAt(ctx, env.From, nil)
		if err != nil {
			return err
		}
		if head, err = env.Chain.HeaderByNumber(ctx, nil); err != nil {
			return err
		}
		tp, err := env.Chain.SuggestGasTipCap(ctx)
		bal, t = hexutil.Big(*b), hexutil.Big(*tp)
		return err
	})
	if err == nil && head == nil {
		err = errors.New("no latest block")
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read the balance of %s and the fees: %w", env.From.Hex(), err)
	}
	return (*big.Int)(&bal), head, (*big.Int)(&t), nil
}
