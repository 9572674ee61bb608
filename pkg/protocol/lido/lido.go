// Package lido is the Lido on Ethereum adapter: stake ETH for stETH,
// request withdrawals through the WithdrawalQueueERC721 (unstETH), claim
// them with checkpoint hints, and wrap/unwrap wstETH. It only builds calls
// and reads state; pkg/txflow signs and sends.
//
// Facts (selectors, limits, revert reasons) come from
// shared/reference/protocols.md §1; the flows follow §1.6.
package lido

import (
	"context"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Descriptor registers the adapter (see pkg/protocol/all).
var Descriptor = protocol.Descriptor{
	Name:        "lido",
	Roles:       []string{RoleStETH, RoleWstETH, RoleWithdrawalQueue, RoleLocator},
	Deployments: Deployments,
	Capabilities: []protocol.Capability{
		protocol.CapRequests, protocol.CapClaimBatch, protocol.CapWrap, protocol.CapETA, protocol.CapHints,
		protocol.CapManyOwners,
	},
	New: New,
}

// requiredRoles are the contracts New cannot work without; the locator is
// optional (ResolveAddresses uses it to find the others).
var requiredRoles = []string{RoleStETH, RoleWstETH, RoleWithdrawalQueue}

// Lido is the adapter bound to one network's contracts.
type Lido struct {
	b                             protocol.Backend
	stETH, wstETH, queue, locator common.Address
	native                        protocol.Token
	abis                          *contractABIs
	// lens reads the queue's dependent state in one eth_call; lensOff
	// remembers that it gave no answer once (a node that runs no creation
	// code in eth_call), so the adapter does not ask again.
	lens    *protocol.Lens
	lensOff atomic.Bool

	// facts are the checkpoint hints and claimable ETH of finalized
	// requests read so far (queueState): they do not change until the
	// request is claimed.
	mu    sync.Mutex
	facts map[string]claimFact
	// queueSeen is the newest queue state a lens answer carried.
	queueSeen *lensQueue
}

// The capabilities Lido has; Descriptor.Capabilities lists the same.
var (
	_ protocol.Protocol     = (*Lido)(nil)
	_ protocol.Requests     = (*Lido)(nil)
	_ protocol.ClaimBatcher = (*Lido)(nil)
	_ protocol.Wrapper      = (*Lido)(nil)
	_ protocol.Estimating   = (*Lido)(nil)
	_ protocol.Hinter       = (*Lido)(nil)
	_ protocol.ManyOwners   = (*Lido)(nil)
)

// New binds the adapter to env's addresses (roles steth, wsteth and
// withdrawalQueue are required, locator is optional) read through its
// backend.
func New(env protocol.Env) (protocol.Protocol, error) {
	if err := env.Require("lido", requiredRoles...); err != nil {
		return nil, err
	}
	addrs, b := env.Addresses, env.Backend
	abis, err := loadABIs()
	if err != nil {
		return nil, err
	}
	lens, err := newLens()
	if err != nil {
		return nil, fmt.Errorf("lido: %w", err)
	}
	native := env.NativeToken()
	return &Lido{
		b:       b,
		stETH:   addrs[RoleStETH],
		wstETH:  addrs[RoleWstETH],
		queue:   addrs[RoleWithdrawalQueue],
		locator: addrs[RoleLocator],
		native:  native,
		abis:    abis,
		lens:    lens,
	}, nil
}

// ABI returns every function, event and error of stETH, wstETH, the
// withdrawal queue and the locator, without a backend (for decoding).
func ABI() (*abi.ABI, error) {
	c, err := loadABIs()
	if err != nil {
		return nil, err
	}
	return c.merged, nil
}

// Name implements protocol.Protocol.
func (l *Lido) Name() string { return "lido" }

// DisplayName implements protocol.Protocol.
func (l *Lido) DisplayName() string { return "Lido" }

// Tokens implements protocol.Protocol: stETH (what Stake mints), then wstETH.
func (l *Lido) Tokens() protocol.Tokens {
	return protocol.Tokens{l.stETHToken(), l.wstETHToken()}
}

// Unstaking implements protocol.Protocol: requests join the withdrawal
// queue and are claimable once an oracle report finalizes them.
func (l *Lido) Unstaking() protocol.UnstakeKind { return protocol.UnstakeQueued }

// Targets implements protocol.Protocol: Lido pools the stake.
func (l *Lido) Targets() protocol.TargetRule { return protocol.TargetNone }

// ABI implements protocol.Protocol.
func (l *Lido) ABI() *abi.ABI { return l.abis.merged }

func (l *Lido) stETHToken() protocol.Token {
	return protocol.Token{Symbol: "stETH", Address: l.stETH, Decimals: 18, Role: protocol.RoleStaked}
}

func (l *Lido) wstETHToken() protocol.Token {
	return protocol.Token{Symbol: "wstETH", Address: l.wstETH, Decimals: 18, Role: protocol.RoleWrapped}
}

// ResolveAddresses reads the stETH, wstETH and withdrawal queue proxies
// from a LidoLocator, for networks configured with the locator only.
func ResolveAddresses(ctx context.Context, b protocol.Backend, locator common.Address) (protocol.Addresses, error) {
	abis, err := loadABIs()
	if err != nil {
		return nil, err
	}
	r := reader{b: b}
	out := protocol.Addresses{RoleLocator: locator}
	for _, g := range []struct{ role, getter string }{
		{RoleStETH, "lido"}, {RoleWstETH, "wstETH"}, {RoleWithdrawalQueue, "withdrawalQueue"},
	} {
		a, err := r.address(ctx, abis.locator, locator, g.getter)
		if err != nil {
			return nil, err
		}
		out[g.role] = a
	}
	return out, nil
}

// reader wraps eth_call with ABI packing and unpacking.
type reader struct{ b protocol.Backend }

func (r reader) call(ctx context.Context, a *abi.ABI, to common.Address, method string, args ...any) ([]any, error) {
	data, err := a.Pack(method, args...)
	if err != nil {
		return nil, fmt.Errorf("lido: encode %s: %w", method, err)
	}
	out, err := r.b.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("lido: %s on %s: %w", method, to.Hex(), err)
	}
	if len(out) == 0 && len(a.Methods[method].Outputs) > 0 {
		return nil, fmt.Errorf("lido: %s on %s returned nothing: no Lido contract at that address on this network?", method, to.Hex())
	}
	vals, err := a.Unpack(method, out)
	if err != nil {
		return nil, fmt.Errorf("lido: %w: %s on %s: %w", protocol.ErrBadAnswer, method, to.Hex(), err)
	}
	return vals, nil
}

func (r reader) big(ctx context.Context, a *abi.ABI, to common.Address, method string, args ...any) (*big.Int, error) {
	vals, err := r.call(ctx, a, to, method, args...)
	if err != nil {
		return nil, err
	}
	v, ok := vals[0].(*big.Int)
	if !ok {
		return nil, fmt.Errorf("lido: %s returned %T, want uint256", method, vals[0])
	}
	return v, nil
}

func (r reader) address(ctx context.Context, a *abi.ABI, to common.Address, method string, args ...any) (common.Address, error) {
	vals, err := r.call(ctx, a, to, method, args...)
	if err != nil {
		return common.Address{}, err
	}
	v, ok := vals[0].(common.Address)
	if !ok {
		return common.Address{}, fmt.Errorf("lido: %s returned %T, want address", method, vals[0])
	}
	return v, nil
}

func (l *Lido) read() reader { return reader{b: l.b} }

// pack encodes a call the adapter returns; the ABIs are fixed, so an
// error here is a programming error worth surfacing, not hiding.
func pack(a *abi.ABI, method string, args ...any) ([]byte, error) {
	data, err := a.Pack(method, args...)
	if err != nil {
		return nil, fmt.Errorf("lido: encode %s: %w", method, err)
	}
	return data, nil
}
