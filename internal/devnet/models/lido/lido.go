// Package lido is the Lido model (Lido, WstETH, WithdrawalQueueERC721,
// LidoLocator, on the "devnet" chain) as a model.Model: a thin adapter over
// contracts.Deploy and the oracle package, which stays the Lido-specific
// accounting oracle.
package lido

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/internal/devnet/oracle"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// Model is the Lido model on the "devnet" chain.
var Model model.Model = lidoModel{}

type lidoModel struct{}

func (lidoModel) Name() string  { return lido.Descriptor.Name }
func (lidoModel) Chain() string { return "devnet" }

// Fixed places the four contracts at the addresses of pkg/protocol/lido's
// built-in "devnet" deployment.
func (lidoModel) Fixed() map[string]common.Address {
	return map[string]common.Address{
		contracts.NameLido:            lido.DevnetStETH,
		contracts.NameWstETH:          lido.DevnetWstETH,
		contracts.NameWithdrawalQueue: lido.DevnetWithdrawalQueue,
		contracts.NameLocator:         lido.DevnetLocator,
	}
}

// Funding is Lido's bootstrap deposit, sent with its constructor.
func (lidoModel) Funding() *big.Int { return contracts.BootstrapDeposit() }

func (lidoModel) Deploy(ctx context.Context, d contracts.Deployer, oracleAddr common.Address) (map[string]common.Address, error) {
	dep, err := contracts.Deploy(ctx, d, oracleAddr)
	if err != nil {
		return nil, err
	}
	return Addresses(dep), nil
}

// Addresses maps a deployment to the roles of pkg/protocol/lido.
func Addresses(dep contracts.Deployment) map[string]common.Address {
	return map[string]common.Address{
		lido.RoleStETH:           dep.StETH,
		lido.RoleWstETH:          dep.WstETH,
		lido.RoleWithdrawalQueue: dep.WithdrawalQueue,
		lido.RoleLocator:         dep.Locator,
	}
}

// NewStepper binds the Lido oracle to the deployment through its locator.
func (lidoModel) NewStepper(ctx context.Context, env model.StepEnv) (model.Stepper, error) {
	if env.Sender == nil {
		return nil, errors.New("lido model: no sender for the oracle account")
	}
	locator, ok := env.Addresses[lido.RoleLocator]
	if !ok || locator == (common.Address{}) {
		return nil, fmt.Errorf("lido model: no %s address; pass the deployment's addresses by role", lido.RoleLocator)
	}
	o, err := oracle.NewWithSender(ctx, env.Sender, locator, oracle.Config{
		BondingPeriod:  env.BondingPeriod,
		APR:            env.APR,
		RewardInterval: env.RewardInterval,
		WallClock:      env.WallClock,
		Logger:         env.Logger,
	})
	if err != nil {
		return nil, err
	}
	return Stepper{Oracle: o}, nil
}

// Stepper is the Lido oracle as a model.Stepper; Oracle stays reachable for
// callers that want its reports.
type Stepper struct{ Oracle *oracle.Oracle }

// Step sends a report when one is due.
func (s Stepper) Step(ctx context.Context) error {
	_, err := s.Oracle.Step(ctx)
	return err
}
