package bnb

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Gas hints for the preview when estimation cannot run yet.
const (
	gasDelegate   = 250_000
	gasUndelegate = 250_000
	gasClaim      = 120_000 // plus per request
	gasClaimEach  = 30_000
)

// Stake implements protocol.Protocol: StakeHub.delegate(operator, false)
// carrying the amount. It reads nothing: the rules are Checks the wallet
// reads in its own batch: the StakeHub is not paused, the account is not
// blacklisted, the amount is at least minDelegationBNBChange, and the
// validator exists and is not jailed (only its operator may delegate to a
// jailed validator).
func (a *BNB) Stake(_ context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	if r.Target == "" {
		return nil, &protocol.LimitError{Reason: "BNB Chain staking delegates to a validator: pass --validator (`stakewallet validators --protocol bnb` lists them)"}
	}
	op, err := ParseOperator(r.Target)
	if err != nil {
		return nil, err
	}
	amt := r.Amount
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "stake amount must be greater than zero"}
	}
	data, err := pack(a.abis.hub, "delegate", op, false)
	if err != nil {
		return nil, err
	}
	checks, err := a.userChecks(r.From)
	if err != nil {
		return nil, err
	}
	minimum, err := a.minDelegationCheck(amt)
	if err != nil {
		return nil, err
	}
	exists, err := a.existsCheck(op)
	if err != nil {
		return nil, err
	}
	jailed, err := a.jailedCheck(op, r.From)
	if err != nil {
		return nil, err
	}
	checks = append(checks, minimum, exists, jailed)
	return []protocol.Call{{
		Action:      "stake",
		Description: fmt.Sprintf("Delegate %s to validator %s", a.fmt(amt), op.Hex()),
		To:          a.hub,
		Value:       new(big.Int).Set(amt),
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       a.native,
		GasHint:     gasDelegate,
		Checks:      checks,
	}}, nil
}

func (a *BNB) fmt(v *big.Int) string {
	return amount.FormatUnits(v, a.native.Decimals, a.native.Symbol)
}

// userChecks are the Protectable guards of every user function: the
// StakeHub is not paused and who is not blacklisted.
func (a *BNB) userChecks(who common.Address) ([]protocol.Check, error) {
	paused, err := msg(a.abis.hub, a.hub, "isPaused")
	if err != nil {
		return nil, err
	}
	black, err := msg(a.abis.hub, a.hub, "blackList", who)
	if err != nil {
		return nil, err
	}
	return []protocol.Check{
		{Msg: paused, Verify: func(ret []byte) error {
			p, err := unpackBool(a.abis.hub, "isPaused", ret)
			if err != nil {
				return err
			}
			if p {
				return &protocol.LimitError{Reason: "the BNB Chain StakeHub is paused: delegations, undelegations and claims are stopped; try again later"}
			}
			return nil
		}},
		{Msg: black, Verify: func(ret []byte) error {
			b, err := unpackBool(a.abis.hub, "blackList", ret)
			if err != nil {
				return err
			}
			if b {
				return &protocol.LimitError{Reason: fmt.Sprintf("%s is on the StakeHub's blacklist: it cannot delegate, undelegate or claim", who.Hex())}
			}
			return nil
		}},
	}, nil
}

// minDelegationCheck refuses an amount below minDelegationBNBChange.
func (a *BNB) minDelegationCheck(amt *big.Int) (protocol.Check, error) {
	m, err := msg(a.abis.hub, a.hub, "minDelegationBNBChange")
	if err != nil {
		return protocol.Check{}, err
	}
	want := new(big.Int).Set(amt)
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		minimum, err := unpackBig(a.abis.hub, "minDelegationBNBChange", ret)
		if err != nil {
			return err
		}
		if want.Cmp(minimum) < 0 {
			return &protocol.LimitError{Reason: fmt.Sprintf("BNB Chain takes delegations of at least %s (minDelegationBNBChange); %s is too small",
				a.fmt(minimum), a.fmt(want))}
		}
		return nil
	}}, nil
}

// existsCheck refuses an operator the StakeHub does not know (no credit
// contract: ValidatorNotExisted in the contract).
func (a *BNB) existsCheck(op common.Address) (protocol.Check, error) {
	m, err := msg(a.abis.hub, a.hub, "getValidatorCreditContract", op)
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		vals, err := unpack(a.abis.hub, "getValidatorCreditContract", ret)
		if err != nil {
			return err
		}
		credit, ok := vals[0].(common.Address)
		if !ok {
			return fmt.Errorf("bnb: %w: getValidatorCreditContract returned %T", protocol.ErrBadAnswer, vals[0])
		}
		if credit == (common.Address{}) {
			return &protocol.LimitError{Reason: fmt.Sprintf("%s is not a BNB Chain validator; `stakewallet validators --protocol bnb` lists them", op.Hex())}
		}
		return nil
	}}, nil
}

// jailedCheck refuses a stake to a jailed validator unless who is its
// operator (OnlySelfDelegation in the contract).
func (a *BNB) jailedCheck(op, who common.Address) (protocol.Check, error) {
	m, err := msg(a.abis.hub, a.hub, "getValidatorBasicInfo", op)
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		bi, err := a.unpackBasicInfo(ret)
		if err != nil {
			return err
		}
		if bi.Jailed && who != op {
			return &protocol.LimitError{Reason: fmt.Sprintf("validator %s is jailed: only its operator may delegate to it until it is unjailed; choose another validator", op.Hex())}
		}
		return nil
	}}, nil
}
