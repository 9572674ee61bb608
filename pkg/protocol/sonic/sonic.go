// Package sonic is the Sonic native staking adapter: delegation of S to a
// validator through the SFC (Special Fee Contract, 0xFC00FACE…) on Sonic
// (146) and the devnet-sonic chain. It only builds calls and reads state;
// pkg/txflow signs and sends.
//
// # Staking and unstaking
//
// A validator is known by its numeric id (what --validator takes; ids run
// 1..lastValidatorID()). stake = delegate(id) with the S as value; the SFC
// has no minimum delegation, only ZeroAmount, and refuses an unknown
// validator, one that is not active (offline, withdrawn, slashed) and a
// delegation above the validator's self-stake × maxDelegatedRatio (the
// last one is judged by the wallet's simulation: its limit lives in the
// ConstantsManager). unstake = undelegate(id, wrID, amount).
//
// # Withdrawal-request ids (wrID)
//
// The delegator picks the wrID, unique per (delegator, validator) while
// the request is pending; withdraw deletes it, so ids are reused. The
// wallet keeps no local state: it uses wrIDs 0..WrIDSlots-1 and, to
// unstake, reads getWithdrawalRequest(owner, id, w) for all of them in one
// eth_call (Multicall3.aggregate3) and takes the first free one (amount
// 0). Listing reads the same slots of every validator (two round trips), so
// a request is found again after a restart. Limit: at most WrIDSlots
// pending requests per validator (unstake says so: claim first); a request
// made by another tool with a wrID ≥ WrIDSlots is not listed, but can be
// named explicitly ("<validator>/<wrID>").
//
// Request ids are "<validatorID>/<wrID>". A request is claimable when both
// withdrawalPeriodTime() seconds and withdrawalPeriodEpochs() epochs
// (ConstantsManager, through constsAddress()) have passed since it was
// made (or since the validator was deactivated, if earlier): the ETA is
// the later of the two, the epoch part at the median length of the last
// sealed epochs (epochEndTime, the end time getEpochSnapshot holds). claim = withdraw(id, wrID),
// which pays the amount less a slashing penalty.
//
// # Rewards
//
// Rewards are not compounded: pendingRewards(owner, id) grows each epoch
// and is paid by claimRewards(id) or delegated again by restakeRewards(id)
// (protocol.Rewarder).
//
// Facts: shared/reference/staking-systems.md §5.1–5.3, checked against
// 0xsoniclabs/sonic-sfc contracts/sfc/SFC.sol.
package sonic

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// WrIDSlots is how many withdrawal-request ids per validator the wallet
// uses and scans (0..WrIDSlots-1); see the package doc.
const WrIDSlots = 32

// Validator status bits (SFC.sol).
const (
	statusWithdrawn  = 1
	statusOffline    = 1 << 3
	statusOfflineAvg = 1 << 4
	statusDoubleSign = 1 << 7
)

// Descriptor registers the adapter (see pkg/protocol/all).
var Descriptor = protocol.Descriptor{
	Name:        "sonic",
	Roles:       []string{RoleSFC},
	Deployments: Deployments,
	Capabilities: []protocol.Capability{
		protocol.CapRequests, protocol.CapETA, protocol.CapHints, protocol.CapValidators,
		protocol.CapRestake, protocol.CapDelegations, protocol.CapRewards,
	},
	New: New,
}

// Sonic is the adapter bound to one network's SFC.
type Sonic struct {
	b      protocol.Backend
	sfc    common.Address
	native protocol.Token
	abis   *contractABIs

	mu     sync.Mutex
	consts common.Address // ConstantsManager, once read (constsAddress)
	// seenNow is the chain time (unix seconds) Withdrawals last read, for
	// the Estimator's AsOf; 0 before any.
	seenNow atomic.Uint64
}

// The capabilities Sonic has; Descriptor.Capabilities lists the same.
var (
	_ protocol.Protocol     = (*Sonic)(nil)
	_ protocol.Requests     = (*Sonic)(nil)
	_ protocol.Estimating   = (*Sonic)(nil)
	_ protocol.Hinter       = (*Sonic)(nil)
	_ protocol.Validators   = (*Sonic)(nil)
	_ protocol.ValidatorIDs = (*Sonic)(nil)
	_ protocol.Restaker     = (*Sonic)(nil)
	_ protocol.Rewarder     = (*Sonic)(nil)
)

// New binds the adapter to env's SFC. It does not touch the chain.
func New(env protocol.Env) (protocol.Protocol, error) {
	if err := env.Require("sonic", RoleSFC); err != nil {
		return nil, err
	}
	sfc := env.Addresses[RoleSFC]
	abis, err := loadABIs()
	if err != nil {
		return nil, err
	}
	native := env.NativeToken()
	return &Sonic{b: env.Backend, sfc: sfc, native: native, abis: abis}, nil
}

// Name implements protocol.Protocol.
func (a *Sonic) Name() string { return "sonic" }

// DisplayName implements protocol.Protocol.
func (a *Sonic) DisplayName() string { return "Sonic staking" }

// Tokens implements protocol.Protocol: none of its own; the stake is S
// held by the SFC per validator (see balance's delegations).
func (a *Sonic) Tokens() protocol.Tokens { return protocol.Tokens{} }

// Unstaking implements protocol.Protocol.
func (a *Sonic) Unstaking() protocol.UnstakeKind { return protocol.UnstakeUnbonding }

// Targets implements protocol.Protocol: every stake and unstake names a
// validator id.
func (a *Sonic) Targets() protocol.TargetRule { return protocol.TargetRequired }

// ABI implements protocol.Protocol.
func (a *Sonic) ABI() *abi.ABI { return a.abis.merged }

// ABI returns the merged ABI without a backend, for decoding.
func ABI() (*abi.ABI, error) {
	c, err := loadABIs()
	if err != nil {
		return nil, err
	}
	return c.merged, nil
}

// ParseValidatorID implements protocol.ValidatorIDs: a validator id is a
// positive decimal number; Stake's Checks judge whether it exists.
func (a *Sonic) ParseValidatorID(s string) (string, bool) {
	id, err := ParseValidator(s)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(id, 10), true
}

// ParseValidator parses a validator id.
func ParseValidator(s string) (uint64, error) {
	id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil || id == 0 {
		return 0, &protocol.LimitError{Reason: fmt.Sprintf("invalid Sonic validator %q: give its numeric id (`stakewallet validators --protocol sonic` lists them)", s)}
	}
	return id, nil
}

func (a *Sonic) fmt(v *big.Int) string {
	return amount.FormatUnits(v, a.native.Decimals, a.native.Symbol)
}

func u64(v uint64) *big.Int { return new(big.Int).SetUint64(v) }
