// Package polygon is the Polygon PoS staking model on the "devnet" chain
// (Ethereum, 1337): the POL token, the StakeManager (the same address plays
// the proxy POL is approved to), one ValidatorShare per validator and the
// RootChain whose checkpoints advance the StakeManager's epoch, at the
// addresses of pkg/protocol/polygon (range 0x17…).
//
// Genesis: three validators (Validators; ids 1 to 3), the third locked
// (jailed, its ValidatorShare locked as the real StakeManager does); every
// test account (devkeys) holds TestAccountPOL; the StakeManager holds the
// validators' self-stakes and a reserve that pays rewards. The withdrawal
// delay is 80 checkpoints, as on mainnet; no checkpoint yet.
//
// The stepper (the devnet oracle for Polygon) scales the delay to the
// bonding period B once, through the real governance setter
// updateDynastyValue: the delay is D = min(80, max(1, B / 5 s)) checkpoints
// and a checkpoint is sealed every C = B / D (at least 5 s apart, so a
// short B gives a one-checkpoint delay of B), so an unbond waits between
// (D−1)·C and D·C ≈ B. It sets CHECKPOINT_REWARD (updateCheckpointReward)
// to the APR's share of one interval of the total stake, which each
// checkpoint pays to the active validators' delegators, in proportion to
// their delegated POL and less commission. Each step seals a checkpoint
// when C has passed since the last one (RootChain.submitCheckpoint): the
// checkpoint is the model's only transaction.
package polygon

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/pkg/protocol/polygon"
)

// Contract (artifact) names.
const (
	NamePOL            = "PolygonEcosystemToken"
	NameStakeManager   = "StakeManager"
	NameValidatorShare = "ValidatorShare"
	NameRootChain      = "RootChain"
)

// GenesisWithdrawalDelay is the StakeManager's WITHDRAWAL_DELAY at genesis,
// in checkpoints (80, as Polygon's docs state for mainnet).
const GenesisWithdrawalDelay = 80

// MinCheckpointInterval is the least time between two checkpoints the
// stepper seals.
const MinCheckpointInterval = 5 * time.Second

// MainnetCheckpointInterval is the checkpoint interval without a bonding
// period to scale to: about 30 minutes, as on mainnet.
const MainnetCheckpointInterval = 30 * time.Minute

// BorChainID is the chain id the RootChain's checkpoints carry (Polygon
// PoS mainnet's).
const BorChainID = 137

// TestAccountPOL is the POL each test account holds at genesis.
var TestAccountPOL = pol(100_000)

// rewardReserve is the POL the StakeManager holds to pay rewards.
var rewardReserve = pol(10_000_000)

const (
	secondsPerYear = 365 * 24 * 60 * 60
	callTimeout    = 30 * time.Second
)

func pol(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

// Validator is one genesis validator.
type Validator struct {
	Commission int64 // whole percent
	SelfStake  int64 // whole POL
	Locked     bool
}

// Validators are the genesis validators; the n-th (from 1) has id n and its
// ValidatorShare at polygon.DevnetValidatorShare(n).
var Validators = []Validator{
	{Commission: 5, SelfStake: 2_000_000},
	{Commission: 10, SelfStake: 1_000_000},
	{Commission: 5, SelfStake: 500_000, Locked: true},
}

// Signer is the n-th validator's signer address, from a fixed seed.
func Signer(n int) common.Address {
	seed := crypto.Keccak256(fmt.Appendf(nil, "stakewallet devnet polygon validator %d", n))
	k, err := crypto.ToECDSA(seed)
	if err != nil {
		panic(err) // a fixed 32-byte seed below the curve order
	}
	return crypto.PubkeyToAddress(k.PublicKey)
}

func shareName(n int) string { return fmt.Sprintf("%s%d", NameValidatorShare, n) }

// Model is the Polygon staking model on the "devnet" chain.
var Model model.Model = polygonModel{}

// modelName prefixes the stepper's errors.
const modelName = "polygon model"

type polygonModel struct{}

func (polygonModel) Name() string  { return polygon.Descriptor.Name }
func (polygonModel) Chain() string { return "devnet" }

// Fixed places the contracts at 0x17…01 (POL), …02 (StakeManager), …03
// (RootChain) and 0x17…1N (the ValidatorShare of validator N).
func (polygonModel) Fixed() map[string]common.Address {
	out := map[string]common.Address{
		NamePOL:          polygon.DevnetPOL,
		NameStakeManager: polygon.DevnetStakeManager,
		NameRootChain:    polygon.DevnetRootChain,
	}
	for i := range Validators {
		out[shareName(i+1)] = polygon.DevnetValidatorShare(i + 1)
	}
	return out
}

// Funding is nil: the model moves POL only.
func (polygonModel) Funding() *big.Int { return nil }

// Deploy creates POL (the oracle is its emission manager), the StakeManager
// (the oracle is governance), the RootChain (the oracle submits
// checkpoints) and each validator's ValidatorShare, registers the
// validators and mints POL to the test accounts and the StakeManager.
func (polygonModel) Deploy(ctx context.Context, d contracts.Deployer, oracle common.Address) (map[string]common.Address, error) {
	create := func(name, artifact string, args ...any) (common.Address, *contracts.Artifact, error) {
		art, err := contracts.Load(artifact)
		if err != nil {
			return common.Address{}, nil, err
		}
		code, err := art.InitCode(args...)
		if err != nil {
			return common.Address{}, nil, fmt.Errorf("encode the constructor of %s: %w", name, err)
		}
		addr, err := d.Create(ctx, name, code, new(big.Int))
		if err != nil {
			return common.Address{}, nil, fmt.Errorf("deploy %s: %w", name, err)
		}
		return addr, art, nil
	}
	call := func(art *contracts.Artifact, to common.Address, method string, args ...any) error {
		data, err := art.ABI.Pack(method, args...)
		if err != nil {
			return fmt.Errorf("encode %s: %w", method, err)
		}
		if err := d.Call(ctx, to, data); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		return nil
	}
	polAddr, polArt, err := create(NamePOL, NamePOL, oracle)
	if err != nil {
		return nil, err
	}
	sm, smArt, err := create(NameStakeManager, NameStakeManager, polAddr, oracle, big.NewInt(GenesisWithdrawalDelay), big.NewInt(1))
	if err != nil {
		return nil, err
	}
	root, _, err := create(NameRootChain, NameRootChain, sm, oracle, big.NewInt(BorChainID))
	if err != nil {
		return nil, err
	}
	if err := call(smArt, sm, "setRootChain", root); err != nil {
		return nil, err
	}
	reserve := new(big.Int).Set(rewardReserve)
	for i, v := range Validators {
		n := i + 1
		share, _, err := create(shareName(n), NameValidatorShare, big.NewInt(int64(n)), sm, v.Locked)
		if err != nil {
			return nil, err
		}
		self := pol(v.SelfStake)
		if err := call(smArt, sm, "addValidator", Signer(n), share, self, big.NewInt(v.Commission), v.Locked); err != nil {
			return nil, fmt.Errorf("register validator %d: %w", n, err)
		}
		reserve.Add(reserve, self)
	}
	if err := call(polArt, polAddr, "mint", sm, reserve); err != nil {
		return nil, err
	}
	for _, a := range devkeys.TestAccounts() {
		if err := call(polArt, polAddr, "mint", a.Address, TestAccountPOL); err != nil {
			return nil, err
		}
	}
	return map[string]common.Address{
		polygon.RoleStakeManager: sm,
		polygon.RolePOL:          polAddr,
		polygon.RoleRootChain:    root,
	}, nil
}

// Scale is the withdrawal delay (checkpoints) and checkpoint interval for
// a bonding period: D = min(80, max(1, B / MinCheckpointInterval)), C = B / D
// (and C = MinCheckpointInterval when B is shorter).
func Scale(bonding time.Duration) (delay uint64, interval time.Duration) {
	d := int64(bonding / MinCheckpointInterval)
	d = max(1, min(GenesisWithdrawalDelay, d))
	interval = max(MinCheckpointInterval, bonding/time.Duration(d))
	return uint64(d), interval
}

// NewStepper applies env.BondingPeriod (the withdrawal delay, only when it
// differs) and env.APR (the checkpoint reward) and returns the stepper.
func (polygonModel) NewStepper(ctx context.Context, env model.StepEnv) (model.Stepper, error) {
	if err := env.Check(modelName); err != nil {
		return nil, err
	}
	s := &Stepper{
		sender:    env.Sender,
		sm:        env.Addresses[polygon.RoleStakeManager],
		root:      env.Addresses[polygon.RoleRootChain],
		wallClock: env.WallClock,
		log:       env.Log(),
	}
	if s.sm == (common.Address{}) || s.root == (common.Address{}) {
		return nil, fmt.Errorf("polygon model: need the %s and %s addresses, as Deploy returned them", polygon.RoleStakeManager, polygon.RoleRootChain)
	}
	abis, err := model.ABIs(NameStakeManager, NameRootChain)
	if err != nil {
		return nil, err
	}
	s.smABI, s.rootABI = abis[0], abis[1]
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	c := s.client()
	delay, err := devtx.CallBig(ctx, c, s.smABI, s.sm, "withdrawalDelay")
	if err != nil {
		return nil, fmt.Errorf("polygon model: %w", err)
	}
	if env.BondingPeriod > 0 {
		d, interval := Scale(env.BondingPeriod)
		s.interval = interval
		if delay.Uint64() != d {
			if err := s.send(ctx, s.sm, s.smABI, "updateDynastyValue", new(big.Int).SetUint64(d)); err != nil {
				return nil, err
			}
			s.log.Info("Polygon withdrawal delay set", "checkpoints", d, "interval", interval)
		}
	} else {
		s.interval = MainnetCheckpointInterval
	}
	if env.APR > 0 {
		total, err := devtx.CallBig(ctx, c, s.smABI, s.sm, "currentValidatorSetTotalStake")
		if err != nil {
			return nil, fmt.Errorf("polygon model: %w", err)
		}
		r := new(big.Int).Mul(total, big.NewInt(int64(math.Round(env.APR*1e4))))
		r.Mul(r, big.NewInt(int64(s.interval/time.Second)))
		r.Div(r, big.NewInt(1e6*secondsPerYear))
		if r.Sign() > 0 {
			if err := s.send(ctx, s.sm, s.smABI, "updateCheckpointReward", r); err != nil {
				return nil, err
			}
		}
	}
	// The interval runs from the latest checkpoint (none: the first step
	// seals one), so a one-shot oracle seals one when it is due.
	header, err := devtx.CallBig(ctx, c, s.rootABI, s.root, "currentHeaderBlock")
	if err != nil {
		return nil, fmt.Errorf("polygon model: %w", err)
	}
	if header.Sign() > 0 {
		res, err := devtx.Call(ctx, c, s.rootABI, s.root, "headerBlocks", header)
		if err != nil {
			return nil, fmt.Errorf("polygon model: %w", err)
		}
		if at, ok := res[3].(*big.Int); ok && at.IsUint64() {
			s.last = at.Uint64()
		}
	}
	return s, nil
}

// Stepper is the Polygon model's oracle logic.
type Stepper struct {
	sender         *devtx.Sender
	sm, root       common.Address
	smABI, rootABI *abi.ABI
	interval       time.Duration
	wallClock      bool
	log            *slog.Logger
	last           uint64 // time of the last checkpoint sealed (or of the start)
}

func (s *Stepper) client() *ethclient.Client { return s.sender.Client() }

func (s *Stepper) now(head uint64) uint64 { return model.Now(s.wallClock, head) }

func (s *Stepper) send(ctx context.Context, to common.Address, a *abi.ABI, method string, args ...any) error {
	return model.Send(ctx, s.sender, modelName, to, nil, a, method, args...)
}

// Interval is the time between two checkpoints.
func (s *Stepper) Interval() time.Duration { return s.interval }

// Step seals a checkpoint when the interval has passed since the last one
// (or there is none yet); nothing otherwise.
func (s *Stepper) Step(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	head, err := s.client().HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("polygon model: read the latest block: %w", err)
	}
	now := s.now(head.Time)
	if s.last > 0 && now < s.last+uint64(s.interval/time.Second) {
		return nil
	}
	if err := s.Checkpoint(ctx); err != nil {
		return err
	}
	s.last = now
	return nil
}

// Checkpoint seals one checkpoint now (RootChain.submitCheckpoint), which
// advances the epoch by one and pays the checkpoint reward.
func (s *Stepper) Checkpoint(ctx context.Context) error {
	c := s.client()
	header, err := devtx.CallBig(ctx, c, s.rootABI, s.root, "currentHeaderBlock")
	if err != nil {
		return fmt.Errorf("polygon model: %w", err)
	}
	start := new(big.Int)
	if header.Sign() > 0 {
		last, err := devtx.CallBig(ctx, c, s.rootABI, s.root, "getLastChildBlock")
		if err != nil {
			return fmt.Errorf("polygon model: %w", err)
		}
		start.Add(last, big.NewInt(1))
	}
	end := new(big.Int).Add(start, big.NewInt(255))
	root := crypto.Keccak256Hash(start.Bytes(), end.Bytes())
	args := abi.Arguments{{Type: mustType("address")}, {Type: mustType("uint256")}, {Type: mustType("uint256")},
		{Type: mustType("bytes32")}, {Type: mustType("bytes32")}, {Type: mustType("uint256")}}
	data, err := args.Pack(Signer(1), start, end, root, common.Hash{}, big.NewInt(BorChainID))
	if err != nil {
		return fmt.Errorf("polygon model: encode a checkpoint: %w", err)
	}
	if err := s.send(ctx, s.root, s.rootABI, "submitCheckpoint", data, [][3]*big.Int{}); err != nil {
		return err
	}
	s.log.Info("Polygon checkpoint sealed", "start", start, "end", end)
	return nil
}

func mustType(t string) abi.Type {
	typ, err := abi.NewType(t, "", nil)
	if err != nil {
		panic(err) // a fixed elementary type
	}
	return typ
}
