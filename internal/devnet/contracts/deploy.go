package contracts

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/params"
)

// Model parameters shared by the genesis and by deployments onto other
// nodes. Functions rather than variables so no caller can mutate them.

// BootstrapDeposit is sent with Lido's constructor and minted as shares to
// 0xdead, like the real Lido's initial holder, so that the share rate is
// defined from the start: 1 ETH.
func BootstrapDeposit() *big.Int { return big.NewInt(params.Ether) }

// MaxStakeLimit is the stake limit Lido starts with: 150,000 ETH (mainnet's).
func MaxStakeLimit() *big.Int {
	return new(big.Int).Mul(big.NewInt(150_000), big.NewInt(params.Ether))
}

// StakeLimitIncreasePerBlock refills the stake limit in 6400 blocks (about a
// day of mainnet blocks).
func StakeLimitIncreasePerBlock() *big.Int {
	return new(big.Int).Div(MaxStakeLimit(), big.NewInt(6400))
}

// Deployment is where the four model contracts live on one chain.
type Deployment struct {
	StETH           common.Address `json:"steth"`
	WstETH          common.Address `json:"wsteth"`
	WithdrawalQueue common.Address `json:"withdrawalQueue"`
	Locator         common.Address `json:"locator"`
}

// Deployer puts contracts on a chain. The genesis builder places them at
// fixed addresses in an in-memory EVM; the deploy command sends transactions.
type Deployer interface {
	// Create runs initCode with value and returns the new contract's address.
	Create(ctx context.Context, name string, initCode []byte, value *big.Int) (common.Address, error)
	// Call sends a state-changing call from the deploying account.
	Call(ctx context.Context, to common.Address, data []byte) error
}

// CreationLog is implemented by Deployers that remember what they created, by
// the name passed to Create: a model that adds to another model's
// contracts (the sonic model adds validators to the stS model's SFC) finds
// them wherever the node put them (the genesis's fixed address, or a
// CREATE address on anvil).
type CreationLog interface {
	Created(name string) (common.Address, bool)
}

// Deploy deploys and wires the Lido model: Lido (with the bootstrap deposit),
// WstETH, WithdrawalQueueERC721 administered by oracle, LidoLocator, and
// finally Lido.initialize(locator). The oracle is the account allowed to send
// handleOracleReport and the other model-only admin calls.
func Deploy(ctx context.Context, d Deployer, oracle common.Address) (Deployment, error) {
	var dep Deployment
	steps := []struct {
		name  string
		value *big.Int
		args  func() []any
		out   *common.Address
	}{
		{NameLido, BootstrapDeposit(), func() []any { return []any{MaxStakeLimit(), StakeLimitIncreasePerBlock()} }, &dep.StETH},
		{NameWstETH, nil, func() []any { return []any{dep.StETH} }, &dep.WstETH},
		{NameWithdrawalQueue, nil, func() []any { return []any{dep.WstETH, oracle} }, &dep.WithdrawalQueue},
		{NameLocator, nil, func() []any { return []any{dep.StETH, dep.WstETH, dep.WithdrawalQueue, oracle} }, &dep.Locator},
	}
	for _, s := range steps {
		a, err := Load(s.name)
		if err != nil {
			return Deployment{}, err
		}
		code, err := a.InitCode(s.args()...)
		if err != nil {
			return Deployment{}, err
		}
		value := s.value
		if value == nil {
			value = new(big.Int)
		}
		addr, err := d.Create(ctx, s.name, code, value)
		if err != nil {
			return Deployment{}, fmt.Errorf("deploy %s: %w", s.name, err)
		}
		*s.out = addr
	}
	data, err := Lido().ABI.Pack("initialize", dep.Locator)
	if err != nil {
		return Deployment{}, fmt.Errorf("encode Lido.initialize: %w", err)
	}
	if err := d.Call(ctx, dep.StETH, data); err != nil {
		return Deployment{}, fmt.Errorf("initialize Lido: %w", err)
	}
	return dep, nil
}
