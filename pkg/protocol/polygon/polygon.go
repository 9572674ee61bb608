// Package polygon is the Polygon PoS staking adapter: POL delegation on
// Ethereum (mainnet, Sepolia, devnet). Staking delegates POL to a validator
// by buying shares of its ValidatorShare contract (buyVoucherPOL, after
// approving POL to the StakeManager proxy, which takes the POL); unstaking
// sells shares (sellVoucher_newPOL), which starts an unbond identified by a
// per-delegator nonce on that ValidatorShare; the POL is claimable
// (unstakeClaimTokens_newPOL) once withdrawalDelay() checkpoints (epochs)
// have passed. The …POL variants are used throughout: the others pay
// rewards and claims in MATIC. It only builds calls and reads state;
// pkg/txflow signs and sends.
//
// # Validators and shares
//
// A validator is known by its numeric id (what --validator takes). Its
// ValidatorShare (StakeManager.getValidatorContract(id)) is an ERC-20 share
// token ("dPOL0x01"), listed as the validator's credit (RoleCredit). It is
// marked NotTransferable: the contract does move shares, but its ERC-20
// transfer pays both parties' pending rewards in MATIC, and the POL variant
// (transferPOL) is not an ERC-20 call the wallet's transfer can make.
// Tokens lists POL (RoleUnderlying): staking takes it, claims pay it.
//
// # Requests
//
// A request id is "<validator id>/<unbond nonce>": the nonce counts the
// delegator's unbonds on that validator's ValidatorShare from 1
// (unbondNonces(owner) is the latest). unbonds_new(owner, nonce) holds the
// withdraw-pool shares and the epoch of the unbond; it is claimable when
// withdrawEpoch + withdrawalDelay() <= epoch(), and deleted when claimed.
// The epoch advances by one per checkpoint, so the ETA is the remaining
// epochs times the average interval of the last checkpoints (RootChain
// headerBlocks createdAt).
//
// # Rewards
//
// Rewards accrue per ValidatorShare as liquid POL (getLiquidRewards); every
// buy, sell and share transfer pays the pending ones out, and
// withdrawRewardsPOL / restakePOL claim or restake them on their own
// (protocol.Rewarder, rewards.go).
//
// # Reads
//
// Each read depends on the one before: the validators (StakeManager), each
// one's ValidatorShare, the owner's nonces there, then each unbond. The
// lens (lens/PolygonLens.sol, lens.go) makes them all inside one eth_call,
// so Withdrawals, WithdrawalsOf and Delegations take one round trip; a
// node that gives it no answer is read the way without it, whose first
// reads ride beside the lens.
//
// Facts come from shared/reference/staking-systems.md §3 and
// 0xPolygon/pos-contracts at ff11f0e0.
package polygon

import (
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Descriptor registers the adapter (see pkg/protocol/all).
var Descriptor = protocol.Descriptor{
	Name:        "polygon",
	Roles:       roles,
	Deployments: Deployments,
	Capabilities: []protocol.Capability{
		protocol.CapRequests, protocol.CapETA, protocol.CapHints, protocol.CapValidators, protocol.CapRestake,
		protocol.CapDelegations, protocol.CapRewards, protocol.CapManyOwners,
	},
	New: New,
}

// roles are the contract roles New needs.
var roles = []string{RoleStakeManager, RolePOL, RoleRootChain}

// Polygon is the adapter bound to one network's StakeManager.
type Polygon struct {
	b         protocol.Backend
	sm, root  common.Address
	pol       protocol.Token
	abis      *contractABIs
	mu        sync.Mutex
	sharesMap map[uint64]common.Address // validator id → ValidatorShare; never changes
	listed    []uint64                  // every validator id, once listed (Validators or the lens)
	// lens reads the validators, shares, positions and unbonds in one
	// eth_call (lens.go); lensOff is set once a node gave it no answer.
	lens    *protocol.Lens
	lensOff atomic.Bool
	// seenNow is the chain time (unix seconds) of the latest chainState
	// read, for the Estimator's AsOf; 0 before any.
	seenNow atomic.Uint64
}

// The capabilities Polygon has; Descriptor.Capabilities lists the same.
var (
	_ protocol.Protocol   = (*Polygon)(nil)
	_ protocol.Requests   = (*Polygon)(nil)
	_ protocol.Estimating = (*Polygon)(nil)
	_ protocol.Hinter     = (*Polygon)(nil)
	_ protocol.Validators = (*Polygon)(nil)
	_ protocol.Restaker   = (*Polygon)(nil)
	_ protocol.ManyOwners = (*Polygon)(nil)
)

// New binds the adapter to env's contracts. It does not touch the chain.
func New(env protocol.Env) (protocol.Protocol, error) {
	if err := env.Require("polygon", roles...); err != nil {
		return nil, err
	}
	addr := env.Addresses
	abis, err := loadABIs()
	if err != nil {
		return nil, err
	}
	lens, err := newLens()
	if err != nil {
		return nil, fmt.Errorf("polygon: %w", err)
	}
	return &Polygon{
		b:         env.Backend,
		sm:        addr[RoleStakeManager],
		root:      addr[RoleRootChain],
		pol:       POLToken(addr[RolePOL]),
		abis:      abis,
		sharesMap: map[uint64]common.Address{},
		lens:      lens,
	}, nil
}

// POLToken is the POL token at addr (RoleUnderlying).
func POLToken(addr common.Address) protocol.Token {
	return protocol.Token{Symbol: "POL", Address: addr, Decimals: 18, Role: protocol.RoleUnderlying}
}

// ShareToken is validator id's ValidatorShare as a token: the real
// contract's symbol ("dPOL" + the id in hex), RoleCredit, NotTransferable
// (see the package doc).
func ShareToken(id uint64, share common.Address) protocol.Token {
	return protocol.Token{Symbol: "dPOL" + hexID(id), Address: share, Decimals: 18, Role: protocol.RoleCredit, NotTransferable: true}
}

// hexID is ValidatorShare._toHexString: "0x" and the id's bytes in hex.
func hexID(v uint64) string {
	if v == 0 {
		return "0x00"
	}
	n := 0
	for t := v; t != 0; t >>= 8 {
		n++
	}
	return fmt.Sprintf("0x%0*x", 2*n, v)
}

// Name implements protocol.Protocol.
func (a *Polygon) Name() string { return "polygon" }

// DisplayName implements protocol.Protocol.
func (a *Polygon) DisplayName() string { return "Polygon staking" }

// Tokens implements protocol.Protocol: POL, the token staked and paid back.
// The stake is held as the validator's shares (Validator.Credit).
func (a *Polygon) Tokens() protocol.Tokens { return protocol.Tokens{a.pol} }

// Unstaking implements protocol.Protocol: each unbond waits
// withdrawalDelay() checkpoints.
func (a *Polygon) Unstaking() protocol.UnstakeKind { return protocol.UnstakeUnbonding }

// Targets implements protocol.Protocol: every stake and unstake names a
// validator id.
func (a *Polygon) Targets() protocol.TargetRule { return protocol.TargetRequired }

// ABI implements protocol.Protocol.
func (a *Polygon) ABI() *abi.ABI { return a.abis.merged }

// ABI returns the merged ABI without a backend, for decoding.
func ABI() (*abi.ABI, error) {
	c, err := loadABIs()
	if err != nil {
		return nil, err
	}
	return c.merged, nil
}

func (a *Polygon) fmt(v *big.Int) string { return amount.FormatUnits(v, a.pol.Decimals, a.pol.Symbol) }

// precision is ValidatorShare._getRatePrecision: 100 for the foundation
// validators (ids below 8), 10^29 for the others.
func precision(id uint64) *big.Int {
	if id < 8 {
		return big.NewInt(100)
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(29), nil)
}
