package bnb

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Validator statuses.
const (
	StatusActive   = "active"
	StatusJailed   = "jailed"
	StatusInactive = "inactive"
)

// operatorsMsg is the read getValidators(0, 0): every operator address
// with its StakeCredit, in the StakeHub's order.
func (a *BNB) operatorsMsg() (ethereum.CallMsg, error) {
	return msg(a.abis.hub, a.hub, "getValidators", new(big.Int), new(big.Int))
}

// operators reads getValidators(0, 0) and remembers the credits.
func (a *BNB) operators(ctx context.Context) ([]common.Address, []common.Address, error) {
	m, err := a.operatorsMsg()
	if err != nil {
		return nil, nil, err
	}
	ret, err := a.b.CallContract(ctx, m, nil)
	return a.keepOperators(ret, err)
}

// keepOperators decodes what getValidators(0, 0) answered (ret, err) and
// remembers the credits.
func (a *BNB) keepOperators(ret []byte, err error) ([]common.Address, []common.Address, error) {
	if err != nil {
		return nil, nil, fmt.Errorf("bnb: getValidators on %s: %w", a.hub.Hex(), err)
	}
	vals, err := unpack(a.abis.hub, "getValidators", ret)
	if err != nil {
		return nil, nil, err
	}
	ops, ok1 := vals[0].([]common.Address)
	credits, ok2 := vals[1].([]common.Address)
	if !ok1 || !ok2 || len(ops) != len(credits) {
		return nil, nil, fmt.Errorf("bnb: %w: getValidators returned %d operators and %d credits", protocol.ErrBadAnswer, len(ops), len(credits))
	}
	a.mu.Lock()
	for i, op := range ops {
		a.credits[op] = credits[i]
	}
	a.listed = ops
	a.mu.Unlock()
	return ops, credits, nil
}

// knownOperators is the operators of the last getValidators read, reading
// it when the adapter has not yet.
func (a *BNB) knownOperators(ctx context.Context) ([]common.Address, error) {
	a.mu.Lock()
	ops := a.listed
	a.mu.Unlock()
	if ops != nil {
		return ops, nil
	}
	ops, _, err := a.operators(ctx)
	return ops, err
}

// creditOf returns the StakeCredit of operator, reading getValidators once
// per adapter; ok is false for an operator the StakeHub does not know.
func (a *BNB) creditOf(ctx context.Context, operator common.Address) (common.Address, bool, error) {
	a.mu.Lock()
	c, ok := a.credits[operator]
	a.mu.Unlock()
	if ok {
		return c, true, nil
	}
	if _, _, err := a.operators(ctx); err != nil {
		return common.Address{}, false, err
	}
	a.mu.Lock()
	c, ok = a.credits[operator]
	a.mu.Unlock()
	return c, ok, nil
}

// Validators implements protocol.Validators in one round trip: the lens
// (lens.go) reads the list and everything below in one eth_call, with
// getValidators beside it. Without the lens (a node that refuses calls with
// no `to`, or an answer in doubt) it takes two: the operator and credit
// addresses (getValidators, the read that rode with the lens), then one
// batch of each validator's description, commission, basic info (jailed),
// its credit's pooled BNB and symbol, with maxElectedValidators. Both ways
// give the same list. A validator is jailed when the StakeHub says so,
// inactive when it is not jailed but outside the maxElectedValidators
// largest by stake (not elected), active otherwise.
func (a *BNB) Validators(ctx context.Context) ([]protocol.Validator, error) {
	first, err := a.operatorsMsg()
	if err != nil {
		return nil, err
	}
	vs, sent, ret, rerr := a.lensValidators(ctx, first)
	if vs != nil {
		return vs, nil
	}
	var ops, credits []common.Address
	if sent {
		ops, credits, err = a.keepOperators(ret, rerr)
	} else {
		ops, credits, err = a.operators(ctx)
	}
	if err != nil {
		return nil, err
	}
	return a.describe(ctx, ops, credits)
}

// describe reads, in one batch, what Validators lists of the validators
// ops (their credits credits) beside maxElectedValidators.
func (a *BNB) describe(ctx context.Context, ops, credits []common.Address) ([]protocol.Validator, error) {
	const per = 5
	msgs := make([]ethereum.CallMsg, 0, 1+per*len(ops))
	add := func(abiName string, to common.Address, method string, args ...any) error {
		ab := a.abis.hub
		if abiName == "credit" {
			ab = a.abis.credit
		}
		m, err := msg(ab, to, method, args...)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
		return nil
	}
	if err := add("hub", a.hub, "maxElectedValidators"); err != nil {
		return nil, err
	}
	for i, op := range ops {
		for _, r := range []struct {
			abi, method string
			to          common.Address
			args        []any
		}{
			{"hub", "getValidatorDescription", a.hub, []any{op}},
			{"hub", "getValidatorCommission", a.hub, []any{op}},
			{"hub", "getValidatorBasicInfo", a.hub, []any{op}},
			{"credit", "totalPooledBNB", credits[i], nil},
			{"credit", "symbol", credits[i], nil},
		} {
			if err := add(r.abi, r.to, r.method, r.args...); err != nil {
				return nil, err
			}
		}
	}
	rets, errs := protocol.CallAll(ctx, a.b, msgs)
	for i, e := range errs {
		if e != nil {
			return nil, fmt.Errorf("bnb: read validator %d of %d: %w", (i+per-1)/per, len(ops), e)
		}
	}
	maxElected, err := unpackBig(a.abis.hub, "maxElectedValidators", rets[0])
	if err != nil {
		return nil, err
	}
	out := make([]protocol.Validator, len(ops))
	for i, op := range ops {
		r := rets[1+per*i : 1+per*(i+1)]
		var desc struct {
			Moniker, Identity, Website, Details string
		}
		if err := unpackInto(a.abis.hub, "getValidatorDescription", r[0], &desc); err != nil {
			return nil, err
		}
		var comm struct{ Rate, MaxRate, MaxChangeRate uint64 }
		if err := unpackInto(a.abis.hub, "getValidatorCommission", r[1], &comm); err != nil {
			return nil, err
		}
		bi, err := a.unpackBasicInfo(r[2])
		if err != nil {
			return nil, err
		}
		pooled, err := unpackBig(a.abis.credit, "totalPooledBNB", r[3])
		if err != nil {
			return nil, err
		}
		symbol, err := unpackString(a.abis.credit, "symbol", r[4])
		if err != nil {
			return nil, err
		}
		out[i] = validator(op, credits[i], desc.Moniker, comm.Rate, bi.Jailed, pooled, symbol)
	}
	markInactive(out, maxElected)
	return out, nil
}

// validator is one validator of Validators' list (its status active or
// jailed; markInactive does the rest), whichever way it was read.
func validator(op, credit common.Address, moniker string, rate uint64, jailed bool, pooled *big.Int, symbol string) protocol.Validator {
	tok := creditToken(symbol, credit)
	status := StatusActive
	if jailed {
		status = StatusJailed
	}
	return protocol.Validator{
		ID:         op.Hex(),
		Moniker:    moniker,
		Commission: Commission(rate),
		TotalStake: pooled,
		Status:     status,
		Credit:     &tok,
	}
}

// markInactive marks the unjailed validators outside the maxElected largest
// by stake (ties: the StakeHub's order) inactive.
func markInactive(vs []protocol.Validator, maxElected *big.Int) {
	idx := make([]int, 0, len(vs))
	for i, v := range vs {
		if v.Status == StatusActive {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(x, y int) int { return vs[y].TotalStake.Cmp(vs[x].TotalStake) })
	for rank, i := range idx {
		if big.NewInt(int64(rank)).Cmp(maxElected) >= 0 {
			vs[i].Status = StatusInactive
		}
	}
}

// Commission formats a StakeHub commission rate (base 10000 = 100%) as a
// decimal percentage: 700 → "7", 250 → "2.5", 1 → "0.01".
func Commission(rate uint64) string {
	return amount.Format(new(big.Int).SetUint64(rate), 2)
}

// ParseValidatorID implements protocol.ValidatorIDs: an operator address
// (0x and 40 hex digits), checksummed. Stake's Checks refuse an unknown or
// jailed operator, so an exact address needs no listing.
func (a *BNB) ParseValidatorID(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if len(t) != 42 || !strings.HasPrefix(strings.ToLower(t), "0x") || !common.IsHexAddress(t) {
		return "", false
	}
	return common.HexToAddress(t).Hex(), true
}

// ParseOperator parses a validator id (an operator address).
func ParseOperator(target string) (common.Address, error) {
	t := strings.TrimSpace(target)
	if !common.IsHexAddress(t) {
		return common.Address{}, &protocol.LimitError{Reason: fmt.Sprintf("--validator %q: BNB Chain validators are named by their operator address (0x…); `stakewallet validators --protocol bnb` lists them", target)}
	}
	return common.HexToAddress(t), nil
}
