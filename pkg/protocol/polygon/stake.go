package polygon

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Gas hints for the preview when estimation cannot run yet (the buy after
// an approve that is not mined).
const (
	gasApprove = 60_000
	gasBuy     = 300_000
	gasSell    = 300_000
	gasClaim   = 150_000
)

// Stake implements protocol.Protocol: approve POL to the StakeManager (left
// out when the allowance covers the amount: a Condition), then the
// validator's ValidatorShare buyVoucherPOL(amount, 0). The only read is the
// ValidatorShare's address (getValidatorContract, once per adapter), which
// the calldata's target depends on; the rules are Checks read in the
// wallet's batch: the validator is active (not locked/jailed, not
// unstaked), delegation is enabled (StakeManager and ValidatorShare), and
// the account holds the POL.
//
// _minSharesToMint is 0, as Polygon's own staking UI and Balancer's
// multisig send it: buyVoucherPOL takes only the POL the minted shares are
// worth at the current rate (the deposit is clamped to rate × shares), so
// no rate move can make the delegator pay more than the shares are worth.
func (a *Polygon) Stake(ctx context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	if r.Target == "" {
		return nil, &protocol.LimitError{Reason: "Polygon staking delegates to a validator: pass --validator ID (`stakewallet validators --protocol polygon` lists them)"}
	}
	id, err := ParseValidator(r.Target)
	if err != nil {
		return nil, err
	}
	amt := r.Amount
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "stake amount must be greater than zero"}
	}
	share, err := a.share(ctx, id)
	if err != nil {
		return nil, err
	}
	approve, err := pack(a.abis.pol, "approve", a.sm, amt)
	if err != nil {
		return nil, err
	}
	allowance, err := msg(a.abis.pol, a.pol.Address, "allowance", r.From, a.sm)
	if err != nil {
		return nil, err
	}
	buy, err := pack(a.abis.share, "buyVoucherPOL", amt, new(big.Int))
	if err != nil {
		return nil, err
	}
	checks, err := a.stakeChecks(id, share, r.From, amt)
	if err != nil {
		return nil, err
	}
	want := new(big.Int).Set(amt)
	return []protocol.Call{
		{
			Action:      "approve",
			Description: fmt.Sprintf("Approve %s for the Polygon StakeManager", a.fmt(amt)),
			To:          a.pol.Address,
			Data:        approve,
			Amount:      new(big.Int).Set(amt),
			Token:       a.pol,
			GasHint:     gasApprove,
			Only: &protocol.Condition{Msg: allowance, Needed: func(ret []byte) (bool, error) {
				have, err := unpackBig(a.abis.pol, "allowance", ret)
				if err != nil {
					return false, err
				}
				return have.Cmp(want) < 0, nil
			}},
		},
		{
			Action:      "stake",
			Description: fmt.Sprintf("Delegate %s to Polygon validator %d", a.fmt(amt), id),
			To:          share,
			Data:        buy,
			Amount:      new(big.Int).Set(amt),
			Token:       a.pol,
			GasHint:     gasBuy,
			Checks:      checks,
		},
	}, nil
}

// stakeChecks are the rules on a buy: the validator is active, delegation
// is enabled on the StakeManager and the ValidatorShare, and from holds amt
// POL.
func (a *Polygon) stakeChecks(id uint64, share, from common.Address, amt *big.Int) ([]protocol.Check, error) {
	val, err := msg(a.abis.sm, a.sm, "validators", new(big.Int).SetUint64(id))
	if err != nil {
		return nil, err
	}
	enabled, err := msg(a.abis.sm, a.sm, "delegationEnabled")
	if err != nil {
		return nil, err
	}
	delegation, err := msg(a.abis.share, share, "delegation")
	if err != nil {
		return nil, err
	}
	bal, err := msg(a.abis.pol, a.pol.Address, "balanceOf", from)
	if err != nil {
		return nil, err
	}
	want := new(big.Int).Set(amt)
	return []protocol.Check{
		{Msg: val, Verify: func(ret []byte) error {
			v, err := a.abis.unpackValidator(ret)
			if err != nil {
				return err
			}
			switch statusName(v) {
			case StatusActive:
				return nil
			case StatusJailed:
				return &protocol.LimitError{Reason: fmt.Sprintf("Polygon validator %d is jailed (locked): it takes no delegations until it is unjailed; choose another --validator (`stakewallet validators --protocol polygon`)", id)}
			default:
				return &protocol.LimitError{Reason: fmt.Sprintf("Polygon validator %d is not active: it takes no delegations; choose another --validator (`stakewallet validators --protocol polygon`)", id)}
			}
		}},
		{Msg: enabled, Verify: func(ret []byte) error {
			ok, err := unpackBool(a.abis.sm, "delegationEnabled", ret)
			if err != nil {
				return err
			}
			if !ok {
				return &protocol.LimitError{Reason: "delegation is disabled on the Polygon StakeManager; try again later"}
			}
			return nil
		}},
		{Msg: delegation, Verify: func(ret []byte) error {
			ok, err := unpackBool(a.abis.share, "delegation", ret)
			if err != nil {
				return err
			}
			if !ok {
				return &protocol.LimitError{Reason: fmt.Sprintf("Polygon validator %d does not take delegations; choose another --validator", id)}
			}
			return nil
		}},
		{Msg: bal, Verify: func(ret []byte) error {
			have, err := unpackBig(a.abis.pol, "balanceOf", ret)
			if err != nil {
				return err
			}
			if have.Cmp(want) < 0 {
				return &protocol.LimitError{Reason: fmt.Sprintf("%s holds %s on Ethereum, less than the %s to stake", from.Hex(), a.fmt(have), a.fmt(want))}
			}
			return nil
		}},
	}, nil
}

// Unstake implements protocol.Protocol: the validator's ValidatorShare
// sellVoucher_newPOL(claimAmount, maximumSharesToBurn). r.Token is POL
// (r.Amount is the POL to unbond) or the validator's share token (r.Amount
// is shares; the whole balance for "all"). Both need the share's
// exchangeRate, a read the calldata depends on (with the ValidatorShare's
// address once per adapter); that the account has the stake is a Check.
func (a *Polygon) Unstake(ctx context.Context, r protocol.UnstakeRequest) ([]protocol.Call, error) {
	if r.Target == "" {
		return nil, &protocol.LimitError{Reason: "Polygon staking unbonds from a validator: pass --validator ID (`stakewallet validators --protocol polygon` lists them)"}
	}
	id, err := ParseValidator(r.Target)
	if err != nil {
		return nil, err
	}
	if r.Amount == nil || r.Amount.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "unstake amount must be greater than zero"}
	}
	share, err := a.share(ctx, id)
	if err != nil {
		return nil, err
	}
	inShares := r.Token.Address == share
	if !inShares && r.Token.Address != a.pol.Address && !r.Token.IsNative() {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s is not unstaked from Polygon validator %d: name POL (an amount of POL) or %s (shares)", r.Token.Symbol, id, ShareToken(id, share).Symbol)}
	}
	rateMsg, err := msg(a.abis.share, share, "exchangeRate")
	if err != nil {
		return nil, err
	}
	ret, err := a.b.CallContract(ctx, rateMsg, nil)
	if err != nil {
		return nil, fmt.Errorf("polygon: read the exchange rate of validator %d: %w", id, err)
	}
	rate, err := unpackBig(a.abis.share, "exchangeRate", ret)
	if err != nil {
		return nil, err
	}
	if rate.Sign() <= 0 {
		return nil, fmt.Errorf("polygon: %w: exchangeRate of validator %d is %s", protocol.ErrBadAnswer, id, rate)
	}
	prec := precision(id)
	var claim, maxShares *big.Int
	if inShares {
		maxShares = new(big.Int).Set(r.Amount)
		claim = new(big.Int).Div(new(big.Int).Mul(r.Amount, rate), prec)
	} else {
		claim = new(big.Int).Set(r.Amount)
		maxShares = new(big.Int).Div(new(big.Int).Mul(r.Amount, prec), rate)
	}
	if claim.Sign() == 0 || maxShares.Sign() == 0 {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s is worth no share of Polygon validator %d: unstake more", a.fmt(claim), id)}
	}
	data, err := pack(a.abis.share, "sellVoucher_newPOL", claim, maxShares)
	if err != nil {
		return nil, err
	}
	stake, err := msg(a.abis.share, share, "getTotalStake", r.Owner)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "unstake",
		Description: fmt.Sprintf("Unbond %s from Polygon validator %d", a.fmt(claim), id),
		To:          share,
		Data:        data,
		Amount:      new(big.Int).Set(claim),
		Token:       a.pol,
		GasHint:     gasSell,
		Checks: []protocol.Check{{Msg: stake, Verify: func(ret []byte) error {
			v, err := unpackBigs(a.abis.share, "getTotalStake", ret, 2)
			if err != nil {
				return err
			}
			if v[0].Sign() == 0 || v[0].Cmp(claim) < 0 {
				return &protocol.LimitError{Reason: fmt.Sprintf("%s has %s delegated to Polygon validator %d, less than the %s to unstake", r.Owner.Hex(), a.fmt(v[0]), id, a.fmt(claim))}
			}
			return nil
		}}},
	}}, nil
}
