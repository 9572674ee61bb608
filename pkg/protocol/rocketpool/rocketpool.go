// Package rocketpool is the Rocket Pool rETH adapter: stake ETH into the
// deposit pool for rETH (deposit()), and unstake by burning rETH for ETH
// paid in the same transaction (burn). There are no withdrawal requests.
//
// Only RocketStorage and the rETH token (never upgraded) are configured per
// network; the deposit pool and the deposit settings are read from
// RocketStorage (getAddress(keccak256("contract.address" + name))) and
// cached for the adapter's lifetime, in the same round trip as what the
// stake preview needs (the deposit fee and the network balances, read from
// RocketStorage too). Stake and Unstake each make one read round trip. The
// protocol's rules (deposits enabled, minimum deposit, deposit-pool
// capacity, rETH balance, burn collateral) are protocol.Checks on the
// calls, read in the wallet's own batch. Facts: staking-systems.md §1
// (§1.7 client algorithm, §1.8 gotchas).
//
// Burn pays with transfer() (2300 gas): a smart-contract wallet with a
// non-trivial receive cannot burn (§1.8). stakewallet signs with keys,
// whose accounts always can.
package rocketpool

import (
	"context"
	"fmt"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Descriptor registers the adapter (see pkg/protocol/all).
var Descriptor = protocol.Descriptor{
	Name:         "rocketpool",
	Roles:        []string{RoleStorage, RoleRETH},
	Deployments:  Deployments,
	Capabilities: []protocol.Capability{protocol.CapHints, protocol.CapRate},
	New:          New,
}

// The capabilities Rocket Pool has; Descriptor.Capabilities lists the same.
var (
	_ protocol.Protocol = (*RocketPool)(nil)
	_ protocol.Hinter   = (*RocketPool)(nil)
	_ protocol.Rater    = (*RocketPool)(nil)
)

// Gas hints for the preview (upper bounds; the real limit is estimated).
const (
	gasDeposit = 300_000
	gasBurn    = 150_000
)

// RocketPool is the adapter bound to one network's RocketStorage.
type RocketPool struct {
	b       protocol.Backend
	storage common.Address
	reth    common.Address
	native  protocol.Token
	abi     *abi.ABI

	mu       sync.Mutex
	resolved *contracts // nil until the first resolve
}

// contracts are the addresses RocketStorage names.
type contracts struct {
	depositPool, settingsDeposit common.Address
}

// New binds the adapter to env's RocketStorage and rETH (both roles are
// required). It does not touch the chain.
func New(env protocol.Env) (protocol.Protocol, error) {
	if err := env.Require("rocketpool", RoleStorage, RoleRETH); err != nil {
		return nil, err
	}
	a, err := parsed()
	if err != nil {
		return nil, err
	}
	native := env.NativeToken()
	return &RocketPool{
		b:       env.Backend,
		storage: env.Addresses[RoleStorage],
		reth:    env.Addresses[RoleRETH],
		native:  native,
		abi:     a,
	}, nil
}

// Name implements protocol.Protocol.
func (p *RocketPool) Name() string { return "rocketpool" }

// DisplayName implements protocol.Protocol.
func (p *RocketPool) DisplayName() string { return "Rocket Pool" }

// Tokens implements protocol.Protocol: rETH, the only token.
func (p *RocketPool) Tokens() protocol.Tokens { return protocol.Tokens{p.rETH()} }

// Unstaking implements protocol.Protocol: burn pays ETH in its own
// transaction.
func (p *RocketPool) Unstaking() protocol.UnstakeKind { return protocol.UnstakeInstant }

// Targets implements protocol.Protocol: Rocket Pool pools the stake.
func (p *RocketPool) Targets() protocol.TargetRule { return protocol.TargetNone }

// ABI implements protocol.Protocol.
func (p *RocketPool) ABI() *abi.ABI { return p.abi }

func (p *RocketPool) rETH() protocol.Token {
	return protocol.Token{Symbol: "rETH", Address: p.reth, Decimals: 18, Role: protocol.RoleStaked}
}

// RateCall implements protocol.Rater: rETH getExchangeRate(), the ETH
// backing 1 rETH.
func (p *RocketPool) RateCall() (ethereum.CallMsg, func([]byte) (*big.Int, error)) {
	to := p.reth
	return ethereum.CallMsg{To: &to, Data: p.pack("getExchangeRate")}, func(ret []byte) (*big.Int, error) {
		return p.unpackUint("getExchangeRate", ret)
	}
}

// read makes extra (independent reads) in one round trip together with,
// the first time, the addresses of the deposit pool, the deposit settings
// and rETH from RocketStorage, which are then cached for the adapter's
// lifetime. The rETH RocketStorage names must be the configured token: a
// mismatch means a wrong network entry, and nothing is built on it.
func (p *RocketPool) read(ctx context.Context, extra []ethereum.CallMsg) (*contracts, [][]byte, []error, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var names []string
	if p.resolved == nil {
		names = []string{NameDepositPool, NameSettingsDeposit, NameTokenRETH}
	}
	msgs := make([]ethereum.CallMsg, 0, len(names)+len(extra))
	for _, n := range names {
		msgs = append(msgs, p.msg(p.storage, "getAddress", ContractKey(n)))
	}
	rets, errs := protocol.CallAll(ctx, p.b, append(msgs, extra...))
	if p.resolved == nil {
		addrs := make([]common.Address, len(names))
		for i, n := range names {
			if errs[i] != nil {
				return nil, nil, nil, fmt.Errorf("rocketpool: read %s from RocketStorage %s: %w", n, p.storage.Hex(), errs[i])
			}
			a, err := p.unpackAddress("getAddress", rets[i])
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%w (is %s RocketStorage on this network?)", err, p.storage.Hex())
			}
			if a == (common.Address{}) {
				return nil, nil, nil, fmt.Errorf("rocketpool: RocketStorage %s names no %s: it is not Rocket Pool's storage on this network; check the network's rocketpool addresses", p.storage.Hex(), n)
			}
			addrs[i] = a
		}
		if addrs[2] != p.reth {
			return nil, nil, nil, fmt.Errorf("rocketpool: RocketStorage %s names rETH %s, but the network is configured with %s; fix the network's rocketpool addresses",
				p.storage.Hex(), addrs[2].Hex(), p.reth.Hex())
		}
		p.resolved = &contracts{depositPool: addrs[0], settingsDeposit: addrs[1]}
	}
	return p.resolved, rets[len(names):], errs[len(names):], nil
}

// msg is an eth_call of method on to; the ABI is fixed, so a pack error is
// a programming error and panics.
func (p *RocketPool) msg(to common.Address, method string, args ...any) ethereum.CallMsg {
	return ethereum.CallMsg{To: &to, Data: p.pack(method, args...)}
}

func (p *RocketPool) pack(method string, args ...any) []byte {
	data, err := p.abi.Pack(method, args...)
	if err != nil {
		panic(fmt.Sprintf("rocketpool: encode %s: %v", method, err))
	}
	return data
}

func (p *RocketPool) unpack(method string, ret []byte) (any, error) {
	if len(ret) == 0 {
		return nil, fmt.Errorf("rocketpool: %w: %s returned nothing (no Rocket Pool contract at that address on this network?)", protocol.ErrBadAnswer, method)
	}
	vals, err := p.abi.Unpack(method, ret)
	if err != nil || len(vals) != 1 {
		return nil, fmt.Errorf("rocketpool: %w: %s returned %x: %v", protocol.ErrBadAnswer, method, ret, err)
	}
	return vals[0], nil
}

func (p *RocketPool) unpackUint(method string, ret []byte) (*big.Int, error) {
	v, err := p.unpack(method, ret)
	if err != nil {
		return nil, err
	}
	n, ok := v.(*big.Int)
	if !ok {
		return nil, fmt.Errorf("rocketpool: %w: %s returned %T, want uint256", protocol.ErrBadAnswer, method, v)
	}
	return n, nil
}

func (p *RocketPool) unpackBool(method string, ret []byte) (bool, error) {
	v, err := p.unpack(method, ret)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("rocketpool: %w: %s returned %T, want bool", protocol.ErrBadAnswer, method, v)
	}
	return b, nil
}

func (p *RocketPool) unpackAddress(method string, ret []byte) (common.Address, error) {
	v, err := p.unpack(method, ret)
	if err != nil {
		return common.Address{}, err
	}
	a, ok := v.(common.Address)
	if !ok {
		return common.Address{}, fmt.Errorf("rocketpool: %w: %s returned %T, want address", protocol.ErrBadAnswer, method, v)
	}
	return a, nil
}
