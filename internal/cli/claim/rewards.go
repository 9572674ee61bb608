package claim

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// RewardsResult is what `claim --rewards` (and restake's rewards part)
// did: the transactions, one per delegation, and the total.
type RewardsResult struct {
	*txcmd.Result
	// Total is the rewards claimed or restaked, in base units.
	Total *big.Int `json:"-"`
}

// NoRewarder is the refusal for a protocol without separate rewards.
func NoRewarder(p protocol.Protocol) error {
	why := "its rewards accrue to the stake itself"
	if p.Name() == "bnb" {
		why = "BNB Chain staking compounds rewards into the stake by itself (each StakeCredit share is worth more BNB over time)"
	}
	return cmdutil.BadInputf("%s has no rewards to claim: %s; `stakewallet balance` shows what your stake is worth", p.DisplayName(), why)
}

// claimRewardsRun is `claim --rewards [--validator V]`.
func claimRewardsRun(ctx context.Context, opts *ClaimOptions, env *txcmd.Env, p protocol.Protocol) error {
	if !opts.Rewards {
		return cmdutil.BadInputf("--validator goes with --rewards: a withdrawal request's id already names its validator")
	}
	if len(opts.IDs) > 0 {
		return cmdutil.BadInputf("claim --rewards takes no request ids (claim them with `stakewallet claim %s`)", strings.Join(opts.IDs, " "))
	}
	rw, ok := p.(protocol.Rewarder)
	if !ok {
		return NoRewarder(p)
	}
	target, err := cmdutil.ValidatorTarget(ctx, p, opts.Validator, cmdutil.ForUnstake)
	if err != nil {
		return err
	}
	calls, err := rw.ClaimRewards(ctx, env.From, target)
	if err != nil {
		return err
	}
	res, err := RunRewards(ctx, env, p, calls, "claimRewards", "Claim")
	if err != nil {
		return err
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// RunRewards previews and sends reward calls (ClaimRewards or
// RestakeRewards): verb is "Claim" or "Restake".
func RunRewards(ctx context.Context, env *txcmd.Env, p protocol.Protocol, calls []protocol.Call, action, verb string) (*RewardsResult, error) {
	total := new(big.Int)
	out := &RewardsResult{}
	var token protocol.Token
	for _, c := range calls {
		if c.Amount != nil {
			total.Add(total, c.Amount)
		}
		token = c.Token
	}
	if token.Symbol == "" {
		token = env.Native()
	}
	out.Total = total
	req := &txcmd.Request{
		Action:   action,
		Title:    fmt.Sprintf("%s %s of rewards from %s (%s)", verb, amount.FormatUnits(total, token.Decimals, token.Symbol), p.DisplayName(), cmdutil.Plural(len(calls), "delegation")),
		Protocol: p,
		Calls:    calls,
		Amount:   total,
		Token:    token,
		After:    func(context.Context, []*types.Receipt) error { return nil },
	}
	if token.IsNative() {
		req.Token = protocol.Token{}
	}
	var err error
	out.Result, err = env.Run(ctx, req)
	if err != nil {
		return nil, err
	}
	return out, nil
}
