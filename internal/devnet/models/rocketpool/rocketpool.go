// Package rocketpool is the Rocket Pool model on the "devnet" chain:
// RocketStorage and the contracts it names (rETH, the deposit pool, the
// deposit and network settings, the network balances), deployed and wired
// as the real network is, and a stepper that plays Rocket Pool's oracle
// and node operators: it reports the network balances so that the rETH
// exchange rate rises at the devnet's APR (paying the rewards into rETH as
// ETH, as minipool distributions do), and assigns the deposit pool's ETH
// to "validators" in 32 ETH lots, so that not every deposited ether stays
// redeemable collateral.
package rocketpool

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// Contract (artifact) names.
const (
	NameStorage         = "RocketStorage"
	NameRETH            = "RocketTokenRETH"
	NameDepositPool     = "RocketDepositPool"
	NameSettingsDeposit = "RocketDAOProtocolSettingsDeposit"
	NameSettingsNetwork = "RocketDAOProtocolSettingsNetwork"
	NameNetworkBalances = "RocketNetworkBalances"
)

// Model is the Rocket Pool model on the "devnet" chain.
var Model model.Model = rpModel{}

type rpModel struct{}

func (rpModel) Name() string  { return rocketpool.Descriptor.Name }
func (rpModel) Chain() string { return "devnet" }

// Fixed places the contracts at pkg/protocol/rocketpool's devnet addresses.
func (rpModel) Fixed() map[string]common.Address {
	return map[string]common.Address{
		NameStorage:         rocketpool.DevnetStorage,
		NameRETH:            rocketpool.DevnetRETH,
		NameDepositPool:     rocketpool.DevnetDepositPool,
		NameSettingsDeposit: rocketpool.DevnetSettingsDeposit,
		NameSettingsNetwork: rocketpool.DevnetSettingsNetwork,
		NameNetworkBalances: rocketpool.DevnetNetworkBalances,
	}
}

// Funding is nil: the model starts with no ETH of its own.
func (rpModel) Funding() *big.Int { return nil }

// InitialBalances are the network balances the model starts with: a
// network with history, 110 ETH backing 100 rETH, so the exchange rate
// starts at 1.1 ETH per rETH (mainnet's is of that order). No rETH exists
// yet; the first report replaces the supply with rETH's real one.
func InitialBalances() (totalETH, rethSupply *big.Int) {
	return ether(110), ether(100)
}

// LotSize is what the stepper assigns to one validator: 32 ETH.
func LotSize() *big.Int { return ether(32) }

func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }

// Deploy creates the six contracts, registers each in RocketStorage
// ("contract.address"+name and "contract.exists"+address, as Rocket Pool's
// deployment does), and locks the storage (setDeployedStatus). The oracle
// is the guardian: the model's admin and its one trusted node.
func (rpModel) Deploy(ctx context.Context, d contracts.Deployer, oracle common.Address) (map[string]common.Address, error) {
	total, supply := InitialBalances()
	var storage common.Address
	steps := []struct {
		name, rpName string
		args         func() []any
		addr         common.Address
	}{
		{NameStorage, "rocketStorage", func() []any { return []any{oracle} }, common.Address{}},
		{NameRETH, rocketpool.NameTokenRETH, func() []any { return []any{storage} }, common.Address{}},
		{NameDepositPool, rocketpool.NameDepositPool, func() []any { return []any{storage} }, common.Address{}},
		{NameSettingsDeposit, rocketpool.NameSettingsDeposit, func() []any { return []any{storage} }, common.Address{}},
		{NameSettingsNetwork, rocketpool.NameSettingsNetwork, func() []any { return []any{storage} }, common.Address{}},
		{NameNetworkBalances, rocketpool.NameNetworkBalances, func() []any { return []any{storage, total, supply} }, common.Address{}},
	}
	st, err := contracts.Load(NameStorage)
	if err != nil {
		return nil, err
	}
	for i := range steps {
		s := &steps[i]
		a, err := contracts.Load(s.name)
		if err != nil {
			return nil, err
		}
		code, err := a.InitCode(s.args()...)
		if err != nil {
			return nil, err
		}
		if s.addr, err = d.Create(ctx, s.name, code, new(big.Int)); err != nil {
			return nil, fmt.Errorf("deploy %s: %w", s.name, err)
		}
		if i == 0 {
			storage = s.addr
		}
		calls := []struct {
			method string
			args   []any
		}{
			{"setAddress", []any{rocketpool.ContractKey(s.rpName), s.addr}},
			{"setBool", []any{crypto.Keccak256Hash([]byte("contract.exists"), s.addr.Bytes()), true}},
		}
		for _, c := range calls {
			if err := call(ctx, d, &st.ABI, storage, c.method, c.args...); err != nil {
				return nil, fmt.Errorf("register %s: %w", s.name, err)
			}
		}
	}
	if err := call(ctx, d, &st.ABI, storage, "setDeployedStatus"); err != nil {
		return nil, err
	}
	return map[string]common.Address{rocketpool.RoleStorage: storage, rocketpool.RoleRETH: steps[1].addr}, nil
}

func call(ctx context.Context, d contracts.Deployer, a *abi.ABI, to common.Address, method string, args ...any) error {
	data, err := a.Pack(method, args...)
	if err != nil {
		return fmt.Errorf("encode %s: %w", method, err)
	}
	if err := d.Call(ctx, to, data); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

// ReportInterval is the least time between two balance reports when
// StepEnv.RewardInterval is 0 (the devnet's Lido oracle credits rewards as
// often). Rocket Pool has no waiting time for the bonding period to scale:
// deposits and burns are instant.
const ReportInterval = 5 * time.Second

// NewStepper resolves the deployment through RocketStorage and sets the
// balance submission frequency (RPIP-61's least time between updates) to
// the report interval, in whole seconds (once, if it differs).
func (rpModel) NewStepper(ctx context.Context, env model.StepEnv) (model.Stepper, error) {
	if env.Sender == nil {
		return nil, errors.New("rocketpool model: no sender for the oracle account")
	}
	if env.APR < 0 || math.IsNaN(env.APR) || math.IsInf(env.APR, 0) {
		return nil, fmt.Errorf("rocketpool model: invalid APR %v", env.APR)
	}
	storage, ok := env.Addresses[rocketpool.RoleStorage]
	if !ok || storage == (common.Address{}) {
		return nil, fmt.Errorf("rocketpool model: no %s address; pass the deployment's addresses by role", rocketpool.RoleStorage)
	}
	interval := env.RewardInterval
	if interval <= 0 {
		interval = ReportInterval
	}
	secs := max(uint64(interval/time.Second), 1)
	s := &Stepper{sender: env.Sender, apr: env.APR, wallClock: env.WallClock, storage: storage, interval: secs}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	want := new(big.Int).SetUint64(secs)
	if _, err := model.SetOnce(ctx, s.sender, modelName, s.abis.network, s.network, "getSubmitBalancesFrequency", want,
		"setSettingUint", "network.submit.balances.frequency", want); err != nil {
		return nil, err
	}
	return s, nil
}
