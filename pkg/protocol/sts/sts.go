// Package sts is the Beets Staked Sonic (stS) adapter: stake S for stS
// (SonicStaking.deposit), unstake by undelegating stS from one of the
// validators the pool delegates to (undelegate(validatorId, shares), or
// undelegateMany / undelegateFromPool when no single validator holds
// enough), and claim the S after the withdrawal delay with
// withdraw(withdrawId, false). It only builds calls and reads state;
// pkg/txflow signs and sends.
//
// # Emergency withdrawals
//
// SonicStaking.withdraw and withdrawMany take a bool "emergency". With
// emergency=true the contract pays out whatever the SFC returns for a
// request whose validator was slashed: the caller accepts the slashing loss
// (down to nothing when the validator was fully slashed and no refund ratio
// is set) instead of having the withdrawal refused with
// SfcSlashMustBeAccepted(refundRatio). Claims built here always pass
// emergency=false, so a withdrawal that would pay less than the request's
// amount because of slashing is refused, never accepted silently; the
// adapter also checks, before signing, that the validator of each request is
// not slashed (SFC.isSlashed), and says what an emergency withdrawal would
// mean when it is.
//
// Facts (addresses, selectors, events, errors, limits) come from
// shared/reference/staking-systems.md §5 and beethovenxfi/sonic-staking
// src/SonicStaking.sol at 877087b.
package sts

import (
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Descriptor registers the adapter (see pkg/protocol/all).
var Descriptor = protocol.Descriptor{
	Name:        "sts",
	Roles:       []string{RoleSTS, RoleSFC},
	Deployments: Deployments,
	Capabilities: []protocol.Capability{
		protocol.CapRequests, protocol.CapClaimBatch, protocol.CapETA, protocol.CapHints, protocol.CapRate,
	},
	New: New,
}

// STS is the adapter bound to one network's SonicStaking and SFC.
type STS struct {
	b        protocol.Backend
	sts, sfc common.Address
	native   protocol.Token
	abis     *contractABIs

	// mu guards epochsOnly: the ids the last Withdrawals found held back
	// only by the SFC's epoch count, for the Estimator's note.
	mu         sync.Mutex
	epochsOnly map[protocol.RequestID]bool
	// lastConsts and lastEpoch are the SFC's ConstantsManager and
	// currentEpoch at the last read (see seen).
	lastConsts common.Address
	lastEpoch  uint64
	// seenNow is the chain time (unix seconds) Withdrawals last read, for
	// the Estimator's AsOf; 0 before any.
	seenNow atomic.Uint64
}

// The capabilities STS has; Descriptor.Capabilities lists the same.
var (
	_ protocol.Protocol     = (*STS)(nil)
	_ protocol.Requests     = (*STS)(nil)
	_ protocol.ClaimBatcher = (*STS)(nil)
	_ protocol.Estimating   = (*STS)(nil)
	_ protocol.Hinter       = (*STS)(nil)
	_ protocol.Rater        = (*STS)(nil)
)

// New binds the adapter to env's addresses (roles sts and sfc, both
// required) read through its backend. It does not touch the chain.
func New(env protocol.Env) (protocol.Protocol, error) {
	if err := env.Require("sts", RoleSTS, RoleSFC); err != nil {
		return nil, err
	}
	abis, err := loadABIs()
	if err != nil {
		return nil, err
	}
	native := env.NativeToken()
	return &STS{
		b:      env.Backend,
		sts:    env.Addresses[RoleSTS],
		sfc:    env.Addresses[RoleSFC],
		native: native,
		abis:   abis,
	}, nil
}

// Name implements protocol.Protocol.
func (s *STS) Name() string { return "sts" }

// DisplayName implements protocol.Protocol.
func (s *STS) DisplayName() string { return "Beets stS" }

// Tokens implements protocol.Protocol: stS, what deposit mints.
func (s *STS) Tokens() protocol.Tokens { return protocol.Tokens{s.stsToken()} }

// Unstaking implements protocol.Protocol: an undelegation unbonds for the
// contract's withdrawDelay (14 days on Sonic) and is then claimable with no
// deadline.
func (s *STS) Unstaking() protocol.UnstakeKind { return protocol.UnstakeUnbonding }

// Targets implements protocol.Protocol: deposits go to the pool (the
// operator delegates them), so stake takes no validator; unstake picks the
// validator itself and takes --validator as an override.
func (s *STS) Targets() protocol.TargetRule { return protocol.TargetOptional }

// ABI implements protocol.Protocol: SonicStaking's functions, events and
// errors with the SFC's (whose errors bubble up through stS).
func (s *STS) ABI() *abi.ABI { return s.abis.merged }

// ABI returns the merged ABI without a backend, for decoding.
func ABI() (*abi.ABI, error) {
	c, err := loadABIs()
	if err != nil {
		return nil, err
	}
	return c.merged, nil
}

func (s *STS) stsToken() protocol.Token {
	return protocol.Token{Symbol: "stS", Address: s.sts, Decimals: 18, Role: protocol.RoleStaked}
}
