// Package bnb is the BNB Chain native staking model on the "devnet-bsc"
// chain: the StakeHub model at the real system address 0x…2002 and one
// StakeCredit per validator at 0x16…0N, as a model.Model.
//
// Genesis: five validators (Validators), each with its self-delegation
// sent with its StakeCredit's constructor and registered with the StakeHub
// (addValidator): four unjailed and one jailed; maxElectedValidators is 3,
// so the unjailed validator with the least stake is not elected (inactive).
// The unbond period is 7 days, as on BSC; the oracle account is the
// StakeHub's admin (governance, protector and validator-set contract).
//
// The stepper (the devnet oracle for BNB) applies the bonding period once,
// through the real governance setter updateParam("unbondPeriod", …), and
// then on each step: pays each unjailed validator its rewards at the APR
// with the real StakeHub.distributeReward (into its credit, less the
// commission, as BNB's daily breathe block does), and, on a wall-clock node,
// mines a block when an unbond request's unlock time has passed by the wall
// clock but not by the chain's latest block (so that a claim simulates
// against a block that has it unlocked). A step with nothing to do sends
// nothing.
package bnb

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/pkg/protocol/bnb"
)

// Contract (artifact) names.
const (
	NameStakeHub    = "StakeHub"
	NameStakeCredit = "StakeCredit"
)

// GenesisUnbondPeriod is the StakeHub's unbondPeriod at genesis: 7 days,
// BSC's.
const GenesisUnbondPeriod = 7 * 24 * time.Hour

// MaxElectedValidators is the model's maxElectedValidators (45 on BSC).
const MaxElectedValidators = 3

const (
	secondsPerYear        = 365 * 24 * 60 * 60
	callTimeout           = 30 * time.Second
	defaultRewardInterval = time.Minute
)

// Validator is one genesis validator of the model.
type Validator struct {
	Moniker    string
	Commission uint64 // base 10000
	SelfStake  int64  // whole BNB
	Jailed     bool
}

// Validators are the genesis validators, in the StakeHub's order; the n-th
// (from 1) has its credit at bnb.DevnetCredit(n) and its operator at
// Operator(n).
var Validators = []Validator{
	{Moniker: "Alpha", Commission: 500, SelfStake: 300},
	{Moniker: "Ankr", Commission: 250, SelfStake: 200},
	{Moniker: "Binance", Commission: 1000, SelfStake: 500},
	{Moniker: "Certik", Commission: 700, SelfStake: 100, Jailed: true},
	{Moniker: "Defibit", Commission: 100, SelfStake: 50},
}

// key derives the n-th validator's key of kind ("operator", "consensus")
// from a fixed seed.
func key(kind string, n int) common.Address {
	seed := sha256.Sum256(fmt.Appendf(nil, "stakewallet devnet-bsc validator %d %s", n, kind))
	k, err := crypto.ToECDSA(seed[:])
	if err != nil {
		panic(err) // a fixed 32-byte seed below the curve order
	}
	return crypto.PubkeyToAddress(k.PublicKey)
}

// Operator is the n-th validator's operator address (its id).
func Operator(n int) common.Address { return key("operator", n) }

// Consensus is the n-th validator's consensus address.
func Consensus(n int) common.Address { return key("consensus", n) }

func creditName(n int) string { return fmt.Sprintf("%s%d", NameStakeCredit, n) }

// Model is the BNB staking model on the "devnet-bsc" chain.
var Model model.Model = bnbModel{}

// modelName prefixes the stepper's errors.
const modelName = "bnb model"

type bnbModel struct{}

func (bnbModel) Name() string  { return bnb.Descriptor.Name }
func (bnbModel) Chain() string { return "devnet-bsc" }

// Fixed places the StakeHub at BSC's system address and the credits at
// 0x16…0N.
func (bnbModel) Fixed() map[string]common.Address {
	out := map[string]common.Address{NameStakeHub: bnb.DevnetStakeHub}
	for i := range Validators {
		out[creditName(i+1)] = bnb.DevnetCredit(i + 1)
	}
	return out
}

// Funding is the validators' self-delegations.
func (bnbModel) Funding() *big.Int {
	sum := new(big.Int)
	for _, v := range Validators {
		sum.Add(sum, new(big.Int).Mul(big.NewInt(v.SelfStake), big.NewInt(params.Ether)))
	}
	return sum
}

// Deploy creates the StakeHub (oracle is admin), each validator's
// StakeCredit with its self-delegation, and registers them.
func (bnbModel) Deploy(ctx context.Context, d contracts.Deployer, oracle common.Address) (map[string]common.Address, error) {
	hubArt, err := contracts.Load(NameStakeHub)
	if err != nil {
		return nil, err
	}
	code, err := hubArt.InitCode(oracle, big.NewInt(MaxElectedValidators), big.NewInt(int64(GenesisUnbondPeriod/time.Second)))
	if err != nil {
		return nil, err
	}
	hub, err := d.Create(ctx, NameStakeHub, code, new(big.Int))
	if err != nil {
		return nil, fmt.Errorf("deploy %s: %w", NameStakeHub, err)
	}
	creditArt, err := contracts.Load(NameStakeCredit)
	if err != nil {
		return nil, err
	}
	for i, v := range Validators {
		n := i + 1
		code, err := creditArt.InitCode(hub, Operator(n), v.Moniker)
		if err != nil {
			return nil, err
		}
		self := new(big.Int).Mul(big.NewInt(v.SelfStake), big.NewInt(params.Ether))
		credit, err := d.Create(ctx, creditName(n), code, self)
		if err != nil {
			return nil, fmt.Errorf("deploy the credit of %s: %w", v.Moniker, err)
		}
		data, err := hubArt.ABI.Pack("addValidator", Operator(n), Consensus(n), credit, v.Moniker, v.Commission, v.Jailed)
		if err != nil {
			return nil, err
		}
		if err := d.Call(ctx, hub, data); err != nil {
			return nil, fmt.Errorf("register validator %s: %w", v.Moniker, err)
		}
	}
	return map[string]common.Address{bnb.RoleStakeHub: hub}, nil
}

// NewStepper applies env.BondingPeriod as the StakeHub's unbondPeriod (only
// when it differs) and returns the stepper.
func (bnbModel) NewStepper(ctx context.Context, env model.StepEnv) (model.Stepper, error) {
	if err := env.Check(modelName); err != nil {
		return nil, err
	}
	hub := env.Addresses[bnb.RoleStakeHub]
	if hub == (common.Address{}) {
		return nil, fmt.Errorf("bnb model: need the %s address, as Deploy returned it", bnb.RoleStakeHub)
	}
	interval := env.RewardInterval
	if interval <= 0 {
		interval = defaultRewardInterval
	}
	s := &Stepper{
		sender:    env.Sender,
		hub:       hub,
		bonding:   uint64((env.BondingPeriod + time.Second - 1) / time.Second),
		aprPPM:    int64(math.Round(env.APR * 1e4)),
		interval:  uint64((interval + time.Second - 1) / time.Second),
		wallClock: env.WallClock,
		log:       env.Log(),
	}
	abis, err := model.ABIs(NameStakeHub, NameStakeCredit)
	if err != nil {
		return nil, err
	}
	s.hubABI, s.creditABI = abis[0], abis[1]
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if env.BondingPeriod > 0 {
		if err := s.applyBondingPeriod(ctx); err != nil {
			return nil, err
		}
	} else {
		p, err := devtx.CallBig(ctx, s.client(), s.hubABI, s.hub, "unbondPeriod")
		if err != nil {
			return nil, fmt.Errorf("bnb model: %w", err)
		}
		s.bonding = p.Uint64()
	}
	head, err := s.client().HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("bnb model: read the latest block: %w", err)
	}
	s.lastReward = s.now(head.Time)
	s.scanned = head.Number.Uint64()
	return s, nil
}

// Stepper is the BNB model's oracle logic.
type Stepper struct {
	sender            *devtx.Sender
	hub               common.Address
	hubABI, creditABI *abi.ABI
	bonding           uint64
	aprPPM            int64
	interval          uint64
	wallClock         bool
	log               *slog.Logger

	lastReward uint64    // time rewards were last paid up to
	scanned    uint64    // last block whose Undelegated events were read
	due        model.Due // unlock times not yet reached by the chain
}

func (s *Stepper) client() *ethclient.Client { return s.sender.Client() }

func (s *Stepper) now(head uint64) uint64 { return model.Now(s.wallClock, head) }

func (s *Stepper) applyBondingPeriod(ctx context.Context) error {
	want := new(big.Int).SetUint64(s.bonding)
	sent, err := model.SetOnce(ctx, s.sender, modelName, s.hubABI, s.hub, "unbondPeriod", want, "updateParam", "unbondPeriod", common.BigToHash(want).Bytes())
	if sent && err == nil {
		s.log.Info("StakeHub unbond period set", "seconds", s.bonding)
	}
	return err
}

func (s *Stepper) send(ctx context.Context, to common.Address, value *big.Int, method string, args ...any) error {
	return model.Send(ctx, s.sender, modelName, to, value, s.hubABI, method, args...)
}

// rewards is stake × APR × elapsed / year.
func rewards(stake *big.Int, ppm int64, elapsed uint64) *big.Int {
	r := new(big.Int).Mul(stake, big.NewInt(ppm))
	r.Mul(r, new(big.Int).SetUint64(elapsed))
	return r.Div(r, big.NewInt(1e6*secondsPerYear))
}

// Step pays rewards and mines a block for requests unlocked by the wall
// clock; nothing when there is nothing to do.
func (s *Stepper) Step(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	c := s.client()
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("bnb model: read the latest block: %w", err)
	}
	now := s.now(head.Time)
	sent := false

	// 1. Rewards of every unjailed validator at the APR, into its credit.
	if s.aprPPM > 0 && now >= s.lastReward+s.interval {
		res, err := devtx.Call(ctx, c, s.hubABI, s.hub, "getValidators", new(big.Int), new(big.Int))
		if err != nil {
			return fmt.Errorf("bnb model: %w", err)
		}
		ops, _ := res[0].([]common.Address)
		credits, _ := res[1].([]common.Address)
		for i, op := range ops {
			info, err := devtx.Call(ctx, c, s.hubABI, s.hub, "getValidatorBasicInfo", op)
			if err != nil {
				return fmt.Errorf("bnb model: %w", err)
			}
			if jailed, _ := info[1].(bool); jailed || i >= len(credits) {
				continue
			}
			pooled, err := devtx.CallBig(ctx, c, s.creditABI, credits[i], "totalPooledBNB")
			if err != nil {
				return fmt.Errorf("bnb model: %w", err)
			}
			r := rewards(pooled, s.aprPPM, now-s.lastReward)
			if r.Sign() == 0 {
				continue
			}
			if err := s.send(ctx, s.hub, r, "distributeReward", consensusOf(op)); err != nil {
				return err
			}
			sent = true
		}
		s.lastReward = now
		if sent {
			s.log.Info("BNB validator rewards paid")
		}
	}

	// 2. Unbond requests made since the last step: their unlock times.
	if head.Number.Uint64() > s.scanned {
		logs, err := c.FilterLogs(ctx, ethereum.FilterQuery{
			FromBlock: new(big.Int).SetUint64(s.scanned + 1),
			ToBlock:   head.Number,
			Addresses: []common.Address{s.hub},
			Topics:    [][]common.Hash{{s.hubABI.Events["Undelegated"].ID}},
		})
		if err != nil {
			return fmt.Errorf("bnb model: read Undelegated events: %w", err)
		}
		for _, l := range logs {
			if len(l.Topics) != 3 {
				continue
			}
			t, err := s.unlockTime(ctx, l)
			if err != nil {
				return err
			}
			s.due.Add(t)
		}
		s.scanned = head.Number.Uint64()
	}
	mined, err := s.due.Mine(ctx, s.sender, modelName, s.wallClock, head.Time, now, sent)
	if mined {
		s.log.Info("block mined for unlocked BNB unbond requests")
	}
	return err
}

// unlockTime reads the unlock time of the request an Undelegated event
// made: the last of the delegator's queue on the validator's credit, at the
// event's block.
func (s *Stepper) unlockTime(ctx context.Context, l types.Log) (uint64, error) {
	c := s.client()
	op, delegator := common.BytesToAddress(l.Topics[1].Bytes()), common.BytesToAddress(l.Topics[2].Bytes())
	block := new(big.Int).SetUint64(l.BlockNumber)
	call := func(a *abi.ABI, to common.Address, method string, args ...any) ([]any, error) {
		data, err := a.Pack(method, args...)
		if err != nil {
			return nil, err
		}
		ret, err := c.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, block)
		if err != nil {
			return nil, fmt.Errorf("bnb model: %s at block %d: %w", method, l.BlockNumber, err)
		}
		return a.Unpack(method, ret)
	}
	res, err := call(s.hubABI, s.hub, "getValidatorCreditContract", op)
	if err != nil {
		return 0, err
	}
	credit, _ := res[0].(common.Address)
	res, err = call(s.creditABI, credit, "pendingUnbondRequest", delegator)
	if err != nil {
		return 0, err
	}
	n, _ := res[0].(*big.Int)
	if n == nil || n.Sign() == 0 {
		return 0, nil
	}
	res, err = call(s.creditABI, credit, "unbondRequest", delegator, new(big.Int).Sub(n, big.NewInt(1)))
	if err != nil {
		return 0, err
	}
	var req struct{ Shares, BnbAmount, UnlockTime *big.Int }
	abi.ConvertType(res[0], &req)
	if req.UnlockTime == nil || !req.UnlockTime.IsUint64() {
		return 0, fmt.Errorf("bnb model: unbondRequest returned %v", res[0])
	}
	return req.UnlockTime.Uint64(), nil
}

// consensusOf is the consensus address of a genesis validator's operator.
func consensusOf(op common.Address) common.Address {
	for i := range Validators {
		if Operator(i+1) == op {
			return Consensus(i + 1)
		}
	}
	return common.Address{}
}
