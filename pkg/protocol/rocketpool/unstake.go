package rocketpool

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Unstake implements protocol.Protocol: burn(amount) on rETH, which pays
// getEthValue(amount) ETH in the same transaction. One read, getEthValue
// (the preview says the ETH to receive, and the collateral rule compares
// in ETH); the rETH balance and the collateral rETH can pay now
// (getTotalCollateral: its own balance plus the deposit pool's excess) are
// Checks on the call. rETH's address is configured, so nothing needs
// resolving.
func (p *RocketPool) Unstake(ctx context.Context, r protocol.UnstakeRequest) ([]protocol.Call, error) {
	if r.Target != "" {
		return nil, &protocol.LimitError{Reason: "Rocket Pool pools the stake across its node operators: --validator is not taken"}
	}
	if r.Token.Address != p.reth {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("Rocket Pool unstakes rETH (%s) only, not %s", p.reth.Hex(), r.Token.Symbol)}
	}
	amt := r.Amount
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "unstake amount must be greater than zero"}
	}
	ethValue, err := p.ethValue(ctx, amt)
	if err != nil {
		return nil, err
	}
	if ethValue.Sign() == 0 {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s is worth no ETH at the current rate; burn more", p.reths(amt))}
	}
	return []protocol.Call{{
		Action:      "burn",
		Description: fmt.Sprintf("Burn %s for %s from Rocket Pool, paid in this transaction", p.reths(amt), p.coin(ethValue)),
		To:          p.reth,
		Data:        p.pack("burn", amt),
		Amount:      new(big.Int).Set(amt),
		Token:       p.rETH(),
		GasHint:     gasBurn,
		Checks:      p.burnChecks(r.Owner, amt, ethValue),
	}}, nil
}

func (p *RocketPool) ethValue(ctx context.Context, reth *big.Int) (*big.Int, error) {
	rets, errs := protocol.CallAll(ctx, p.b, []ethereum.CallMsg{p.msg(p.reth, "getEthValue", reth)})
	if errs[0] != nil {
		return nil, fmt.Errorf("rocketpool: read getEthValue(%s) on rETH %s: %w", p.reths(reth), p.reth.Hex(), errs[0])
	}
	return p.unpackUint("getEthValue", rets[0])
}

// burnChecks are burn()'s requires as reads: the owner's rETH balance, and
// getTotalCollateral ≥ getEthValue(amount) (in ETH: smartnode compares the
// rETH amount, which under-checks since 1 rETH > 1 ETH; §1.8).
func (p *RocketPool) burnChecks(owner common.Address, amt, ethValue *big.Int) []protocol.Check {
	return []protocol.Check{
		{
			Msg: p.msg(p.reth, "balanceOf", owner),
			Verify: func(ret []byte) error {
				bal, err := p.unpackUint("balanceOf", ret)
				if err != nil {
					return err
				}
				if bal.Cmp(amt) < 0 {
					return &protocol.LimitError{Reason: fmt.Sprintf("you hold %s, less than the %s to burn; check `stakewallet balance`", p.reths(bal), p.reths(amt))}
				}
				return nil
			},
		},
		{
			Msg: p.msg(p.reth, "getTotalCollateral"),
			Verify: func(ret []byte) error {
				collateral, err := p.unpackUint("getTotalCollateral", ret)
				if err != nil {
					return err
				}
				if collateral.Cmp(ethValue) >= 0 {
					return nil
				}
				return &protocol.LimitError{Reason: fmt.Sprintf(
					"Rocket Pool can pay only %s now (its rETH collateral: rETH's own ETH plus the deposit pool's excess), not the %s this burn needs; burn at most %s, wait for new deposits, or sell rETH on a DEX",
					p.coin(collateral), p.coin(ethValue), p.reths(burnable(collateral, amt, ethValue)))}
			},
		},
	}
}

// burnable is the most rETH a collateral pays for at the rate amt/ethValue
// (ethValue = getEthValue(amt) > collateral): (collateral − 1) × amt /
// ethValue, which getEthValue maps to at most collateral whatever its
// rounding.
func burnable(collateral, amt, ethValue *big.Int) *big.Int {
	if collateral.Sign() == 0 {
		return new(big.Int)
	}
	v := new(big.Int).Sub(collateral, big.NewInt(1))
	v.Mul(v, amt)
	return v.Quo(v, ethValue)
}

func (p *RocketPool) reths(v *big.Int) string { return amount.FormatUnits(v, 18, "rETH") }
