package bnb

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Delegations implements protocol.Delegator: every validator whose
// StakeCredit holds shares of owner, with Staked the BNB those shares are
// worth now (getPooledBNB(owner)), in the StakeHub's order. Rewards is nil:
// BNB Chain compounds them into the credit's share price, so there is
// nothing separate to claim. One round trip after the validator listing
// (getValidators, read once per adapter); a named target (an operator
// address) reads only its credit.
func (a *BNB) Delegations(ctx context.Context, owner common.Address, target string) ([]protocol.Delegation, error) {
	var ops, credits []common.Address
	if target != "" {
		op, err := ParseOperator(target)
		if err != nil {
			return nil, err
		}
		c, ok, err := a.creditOf(ctx, op)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &protocol.LimitError{Reason: fmt.Sprintf("--validator %s is not a BNB Chain validator; `stakewallet validators --protocol bnb` lists them", op.Hex())}
		}
		ops, credits = []common.Address{op}, []common.Address{c}
	} else {
		var err error
		if ops, credits, err = a.operators(ctx); err != nil {
			return nil, err
		}
	}
	msgs := make([]ethereum.CallMsg, len(ops))
	for i := range ops {
		m, err := msg(a.abis.credit, credits[i], "getPooledBNB", owner)
		if err != nil {
			return nil, err
		}
		msgs[i] = m
	}
	rets, errs := protocol.CallAll(ctx, a.b, msgs)
	var out []protocol.Delegation
	for i, op := range ops {
		if errs[i] != nil {
			return nil, fmt.Errorf("bnb: read the stake of %s with validator %s (credit %s): %w", owner.Hex(), op.Hex(), credits[i].Hex(), errs[i])
		}
		staked, err := unpackBig(a.abis.credit, "getPooledBNB", rets[i])
		if err != nil {
			return nil, err
		}
		if staked.Sign() == 0 {
			continue
		}
		out = append(out, protocol.Delegation{Target: op.Hex(), Staked: staked, Token: a.native})
	}
	return out, nil
}
