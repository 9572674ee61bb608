package sonic

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Gas hints for the preview.
const (
	gasDelegate   = 200_000
	gasUndelegate = 250_000
	gasWithdraw   = 150_000
	gasRewards    = 200_000
)

// Stake implements protocol.Protocol: delegate(id) with the amount as
// value. No read: the rules are Checks read in the wallet's batch (the
// validator exists and is active). The SFC has no minimum delegation; its
// delegation limit (self-stake × maxDelegatedRatio) is judged by the
// simulation, whose revert the hints explain.
func (a *Sonic) Stake(_ context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	if r.Target == "" {
		return nil, &protocol.LimitError{Reason: "Sonic staking delegates to a validator: pass --validator ID (`stakewallet validators --protocol sonic` lists them)"}
	}
	id, err := ParseValidator(r.Target)
	if err != nil {
		return nil, err
	}
	if r.Amount == nil || r.Amount.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "stake amount must be greater than zero"}
	}
	data, err := pack(a.abis.sfc, "delegate", u64(id))
	if err != nil {
		return nil, err
	}
	check, err := a.activeCheck(id, "delegate to")
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "stake",
		Description: fmt.Sprintf("Delegate %s to Sonic validator %d", a.fmt(r.Amount), id),
		To:          a.sfc,
		Value:       new(big.Int).Set(r.Amount),
		Data:        data,
		Amount:      new(big.Int).Set(r.Amount),
		Token:       a.native,
		GasHint:     gasDelegate,
		Checks:      []protocol.Check{check},
	}}, nil
}

// activeCheck refuses an unknown validator and one that is not active.
func (a *Sonic) activeCheck(id uint64, what string) (protocol.Check, error) {
	m, err := a.sfcMsg("getValidator", u64(id))
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		v, err := a.decodeValidator(ret)
		if err != nil {
			return err
		}
		if !v.exists() {
			return &protocol.LimitError{Reason: fmt.Sprintf("Sonic has no validator %d: `stakewallet validators --protocol sonic` lists them", id)}
		}
		if v.Status.Sign() != 0 {
			return &protocol.LimitError{Reason: fmt.Sprintf("Sonic validator %d is %s: the SFC does not let you %s it; choose an active one (`stakewallet validators --protocol sonic`)", id, v.statusText(), what)}
		}
		return nil
	}}, nil
}

// Unstake implements protocol.Protocol: undelegate(id, wrID, amount) with
// the first free wrID of 0..WrIDSlots-1, read in one eth_call (the calldata
// depends on it: one round trip). The stake held is a Check.
func (a *Sonic) Unstake(ctx context.Context, r protocol.UnstakeRequest) ([]protocol.Call, error) {
	if r.Target == "" {
		return nil, &protocol.LimitError{Reason: "Sonic unstaking names the validator: pass --validator ID (`stakewallet balance` shows your delegations)"}
	}
	id, err := ParseValidator(r.Target)
	if err != nil {
		return nil, err
	}
	if !r.Token.IsNative() {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("Sonic stake is unstaked in %s, not %s", a.native.Symbol, r.Token.Symbol)}
	}
	if r.Amount == nil || r.Amount.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "unstake amount must be greater than zero"}
	}
	wr, err := a.freeWrID(ctx, r.Owner, id)
	if err != nil {
		return nil, err
	}
	data, err := pack(a.abis.sfc, "undelegate", u64(id), u64(wr), r.Amount)
	if err != nil {
		return nil, err
	}
	stake, err := a.sfcMsg("getStake", r.Owner, u64(id))
	if err != nil {
		return nil, err
	}
	want := new(big.Int).Set(r.Amount)
	check := protocol.Check{Msg: stake, Verify: func(ret []byte) error {
		have, err := unpackBig(a.abis.sfc, "getStake", ret)
		if err != nil {
			return err
		}
		if have.Cmp(want) < 0 {
			return &protocol.LimitError{Reason: fmt.Sprintf("%s has %s delegated to Sonic validator %d, less than %s", r.Owner.Hex(), a.fmt(have), id, a.fmt(want))}
		}
		return nil
	}}
	return []protocol.Call{{
		Action:      "unstake",
		Description: fmt.Sprintf("Undelegate %s from Sonic validator %d (request %s)", a.fmt(want), id, reqID{id, wr}.id()),
		To:          a.sfc,
		Data:        data,
		Amount:      new(big.Int).Set(want),
		Token:       a.native,
		GasHint:     gasUndelegate,
		Checks:      []protocol.Check{check},
	}}, nil
}

// freeWrID is the first wrID of 0..WrIDSlots-1 with no pending request of
// owner on validator id (one eth_call).
func (a *Sonic) freeWrID(ctx context.Context, owner common.Address, id uint64) (uint64, error) {
	calls := make([]protocol.Call3, WrIDSlots)
	for w := range calls {
		c, err := a.sfcCall("getWithdrawalRequest", owner, u64(id), big.NewInt(int64(w)))
		if err != nil {
			return 0, err
		}
		calls[w] = c
	}
	subs, _, err := a.aggregate(ctx, calls, nil)
	if err != nil {
		return 0, err
	}
	for w, ret := range subs {
		if ret == nil {
			return 0, fmt.Errorf("sonic: %w: getWithdrawalRequest failed on the SFC at %s", protocol.ErrBadAnswer, a.sfc.Hex())
		}
		req, err := unpackBigs(a.abis.sfc, "getWithdrawalRequest", ret, 3)
		if err != nil {
			return 0, err
		}
		if req[2].Sign() == 0 {
			return uint64(w), nil
		}
	}
	return 0, &protocol.LimitError{Reason: fmt.Sprintf("%s has %d pending requests on Sonic validator %d, as many as stakewallet tracks: claim some first (`stakewallet withdrawals`)", owner.Hex(), WrIDSlots, id)}
}
