package bnb

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Unstake implements protocol.Protocol: StakeHub.undelegate(operator,
// shares). r.Token says what r.Amount is in:
//
//   - the native coin (or the zero Token): an amount of BNB, turned into
//     shares with the credit's getSharesByPooledBNB (rounding down, so the
//     request pays at most that amount). The calldata depends on it: one
//     round trip, which also reads the delegation's shares and BNB worth so
//     that an amount above the delegation is refused in BNB;
//   - the validator's credit (RoleCredit, e.g. "all" of it): shares, no read.
//
// The validator's credit comes from getValidators, read once per adapter
// (the CLI's --validator resolution has read it already). The StakeHub not
// paused, the owner not blacklisted, the validator known and the share
// balance are Checks. There is no minimum undelegation (only shares > 0).
func (a *BNB) Unstake(ctx context.Context, r protocol.UnstakeRequest) ([]protocol.Call, error) {
	if r.Target == "" {
		return nil, &protocol.LimitError{Reason: "BNB Chain unstakes from one validator: pass --validator (`stakewallet validators --protocol bnb` lists them)"}
	}
	op, err := ParseOperator(r.Target)
	if err != nil {
		return nil, err
	}
	if r.Amount == nil || r.Amount.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "unstake amount must be greater than zero"}
	}
	credit, ok, err := a.creditOf(ctx, op)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s is not a BNB Chain validator; `stakewallet validators --protocol bnb` lists them", op.Hex())}
	}

	var shares, worth *big.Int
	tok := r.Token
	switch {
	case tok.IsNative() && (tok.Symbol == "" || strings.EqualFold(tok.Symbol, a.native.Symbol)):
		if shares, worth, err = a.sharesFor(ctx, credit, r.Owner, r.Amount, op); err != nil {
			return nil, err
		}
	case tok.Address == credit:
		shares = new(big.Int).Set(r.Amount)
	case tok.Role == protocol.RoleCredit:
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s (%s) is not the credit of validator %s (its credit is %s)", tok.Symbol, tok.Address.Hex(), op.Hex(), credit.Hex())}
	default:
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("BNB Chain staking unstakes an amount of %s or of the validator's credit, not %s", a.native.Symbol, tok.Symbol)}
	}

	data, err := pack(a.abis.hub, "undelegate", op, shares)
	if err != nil {
		return nil, err
	}
	checks, err := a.userChecks(r.Owner)
	if err != nil {
		return nil, err
	}
	exists, err := a.existsCheck(op)
	if err != nil {
		return nil, err
	}
	bal, err := a.sharesCheck(credit, r.Owner, shares, op)
	if err != nil {
		return nil, err
	}
	checks = append(checks, exists, bal)
	desc := fmt.Sprintf("Undelegate %s shares from validator %s", amount.Format(shares, 18), op.Hex())
	callAmount, callToken := shares, creditToken("", credit)
	if worth != nil {
		desc = fmt.Sprintf("Undelegate %s (%s shares) from validator %s", a.fmt(worth), amount.Format(shares, 18), op.Hex())
		callAmount, callToken = worth, a.native
	} else if tok.Symbol != "" {
		callToken = tok
	}
	return []protocol.Call{{
		Action:      "unstake",
		Description: desc,
		To:          a.hub,
		Data:        data,
		Amount:      new(big.Int).Set(callAmount),
		Token:       callToken,
		GasHint:     gasUndelegate,
		Checks:      checks,
	}}, nil
}

// sharesFor reads, in one batch, the shares bnb is worth on credit and
// owner's shares and their worth; it refuses an amount the delegation does
// not cover or that is worth no share. worth is what the shares pay back.
func (a *BNB) sharesFor(ctx context.Context, credit, owner common.Address, bnb *big.Int, op common.Address) (shares, worth *big.Int, err error) {
	var msgs []ethereum.CallMsg
	for _, c := range []struct {
		method string
		args   []any
	}{{"getSharesByPooledBNB", []any{bnb}}, {"balanceOf", []any{owner}}, {"getPooledBNB", []any{owner}}} {
		m, err := msg(a.abis.credit, credit, c.method, c.args...)
		if err != nil {
			return nil, nil, err
		}
		msgs = append(msgs, m)
	}
	rets, errs := protocol.CallAll(ctx, a.b, msgs)
	for i, e := range errs {
		if e != nil {
			return nil, nil, fmt.Errorf("bnb: read the shares of %s on credit %s (%d): %w", a.fmt(bnb), credit.Hex(), i, e)
		}
	}
	if shares, err = unpackBig(a.abis.credit, "getSharesByPooledBNB", rets[0]); err != nil {
		return nil, nil, err
	}
	have, err := unpackBig(a.abis.credit, "balanceOf", rets[1])
	if err != nil {
		return nil, nil, err
	}
	pooled, err := unpackBig(a.abis.credit, "getPooledBNB", rets[2])
	if err != nil {
		return nil, nil, err
	}
	switch {
	case have.Sign() == 0:
		return nil, nil, &protocol.LimitError{Reason: fmt.Sprintf("%s has nothing delegated to validator %s", owner.Hex(), op.Hex())}
	case shares.Cmp(have) > 0:
		return nil, nil, &protocol.LimitError{Reason: fmt.Sprintf("the delegation of %s to validator %s is worth %s, less than %s; unstake less, or all",
			owner.Hex(), op.Hex(), a.fmt(pooled), a.fmt(bnb))}
	case shares.Sign() == 0:
		return nil, nil, &protocol.LimitError{Reason: fmt.Sprintf("%s is worth less than one share of validator %s; unstake more", a.fmt(bnb), op.Hex())}
	}
	// What the shares pay: pooled × shares / have, the credit's own
	// rounding (getPooledBNBByShares) up to a wei.
	worth = new(big.Int).Mul(pooled, shares)
	worth.Div(worth, have)
	return shares, worth, nil
}

// sharesCheck refuses when owner holds fewer than shares of credit
// (InsufficientBalance in the contract).
func (a *BNB) sharesCheck(credit, owner common.Address, shares *big.Int, op common.Address) (protocol.Check, error) {
	m, err := msg(a.abis.credit, credit, "balanceOf", owner)
	if err != nil {
		return protocol.Check{}, err
	}
	want := new(big.Int).Set(shares)
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		have, err := unpackBig(a.abis.credit, "balanceOf", ret)
		if err != nil {
			return err
		}
		if have.Cmp(want) < 0 {
			return &protocol.LimitError{Reason: fmt.Sprintf("%s holds %s shares of validator %s, fewer than the %s to undelegate",
				owner.Hex(), amount.Format(have, 18), op.Hex(), amount.Format(want, 18))}
		}
		return nil
	}}, nil
}
