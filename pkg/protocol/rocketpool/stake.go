package rocketpool

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// calcBase is Rocket Pool's fixed-point one (1 ether): fees and rates.
var calcBase = big.NewInt(1e18)

// Stake implements protocol.Protocol: one deposit() on the deposit pool
// RocketStorage names, carrying the amount. Deposits enabled, the minimum
// deposit and the deposit pool's capacity (getMaximumDepositAmount, 0 when
// deposits are disabled) are Checks on the call. The preview says the
// deposit fee and the rETH expected: getRethValue(amount − fee), computed
// as rETH does from the network balances. Reads: one round trip (the
// addresses, resolved once per adapter, with the fee and the balances).
func (p *RocketPool) Stake(ctx context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	if r.Target != "" {
		return nil, &protocol.LimitError{Reason: "Rocket Pool pools the stake across its node operators: --validator is not taken"}
	}
	amt := r.Amount
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "stake amount must be greater than zero"}
	}
	c, q, err := p.quote(ctx, amt)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action: "stake",
		Description: fmt.Sprintf("Deposit %s into Rocket Pool for ~%s (deposit fee %s, %s%%)",
			p.coin(amt), amount.FormatUnits(q.reth, 18, "rETH"), p.coin(q.fee), amount.Format(new(big.Int).Mul(q.feeRate, big.NewInt(100)), 18)),
		To:      c.depositPool,
		Value:   new(big.Int).Set(amt),
		Data:    p.pack("deposit"),
		Amount:  new(big.Int).Set(amt),
		Token:   p.native,
		GasHint: gasDeposit,
		Checks:  p.stakeChecks(c, amt),
	}}, nil
}

// quote is what a deposit of an amount yields.
type quote struct {
	feeRate, fee, reth *big.Int
}

// RocketStorage keys of the values deposit() and getRethValue use
// (rocket-pool/rocketpool@fef41a4f): the deposit fee setting,
// keccak256(abi.encodePacked(keccak256("dao.protocol.setting.deposit"),
// "deposit.fee")) (RocketDAOProtocolSettings.getSettingUint), and the
// network balances rETH prices with (RocketNetworkBalances
// getTotalETHBalance / getTotalRETHSupply). RocketStorage is Rocket Pool's
// permanent storage: upgrades replace contracts, not these keys.
var (
	keyDepositFee  = crypto.Keccak256Hash(crypto.Keccak256([]byte("dao.protocol.setting.deposit")), []byte("deposit.fee"))
	keyTotalETH    = crypto.Keccak256Hash([]byte("network.balance.total"))
	keyTotalSupply = crypto.Keccak256Hash([]byte("network.balance.reth.supply"))
)

// quote reads the deposit fee and the network balances straight from
// RocketStorage, so that they ride in the same round trip as the address
// resolution (one round trip in all), and applies deposit()'s arithmetic:
// fee = amount × rate / 1e18, minted rETH = getRethValue(amount − fee).
func (p *RocketPool) quote(ctx context.Context, amt *big.Int) (*contracts, quote, error) {
	keys := []struct {
		key  common.Hash
		what string
	}{{keyDepositFee, "the deposit fee"}, {keyTotalETH, "the network's total ETH"}, {keyTotalSupply, "the network's rETH supply"}}
	msgs := make([]ethereum.CallMsg, len(keys))
	for i, k := range keys {
		msgs[i] = p.msg(p.storage, "getUint", k.key)
	}
	c, rets, errs, err := p.read(ctx, msgs)
	if err != nil {
		return nil, quote{}, err
	}
	vals := make([]*big.Int, len(keys))
	for i, k := range keys {
		if errs[i] != nil {
			return nil, quote{}, fmt.Errorf("rocketpool: read %s from RocketStorage %s: %w", k.what, p.storage.Hex(), errs[i])
		}
		if vals[i], err = p.unpackUint("getUint", rets[i]); err != nil {
			return nil, quote{}, err
		}
	}
	feeRate, total, supply := vals[0], vals[1], vals[2]
	if feeRate.Cmp(calcBase) >= 0 {
		return nil, quote{}, fmt.Errorf("rocketpool: %w: deposit fee %s is 100%% or more", protocol.ErrBadAnswer, feeRate)
	}
	fee := new(big.Int).Mul(amt, feeRate)
	fee.Quo(fee, calcBase)
	net := new(big.Int).Sub(amt, fee)
	reth, err := rethValue(net, total, supply)
	if err != nil {
		return nil, quote{}, err
	}
	if reth.Sign() == 0 {
		return nil, quote{}, &protocol.LimitError{Reason: fmt.Sprintf("%s is too small to mint any rETH; stake more", p.coin(amt))}
	}
	return c, quote{feeRate: feeRate, fee: fee, reth: reth}, nil
}

// rethValue is RocketTokenRETH.getRethValue: 1:1 while no rETH is minted,
// else eth × supply / total.
func rethValue(eth, total, supply *big.Int) (*big.Int, error) {
	if supply.Sign() == 0 {
		return new(big.Int).Set(eth), nil
	}
	if total.Sign() == 0 {
		return nil, &protocol.LimitError{Reason: "Rocket Pool's total network balance is zero: rETH cannot be priced now; try later"}
	}
	v := new(big.Int).Mul(eth, supply)
	return v.Quo(v, total), nil
}

// stakeChecks are deposit()'s requires, in its order, as reads the wallet
// makes in its batch.
func (p *RocketPool) stakeChecks(c *contracts, amt *big.Int) []protocol.Check {
	return []protocol.Check{
		{
			Msg: p.msg(c.settingsDeposit, "getDepositEnabled"),
			Verify: func(ret []byte) error {
				on, err := p.unpackBool("getDepositEnabled", ret)
				if err != nil {
					return err
				}
				if !on {
					return &protocol.LimitError{Reason: "Rocket Pool deposits are disabled right now; try again later, or buy rETH on a DEX"}
				}
				return nil
			},
		},
		{
			Msg: p.msg(c.settingsDeposit, "getMinimumDeposit"),
			Verify: func(ret []byte) error {
				minimum, err := p.unpackUint("getMinimumDeposit", ret)
				if err != nil {
					return err
				}
				if amt.Cmp(minimum) < 0 {
					return &protocol.LimitError{Reason: fmt.Sprintf("%s is less than Rocket Pool's minimum deposit of %s", p.coin(amt), p.coin(minimum))}
				}
				return nil
			},
		},
		{
			Msg: p.msg(c.depositPool, "getMaximumDepositAmount"),
			Verify: func(ret []byte) error {
				room, err := p.unpackUint("getMaximumDepositAmount", ret)
				if err != nil {
					return err
				}
				if amt.Cmp(room) > 0 {
					if room.Sign() == 0 {
						return &protocol.LimitError{Reason: "Rocket Pool's deposit pool is full: it takes no deposit right now; retry later or buy rETH on a DEX"}
					}
					return &protocol.LimitError{Reason: fmt.Sprintf("%s exceeds what Rocket Pool's deposit pool takes right now, %s; stake at most that", p.coin(amt), p.coin(room))}
				}
				return nil
			},
		},
	}
}

func (p *RocketPool) coin(v *big.Int) string {
	return amount.FormatUnits(v, p.native.Decimals, p.native.Symbol)
}
