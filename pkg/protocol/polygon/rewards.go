package polygon

import (
	"context"
	"fmt"
	"math/big"
	"strconv"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Rewards (protocol.Rewarder): each ValidatorShare holds the delegator's
// liquid rewards in POL (getLiquidRewards); withdrawRewardsPOL pays them
// out and restakePOL buys shares with them. Both refuse less than the
// share's minAmount (1 POL on mainnet): "Too small rewards amount" / "Too
// small rewards to restake", which the simulation reports.
var _ protocol.Rewarder = (*Polygon)(nil)

// Delegations implements protocol.Rewarder: getTotalStake and
// getLiquidRewards of owner on every validator's ValidatorShare (or
// target's): in one round trip through the lens (lens.go), beside the
// first reads of the way without it, which continues where a node gives
// the lens no answer: one batch after the validators and their
// ValidatorShares are known (read once per adapter).
func (a *Polygon) Delegations(ctx context.Context, owner common.Address, target string) ([]protocol.Delegation, error) {
	var ids []uint64
	if target != "" {
		id, err := ParseValidator(target)
		if err != nil {
			return nil, err
		}
		ids = []uint64{id}
	}
	r := a.direct()
	if !a.lensOff.Load() {
		q := lensQuery{owners: []common.Address{owner}, ids: ids, delegations: true}
		if target == "" {
			q.ids = a.listedIDs()
		}
		first, err := a.firstReads(q.ids, target == "", func(shares map[uint64]common.Address) ([]ethereum.CallMsg, error) {
			return a.delegationMsgs(owner, q.ids, shares)
		})
		if err != nil {
			return nil, err
		}
		answers, ok, rets, errs := a.lensRound(ctx, []lensQuery{q}, first)
		if ok {
			return a.lensDelegations(q, answers[0])
		}
		r.prime(first, rets, errs)
	}
	return a.delegations(ctx, r, owner, ids)
}

// delegationMsgs are getTotalStake and getLiquidRewards of owner on each
// of ids.
func (a *Polygon) delegationMsgs(owner common.Address, ids []uint64, shares map[uint64]common.Address) ([]ethereum.CallMsg, error) {
	msgs := make([]ethereum.CallMsg, 0, 2*len(ids))
	for _, id := range ids {
		for _, m := range []string{"getTotalStake", "getLiquidRewards"} {
			c, err := msg(a.abis.share, shares[id], m, owner)
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, c)
		}
	}
	return msgs, nil
}

// delegations is Delegations without the lens, on ids (nil: every
// validator).
func (a *Polygon) delegations(ctx context.Context, r *reader, owner common.Address, ids []uint64) ([]protocol.Delegation, error) {
	if ids == nil {
		var err error
		if ids, err = a.validatorIDs(ctx, r); err != nil {
			return nil, err
		}
	}
	shares, err := a.shares(ctx, r, ids)
	if err != nil {
		return nil, err
	}
	msgs, err := a.delegationMsgs(owner, ids, shares)
	if err != nil {
		return nil, err
	}
	rets, errs := r.callAll(ctx, msgs)
	var out []protocol.Delegation
	for i, id := range ids {
		for j := range 2 {
			if errs[2*i+j] != nil {
				return nil, fmt.Errorf("polygon: read the delegation to validator %d: %w", id, errs[2*i+j])
			}
		}
		stake, err := unpackBigs(a.abis.share, "getTotalStake", rets[2*i], 2)
		if err != nil {
			return nil, err
		}
		rewards, err := unpackBig(a.abis.share, "getLiquidRewards", rets[2*i+1])
		if err != nil {
			return nil, err
		}
		if stake[0].Sign() == 0 && rewards.Sign() == 0 {
			continue
		}
		out = append(out, a.delegation(id, stake[0], rewards))
	}
	return out, nil
}

// delegation is a delegation to validator id.
func (a *Polygon) delegation(id uint64, staked, rewards *big.Int) protocol.Delegation {
	return protocol.Delegation{
		Target: strconv.FormatUint(id, 10), Staked: staked, Token: a.pol,
		Rewards: rewards, RewardToken: a.pol,
	}
}

// ClaimRewards implements protocol.Rewarder: withdrawRewardsPOL on each
// ValidatorShare with liquid rewards.
func (a *Polygon) ClaimRewards(ctx context.Context, owner common.Address, target string) ([]protocol.Call, error) {
	return a.rewardCalls(ctx, owner, target, "withdrawRewardsPOL")
}

// RestakeRewards implements protocol.Rewarder: restakePOL on each
// ValidatorShare with liquid rewards.
func (a *Polygon) RestakeRewards(ctx context.Context, owner common.Address, target string) ([]protocol.Call, error) {
	return a.rewardCalls(ctx, owner, target, "restakePOL")
}

func (a *Polygon) rewardCalls(ctx context.Context, owner common.Address, target, method string) ([]protocol.Call, error) {
	ds, err := a.Delegations(ctx, owner, target)
	if err != nil {
		return nil, err
	}
	var out []protocol.Call
	for _, d := range ds {
		if d.Rewards.Sign() == 0 {
			continue
		}
		id, err := ParseValidator(d.Target)
		if err != nil {
			return nil, err
		}
		share, err := a.share(ctx, id) // cached by Delegations
		if err != nil {
			return nil, err
		}
		data, err := pack(a.abis.share, method)
		if err != nil {
			return nil, err
		}
		c := protocol.Call{
			Action:      "claimRewards",
			Description: fmt.Sprintf("Claim %s of rewards from Polygon validator %d", a.fmt(d.Rewards), id),
			To:          share, Data: data, Amount: d.Rewards, Token: a.pol, GasHint: gasClaim,
		}
		if method == "restakePOL" {
			c.Action = "restakeRewards"
			c.Description = fmt.Sprintf("Restake %s of rewards to Polygon validator %d", a.fmt(d.Rewards), id)
			c.GasHint = gasBuy
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		where := "any Polygon validator"
		if target != "" {
			where = "Polygon validator " + target
		}
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s has no pending rewards on %s", owner.Hex(), where)}
	}
	return out, nil
}
