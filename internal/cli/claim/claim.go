// Package claim implements `stakewallet claim`, and the claiming that
// `withdrawals wait --claim` and `restake` share with it.
package claim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// ClaimOptions are the claim command's inputs.
type ClaimOptions struct {
	txcmd.Deps
	JSON bool
	Tx   cmdutil.TxFlags

	IDs          []string
	ProtocolName string
	// Rewards claims delegation rewards instead of requests (rewards.go);
	// Validator limits it to one delegation.
	Rewards   bool
	Validator string
}

// NewCmdClaim returns the claim command; runF replaces its body in tests.
func NewCmdClaim(f *cmdutil.Factory, runF func(*ClaimOptions) error) *cobra.Command {
	opts := &ClaimOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags()}
	cmd := &cobra.Command{
		Use:   "claim [ID...]",
		Short: "Claim finalized withdrawal requests",
		Long: `Claim the given withdrawal requests, or every claimable request of the
signer's account when no ID is given. Checkpoint hints are found on-chain and
the ids go into as few claimWithdrawals transactions as the gas limit allows
(--gas-limit, else the block's, capped at 2^24 per transaction by EIP-7825).
An id that was already claimed is reported and skipped, never sent again; a
pending id or one owned by another account is refused (exit 2) and nothing is
sent.

Beets stS (--protocol sts): a claim is withdraw(id, false), never an emergency
withdrawal. withdraw(id, true) would accept a slashing loss (the SFC pays a
slashed validator's stake less the penalty, or nothing) and skip the check that
the SFC paid in full; stakewallet never sends it, and refuses a claim whose
validator is slashed.

--rewards claims the pending rewards of the signer's delegations instead (of
every delegation, or of the one --validator names): claimRewards on Sonic,
withdrawRewardsPOL on Polygon. BNB Chain staking has no rewards to claim: they
compound into the stake by themselves. ` + "`stakewallet restake`" + ` re-delegates them.`,
		Example: `  stakewallet claim --signer alice
  stakewallet claim 12 13 --signer alice --yes --json
  stakewallet claim --rewards --protocol sonic --signer alice`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return claimRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProtocolName, "protocol", "", "protocol (default: the network's)")
	cmd.Flags().BoolVar(&opts.Rewards, "rewards", false, "claim the pending rewards of your delegations instead of withdrawal requests")
	cmd.Flags().StringVar(&opts.Validator, "validator", "", "with --rewards: only the delegation to this validator")
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	return cmd
}

func claimRun(ctx context.Context, opts *ClaimOptions) error {
	env, err := txcmd.Setup(ctx, opts.Deps, opts.JSON, opts.Tx)
	if err != nil {
		return err
	}
	defer env.Close()
	p, err := opts.Protocol(ctx, opts.ProtocolName)
	if err != nil {
		return err
	}
	if opts.Rewards || opts.Validator != "" {
		return claimRewardsRun(ctx, opts, env, p)
	}
	reqs, err := cmdutil.Requests(p)
	if err != nil {
		return err
	}
	ids, err := cmdutil.ParseIDs(p, opts.IDs)
	if err != nil {
		return err
	}
	ws, err := reqs.Withdrawals(ctx, env.From, ids)
	if err != nil {
		return err
	}
	var claimed []protocol.RequestID
	if len(ids) > 0 {
		var problems []string
		claimable := 0
		for _, w := range ws {
			switch {
			case w.Status == protocol.StatusClaimed:
				claimed = append(claimed, w.ID)
			case w.Owner != env.From:
				problems = append(problems, fmt.Sprintf("request %s belongs to %s, not the signer %s", w.ID, w.Owner.Hex(), env.From.Hex()))
			case w.Status == protocol.StatusPending:
				problems = append(problems, pendingReason(ctx, env.Chain, reqs, env.From, w.ID))
			default: // claimable, or expired: the adapter's claim returns what it locked (sAVAX)
				claimable++
			}
		}
		if claimable == 0 {
			// Nothing left to send: the already-claimed ones are the reason.
			for _, id := range claimed {
				problems = append(problems, fmt.Sprintf("request %s was already claimed", id))
			}
		}
		if len(problems) > 0 {
			return cmdutil.BadInputf("nothing was sent: %s", strings.Join(problems, "; "))
		}
	}
	res, err := claimWithdrawals(ctx, env, p, ws, claimed, true)
	if err != nil {
		return err
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// Result is what a claim did: the ids claimed, those skipped as already
// claimed, and the transactions (none when there was nothing to claim).
type Result struct {
	*txcmd.Result
	RequestIDs     []string `json:"requestIds"`
	AlreadyClaimed []string `json:"alreadyClaimed"`
	// Total is what the claimed requests paid, in the native coin's base
	// units (restake stakes it).
	Total *big.Int `json:"-"`
}

// RenderHuman implements output.Human.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	if len(r.RequestIDs) == 0 && !r.DryRun {
		fmt.Fprintln(w, "Nothing to claim: no finalized, unclaimed withdrawal requests.")
		return
	}
	r.Result.RenderHuman(w, st)
	kv := &output.KV{}
	if r.Sent() {
		kv.Add("claimed ids", strings.Join(r.RequestIDs, ", "))
		if len(r.AlreadyClaimed) > 0 {
			kv.Add("already claimed", strings.Join(r.AlreadyClaimed, ", "))
		}
	}
	kv.Render(w, st)
}

// Claimable claims the claimable requests among ws (owned by the signer)
// in as few transactions as the gas limit allows. With none it returns a
// result without transactions: "nothing to do" is not an error for scripts.
func Claimable(ctx context.Context, env *txcmd.Env, p protocol.Protocol, ws []protocol.Withdrawal) (*Result, error) {
	return claimWithdrawals(ctx, env, p, ws, nil, false)
}

// Total is the native coin the claimable requests among ws pay now.
func Total(ws []protocol.Withdrawal) (ids []protocol.RequestID, total *big.Int) {
	total = new(big.Int)
	for _, w := range ws {
		if w.Status == protocol.StatusClaimable {
			ids = append(ids, w.ID)
			if w.Claimable != nil {
				total.Add(total, w.Claimable)
			}
		}
	}
	return ids, total
}

// withExpired also claims expired requests (`claim`; not the wait or restake).
func claimWithdrawals(ctx context.Context, env *txcmd.Env, p protocol.Protocol, ws []protocol.Withdrawal, alreadyClaimed []protocol.RequestID, withExpired bool) (*Result, error) {
	var mine []protocol.Withdrawal
	for _, w := range ws {
		// Claims pay the sender; someone else's request would only revert.
		if w.Owner == env.From {
			mine = append(mine, w)
		}
	}
	ids, total := Total(mine)
	for _, w := range mine {
		if withExpired && w.Status == protocol.StatusExpired {
			// A claim window passed: claiming returns what the request
			// locked (sAVAX: redeemOverdueShares), no native coin.
			ids = append(ids, w.ID)
		}
	}
	if len(alreadyClaimed) > 0 && !env.JSON {
		st := output.NewStyles(env.IO)
		fmt.Fprintln(env.IO.ErrOut, st.Dim.Render(fmt.Sprintf("Skipped %s already claimed: %s.", cmdutil.Plural(len(alreadyClaimed), "request"), cmdutil.JoinIDs(alreadyClaimed))))
	}
	out := &Result{RequestIDs: cmdutil.IDStrings(ids), AlreadyClaimed: cmdutil.IDStrings(alreadyClaimed), Total: total}
	if len(ids) == 0 {
		out.Result = env.NoOp("claim")
		return out, nil
	}
	calls, err := Calls(ctx, env, p, ids)
	if err != nil {
		return nil, err
	}
	native := env.Native()
	req := &txcmd.Request{
		Action:   "claim",
		Title:    fmt.Sprintf("Claim %s (%s) from %s", cmdutil.Plural(len(ids), "withdrawal request"), amount.FormatUnits(total, native.Decimals, native.Symbol), p.DisplayName()),
		Protocol: p,
		Calls:    calls,
		Amount:   total,
		After:    func(context.Context, []*types.Receipt) error { return nil },
	}
	if sp, ok := p.(protocol.StipendPayer); ok {
		// The owner's code, read in the batch: a contract cannot receive.
		req.Prepared = cmdutil.ReadStipendOwner(&req.Reads, env.From, sp.ClaimStipendNote())
	}
	out.Result, err = env.Run(ctx, req)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Calls builds the claim transactions for ids: as few as the gas limit
// allows when the protocol lets the caller size batches, else the
// protocol's own batching.
func Calls(ctx context.Context, env *txcmd.Env, p protocol.Protocol, ids []protocol.RequestID) ([]protocol.Call, error) {
	reqs, err := cmdutil.Requests(p)
	if err != nil {
		return nil, err
	}
	ids = slices.Clone(ids)
	bc, ok := p.(protocol.ClaimBatcher)
	if !ok {
		return reqs.Claim(ctx, env.From, ids)
	}
	n, ok, err := batchSize(ctx, env, bc, ids)
	if err != nil {
		return nil, err
	}
	if !ok {
		// The sample did not estimate (it would revert): let the protocol
		// batch, and the preview's simulation say why it fails.
		return reqs.Claim(ctx, env.From, ids)
	}
	return bc.ClaimBatches(ctx, ids, n)
}

const (
	// eip7825MaxGas is the per-transaction gas cap of EIP-7825 (Osaka).
	eip7825MaxGas = 1 << 24
	// sampleSize ids are estimated to learn the gas per claimed id; batches
	// this small fit any block, so they are not sampled.
	sampleSize = 20
	// gasMarginPercent matches the margin txflow adds to estimates.
	gasMarginPercent = 20
)

// batchSize is how many ids fit one claim transaction under the gas cap,
// from the estimate of a sample (base cost included, so it errs on the
// side of smaller batches).
func batchSize(ctx context.Context, env *txcmd.Env, bc protocol.ClaimBatcher, ids []protocol.RequestID) (int, bool, error) {
	limit := env.Tx.GasLimit
	if limit == 0 && len(ids) <= sampleSize {
		return len(ids), true, nil
	}
	if limit == 0 {
		head, err := env.Chain.HeaderByNumber(ctx, nil)
		if err != nil {
			return 0, false, fmt.Errorf("read the block gas limit: %w", err)
		}
		limit = min(head.GasLimit, eip7825MaxGas)
	}
	sample := ids[:min(len(ids), sampleSize)]
	calls, err := bc.ClaimBatches(ctx, sample, len(sample))
	if err != nil {
		return 0, false, err
	}
	c := calls[0]
	gas, err := env.Chain.EstimateGas(ctx, ethereum.CallMsg{From: env.From, To: &c.To, Data: c.Data, Value: c.Value})
	if err != nil {
		return 0, false, nil
	}
	return fitPerTx(gas, len(sample), limit, len(ids)), true, nil
}

// fitPerTx is how many ids fit in limit gas when sampleIDs ids took
// sampleGas, with txflow's margin, between 1 and total.
func fitPerTx(sampleGas uint64, sampleIDs int, limit uint64, total int) int {
	perID := sampleGas*(100+gasMarginPercent)/100/uint64(sampleIDs) + 1
	n := limit / perID
	return int(max(1, min(n, uint64(total))))
}

// pendingReason says why request id cannot be claimed yet: the adapter's
// own refusal of the claim when its Checks give one (Polygon names the
// epoch the unbond becomes claimable at), else the generic advice. Only
// on this error path does it cost reads.
func pendingReason(ctx context.Context, b protocol.Backend, reqs protocol.Requests, from common.Address, id protocol.RequestID) string {
	calls, err := reqs.Claim(ctx, from, []protocol.RequestID{id})
	if err == nil {
		_, err = protocol.RunChecks(ctx, b, calls)
	}
	if le := (*protocol.LimitError)(nil); errors.As(err, &le) {
		return fmt.Sprintf("request %s is still pending: %s", id, le.Reason)
	}
	return fmt.Sprintf("request %s is still pending (wait with `stakewallet withdrawals wait %s`)", id, id)
}
