// Package sts is the Beets stS model on the "devnet-sonic" chain: the SFC
// model at Sonic's SFC address with its ConstantsManager, and SonicStaking
// (stS), as a model.Model.
//
// Genesis: the oracle account is validator 1 (its self-stake is sent with the
// SFC's constructor), stS's admin, operator (OPERATOR_ROLE), reward claimer
// (CLAIM_ROLE) and treasury; a bootstrap deposit sent with stS's constructor
// is delegated to validator 1, so that stS has a rate and a delegation from
// the first block.
//
// The stepper (the devnet oracle for stS) applies the bonding period once,
// through the real admin setters (SonicStaking.setWithdrawDelay and
// ConstantsManager.updateWithdrawalPeriodTime), and then on each step:
// delegates the undelegated pool, as the operator would, to the active
// validator with the most room under its delegation limit (validator 1
// unless tests add others), so that undelegate(validatorId, shares) has
// stake to take; credits the SFC rewards of stS's delegation at the APR and claims them into the pool with
// SonicStaking.claimRewards (10% fee to the treasury, as on Sonic), and, on
// a wall-clock node, mines a block when a request's delay has passed by the
// wall clock but not by the chain's latest block (so that a claim simulates
// against a block that has it claimable). A step with nothing to do sends
// nothing.
package sts

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/pkg/protocol/sts"
)

// Contract (artifact) names, as passed to Deployer.Create.
const (
	NameConstantsManager = "ConstantsManager"
	NameSFC              = "SFC"
	NameSonicStaking     = "SonicStaking"
)

// ValidatorID is the genesis validator (the oracle's), which holds stS's
// bootstrap delegation.
const ValidatorID = 1

const (
	secondsPerYear = 365 * 24 * 60 * 60
	callTimeout    = 30 * time.Second
	// minRewardInterval spaces reward credits (each is two transactions).
	minRewardInterval = 5
)

// SelfStake is validator 1's self-stake: 5,000 S, so that its delegation
// limit (16× self-stake, ConstantsManager.maxDelegatedRatio) leaves room
// for 75,000 S of stS.
func SelfStake() *big.Int { return new(big.Int).Mul(big.NewInt(5_000), big.NewInt(params.Ether)) }

// BootstrapDeposit is stS's first deposit: 1,000 S, delegated at genesis.
func BootstrapDeposit() *big.Int {
	return new(big.Int).Mul(big.NewInt(1_000), big.NewInt(params.Ether))
}

// minClaimRewards is SonicStaking.MIN_CLAIM_REWARDS_AMOUNT: claimRewards
// needs strictly more.
var minClaimRewards = big.NewInt(1e12)

// Model is the stS model on the "devnet-sonic" chain.
var Model model.Model = stsModel{}

// modelName prefixes the stepper's errors.
const modelName = "sts model"

type stsModel struct{}

func (stsModel) Name() string  { return sts.Descriptor.Name }
func (stsModel) Chain() string { return "devnet-sonic" }

// Fixed places stS and the ConstantsManager in 0x14…, and the SFC model at
// Sonic's SFC address.
func (stsModel) Fixed() map[string]common.Address {
	return map[string]common.Address{
		NameSonicStaking:     sts.DevnetSTS,
		NameConstantsManager: sts.DevnetConstantsManager,
		NameSFC:              sts.DevnetSFC,
	}
}

// Funding is validator 1's self-stake and stS's bootstrap deposit.
func (stsModel) Funding() *big.Int { return new(big.Int).Add(SelfStake(), BootstrapDeposit()) }

// ValidatorPubkey is validator 1's public key in the SFC's format (0xc0
// then an uncompressed secp256k1 key), derived from a fixed seed.
func ValidatorPubkey() []byte {
	seed := sha256.Sum256([]byte("stakewallet devnet-sonic validator 1"))
	k, err := crypto.ToECDSA(seed[:])
	if err != nil {
		panic(err) // a fixed 32-byte seed below the curve order
	}
	return append([]byte{0xc0}, crypto.FromECDSAPub(&k.PublicKey)...)
}

// Deploy creates ConstantsManager (owned by oracle), the SFC (oracle is
// validator 1), SonicStaking (oracle is admin and treasury, with the
// bootstrap deposit), grants oracle OPERATOR_ROLE and CLAIM_ROLE and
// delegates the pool to validator 1.
func (stsModel) Deploy(ctx context.Context, d contracts.Deployer, oracle common.Address) (map[string]common.Address, error) {
	create := func(name string, value *big.Int, args ...any) (common.Address, error) {
		a, err := contracts.Load(name)
		if err != nil {
			return common.Address{}, err
		}
		code, err := a.InitCode(args...)
		if err != nil {
			return common.Address{}, err
		}
		addr, err := d.Create(ctx, name, code, value)
		if err != nil {
			return common.Address{}, fmt.Errorf("deploy %s: %w", name, err)
		}
		return addr, nil
	}
	consts, err := create(NameConstantsManager, new(big.Int), oracle)
	if err != nil {
		return nil, err
	}
	sfc, err := create(NameSFC, SelfStake(), consts, ValidatorPubkey())
	if err != nil {
		return nil, err
	}
	stS, err := create(NameSonicStaking, BootstrapDeposit(), sfc, oracle)
	if err != nil {
		return nil, err
	}
	a, err := contracts.Load(NameSonicStaking)
	if err != nil {
		return nil, err
	}
	for _, role := range []string{"OPERATOR_ROLE", "CLAIM_ROLE"} {
		data, err := a.ABI.Pack("grantRole", roleID(role), oracle)
		if err != nil {
			return nil, err
		}
		if err := d.Call(ctx, stS, data); err != nil {
			return nil, fmt.Errorf("grant %s: %w", role, err)
		}
	}
	data, err := a.ABI.Pack("delegate", big.NewInt(ValidatorID), BootstrapDeposit())
	if err != nil {
		return nil, err
	}
	if err := d.Call(ctx, stS, data); err != nil {
		return nil, fmt.Errorf("delegate the bootstrap deposit: %w", err)
	}
	return map[string]common.Address{sts.RoleSTS: stS, sts.RoleSFC: sfc}, nil
}

func roleID(name string) [32]byte { return crypto.Keccak256Hash([]byte(name)) }

// NewStepper applies env.BondingPeriod as stS's withdrawDelay and the SFC's
// withdrawalPeriodTime (only when they differ) and returns the stepper.
func (stsModel) NewStepper(ctx context.Context, env model.StepEnv) (model.Stepper, error) {
	if err := env.Check(modelName); err != nil {
		return nil, err
	}
	stS, sfc := env.Addresses[sts.RoleSTS], env.Addresses[sts.RoleSFC]
	if stS == (common.Address{}) || sfc == (common.Address{}) {
		return nil, fmt.Errorf("sts model: need the %s and %s addresses, as Deploy returned them", sts.RoleSTS, sts.RoleSFC)
	}
	s := &Stepper{
		sender:    env.Sender,
		sts:       stS,
		sfc:       sfc,
		bonding:   uint64((env.BondingPeriod + time.Second - 1) / time.Second),
		aprPPM:    int64(math.Round(env.APR * 1e4)),
		wallClock: env.WallClock,
		log:       env.Log(),
		scanned:   100, // withdrawCounter starts at 100
	}
	abis, err := model.ABIs(NameSonicStaking, NameSFC, NameConstantsManager)
	if err != nil {
		return nil, err
	}
	s.stsABI, s.sfcABI, s.constsABI = abis[0], abis[1], abis[2]
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if err := s.applyBondingPeriod(ctx); err != nil {
		return nil, err
	}
	head, err := s.client().HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sts model: read the latest block: %w", err)
	}
	s.lastReward = s.now(head.Time)
	return s, nil
}

// Stepper is the stS model's oracle logic.
type Stepper struct {
	sender                    *devtx.Sender
	sts, sfc                  common.Address
	stsABI, sfcABI, constsABI *abi.ABI
	bonding                   uint64
	aprPPM                    int64
	wallClock                 bool
	log                       *slog.Logger

	lastReward uint64    // time rewards were last credited up to
	scanned    uint64    // last withdraw id looked at
	due        model.Due // claimable times of requests, not yet reached by the chain
}

func (s *Stepper) client() *ethclient.Client { return s.sender.Client() }

func (s *Stepper) now(head uint64) uint64 { return model.Now(s.wallClock, head) }

func (s *Stepper) applyBondingPeriod(ctx context.Context) error {
	want := new(big.Int).SetUint64(s.bonding)
	if sent, err := model.SetOnce(ctx, s.sender, modelName, s.stsABI, s.sts, "withdrawDelay", want, "setWithdrawDelay", want); err != nil {
		return err
	} else if sent {
		s.log.Info("stS withdraw delay set", "seconds", s.bonding)
	}
	consts, err := devtx.CallAddress(ctx, s.client(), s.sfcABI, s.sfc, "constsAddress")
	if err != nil {
		return fmt.Errorf("sts model: %w", err)
	}
	if sent, err := model.SetOnce(ctx, s.sender, modelName, s.constsABI, consts, "withdrawalPeriodTime", want, "updateWithdrawalPeriodTime", want); err != nil {
		return err
	} else if sent {
		s.log.Info("SFC withdrawal period set", "seconds", s.bonding)
	}
	return nil
}

func (s *Stepper) send(ctx context.Context, to common.Address, value *big.Int, a *abi.ABI, method string, args ...any) error {
	return model.Send(ctx, s.sender, modelName, to, value, a, method, args...)
}

// PoolReserve is what the operator's step leaves in the pool. deposit()
// writes totalPool (totalPool += amount): delegating the whole pool would
// zero the slot between a wallet's gas estimate of a deposit (a
// nonzero→nonzero write, 2,900 gas) and its inclusion (zero→nonzero,
// 20,000), more than the wallet's 20% margin on a ~60k deposit, and the
// deposit would run out of gas ("not enough gas for reentrancy sentry").
// One wei keeps the slot non-zero; stS's bootstrap deposit is delegated
// at genesis, so the pool is zero only until the first deposit.
var PoolReserve = big.NewInt(1)

// Step delegates the pool, credits and claims rewards, and mines a block
// for requests that became claimable by the wall clock; nothing when there
// is nothing to do.
func (s *Stepper) Step(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	c := s.client()
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("sts model: read the latest block: %w", err)
	}
	now := s.now(head.Time)
	sent := false

	// 1. The operator delegates the undelegated pool.
	pool, err := devtx.CallBig(ctx, c, s.stsABI, s.sts, "totalPool")
	if err != nil {
		return fmt.Errorf("sts model: %w", err)
	}
	if pool.Cmp(PoolReserve) > 0 {
		v, room, err := s.target(ctx)
		if err != nil {
			return err
		}
		amt := new(big.Int).Sub(pool, PoolReserve)
		if amt.Cmp(room) > 0 {
			amt = room
		}
		if v != nil && amt.Sign() > 0 {
			if err := s.send(ctx, s.sts, nil, s.stsABI, "delegate", v, amt); err != nil {
				return err
			}
			s.log.Info("stS pool delegated", "validator", v, "wei", amt)
			sent = true
		}
	}

	// 2. Rewards on stS's delegation at the APR, claimed into the pool
	// (credited on the active validator with the most room).
	if s.aprPPM > 0 && now >= s.lastReward+minRewardInterval {
		delegated, err := devtx.CallBig(ctx, c, s.stsABI, s.sts, "totalDelegated")
		if err != nil {
			return fmt.Errorf("sts model: %w", err)
		}
		r := rewards(delegated, s.aprPPM, now-s.lastReward)
		v, _, err := s.target(ctx)
		if err != nil {
			return err
		}
		if v != nil && r.Cmp(minClaimRewards) > 0 {
			if err := s.send(ctx, s.sfc, r, s.sfcABI, "modelAddRewards", s.sts, v); err != nil {
				return err
			}
			if err := s.send(ctx, s.sts, nil, s.stsABI, "claimRewards", []*big.Int{v}); err != nil {
				return err
			}
			s.lastReward = now
			s.log.Info("stS rewards claimed", "wei", r)
			sent = true
		}
	}

	// 3. Requests whose delay has passed by the wall clock need a block
	// with that time before a claim can simulate.
	counter, err := devtx.CallBig(ctx, c, s.stsABI, s.sts, "withdrawCounter")
	if err != nil {
		return fmt.Errorf("sts model: %w", err)
	}
	for id := s.scanned + 1; counter.IsUint64() && id <= counter.Uint64(); id++ {
		res, err := devtx.Call(ctx, c, s.stsABI, s.sts, "getWithdrawRequest", new(big.Int).SetUint64(id))
		if err != nil {
			return fmt.Errorf("sts model: %w", err)
		}
		var rec struct {
			Kind             uint8
			ValidatorId      *big.Int //nolint:revive // ABI name
			AssetAmount      *big.Int
			IsWithdrawn      bool
			RequestTimestamp *big.Int
			User             common.Address
		}
		if len(res) != 1 {
			return fmt.Errorf("sts model: getWithdrawRequest returned %d values", len(res))
		}
		abi.ConvertType(res[0], &rec)
		if !rec.IsWithdrawn && rec.RequestTimestamp != nil && rec.RequestTimestamp.IsUint64() {
			s.due.Add(rec.RequestTimestamp.Uint64() + s.bonding)
		}
		s.scanned = id
	}
	mined, err := s.due.Mine(ctx, s.sender, modelName, s.wallClock, head.Time, now, sent)
	if mined {
		s.log.Info("block mined for claimable stS requests")
	}
	return err
}

// target is the active (status OK) validator with the most room under its
// delegation limit (selfStake × maxDelegatedRatio), and that room; nil when
// none is active.
func (s *Stepper) target(ctx context.Context) (*big.Int, *big.Int, error) {
	c := s.client()
	last, err := devtx.CallBig(ctx, c, s.sfcABI, s.sfc, "lastValidatorID")
	if err != nil {
		return nil, nil, fmt.Errorf("sts model: %w", err)
	}
	consts, err := devtx.CallAddress(ctx, c, s.sfcABI, s.sfc, "constsAddress")
	if err != nil {
		return nil, nil, fmt.Errorf("sts model: %w", err)
	}
	ratio, err := devtx.CallBig(ctx, c, s.constsABI, consts, "maxDelegatedRatio")
	if err != nil {
		return nil, nil, fmt.Errorf("sts model: %w", err)
	}
	var best, bestRoom *big.Int
	for i := int64(1); i <= last.Int64(); i++ {
		id := big.NewInt(i)
		v, err := devtx.Call(ctx, c, s.sfcABI, s.sfc, "getValidator", id)
		if err != nil {
			return nil, nil, fmt.Errorf("sts model: %w", err)
		}
		status, _ := v[0].(*big.Int)
		received, _ := v[1].(*big.Int)
		if status == nil || received == nil || status.Sign() != 0 {
			continue
		}
		self, err := devtx.CallBig(ctx, c, s.sfcABI, s.sfc, "getSelfStake", id)
		if err != nil {
			return nil, nil, fmt.Errorf("sts model: %w", err)
		}
		room := new(big.Int).Mul(self, ratio)
		room.Div(room, big.NewInt(params.Ether)).Sub(room, received)
		if room.Sign() > 0 && (bestRoom == nil || room.Cmp(bestRoom) > 0) {
			best, bestRoom = id, room
		}
	}
	if best == nil {
		return nil, new(big.Int), nil
	}
	return best, bestRoom, nil
}

// rewards is stake × APR × elapsed / year in integer arithmetic, with the
// APR in parts per million (percent × 1e4).
func rewards(stake *big.Int, ppm int64, elapsed uint64) *big.Int {
	r := new(big.Int).Mul(stake, big.NewInt(ppm))
	r.Mul(r, new(big.Int).SetUint64(elapsed))
	return r.Div(r, big.NewInt(1e6*secondsPerYear))
}
