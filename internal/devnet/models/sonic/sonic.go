// Package sonic is the Sonic native-staking model on the "devnet-sonic"
// chain. It does not deploy a second SFC: the stS model (models/sts, listed
// before it) deploys the SFC model at Sonic's SFC address with its
// ConstantsManager and validator 1 (the oracle's); this model adds the
// genesis validators native delegation needs, through the SFC's real
// genesis calls (setGenesisValidator, setGenesisDelegation) and
// deactivateValidator:
//
//	id  self-stake  status
//	1   5,000 S     active (the stS model's; the oracle is its auth)
//	2   5,000 S     active
//	3   5,000 S     slashed (double-sign, status 128)
//	4   5,000 S     offline (status 8)
//
// Validators 2–4 have keyless auth addresses (derived from a fixed seed).
//
// The stepper is the node driver: it sets the ConstantsManager's
// withdrawalPeriodEpochs to WithdrawalPeriodEpochs (Sonic's
// NetworkInitializer default; 0 on a node whose time is moved by hand,
// such as anvil after `stakewallet-devnet deploy`, where the oracle runs
// only now and then) and withdrawalPeriodTime to the bonding period (only
// when they differ); seals an epoch every
// BondingPeriod/(WithdrawalPeriodEpochs+1) (by the wall clock) while a
// withdrawal request still needs epochs, so that the epoch count of the
// withdrawal period is reached within the bonding period (at about ¾ of
// it) and the time rule decides, as on Sonic where 3 epochs (~4 h each)
// pass long before the 14 days (an idle chain gets no sealing blocks: the
// epochs' end times then have gaps, which the adapter's ETA ignores by
// taking the median epoch length); and credits rewards at the APR to every
// delegation of an account without code that is not a validator's own
// (stS credits its own), through the model-only modelAddRewards. A step
// with nothing due sends nothing.
package sonic

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
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
	stsmodel "github.com/stakewallet/stakewallet/internal/devnet/models/sts"
	"github.com/stakewallet/stakewallet/pkg/protocol/sonic"
)

// WithdrawalPeriodEpochs is the ConstantsManager's withdrawalPeriodEpochs
// the stepper applies (Sonic's NetworkInitializer default).
const WithdrawalPeriodEpochs = 3

// Genesis validator ids added by the model.
const (
	ValidatorActive  = 2
	ValidatorSlashed = 3
	ValidatorOffline = 4
)

// SFC status bits.
const (
	statusOffline    = 1 << 3
	statusDoubleSign = 1 << 7
)

const (
	secondsPerYear = 365 * 24 * 60 * 60
	callTimeout    = 30 * time.Second
	// defaultRewardInterval spaces reward credits when the StepEnv sets
	// no RewardInterval (each is one transaction per delegation).
	defaultRewardInterval = 5 * time.Second
)

// SelfStake is each added validator's self-stake: 5,000 S.
func SelfStake() *big.Int { return new(big.Int).Mul(big.NewInt(5_000), big.NewInt(params.Ether)) }

// Model is the Sonic native-staking model on "devnet-sonic".
var Model model.Model = sonicModel{}

type sonicModel struct{}

func (sonicModel) Name() string  { return sonic.Descriptor.Name }
func (sonicModel) Chain() string { return "devnet-sonic" }

// Fixed is empty: the model creates no contract (the SFC is the stS
// model's).
func (sonicModel) Fixed() map[string]common.Address { return map[string]common.Address{} }

// Extends names the model whose contracts this one adds to (the
// registry's test accepts a model without contracts of its own for it).
func (sonicModel) Extends() string { return "sts" }

// Funding is none: genesis delegations are recorded, not paid (see SFC.sol).
func (sonicModel) Funding() *big.Int { return nil }

// Auth is validator id's keyless auth address.
func Auth(id int) common.Address {
	h := sha256.Sum256(fmt.Appendf(nil, "stakewallet devnet-sonic validator %d auth", id))
	return common.BytesToAddress(h[:20])
}

// pubkey is validator id's public key in the SFC's format (0xc0, then an
// uncompressed secp256k1 key).
func pubkey(id int) []byte {
	seed := sha256.Sum256(fmt.Appendf(nil, "stakewallet devnet-sonic validator %d", id))
	k, err := crypto.ToECDSA(seed[:])
	if err != nil {
		panic(err) // a fixed 32-byte seed below the curve order
	}
	return append([]byte{0xc0}, crypto.FromECDSAPub(&k.PublicKey)...)
}

// Deploy adds validators 2–4 to the SFC the stS model deployed before it
// (found through contracts.CreationLog: Sonic's address in the genesis, a
// CREATE address on anvil) and deactivates 3 (slashed) and 4 (offline).
func (sonicModel) Deploy(ctx context.Context, d contracts.Deployer, _ common.Address) (map[string]common.Address, error) {
	a, err := contracts.Load(stsmodel.NameSFC)
	if err != nil {
		return nil, err
	}
	// The SFC is the stS model's: at Sonic's address in the genesis,
	// wherever the deploy command's transactions put it on another node.
	sfc := sonic.DevnetSFC
	if log, ok := d.(contracts.CreationLog); ok {
		at, created := log.Created(stsmodel.NameSFC)
		if !created {
			return nil, fmt.Errorf("sonic model: no %s was deployed before it: list the sts model first on %s", stsmodel.NameSFC, "devnet-sonic")
		}
		sfc = at
	}
	call := func(what, method string, args ...any) error {
		data, err := a.ABI.Pack(method, args...)
		if err != nil {
			return fmt.Errorf("sonic model: encode %s: %w", method, err)
		}
		if err := d.Call(ctx, sfc, data); err != nil {
			return fmt.Errorf("sonic model: %s: %w", what, err)
		}
		return nil
	}
	for _, id := range []int{ValidatorActive, ValidatorSlashed, ValidatorOffline} {
		if err := call(fmt.Sprintf("genesis validator %d", id), "setGenesisValidator", Auth(id), big.NewInt(int64(id)), pubkey(id), new(big.Int)); err != nil {
			return nil, err
		}
		if err := call(fmt.Sprintf("self-stake of validator %d", id), "setGenesisDelegation", Auth(id), big.NewInt(int64(id)), SelfStake()); err != nil {
			return nil, err
		}
	}
	if err := call("slash validator 3", "deactivateValidator", big.NewInt(ValidatorSlashed), big.NewInt(statusDoubleSign)); err != nil {
		return nil, err
	}
	if err := call("validator 4 offline", "deactivateValidator", big.NewInt(ValidatorOffline), big.NewInt(statusOffline)); err != nil {
		return nil, err
	}
	return map[string]common.Address{sonic.RoleSFC: sfc}, nil
}

// NewStepper applies the withdrawal period (epochs and time) and returns
// the node driver.
func (sonicModel) NewStepper(ctx context.Context, env model.StepEnv) (model.Stepper, error) {
	if env.Sender == nil {
		return nil, errors.New("sonic model: no sender for the oracle account")
	}
	if env.BondingPeriod < 0 {
		return nil, errors.New("sonic model: the bonding period must not be negative")
	}
	if env.APR < 0 || math.IsNaN(env.APR) || math.IsInf(env.APR, 0) {
		return nil, fmt.Errorf("sonic model: invalid APR %v", env.APR)
	}
	sfc := env.Addresses[sonic.RoleSFC]
	if sfc == (common.Address{}) {
		return nil, fmt.Errorf("sonic model: need the %s address, as Deploy returned it", sonic.RoleSFC)
	}
	bonding := uint64((env.BondingPeriod + time.Second - 1) / time.Second)
	s := &Stepper{
		sender:    env.Sender,
		sfc:       sfc,
		bonding:   bonding,
		interval:  max(1, bonding/(WithdrawalPeriodEpochs+1)),
		aprPPM:    int64(math.Round(env.APR * 1e4)),
		rewardGap: rewardGap(env.RewardInterval),
		wallClock: env.WallClock,
		log:       env.Logger,
		hasCode:   map[common.Address]bool{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, n := range []struct {
		name string
		dst  **abi.ABI
	}{{"SFC", &s.sfcABI}, {"ConstantsManager", &s.constsABI}} {
		a, err := contracts.Load(n.name)
		if err != nil {
			return nil, err
		}
		*n.dst = &a.ABI
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if err := s.applyPeriod(ctx); err != nil {
		return nil, err
	}
	head, err := s.client().HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sonic model: read the latest block: %w", err)
	}
	// The first epoch may be sealed at once; rewards start now.
	s.lastReward = s.clock(head.Time)
	return s, nil
}

// rewardGap is the seconds between reward credits: env's RewardInterval
// (at least a second), else defaultRewardInterval.
func rewardGap(d time.Duration) uint64 {
	if d <= 0 {
		d = defaultRewardInterval
	}
	return uint64(max(d, time.Second) / time.Second)
}

type delegation struct {
	delegator common.Address
	validator *big.Int
}

// Stepper is the Sonic model's node driver.
type Stepper struct {
	sender            *devtx.Sender
	sfc               common.Address
	sfcABI, constsABI *abi.ABI
	bonding, interval uint64
	aprPPM            int64
	rewardGap         uint64
	wallClock         bool
	log               *slog.Logger

	lastSeal, lastReward uint64 // by the scheduling clock (clock)
	scanned              uint64 // last block whose events were read
	needEpoch            uint64 // the epoch the latest request needs currentEpoch to reach
	list                 []delegation
	hasCode              map[common.Address]bool
}

func (s *Stepper) client() *ethclient.Client { return s.sender.Client() }

// clock is the time steps are scheduled by: the wall clock on a
// wall-clock node (whose block times run ahead of it when blocks come
// faster than one a second: scheduling by them would speed the model up),
// the chain's latest block time on a node whose time is moved by hand.
func (s *Stepper) clock(head uint64) uint64 {
	if s.wallClock {
		return uint64(time.Now().Unix())
	}
	return head
}

func (s *Stepper) send(ctx context.Context, to common.Address, value *big.Int, a *abi.ABI, method string, args ...any) error {
	data, err := a.Pack(method, args...)
	if err != nil {
		return fmt.Errorf("sonic model: encode %s: %w", method, err)
	}
	if value == nil {
		value = new(big.Int)
	}
	if _, err := s.sender.Send(ctx, &to, value, data); err != nil {
		return fmt.Errorf("sonic model: %s: %w", method, err)
	}
	return nil
}

func (s *Stepper) applyPeriod(ctx context.Context) error {
	consts, err := devtx.CallAddress(ctx, s.client(), s.sfcABI, s.sfc, "constsAddress")
	if err != nil {
		return fmt.Errorf("sonic model: %w", err)
	}
	for _, p := range []struct {
		get, set string
		want     *big.Int
	}{
		{"withdrawalPeriodEpochs", "updateWithdrawalPeriodEpochs", big.NewInt(s.periodEpochs())},
		{"withdrawalPeriodTime", "updateWithdrawalPeriodTime", new(big.Int).SetUint64(s.bonding)},
	} {
		have, err := devtx.CallBig(ctx, s.client(), s.constsABI, consts, p.get)
		if err != nil {
			return fmt.Errorf("sonic model: %w", err)
		}
		if have.Cmp(p.want) != 0 {
			if err := s.send(ctx, consts, nil, s.constsABI, p.set, p.want); err != nil {
				return err
			}
			s.log.Info("SFC withdrawal period set", p.get, p.want)
		}
	}
	return nil
}

// periodEpochs is the withdrawalPeriodEpochs the stepper applies:
// WithdrawalPeriodEpochs on a wall-clock node, whose oracle runs all the
// time and seals the epochs; 0 (the time rule alone) on a node whose time
// is moved by hand (anvil), where the oracle runs now and then (--once)
// and a claim after a time jump must not wait for epochs nobody seals.
func (s *Stepper) periodEpochs() int64 {
	if s.wallClock {
		return WithdrawalPeriodEpochs
	}
	return 0
}

// Step reads the SFC's new Delegated and Undelegated events, seals an
// epoch when one is due and some request still needs epochs, and credits
// rewards when due.
func (s *Stepper) Step(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	head, err := s.client().HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("sonic model: read the latest block: %w", err)
	}
	now := s.clock(head.Time)
	if err := s.scan(ctx, head.Number.Uint64()); err != nil {
		return err
	}
	if s.needEpoch > 0 && now >= s.lastSeal+s.interval {
		current, err := devtx.CallBig(ctx, s.client(), s.sfcABI, s.sfc, "currentEpoch")
		if err != nil {
			return fmt.Errorf("sonic model: %w", err)
		}
		if current.Uint64() < s.needEpoch {
			var none []*big.Int
			if err := s.send(ctx, s.sfc, nil, s.sfcABI, "sealEpoch", none, none, none, none); err != nil {
				return err
			}
			s.lastSeal = now
			s.log.Debug("SFC epoch sealed", "epoch", current)
		} else {
			s.needEpoch = 0 // every request has its epochs
		}
	}
	if s.aprPPM > 0 && now >= s.lastReward+s.rewardGap {
		elapsed := now - s.lastReward
		for _, d := range s.list {
			stake, err := devtx.CallBig(ctx, s.client(), s.sfcABI, s.sfc, "getStake", d.delegator, d.validator)
			if err != nil {
				return fmt.Errorf("sonic model: %w", err)
			}
			r := new(big.Int).Mul(stake, big.NewInt(s.aprPPM))
			r.Mul(r, new(big.Int).SetUint64(elapsed)).Div(r, big.NewInt(1e6*secondsPerYear))
			if r.Sign() == 0 {
				continue
			}
			if err := s.send(ctx, s.sfc, r, s.sfcABI, "modelAddRewards", d.delegator, d.validator); err != nil {
				return err
			}
		}
		s.lastReward = now
	}
	return nil
}

// scan reads the Delegated and Undelegated events up to block head: it
// remembers each new delegation of an account without code that is not a
// validator's auth (rewards), and the epoch each new request needs (the
// request's epoch plus withdrawalPeriodEpochs).
func (s *Stepper) scan(ctx context.Context, head uint64) error {
	if head <= s.scanned {
		return nil
	}
	delegated, undelegated := s.sfcABI.Events["Delegated"], s.sfcABI.Events["Undelegated"]
	logs, err := s.client().FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(s.scanned + 1), ToBlock: new(big.Int).SetUint64(head),
		Addresses: []common.Address{s.sfc}, Topics: [][]common.Hash{{delegated.ID, undelegated.ID}},
	})
	if err != nil {
		return fmt.Errorf("sonic model: read the SFC's events: %w", err)
	}
	for _, l := range logs {
		switch {
		case len(l.Topics) == 4 && l.Topics[0] == undelegated.ID:
			req, err := devtx.Call(ctx, s.client(), s.sfcABI, s.sfc, "getWithdrawalRequest",
				common.BytesToAddress(l.Topics[1].Bytes()), l.Topics[2].Big(), l.Topics[3].Big())
			if err != nil {
				return fmt.Errorf("sonic model: %w", err)
			}
			if epoch, ok := req[0].(*big.Int); ok && epoch.Sign() > 0 {
				s.needEpoch = max(s.needEpoch, epoch.Uint64()+uint64(s.periodEpochs()))
			}
		case len(l.Topics) == 3 && l.Topics[0] == delegated.ID:
			if err := s.addDelegation(ctx, delegation{common.BytesToAddress(l.Topics[1].Bytes()), l.Topics[2].Big()}); err != nil {
				return err
			}
		}
	}
	s.scanned = head
	return nil
}

func (s *Stepper) addDelegation(ctx context.Context, d delegation) error {
	for _, e := range s.list {
		if e.delegator == d.delegator && e.validator.Cmp(d.validator) == 0 {
			return nil
		}
	}
	skip, ok := s.hasCode[d.delegator]
	if !ok {
		c, err := s.client().CodeAt(ctx, d.delegator, nil)
		if err != nil {
			return fmt.Errorf("sonic model: read code: %w", err)
		}
		vid, err := devtx.CallBig(ctx, s.client(), s.sfcABI, s.sfc, "getValidatorID", d.delegator)
		if err != nil {
			return fmt.Errorf("sonic model: %w", err)
		}
		skip = len(c) > 0 || vid.Sign() != 0
		s.hasCode[d.delegator] = skip
	}
	if !skip {
		s.list = append(s.list, d)
	}
	return nil
}
