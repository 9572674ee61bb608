package savax

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Gas hints for the preview when eth_estimateGas cannot run yet; generous
// upper bounds, the real limit is estimated before signing.
const (
	gasSubmit        = 120_000
	gasRequestUnlock = 130_000
	gasRedeem        = 110_000
	gasOverdue       = 90_000
)

// Stake implements protocol.Protocol: one submit() carrying the amount. The
// rules of submit — not paused, minting not paused, at least one share
// minted, the pool cap — are Checks on the call, read in the wallet's batch:
// Stake itself reads nothing.
func (s *SAvax) Stake(_ context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	if r.Target != "" {
		return nil, &protocol.LimitError{Reason: "Benqi pools the stake: --validator is not taken"}
	}
	amt := r.Amount
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "stake amount must be greater than zero"}
	}
	data, err := pack(s.abi, "submit()")
	if err != nil {
		return nil, err
	}
	checks, err := s.stakeChecks(amt)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "stake",
		Description: fmt.Sprintf("Stake %s with Benqi for sAVAX", amount.FormatUnits(amt, s.native.Decimals, s.native.Symbol)),
		To:          s.token,
		Value:       new(big.Int).Set(amt),
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       s.native,
		GasHint:     gasSubmit,
		Checks:      checks,
	}}, nil
}

// stakeChecks are submit()'s requires, in the contract's order. The share
// and cap rules need three numbers; each Check reads one, so the first two
// keep theirs for the third (protocol.Judge verifies a call's Checks in
// order).
func (s *SAvax) stakeChecks(amt *big.Int) ([]protocol.Check, error) {
	var pooled, shares *big.Int
	type read struct {
		sig    string
		verify func(ret []byte) error
	}
	reads := []read{
		{"paused()", func(ret []byte) error {
			p, err := s.decodeBool(ret, "paused()")
			if err != nil {
				return err
			}
			if p {
				return &protocol.LimitError{Reason: "Benqi has paused the sAVAX contract: staking is not possible now"}
			}
			return nil
		}},
		{"mintingPaused()", func(ret []byte) error {
			p, err := s.decodeBool(ret, "mintingPaused()")
			if err != nil {
				return err
			}
			if p {
				return &protocol.LimitError{Reason: "Benqi has paused sAVAX minting: staking is not possible now"}
			}
			return nil
		}},
		{"totalPooledAvax()", func(ret []byte) (err error) {
			pooled, err = s.decodeUint(ret, "totalPooledAvax()")
			return err
		}},
		{"totalShares()", func(ret []byte) (err error) {
			shares, err = s.decodeUint(ret, "totalShares()")
			return err
		}},
		{"totalPooledAvaxCap()", func(ret []byte) error {
			capAvax, err := s.decodeUint(ret, "totalPooledAvaxCap()")
			if err != nil {
				return err
			}
			if pooled == nil || shares == nil {
				return fmt.Errorf("savax: the pool totals were not read before the cap")
			}
			return s.judgeSubmit(amt, pooled, shares, capAvax)
		}},
	}
	checks := make([]protocol.Check, len(reads))
	for i, r := range reads {
		msg, err := s.read(r.sig)
		if err != nil {
			return nil, err
		}
		checks[i] = protocol.Check{Msg: msg, Verify: r.verify}
	}
	return checks, nil
}

// judgeSubmit applies submit()'s arithmetic: shares = amount·S/P (amount
// itself while P is 0), at least one; then the cap on P plus the shares'
// worth at the rate before the deposit.
func (s *SAvax) judgeSubmit(amt, pooled, shares, capAvax *big.Int) error {
	minted := new(big.Int).Set(amt)
	if pooled.Sign() > 0 {
		minted.Mul(amt, shares).Quo(minted, pooled)
		if minted.Sign() == 0 {
			// One share costs P/S AVAX; the smallest stake that mints one.
			least := new(big.Int).Quo(new(big.Int).Add(pooled, new(big.Int).Sub(shares, big.NewInt(1))), shares)
			return &protocol.LimitError{Reason: fmt.Sprintf("%s is too little to mint one share of sAVAX: stake at least %s",
				amount.FormatUnits(amt, s.native.Decimals, s.native.Symbol), amount.FormatUnits(least, s.native.Decimals, s.native.Symbol))}
		}
	}
	if capAvax.Cmp(math.MaxBig256) == 0 {
		return nil
	}
	worth := new(big.Int)
	if shares.Sign() > 0 {
		worth.Mul(minted, pooled).Quo(worth, shares)
	}
	if new(big.Int).Add(pooled, worth).Cmp(capAvax) > 0 {
		room := new(big.Int).Sub(capAvax, pooled)
		if room.Sign() < 0 {
			room.SetInt64(0)
		}
		return &protocol.LimitError{Reason: fmt.Sprintf("the sAVAX pool is capped at %s and holds %s: at most %s more can be staked now",
			amount.FormatUnits(capAvax, s.native.Decimals, s.native.Symbol),
			amount.FormatUnits(pooled, s.native.Decimals, s.native.Symbol),
			amount.FormatUnits(room, s.native.Decimals, s.native.Symbol))}
	}
	return nil
}

// Unstake implements protocol.Protocol: requestUnlock(shares). sAVAX
// balances are shares, so the amount is passed as it is. Checks: the
// contract is not paused and the owner holds the shares; the contract takes
// them into custody itself, so no approve is needed.
func (s *SAvax) Unstake(_ context.Context, r protocol.UnstakeRequest) ([]protocol.Call, error) {
	if r.Target != "" {
		return nil, &protocol.LimitError{Reason: "sAVAX unstakes from the pooled stake: --validator is not taken"}
	}
	if err := s.isSAVAX(r.Token); err != nil {
		return nil, err
	}
	amt := r.Amount
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "unstake amount must be greater than zero"}
	}
	data, err := pack(s.abi, "requestUnlock(uint256)", amt)
	if err != nil {
		return nil, err
	}
	paused, err := s.read("paused()")
	if err != nil {
		return nil, err
	}
	bal, err := s.read("balanceOf(address)", r.Owner)
	if err != nil {
		return nil, err
	}
	tok := s.sAVAX()
	return []protocol.Call{{
		Action:      "requestUnlock",
		Description: fmt.Sprintf("Request to unlock %s from Benqi (redeemable for AVAX after the cooldown, inside the redeem window)", amount.FormatUnits(amt, tok.Decimals, tok.Symbol)),
		To:          s.token,
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       tok,
		GasHint:     gasRequestUnlock,
		Checks: []protocol.Check{
			{Msg: paused, Verify: func(ret []byte) error {
				p, err := s.decodeBool(ret, "paused()")
				if err != nil {
					return err
				}
				if p {
					return &protocol.LimitError{Reason: "Benqi has paused the sAVAX contract: unstaking is not possible now"}
				}
				return nil
			}},
			{Msg: bal, Verify: func(ret []byte) error {
				have, err := s.decodeUint(ret, "balanceOf(address)")
				if err != nil {
					return err
				}
				if have.Cmp(amt) < 0 {
					return &protocol.LimitError{Reason: fmt.Sprintf("insufficient sAVAX balance: have %s, need %s",
						amount.Format(have, tok.Decimals), amount.Format(amt, tok.Decimals))}
				}
				return nil
			}},
		},
	}}, nil
}

// isSAVAX accepts sAVAX, by address or (zero address) by symbol; the zero
// Token means the staked token.
func (s *SAvax) isSAVAX(t protocol.Token) error {
	switch {
	case t.Address == s.token:
		return nil
	case t.Address == (common.Address{}) && (t.Symbol == "" || strings.EqualFold(t.Symbol, "sAVAX")):
		return nil
	}
	name := t.Symbol
	if name == "" {
		name = t.Address.Hex()
	}
	return &protocol.LimitError{Reason: fmt.Sprintf("Benqi's token is sAVAX, not %s", name)}
}
