// Package savax is the Benqi sAVAX model (StakedAvax, on the
// "devnet-avalanche" chain) as a model.Model, and its oracle logic.
//
// Time on the devnet is scaled by the bonding period B:
//
//	cooldownPeriod = B                  (mainnet: 15 days)
//	redeemPeriod   = 2·B, at least 2 s  (mainnet: 2 days)
//
// so a whole cycle — cooldown, window, expiry — fits in seconds with
// `--bonding-period 5s` and an end-to-end test can watch a request expire.
// The genesis holds mainnet's periods; the Stepper sets the scaled ones
// once, through the real admin setters (setCooldownPeriod,
// setRedeemPeriod), as Benqi's admin would.
//
// The Stepper is the protocol's reward oracle: every max(B, 5 s) (or the
// devnet's RewardInterval) it
// deposits the rewards APR earned on the pool (deposit(), ROLE_DEPOSIT)
// and books them with accrueRewards(amount) (ROLE_ACCRUE_REWARDS), which
// records the exchange rate redeems are paid at. On a wall-clock devnet
// (blocks only on demand) it also accrues when a request's cooldown or
// window has just ended, so that a block past the boundary exists and the
// chain says the request is claimable (or expired). With nothing due it
// sends nothing.
package savax

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/pkg/protocol/savax"
)

// ContractName is the artifact and Solidity contract name.
const ContractName = "StakedAvax"

// Mainnet's periods, which the genesis holds until a Stepper scales them.
const (
	MainnetCooldown = 15 * 24 * time.Hour
	MainnetRedeem   = 2 * 24 * time.Hour
	// minRedeem keeps a window open long enough to claim in even at a zero
	// bonding period.
	minRedeem = 2 * time.Second
	// minRewardInterval is the least time between reward accruals.
	minRewardInterval = 5 * time.Second
)

// Periods are the cooldown and redeem periods for bonding period b.
func Periods(b time.Duration) (cooldown, redeem time.Duration) {
	b = b.Round(time.Second)
	return b, max(2*b, minRedeem)
}

// Model is the sAVAX model on "devnet-avalanche".
var Model model.Model = savaxModel{}

// modelName prefixes the stepper's errors.
const modelName = "savax model"

type savaxModel struct{}

func (savaxModel) Name() string  { return savax.Descriptor.Name }
func (savaxModel) Chain() string { return "devnet-avalanche" }

// Fixed places StakedAvax at pkg/protocol/savax's built-in devnet address.
func (savaxModel) Fixed() map[string]common.Address {
	return map[string]common.Address{ContractName: savax.DevnetStakedAvax}
}

// Funding is the bootstrap deposit sent with the constructor (minted to
// 0x…dEaD, like Lido's), so that the share rate is defined from the start.
func (savaxModel) Funding() *big.Int { return big.NewInt(params.Ether) }

// adminRoles are granted to the oracle account: the reward oracle's roles,
// and pausing and the cap for tests of the refusals.
var adminRoles = []string{
	"ROLE_ACCRUE_REWARDS", "ROLE_DEPOSIT", "ROLE_PAUSE", "ROLE_RESUME",
	"ROLE_PAUSE_MINTING", "ROLE_RESUME_MINTING", "ROLE_SET_TOTAL_POOLED_AVAX_CAP",
}

// Deploy creates StakedAvax with mainnet's periods and the bootstrap
// deposit, and grants the oracle account (its admin) the operator roles.
func (m savaxModel) Deploy(ctx context.Context, d contracts.Deployer, oracle common.Address) (map[string]common.Address, error) {
	art, err := contracts.Load(ContractName)
	if err != nil {
		return nil, err
	}
	code, err := art.InitCode(seconds(MainnetCooldown), seconds(MainnetRedeem))
	if err != nil {
		return nil, err
	}
	addr, err := d.Create(ctx, ContractName, code, m.Funding())
	if err != nil {
		return nil, fmt.Errorf("deploy %s: %w", ContractName, err)
	}
	for _, role := range adminRoles {
		data, err := art.ABI.Pack("grantRole", crypto.Keccak256Hash([]byte(role)), oracle)
		if err != nil {
			return nil, fmt.Errorf("encode grantRole(%s): %w", role, err)
		}
		if err := d.Call(ctx, addr, data); err != nil {
			return nil, fmt.Errorf("grant %s to the oracle: %w", role, err)
		}
	}
	return map[string]common.Address{savax.RoleStakedAvax: addr}, nil
}

func seconds(d time.Duration) *big.Int { return big.NewInt(int64(d / time.Second)) }

// NewStepper sets the scaled periods (once, when they differ) and returns
// the reward and boundary oracle.
func (savaxModel) NewStepper(ctx context.Context, env model.StepEnv) (model.Stepper, error) {
	if env.Sender == nil {
		return nil, errors.New("savax model: no sender for the oracle account")
	}
	addr, ok := env.Addresses[savax.RoleStakedAvax]
	if !ok || addr == (common.Address{}) {
		return nil, fmt.Errorf("savax model: no %s address; pass the deployment's addresses by role", savax.RoleStakedAvax)
	}
	a, err := savax.ABI()
	if err != nil {
		return nil, err
	}
	s := &Stepper{
		sender: env.Sender, addr: addr, abi: a, apr: env.APR, wallClock: env.WallClock,
		logger: env.Log(), interval: max(env.BondingPeriod, minRewardInterval),
	}
	if env.RewardInterval > 0 {
		s.interval = env.RewardInterval
	}
	cooldown, redeem := Periods(env.BondingPeriod)
	for _, p := range []struct {
		getter, setter string
		want           time.Duration
	}{
		{"cooldownPeriod", "setCooldownPeriod", cooldown},
		{"redeemPeriod", "setRedeemPeriod", redeem},
	} {
		if _, err := model.SetOnce(ctx, s.sender, modelName, a, addr, p.getter, seconds(p.want), p.setter, seconds(p.want)); err != nil {
			return nil, err
		}
	}
	s.cooldown, s.redeem = uint64(cooldown/time.Second), uint64(redeem/time.Second)
	return s, nil
}

// Stepper is the sAVAX oracle: rewards, and blocks at request boundaries.
type Stepper struct {
	sender    *devtx.Sender
	addr      common.Address
	abi       *abi.ABI
	apr       float64
	wallClock bool
	logger    *slog.Logger
	interval  time.Duration

	cooldown, redeem uint64
	scanned          uint64   // last block scanned for UnlockRequested
	boundaries       []uint64 // times a block must pass, ascending
	lastAccrual      uint64   // chain time of the last accrual (0: none yet)
}

func (s *Stepper) client() *ethclient.Client { return s.sender.Client() }

// Step accrues rewards when the interval passed (APR > 0), or when a
// request's cooldown or window ended since the last block; otherwise it
// sends nothing.
func (s *Stepper) Step(ctx context.Context) error {
	head, err := s.client().HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("savax model: read head: %w", err)
	}
	now := model.Now(s.wallClock, head.Time)
	if err := s.scan(ctx, head.Number.Uint64()); err != nil {
		return err
	}
	if s.lastAccrual == 0 {
		s.lastAccrual = head.Time
	}
	boundary := false
	for len(s.boundaries) > 0 && s.boundaries[0] <= now {
		// A block at or after the boundary exists already when the head is
		// past it; otherwise (blocks on demand) one must be made.
		boundary = boundary || s.boundaries[0] > head.Time
		s.boundaries = s.boundaries[1:]
	}
	rewardsDue := s.apr > 0 && now >= s.lastAccrual+uint64(s.interval/time.Second)
	if !boundary && !rewardsDue {
		return nil
	}
	return s.accrue(ctx, now, boundary)
}

// scan records the boundaries of the requests made up to block `to`.
func (s *Stepper) scan(ctx context.Context, to uint64) error {
	if to <= s.scanned {
		return nil
	}
	topic := s.abi.Events["UnlockRequested"].ID
	logs, err := s.client().FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(s.scanned + 1),
		ToBlock:   new(big.Int).SetUint64(to),
		Addresses: []common.Address{s.addr},
		Topics:    [][]common.Hash{{topic}},
	})
	if err != nil {
		return fmt.Errorf("savax model: read unlock requests: %w", err)
	}
	for _, lg := range logs {
		started := lg.BlockTimestamp
		if started == 0 {
			h, err := s.client().HeaderByNumber(ctx, new(big.Int).SetUint64(lg.BlockNumber))
			if err != nil {
				return fmt.Errorf("savax model: read block %d: %w", lg.BlockNumber, err)
			}
			started = h.Time
		}
		// Claimable from S+C+1, expired from S+C+R+1 (§4.5).
		s.boundaries = append(s.boundaries, started+s.cooldown+1, started+s.cooldown+s.redeem+1)
	}
	slices.Sort(s.boundaries)
	s.boundaries = slices.Compact(s.boundaries)
	s.scanned = to
	return nil
}

// year is 365 days in seconds, the APR's base.
const year = 365 * 24 * 60 * 60

// accrue deposits the rewards earned since the last accrual and books
// them (accrueRewards(0) when there are none: it still records the rate
// and makes the block a boundary needs).
func (s *Stepper) accrue(ctx context.Context, now uint64, boundary bool) error {
	reward := new(big.Int)
	if s.apr > 0 && now > s.lastAccrual {
		pooled, err := devtx.CallBig(ctx, s.client(), s.abi, s.addr, "totalPooledAvax")
		if err != nil {
			return fmt.Errorf("savax model: read totalPooledAvax: %w", err)
		}
		// pooled · APR% · elapsed / year, with the APR in millionths.
		reward.Mul(pooled, big.NewInt(int64(s.apr*1e6)))
		reward.Mul(reward, new(big.Int).SetUint64(now-s.lastAccrual))
		reward.Quo(reward, big.NewInt(100*1e6*year))
	}
	if reward.Sign() == 0 && !boundary {
		return nil // nothing earned yet: nothing to send
	}
	if reward.Sign() > 0 {
		if err := s.send(ctx, reward, "deposit"); err != nil {
			return err
		}
	}
	if err := s.send(ctx, nil, "accrueRewards", reward); err != nil {
		return err
	}
	s.lastAccrual = now
	if boundary {
		s.logger.Info("savax: block for a request's cooldown or window end", "rewards_wei", reward.String())
	} else {
		s.logger.Debug("savax: accrued rewards", "rewards_wei", reward.String())
	}
	return nil
}

func (s *Stepper) send(ctx context.Context, value *big.Int, method string, args ...any) error {
	return model.Send(ctx, s.sender, modelName, s.addr, value, s.abi, method, args...)
}
