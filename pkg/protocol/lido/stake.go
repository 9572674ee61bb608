package lido

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common/math"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Gas hints for the preview when an earlier call of the batch (an
// approve) is not mined yet, so eth_estimateGas cannot run. Generous
// upper bounds from mainnet receipts; the real limit is estimated later.
const (
	gasSubmit        = 120_000
	gasApprove       = 60_000
	gasRequestBase   = 80_000
	gasPerRequest    = 120_000 // per stETH request: NFT mint, shares transfer, queue slot
	gasPerWstRequest = 150_000 // plus the unwrap
	gasClaimBase     = 60_000
	gasPerClaim      = 50_000 // per id: checkpoint lookup, NFT burn, ETH payout
	gasWrap          = 110_000
	gasUnwrap        = 90_000
	gasTransfer      = 80_000
)

// Stake implements protocol.Protocol: one submit(referral) call carrying
// amount wei, after checking that Lido accepts that much right now.
func (l *Lido) Stake(ctx context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	amt := r.Amount
	if r.Target != "" {
		return nil, &protocol.LimitError{Reason: "Lido pools the stake across its node operators: --validator is not taken"}
	}
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "stake amount must be greater than zero"}
	}
	paused, limit, err := l.stakeLimit(ctx)
	if err != nil {
		return nil, err
	}
	if paused {
		return nil, &protocol.LimitError{Reason: "Lido staking is paused"}
	}
	// 2^256-1 means no limit is set; anything else is the ETH Lido accepts
	// now (the limit refills block by block, "STAKE_LIMIT" otherwise).
	if limit.Cmp(math.MaxBig256) != 0 && amt.Cmp(limit) > 0 {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf(
			"amount exceeds Lido's current stake limit of %s", amount.FormatUnits(limit, l.native.Decimals, l.native.Symbol))}
	}
	data, err := pack(l.abis.stETH, "submit", r.Referral)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "stake",
		Description: fmt.Sprintf("Stake %s with Lido for stETH", amount.FormatUnits(amt, l.native.Decimals, l.native.Symbol)),
		To:          l.stETH,
		Value:       new(big.Int).Set(amt),
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       l.native,
		GasHint:     gasSubmit,
	}}, nil
}

// stakeLimit reads whether staking is paused and the current stake limit.
// getStakeLimitFullInfo answers both in one round trip; a contract
// without it (an older or model deployment) gets the two plain getters.
func (l *Lido) stakeLimit(ctx context.Context) (paused bool, limit *big.Int, err error) {
	r := l.read()
	if vals, err := r.call(ctx, l.abis.stETH, l.stETH, "getStakeLimitFullInfo"); err == nil && len(vals) == 7 {
		p, ok1 := vals[0].(bool)
		lim, ok2 := vals[2].(*big.Int)
		if ok1 && ok2 {
			return p, lim, nil
		}
	}
	if paused, err = r.bool(ctx, l.abis.stETH, l.stETH, "isStakingPaused"); err != nil {
		return false, nil, err
	}
	if limit, err = r.big(ctx, l.abis.stETH, l.stETH, "getCurrentStakeLimit"); err != nil {
		return false, nil, err
	}
	return paused, limit, nil
}
