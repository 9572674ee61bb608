// Package bnb is the BNB Smart Chain native staking adapter (BEP-294): stake
// BNB by delegating to a validator through the StakeHub system contract
// (delegate(operator, false)), unstake by undelegating shares of the
// validator's StakeCredit (undelegate(operator, shares)), and claim the BNB
// after the unbond period (claim(operator, n)). It only builds calls and
// reads state; pkg/txflow signs and sends.
//
// # Validators and credits
//
// A validator is known by its operator address (the id the user types, or a
// unique moniker prefix that the CLI resolves through Validators). Each
// validator has its own StakeCredit contract, an ERC-20 share token
// ("st<moniker>") that its contract refuses to transfer or approve: the
// credit is RoleCredit and NotTransferable. Because the staked token is per
// validator, Tokens lists no RoleStaked token: unstake takes an amount of BNB
// (converted to shares with the credit's getSharesByPooledBNB, a read the
// calldata depends on) or an amount of the validator's credit (shares, no
// read; "all" is the whole credit balance).
//
// # Requests
//
// Each undelegation is an unbond request in a per-delegator FIFO queue of
// the validator's StakeCredit, unlocked at a fixed time (unlockTime =
// undelegate time + unbondPeriod). A request id is "<operator>/<sequence>":
// the sequence is the delegator's unbond sequence number of the request on
// that credit (the credit hashes it into the request's key), so it never
// shifts when earlier requests are claimed. claim(operator, n) pays the first
// n matured requests from the head of the queue: a request is claimable only
// when every earlier one is, and claiming one claims every earlier one too.
//
// # Validators in one round trip
//
// Listing the validators takes dependent reads: getValidators for the
// operators and credits, then each one's description, commission, basic
// info and credit. BNBLens (lens/BNBLens.sol, a protocol.Lens) makes them
// all inside one eth_call with no `to`, sent with getValidators beside it;
// its answer is believed only when it agrees with getValidators'. On a node
// that refuses it (or any answer in doubt) Validators goes on from
// getValidators' answer as without the lens, at no extra round trip, and
// the adapter stops asking. Either way the list is the same, and its
// credits are remembered (a --validator resolved by moniker, then unstaked
// from, reads the credit once).
//
// # Rewards
//
// BNB staking compounds by itself: rewards are added to the validator's pool
// once a day, raising the BNB each share is worth. There is nothing to claim
// or restake.
//
// Facts (addresses, selectors, events, errors, limits) come from
// shared/reference/staking-systems.md §2 and bnb-chain/bsc-genesis-contract
// contracts/StakeHub.sol and StakeCredit.sol at 34618f6.
package bnb

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Descriptor registers the adapter (see pkg/protocol/all).
var Descriptor = protocol.Descriptor{
	Name:        "bnb",
	Roles:       []string{RoleStakeHub},
	Deployments: Deployments,
	Capabilities: []protocol.Capability{
		protocol.CapRequests, protocol.CapETA, protocol.CapHints, protocol.CapValidators, protocol.CapRestake,
		protocol.CapDelegations,
	},
	New: New,
}

// BNB is the adapter bound to one network's StakeHub.
type BNB struct {
	b      protocol.Backend
	hub    common.Address
	native protocol.Token
	abis   *contractABIs

	// credits maps operator addresses to their StakeCredit contracts, as
	// read from getValidators: a validator's credit never changes, so one
	// read per adapter serves every later call (a wait loop, an unstake
	// after the --validator resolution).
	mu      sync.Mutex
	credits map[common.Address]common.Address
	// listed is the operators of the last getValidators read (nil before).
	listed []common.Address

	// lens lists the validators in one eth_call (lens.go); lensOff: a
	// node gave it no valid answer once, and it is not tried again.
	lens    *protocol.Lens
	lensOff atomic.Bool
}

// The capabilities BNB has; Descriptor.Capabilities lists the same.
var (
	_ protocol.Protocol   = (*BNB)(nil)
	_ protocol.Requests   = (*BNB)(nil)
	_ protocol.Estimating = (*BNB)(nil)
	_ protocol.Hinter     = (*BNB)(nil)
	_ protocol.Validators = (*BNB)(nil)
	_ protocol.Restaker   = (*BNB)(nil)
	_ protocol.Delegator  = (*BNB)(nil)
	// Not a capability: claims pay with a 5,000-gas stipend.
	_ protocol.StipendPayer = (*BNB)(nil)
	// Not a capability: an exact operator address needs no listing.
	_ protocol.ValidatorIDs = (*BNB)(nil)
)

// New binds the adapter to env's StakeHub (role stakeHub) read through its
// backend. It does not touch the chain.
func New(env protocol.Env) (protocol.Protocol, error) {
	if err := env.Require("bnb", RoleStakeHub); err != nil {
		return nil, err
	}
	hub := env.Addresses[RoleStakeHub]
	abis, err := loadABIs()
	if err != nil {
		return nil, err
	}
	lens, err := newLens()
	if err != nil {
		return nil, fmt.Errorf("bnb: %w", err)
	}
	native := env.NativeToken()
	return &BNB{b: env.Backend, hub: hub, native: native, abis: abis, credits: map[common.Address]common.Address{}, lens: lens}, nil
}

// Name implements protocol.Protocol.
func (a *BNB) Name() string { return "bnb" }

// DisplayName implements protocol.Protocol.
func (a *BNB) DisplayName() string { return "BNB Chain staking" }

// Tokens implements protocol.Protocol: the native coin only. The stake is
// held as the chosen validator's credit (Validator.Credit), which is not
// transferable; there is no single staked token.
func (a *BNB) Tokens() protocol.Tokens { return protocol.Tokens{a.native} }

// Unstaking implements protocol.Protocol: each undelegation unbonds for the
// StakeHub's unbondPeriod (7 days on BSC).
func (a *BNB) Unstaking() protocol.UnstakeKind { return protocol.UnstakeUnbonding }

// Targets implements protocol.Protocol: every stake and unstake names a
// validator (its operator address).
func (a *BNB) Targets() protocol.TargetRule { return protocol.TargetRequired }

// ABI implements protocol.Protocol: StakeHub's and StakeCredit's functions,
// events and errors.
func (a *BNB) ABI() *abi.ABI { return a.abis.merged }

// ABI returns the merged ABI without a backend, for decoding.
func ABI() (*abi.ABI, error) {
	c, err := loadABIs()
	if err != nil {
		return nil, err
	}
	return c.merged, nil
}

// creditToken is the token of a validator's StakeCredit.
func creditToken(symbol string, credit common.Address) protocol.Token {
	if symbol == "" {
		symbol = "st?"
	}
	return protocol.Token{Symbol: symbol, Address: credit, Decimals: 18, Role: protocol.RoleCredit, NotTransferable: true}
}
