package lido

import (
	"context"
	"fmt"
	"math/big"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Gas hints for the preview when an earlier call of the batch (an
// approve) is not mined yet, so eth_estimateGas cannot run. Generous
// upper bounds from mainnet receipts; the real limit is estimated later.
const (
	gasSubmit        = 120_000
	gasApprove       = 60_000
	gasRequestBase   = 120_000 // a devnet request of one uses 217k in all
	gasPerRequest    = 140_000 // per stETH request: NFT mint, shares transfer, queue slot
	gasPerWstRequest = 150_000 // plus the unwrap
	gasClaimBase     = 60_000
	gasPerClaim      = 50_000 // per id: checkpoint lookup, NFT burn, ETH payout
	gasWrap          = 110_000
	gasUnwrap        = 90_000
	gasTransfer      = 80_000
)

// Stake implements protocol.Protocol: one submit(referral) call carrying
// amount wei, with Checks that Lido accepts that much right now (not
// paused, within the stake limit). It reads nothing itself.
func (l *Lido) Stake(_ context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	amt := r.Amount
	if r.Target != "" {
		return nil, &protocol.LimitError{Reason: "Lido pools the stake across its node operators: --validator is not taken"}
	}
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "stake amount must be greater than zero"}
	}
	checks, err := l.stakeChecks(amt)
	if err != nil {
		return nil, err
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
		Checks:      checks,
	}}, nil
}
