package sonic

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Delegations implements protocol.Rewarder: getStake and pendingRewards of
// owner on every validator (or target), in two round trips
// (lastValidatorID, then one aggregate3 eth_call); one with a target.
func (a *Sonic) Delegations(ctx context.Context, owner common.Address, target string) ([]protocol.Delegation, error) {
	ids, err := a.targetIDs(ctx, target)
	if err != nil {
		return nil, err
	}
	ds, _, err := a.delegations(ctx, owner, ids)
	return ds, err
}

// ClaimRewards implements protocol.Rewarder: claimRewards(id) for each
// delegation with pending rewards.
func (a *Sonic) ClaimRewards(ctx context.Context, owner common.Address, target string) ([]protocol.Call, error) {
	return a.rewardCalls(ctx, owner, target, "claimRewards")
}

// RestakeRewards implements protocol.Rewarder: restakeRewards(id) for each
// delegation with pending rewards to an active validator (the SFC refuses
// to delegate to another: those are left out, or refused when named).
func (a *Sonic) RestakeRewards(ctx context.Context, owner common.Address, target string) ([]protocol.Call, error) {
	return a.rewardCalls(ctx, owner, target, "restakeRewards")
}

func (a *Sonic) rewardCalls(ctx context.Context, owner common.Address, target, method string) ([]protocol.Call, error) {
	ids, err := a.targetIDs(ctx, target)
	if err != nil {
		return nil, err
	}
	ds, vals, err := a.delegations(ctx, owner, ids)
	if err != nil {
		return nil, err
	}
	var out []protocol.Call
	skipped := ""
	for i, d := range ds {
		if d.Rewards.Sign() == 0 {
			continue
		}
		if method == "restakeRewards" && vals[i].Status.Sign() != 0 {
			if target != "" {
				return nil, &protocol.LimitError{Reason: fmt.Sprintf("Sonic validator %s is %s: its rewards cannot be restaked to it; claim them with `stakewallet claim --rewards`", d.Target, vals[i].statusText())}
			}
			skipped = d.Target
			continue
		}
		id, err := ParseValidator(d.Target)
		if err != nil {
			return nil, err
		}
		data, err := pack(a.abis.sfc, method, u64(id))
		if err != nil {
			return nil, err
		}
		c := protocol.Call{
			Action:      "claimRewards",
			Description: fmt.Sprintf("Claim %s of rewards from Sonic validator %s", a.fmt(d.Rewards), d.Target),
			To:          a.sfc, Data: data, Amount: d.Rewards, Token: a.native, GasHint: gasRewards,
		}
		if method == "restakeRewards" {
			c.Action = "restakeRewards"
			c.Description = fmt.Sprintf("Restake %s of rewards to Sonic validator %s", a.fmt(d.Rewards), d.Target)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		where := "any Sonic validator"
		if target != "" {
			where = "Sonic validator " + target
		}
		reason := fmt.Sprintf("%s has no pending rewards on %s", owner.Hex(), where)
		if skipped != "" {
			reason += fmt.Sprintf(" that can be restaked (validator %s is not active: claim its rewards with `stakewallet claim --rewards`)", skipped)
		}
		return nil, &protocol.LimitError{Reason: reason}
	}
	return out, nil
}
