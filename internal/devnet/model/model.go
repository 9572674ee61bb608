// Package model is how a protocol's model contracts join the devnet: each
// protocol's model (a package under internal/devnet/models/) implements
// Model, and internal/devnet/models lists them. The devnet places every
// model of a chain in that chain's genesis at its fixed addresses, the
// deploy command sends the same deployment to any node (anvil), and the
// oracle calls each model's Step to move it along (finalize requests, end
// cooldowns and windows, seal epochs, pay rewards).
package model

import (
	"context"
	"log/slog"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
)

// Model is one protocol's model contracts on one devnet chain.
type Model interface {
	// Name is the protocol's name, as --protocol takes it ("rocketpool").
	Name() string
	// Chain is the built-in network whose genesis holds the model
	// ("devnet", "devnet-avalanche", "devnet-sonic", "devnet-bsc").
	Chain() string
	// Fixed maps each contract the model creates, by the name it passes to
	// Deployer.Create (unique across all models), to its genesis address.
	// Choose addresses in a range of your own: 0x<2 hex digits of your
	// own>00…0<n>.
	Fixed() map[string]common.Address
	// Deploy creates and wires the contracts through d from the oracle
	// account (which holds Funding) and returns the protocol's addresses by
	// the roles of its Descriptor (protocol.Addresses). Deterministic: the
	// genesis is a pure function of it.
	Deploy(ctx context.Context, d contracts.Deployer, oracle common.Address) (map[string]common.Address, error)
	// Funding is the native coin the oracle account must hold to deploy
	// (bootstrap deposits, collateral); nil for none.
	Funding() *big.Int
	// NewStepper binds the model's oracle logic to a live deployment. It
	// may send admin calls once to apply env.BondingPeriod (a model's
	// cooldown or withdrawal delay is a contract parameter, as on the real
	// chain, and the genesis holds a default).
	NewStepper(ctx context.Context, env StepEnv) (Stepper, error)
}

// StepEnv is what a model's oracle logic works with.
type StepEnv struct {
	// Sender signs and sends as the oracle account, the model's admin.
	Sender *devtx.Sender
	// Addresses are the protocol's addresses by role, as Deploy returned.
	Addresses map[string]common.Address
	// BondingPeriod scales every waiting time of the model (withdrawal
	// delays, cooldowns, unbonding); redeem windows and epochs scale with
	// it as the model documents.
	BondingPeriod time.Duration
	// APR is the reward rate in percent per year (0 = none).
	APR float64
	// RewardInterval is the least time between two transactions a model
	// sends only to pay rewards (0 = the model's own default). Steps that
	// finalize or end something do not wait for it.
	RewardInterval time.Duration
	// WallClock: take max(latest block time, now) as the time of the next
	// block (the devnet mines on demand); off on nodes whose time is moved
	// by hand (anvil).
	WallClock bool
	Logger    *slog.Logger
}

// Stepper moves one model along. The oracle calls Step about once a second;
// a Step with nothing to do sends nothing.
type Stepper interface {
	Step(ctx context.Context) error
}
