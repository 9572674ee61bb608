package sonic

import (
	"context"
	"fmt"
	"math/big"
	"strconv"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Validators implements protocol.Validators in two round trips:
// lastValidatorID (with the epoch and constants of head), then every
// getValidator(1..last) in one aggregate3 eth_call. The SFC has no
// monikers and no per-validator commission (the ConstantsManager's
// validatorCommission applies to all): both are left empty. Status:
// active (0), offline, withdrawn, slashed (double-sign).
func (a *Sonic) Validators(ctx context.Context) ([]protocol.Validator, error) {
	last, _, _, err := a.head(ctx)
	if err != nil {
		return nil, err
	}
	calls := make([]protocol.Call3, 0, last)
	for id := uint64(1); id <= last; id++ {
		c, err := a.sfcCall("getValidator", u64(id))
		if err != nil {
			return nil, err
		}
		calls = append(calls, c)
	}
	subs, _, err := a.aggregate(ctx, calls, nil)
	if err != nil {
		return nil, err
	}
	var out []protocol.Validator
	for i, ret := range subs {
		v, err := a.decodeValidator(ret)
		if err != nil {
			return nil, err
		}
		if !v.exists() {
			continue
		}
		out = append(out, protocol.Validator{
			ID:         strconv.Itoa(i + 1),
			TotalStake: new(big.Int).Set(v.ReceivedStake),
			Status:     v.statusText(),
		})
	}
	return out, nil
}

// delegations reads owner's stake, pending rewards and the validator of
// each id in one aggregate3 eth_call.
func (a *Sonic) delegations(ctx context.Context, owner common.Address, ids []uint64) ([]protocol.Delegation, []validatorInfo, error) {
	var calls []protocol.Call3
	for _, id := range ids {
		for _, m := range []string{"getStake", "pendingRewards"} {
			c, err := a.sfcCall(m, owner, u64(id))
			if err != nil {
				return nil, nil, err
			}
			calls = append(calls, c)
		}
		c, err := a.sfcCall("getValidator", u64(id))
		if err != nil {
			return nil, nil, err
		}
		calls = append(calls, c)
	}
	subs, _, err := a.aggregate(ctx, calls, nil)
	if err != nil {
		return nil, nil, err
	}
	var out []protocol.Delegation
	var vals []validatorInfo
	for i, id := range ids {
		stake, err := unpackBig(a.abis.sfc, "getStake", subs[3*i])
		if err != nil {
			return nil, nil, err
		}
		rewards, err := unpackBig(a.abis.sfc, "pendingRewards", subs[3*i+1])
		if err != nil {
			return nil, nil, err
		}
		v, err := a.decodeValidator(subs[3*i+2])
		if err != nil {
			return nil, nil, err
		}
		if stake.Sign() == 0 && rewards.Sign() == 0 {
			continue
		}
		out = append(out, protocol.Delegation{
			Target: strconv.FormatUint(id, 10), Staked: stake, Token: a.native,
			Rewards: rewards, RewardToken: a.native,
		})
		vals = append(vals, v)
	}
	return out, vals, nil
}

func (a *Sonic) targetIDs(ctx context.Context, target string) ([]uint64, error) {
	if target != "" {
		id, err := ParseValidator(target)
		if err != nil {
			return nil, err
		}
		return []uint64{id}, nil
	}
	m, err := a.sfcMsg("lastValidatorID")
	if err != nil {
		return nil, err
	}
	ret, err := a.b.CallContract(ctx, m, nil)
	if err != nil {
		return nil, fmt.Errorf("sonic: read lastValidatorID: %w", err)
	}
	last, err := unpackBig(a.abis.sfc, "lastValidatorID", ret)
	if err != nil {
		return nil, err
	}
	if !last.IsUint64() || last.Uint64() > 100_000 {
		return nil, fmt.Errorf("sonic: %w: lastValidatorID %s", protocol.ErrBadAnswer, last)
	}
	ids := make([]uint64, 0, last.Uint64())
	for id := uint64(1); id <= last.Uint64(); id++ {
		ids = append(ids, id)
	}
	return ids, nil
}
