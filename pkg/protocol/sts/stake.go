package sts

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Constants of SonicStaking (not read on-chain: they are constants in the
// contract's code).
var (
	// minDeposit is MIN_DEPOSIT: 0.01 S.
	minDeposit = big.NewInt(1e16)
	// minUndelegateShares is MIN_UNDELEGATE_AMOUNT_SHARES.
	minUndelegateShares = big.NewInt(1e12)
)

const (
	// speculativeValidators is how many validator ids Unstake reads (in
	// one aggregate3 call of its one batch) before it knows lastValidatorID;
	// more ids cost a second round trip.
	speculativeValidators = 100
	// rateMarginBips is kept free on a validator's stake when choosing it:
	// rewards claimed between the read and the undelegation raise the rate,
	// and with it the S that the same stS is worth (UndelegateAmountExceedsDelegated).
	rateMarginBips = 10
	// maxPerMany bounds the validators of one undelegateMany.
	maxPerMany = 20

	gasDeposit        = 120_000
	gasUndelegate     = 220_000
	gasUndelegateMany = 200_000 // per validator
	gasUndelegatePool = 150_000
	gasWithdraw       = 150_000 // per request
	// gasPoolRefill is what a deposit into an emptied pool costs more than
	// one into a non-empty pool (SSTORE zero → non-zero).
	gasPoolRefill = 17_100
)

// Stake implements protocol.Protocol: one deposit() carrying the amount.
// The minimum (MIN_DEPOSIT, a constant) is checked here; whether deposits
// are paused is a Check the wallet reads in its own batch. No round trip.
func (s *STS) Stake(_ context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	if r.Target != "" {
		return nil, &protocol.LimitError{Reason: "Beets stS pools deposits and its operator delegates them to validators: --validator is not taken by stake (unstake takes it)"}
	}
	amt := r.Amount
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "stake amount must be greater than zero"}
	}
	if amt.Cmp(minDeposit) < 0 {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("stS takes deposits of at least %s; %s is too small",
			amount.FormatUnits(minDeposit, s.native.Decimals, s.native.Symbol), amount.FormatUnits(amt, s.native.Decimals, s.native.Symbol))}
	}
	data, err := pack(s.abis.sts, "deposit")
	if err != nil {
		return nil, err
	}
	paused, err := s.pausedCheck("depositPaused", "Beets has paused stS deposits; try again later")
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "stake",
		Description: fmt.Sprintf("Stake %s with Beets for stS", amount.FormatUnits(amt, s.native.Decimals, s.native.Symbol)),
		To:          s.sts,
		Value:       new(big.Int).Set(amt),
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       s.native,
		GasHint:     gasDeposit,
		// deposit() adds to totalPool, which the operator's delegation of
		// the pool can empty between our estimate and inclusion: the write
		// is then zero → non-zero, 17,100 gas more than estimated (22,100
		// cold against 5,000), more than the 20% margin of a ~75k deposit.
		GasExtra: gasPoolRefill,
		Checks:   []protocol.Check{paused},
	}}, nil
}

// pausedCheck refuses when the boolean getter method of stS is true.
func (s *STS) pausedCheck(method, reason string) (protocol.Check, error) {
	m, err := s.msg(s.abis.sts, s.sts, method)
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		paused, err := unpackBool(s.abis.sts, method, ret)
		if err != nil {
			return err
		}
		if paused {
			return &protocol.LimitError{Reason: reason}
		}
		return nil
	}}, nil
}

// balanceCheck refuses when owner holds less than amt stS.
func (s *STS) balanceCheck(owner common.Address, amt *big.Int) (protocol.Check, error) {
	m, err := s.msg(s.abis.sts, s.sts, "balanceOf", owner)
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		bal, err := unpackBig(s.abis.sts, "balanceOf", ret)
		if err != nil {
			return err
		}
		if bal.Cmp(amt) < 0 {
			return &protocol.LimitError{Reason: fmt.Sprintf("insufficient stS balance: have %s, need %s", amount.Format(bal, 18), amount.Format(amt, 18))}
		}
		return nil
	}}, nil
}

// validatorStake is what Unstake knows of one validator: stS's delegation
// to it and whether it is slashed.
type validatorStake struct {
	id      *big.Int
	stake   *big.Int
	slashed bool
}

// unstakeState is the one batch Unstake reads.
type unstakeState struct {
	assets     *big.Int // convertToAssets(amount)
	pool       *big.Int // totalPool()
	last       uint64   // SFC.lastValidatorID()
	validators []validatorStake
}

// Unstake implements protocol.Protocol. stS is undelegated from a
// validator the pool delegates to: undelegate(validatorId, shares) burns the
// shares and starts the SFC's withdrawal of the S they are worth. Which
// validator: the calldata names it, so Unstake reads, in one batch,
// convertToAssets(shares), totalPool and, for each validator id, stS's
// delegation (SFC.getStake) and whether it is slashed; it picks the
// unslashed validator with the largest delegation that covers the amount
// (keeping a 0.1% margin for the rate to move). When none covers it alone,
// it splits the amount over several with undelegateMany; when even that is
// short but the undelegated pool holds enough, it uses undelegateFromPool.
// --validator (r.Target, a validator id) overrides the choice. Whether
// undelegations are paused and the owner's stS balance are Checks.
func (s *STS) Unstake(ctx context.Context, r protocol.UnstakeRequest) ([]protocol.Call, error) {
	if err := s.checkToken(r.Token); err != nil {
		return nil, err
	}
	amt := r.Amount
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "unstake amount must be greater than zero"}
	}
	if amt.Cmp(minUndelegateShares) < 0 {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("stS undelegates at least %s stS (MIN_UNDELEGATE_AMOUNT_SHARES); %s is too small",
			amount.Format(minUndelegateShares, 18), amount.Format(amt, 18))}
	}
	var target *big.Int
	if r.Target != "" {
		t, ok := new(big.Int).SetString(strings.TrimSpace(r.Target), 10)
		if !ok || t.Sign() <= 0 || t.BitLen() > 64 {
			return nil, &protocol.LimitError{Reason: fmt.Sprintf("--validator %q: stS undelegates from an SFC validator id, a positive whole number", r.Target)}
		}
		target = t
	}
	st, err := s.readUnstakeState(ctx, amt, target)
	if err != nil {
		return nil, err
	}
	balance, err := s.balanceCheck(r.Owner, amt)
	if err != nil {
		return nil, err
	}
	worth := amount.FormatUnits(st.assets, s.native.Decimals, s.native.Symbol)

	if target != nil {
		v := st.validators[0]
		switch {
		case target.Uint64() > st.last:
			return nil, &protocol.LimitError{Reason: fmt.Sprintf("validator %s does not exist: the SFC's validator ids run from 1 to %d", target, st.last)}
		case v.slashed:
			return nil, &protocol.LimitError{Reason: fmt.Sprintf("validator %s is slashed: its stake cannot be withdrawn in full; choose another --validator or leave it out", target)}
		case v.stake.Cmp(st.assets) < 0:
			return nil, &protocol.LimitError{Reason: fmt.Sprintf("stS has %s delegated to validator %s, less than the %s that %s stS is worth; choose another --validator or leave it out",
				amount.FormatUnits(v.stake, s.native.Decimals, s.native.Symbol), target, worth, amount.Format(amt, 18))}
		}
		return s.undelegateCalls([]*big.Int{target}, []*big.Int{amt}, amt, worth, balance)
	}

	ids, shares := chooseValidators(st, amt)
	if ids != nil {
		return s.undelegateCalls(ids, shares, amt, worth, balance)
	}
	if st.assets.Cmp(st.pool) <= 0 {
		return s.undelegateFromPoolCall(amt, worth, balance)
	}
	return nil, &protocol.LimitError{Reason: fmt.Sprintf("stS cannot undelegate %s stS (%s) now: its delegations to unslashed validators and its undelegated pool (%s) are each too small; unstake less",
		amount.Format(amt, 18), worth, amount.FormatUnits(st.pool, s.native.Decimals, s.native.Symbol))}
}

// chooseValidators picks one validator that covers the amount, else splits
// it over the largest delegations (at most maxPerMany, each part at least
// MIN_UNDELEGATE_AMOUNT_SHARES); nil when they cannot cover it.
func chooseValidators(st *unstakeState, shares *big.Int) (ids, parts []*big.Int) {
	usable := func(v validatorStake) *big.Int { // stake less the margin
		m := new(big.Int).Mul(v.stake, big.NewInt(rateMarginBips))
		return m.Sub(v.stake, m.Div(m, big.NewInt(10_000)))
	}
	cands := slices.Clone(st.validators)
	cands = slices.DeleteFunc(cands, func(v validatorStake) bool { return v.slashed || v.stake.Sign() == 0 })
	// Largest delegation first; ties by the lower id, for a stable choice.
	slices.SortStableFunc(cands, func(a, b validatorStake) int {
		if c := b.stake.Cmp(a.stake); c != 0 {
			return c
		}
		return a.id.Cmp(b.id)
	})
	if len(cands) == 0 || st.assets.Sign() == 0 {
		return nil, nil
	}
	if usable(cands[0]).Cmp(st.assets) >= 0 {
		return []*big.Int{cands[0].id}, []*big.Int{new(big.Int).Set(shares)}
	}
	remaining := new(big.Int).Set(shares)
	for _, v := range cands {
		if remaining.Sign() == 0 || len(ids) == maxPerMany {
			break
		}
		// shares worth at most usable(v): usable × shares / assets, rounded down.
		capShares := new(big.Int).Mul(usable(v), shares)
		capShares.Div(capShares, st.assets)
		take := new(big.Int).Set(remaining)
		if take.Cmp(capShares) > 0 {
			take = capShares
		}
		if take.Cmp(minUndelegateShares) < 0 {
			continue
		}
		// Never leave a remainder below the minimum for the next part.
		if rest := new(big.Int).Sub(remaining, take); rest.Sign() > 0 && rest.Cmp(minUndelegateShares) < 0 {
			take.Sub(take, new(big.Int).Sub(minUndelegateShares, rest))
			if take.Cmp(minUndelegateShares) < 0 {
				continue
			}
		}
		ids = append(ids, v.id)
		parts = append(parts, take)
		remaining.Sub(remaining, take)
	}
	if remaining.Sign() != 0 {
		return nil, nil
	}
	return ids, parts
}

func (s *STS) checkToken(t protocol.Token) error {
	switch {
	case t.Address == s.sts && t.Address != (common.Address{}):
		return nil
	case t.Address == (common.Address{}) && (t.Symbol == "" || strings.EqualFold(t.Symbol, "stS")):
		return nil
	}
	name := t.Symbol
	if name == "" {
		name = t.Address.Hex()
	}
	return &protocol.LimitError{Reason: fmt.Sprintf("Beets stS unstakes stS, not %s", name)}
}

// readUnstakeState makes Unstake's one batch: convertToAssets, totalPool,
// lastValidatorID and stS's delegation to each validator (SFC.getStake and
// isSlashed): of the target alone, or of ids 1..speculativeValidators
// folded into one Multicall3 aggregate3 call. A second round trip only when
// there are more validators, or the node has no Multicall3 (then plain
// batched calls).
func (s *STS) readUnstakeState(ctx context.Context, shares, target *big.Int) (*unstakeState, error) {
	var msgs []ethereum.CallMsg
	for _, h := range []struct {
		sts    bool
		method string
		args   []any
	}{
		{true, "convertToAssets", []any{shares}},
		{true, "totalPool", nil},
		{false, "lastValidatorID", nil},
	} {
		a, to := s.abis.sfc, s.sfc
		if h.sts {
			a, to = s.abis.sts, s.sts
		}
		m, err := s.msg(a, to, h.method, h.args...)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	var ids []*big.Int
	if target != nil {
		ids = []*big.Int{target}
		vm, err := s.validatorMsgs(ids)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, vm...)
	} else {
		ids = idRange(1, speculativeValidators)
		agg, err := s.aggregateMsg(ids)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, agg)
	}
	res, errs := protocol.CallAll(ctx, s.b, msgs)
	for i, e := range errs {
		if e != nil {
			return nil, fmt.Errorf("sts: read the pool and its delegations (call %d): %w", i, e)
		}
	}
	st := &unstakeState{}
	var err error
	if st.assets, err = unpackBig(s.abis.sts, "convertToAssets", res[0]); err != nil {
		return nil, err
	}
	if st.pool, err = unpackBig(s.abis.sts, "totalPool", res[1]); err != nil {
		return nil, err
	}
	last, err := unpackBig(s.abis.sfc, "lastValidatorID", res[2])
	if err != nil {
		return nil, err
	}
	if !last.IsUint64() || last.Uint64() > 1_000_000 {
		return nil, fmt.Errorf("sts: %w: lastValidatorID %s", protocol.ErrBadAnswer, last)
	}
	st.last = last.Uint64()
	if target != nil {
		st.validators, err = s.decodeValidators(ids, res[3:])
		return st, err
	}
	ids = ids[:min(uint64(len(ids)), st.last)]
	vs, ok, err := s.decodeAggregate(ids, res[3])
	if err != nil {
		return nil, err
	}
	if !ok {
		// No Multicall3 on this node: every validator in plain batched calls.
		if st.validators, err = s.readValidators(ctx, idRange(1, st.last)); err != nil {
			return nil, err
		}
		return st, nil
	}
	st.validators = vs
	if st.last > speculativeValidators {
		more, err := s.readValidators(ctx, idRange(speculativeValidators+1, st.last))
		if err != nil {
			return nil, err
		}
		st.validators = append(st.validators, more...)
	}
	return st, nil
}

// readValidators reads getStake and isSlashed of ids: one aggregate3 when
// the node has Multicall3, else plain batched calls.
func (s *STS) readValidators(ctx context.Context, ids []*big.Int) ([]validatorStake, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	vm, err := s.validatorMsgs(ids)
	if err != nil {
		return nil, err
	}
	res, errs := protocol.CallAll(ctx, s.b, vm)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sts: read stS's delegations: %w", err)
	}
	return s.decodeValidators(ids, res)
}

// aggregateMsg folds validatorMsgs(ids) into one Multicall3 aggregate3.
func (s *STS) aggregateMsg(ids []*big.Int) (ethereum.CallMsg, error) {
	vm, err := s.validatorMsgs(ids)
	if err != nil {
		return ethereum.CallMsg{}, err
	}
	return s.aggregate(vm)
}

// aggregate folds reads into one Multicall3 aggregate3 eth_call (each
// allowed to fail, so that one bad read is reported as such).
func (s *STS) aggregate(msgs []ethereum.CallMsg) (ethereum.CallMsg, error) {
	m, err := protocol.Aggregate3(protocol.Reads3(msgs))
	if err != nil {
		return ethereum.CallMsg{}, fmt.Errorf("sts: %w", err)
	}
	return m, nil
}

// unpackAggregate returns the n return datas of aggregate3's answer, each
// of a read that succeeded.
func (s *STS) unpackAggregate(ret []byte, n int) ([][]byte, error) {
	results, err := protocol.Aggregate3Results(ret, n)
	if err != nil {
		return nil, fmt.Errorf("sts: %w", err)
	}
	out := make([][]byte, n)
	for i, r := range results {
		if !r.Success {
			return nil, fmt.Errorf("sts: read %d of an aggregate3 failed", i)
		}
		out[i] = r.ReturnData
	}
	return out, nil
}

// decodeAggregate decodes aggregate3's answer for the first len(ids)
// validators; ok is false when the node has no Multicall3 (empty answer).
func (s *STS) decodeAggregate(ids []*big.Int, ret []byte) ([]validatorStake, bool, error) {
	if len(ret) == 0 {
		return nil, false, nil
	}
	raw, err := s.unpackAggregate(ret, 2*len(ids))
	if err != nil {
		return nil, false, err
	}
	vs, err := s.decodeValidators(ids, raw)
	return vs, err == nil, err
}

func idRange(from, to uint64) []*big.Int {
	var out []*big.Int
	for i := from; i <= to; i++ {
		out = append(out, new(big.Int).SetUint64(i))
	}
	return out
}

// validatorMsgs reads SFC.getStake(stS, id) and SFC.isSlashed(id) per id.
func (s *STS) validatorMsgs(ids []*big.Int) ([]ethereum.CallMsg, error) {
	var msgs []ethereum.CallMsg
	for _, id := range ids {
		m1, err := s.msg(s.abis.sfc, s.sfc, "getStake", s.sts, id)
		if err != nil {
			return nil, err
		}
		m2, err := s.msg(s.abis.sfc, s.sfc, "isSlashed", id)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m1, m2)
	}
	return msgs, nil
}

func (s *STS) decodeValidators(ids []*big.Int, res [][]byte) ([]validatorStake, error) {
	if len(res) != 2*len(ids) {
		return nil, fmt.Errorf("sts: %d answers for %d validators", len(res), len(ids))
	}
	out := make([]validatorStake, len(ids))
	for i, id := range ids {
		stake, err := unpackBig(s.abis.sfc, "getStake", res[2*i])
		if err != nil {
			return nil, err
		}
		slashed, err := unpackBool(s.abis.sfc, "isSlashed", res[2*i+1])
		if err != nil {
			return nil, err
		}
		out[i] = validatorStake{id: id, stake: stake, slashed: slashed}
	}
	return out, nil
}

func (s *STS) undelegateCalls(ids, shares []*big.Int, total *big.Int, worth string, balance protocol.Check) ([]protocol.Call, error) {
	paused, err := s.pausedCheck("undelegatePaused", "Beets has paused stS undelegations; try again later")
	if err != nil {
		return nil, err
	}
	var data []byte
	var desc string
	var gas uint64
	if len(ids) == 1 {
		data, err = pack(s.abis.sts, "undelegate", ids[0], shares[0])
		desc = fmt.Sprintf("Unstake %s stS (≈ %s) from Beets via validator %s; claimable after stS's withdrawal delay", amount.Format(total, 18), worth, ids[0])
		gas = gasUndelegate
	} else {
		data, err = pack(s.abis.sts, "undelegateMany", ids, shares)
		strs := make([]string, len(ids))
		for i, id := range ids {
			strs[i] = id.String()
		}
		desc = fmt.Sprintf("Unstake %s stS (≈ %s) from Beets via validators %s; claimable after stS's withdrawal delay", amount.Format(total, 18), worth, strings.Join(strs, ", "))
		gas = gasUndelegateMany * uint64(len(ids))
	}
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "undelegate",
		Description: desc,
		To:          s.sts,
		Data:        data,
		Amount:      new(big.Int).Set(total),
		Token:       s.stsToken(),
		GasHint:     gas,
		Checks:      []protocol.Check{paused, balance},
	}}, nil
}

func (s *STS) undelegateFromPoolCall(shares *big.Int, worth string, balance protocol.Check) ([]protocol.Call, error) {
	paused, err := s.pausedCheck("undelegateFromPoolPaused", "Beets has paused stS undelegations from the pool, and no validator holds enough; try again later or unstake less")
	if err != nil {
		return nil, err
	}
	data, err := pack(s.abis.sts, "undelegateFromPool", shares)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "undelegate",
		Description: fmt.Sprintf("Unstake %s stS (≈ %s) from Beets' undelegated pool; claimable after stS's withdrawal delay", amount.Format(shares, 18), worth),
		To:          s.sts,
		Data:        data,
		Amount:      new(big.Int).Set(shares),
		Token:       s.stsToken(),
		GasHint:     gasUndelegatePool,
		Checks:      []protocol.Check{paused, balance},
	}}, nil
}
