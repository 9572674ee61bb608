package rocketpool

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// modelName prefixes the stepper's errors.
const modelName = "rocketpool model"

// secondsPerYear is the APR's year: 365 days.
const secondsPerYear = 365 * 24 * 3600

// Stepper is Rocket Pool's oracle and node operators on the devnet. Each
// Step, at most: one balance report with its rewards (when ReportInterval
// (or StepEnv.RewardInterval) has passed since the last update, there is rETH and the APR is not 0),
// and one assignment of the deposit pool's whole 32 ETH lots. Otherwise it
// only reads.
type Stepper struct {
	sender    *devtx.Sender
	apr       float64
	wallClock bool
	interval  uint64 // seconds between reports

	storage, reth, pool, network, balances common.Address
	abis                                   struct{ storage, reth, pool, network, balances *abi.ABI }
}

func (s *Stepper) load(ctx context.Context) error {
	for _, c := range []struct {
		name string
		out  **abi.ABI
	}{
		{NameStorage, &s.abis.storage}, {NameRETH, &s.abis.reth}, {NameDepositPool, &s.abis.pool},
		{NameSettingsNetwork, &s.abis.network}, {NameNetworkBalances, &s.abis.balances},
	} {
		a, err := contracts.Load(c.name)
		if err != nil {
			return err
		}
		*c.out = &a.ABI
	}
	for _, c := range []struct {
		name string
		out  *common.Address
	}{
		{rocketpool.NameTokenRETH, &s.reth}, {rocketpool.NameDepositPool, &s.pool},
		{rocketpool.NameSettingsNetwork, &s.network}, {rocketpool.NameNetworkBalances, &s.balances},
	} {
		a, err := devtx.CallAddress(ctx, s.sender.Client(), s.abis.storage, s.storage, "getAddress", rocketpool.ContractKey(c.name))
		if err != nil {
			return fmt.Errorf("rocketpool model: resolve %s: %w", c.name, err)
		}
		if a == (common.Address{}) {
			return fmt.Errorf("rocketpool model: RocketStorage %s names no %s", s.storage.Hex(), c.name)
		}
		*c.out = a
	}
	return nil
}

// Step reports balances and assigns deposits when due.
func (s *Stepper) Step(ctx context.Context) error {
	if err := s.report(ctx); err != nil {
		return err
	}
	return s.assign(ctx)
}

// report submits new network balances: rETH's supply now and the total
// ETH at the previous rate grown by the APR over the time since the last
// update (clamped to RPIP-61's maximum change), after paying the rewards
// that growth represents into rETH.
func (s *Stepper) report(ctx context.Context) error {
	if s.apr == 0 {
		return nil
	}
	head, err := s.sender.Client().HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("rocketpool model: read head: %w", err)
	}
	now := model.Now(s.wallClock, head.Time)
	last, err := s.big(ctx, s.balances, s.abis.balances, "getBalancesTimestamp")
	if err != nil {
		return err
	}
	interval := s.interval
	if last.Sign() > 0 && now < last.Uint64()+interval {
		return nil
	}
	supply, err := s.big(ctx, s.reth, s.abis.reth, "totalSupply")
	if err != nil || supply.Sign() == 0 {
		return err
	}
	total0, err := s.big(ctx, s.balances, s.abis.balances, "getTotalETHBalance")
	if err != nil {
		return err
	}
	supply0, err := s.big(ctx, s.balances, s.abis.balances, "getTotalRETHSupply")
	if err != nil {
		return err
	}
	maxDelta, err := s.big(ctx, s.network, s.abis.network, "getMaxRethDelta")
	if err != nil {
		return err
	}
	elapsed := interval
	if last.Sign() > 0 {
		elapsed = now - last.Uint64()
	}
	rate0, rate1 := NextRate(total0, supply0, s.apr, elapsed, maxDelta)
	reward := mulDiv(supply, new(big.Int).Sub(rate1, rate0), big.NewInt(calcBase))
	total1 := mulDiv(supply, rate1, big.NewInt(calcBase))
	if reward.Sign() > 0 {
		// Rewards arrive at rETH as ETH, as minipool distributions do.
		to := s.reth
		if _, err := s.sender.Send(ctx, &to, reward, nil); err != nil {
			return fmt.Errorf("rocketpool model: pay %s wei of rewards into rETH: %w", reward, err)
		}
	}
	collateral, err := s.big(ctx, s.reth, s.abis.reth, "getTotalCollateral")
	if err != nil {
		return err
	}
	staking := new(big.Int).Sub(total1, collateral)
	if staking.Sign() < 0 {
		staking.SetInt64(0)
	}
	// The balances are of the latest block: below the number the
	// transaction (and eth_estimateGas, which runs at the latest block)
	// sees.
	block, err := s.sender.Client().BlockNumber(ctx)
	if err != nil {
		return fmt.Errorf("rocketpool model: read block number: %w", err)
	}
	if block == 0 {
		return nil
	}
	return s.send(ctx, s.balances, nil, s.abis.balances, "submitBalances",
		new(big.Int).SetUint64(block-1), new(big.Int).SetUint64(now), total1, staking, supply)
}

// calcBase is 1 ether in wei, Rocket Pool's fixed-point one.
const calcBase = 1e18

// NextRate is the rETH rate (ETH per rETH, 1e18 = 1) before and after
// elapsed seconds at apr percent a year, from the reported balances (1:1
// while no supply is reported), the growth clamped just under maxDelta
// (RPIP-61's "Change exceeds maximum", a fraction of 1e18).
func NextRate(total, supply *big.Int, apr float64, elapsed uint64, maxDelta *big.Int) (rate0, rate1 *big.Int) {
	one := big.NewInt(calcBase)
	rate0 = new(big.Int).Set(one)
	if supply.Sign() > 0 {
		rate0 = mulDiv(total, one, supply)
	}
	ppm := big.NewInt(int64(math.Round(apr * 1e4)))
	growth := new(big.Int).Mul(rate0, ppm)
	growth.Mul(growth, new(big.Int).SetUint64(elapsed))
	growth.Quo(growth, big.NewInt(1e6*secondsPerYear))
	if limit := mulDiv(rate0, maxDelta, one); limit.Sign() > 0 && growth.Cmp(limit) >= 0 {
		growth = mulDiv(limit, big.NewInt(99), big.NewInt(100))
	}
	return rate0, new(big.Int).Add(rate0, growth)
}

// assign sends the deposit pool's whole 32 ETH lots of excess to the
// oracle account, standing for the beacon chain (model-only
// assignToValidators).
func (s *Stepper) assign(ctx context.Context) error {
	excess, err := s.big(ctx, s.pool, s.abis.pool, "getExcessBalance")
	if err != nil {
		return err
	}
	lots := new(big.Int).Quo(excess, LotSize())
	if lots.Sign() == 0 {
		return nil
	}
	return s.send(ctx, s.pool, nil, s.abis.pool, "assignToValidators", s.sender.From(), lots.Mul(lots, LotSize()))
}

func (s *Stepper) big(ctx context.Context, to common.Address, a *abi.ABI, method string, args ...any) (*big.Int, error) {
	v, err := devtx.CallBig(ctx, s.sender.Client(), a, to, method, args...)
	if err != nil {
		return nil, fmt.Errorf("rocketpool model: %s: %w", method, err)
	}
	return v, nil
}

func (s *Stepper) send(ctx context.Context, to common.Address, value *big.Int, a *abi.ABI, method string, args ...any) error {
	return model.Send(ctx, s.sender, modelName, to, value, a, method, args...)
}

func mulDiv(a, b, c *big.Int) *big.Int {
	v := new(big.Int).Mul(a, b)
	return v.Quo(v, c)
}
