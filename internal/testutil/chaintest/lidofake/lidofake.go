// Package lidofake plays Lido's stETH, wstETH, WithdrawalQueueERC721 and
// LidoLocator on a chaintest.Node, as the stakewallet Lido adapter
// (pkg/protocol/lido) sees them: stake, unstake (stETH and wstETH), the
// withdrawal list and statuses, claims with checkpoint hints, wrap, unwrap,
// transfers and balances, and the reads and events of the ETA estimator.
//
// It follows the devnet's Solidity models (internal/devnet/contracts/src):
// the same revert strings and custom errors, share accounting with the
// same rounding (stETH moves as shares), the 100 wei and 1000 stETH
// request bounds, checkpoints and hints, and the discount rule. Its
// simplifications: the stake limit does not refill block by block (it is
// what SetStakeLimit last set, minus what was staked since); oracle reports
// are the fixture calls Finalize and Reward; bunker mode and the pauses are
// switches. Calls nothing in stakewallet makes are left out: ERC-721
// approvals, transfers and views of requests, claimWithdrawal(s)To,
// transferShares, permits, the locator's other getters (such calls get the
// node's "no handler" error), and SharesBurnt/TokenRebased events.
package lidofake

import (
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/params"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// Addresses are where the contracts live.
type Addresses struct {
	StETH, WstETH, Queue, Locator common.Address
}

// DevnetAddresses are the built-in "devnet" network's addresses, so that
// commands run with --network devnet find the fake.
func DevnetAddresses() Addresses {
	return Addresses{StETH: lido.DevnetStETH, WstETH: lido.DevnetWstETH, Queue: lido.DevnetWithdrawalQueue, Locator: lido.DevnetLocator}
}

// Protocol returns the addresses by the adapter's contract roles.
func (a Addresses) Protocol() protocol.Addresses {
	return protocol.Addresses{lido.RoleStETH: a.StETH, lido.RoleWstETH: a.WstETH,
		lido.RoleWithdrawalQueue: a.Queue, lido.RoleLocator: a.Locator}
}

// Lido is the fake, installed on a node. Its state is guarded by the node's
// lock: handlers run under it, and fixture methods go through Node.Apply.
type Lido struct {
	n     *chaintest.Node
	addrs Addresses
	abi   *abi.ABI // the adapter's: every call it packs is one the fake decodes
	// Keys in abi of the events ERC-20 and ERC-721 both name Transfer and
	// Approval (with different indexed arguments).
	erc20Transfer, erc20Approval, nftTransfer string
	st                                        *state
}

// Install registers the contracts at addrs on node (the locator only if
// addrs.Locator is set). Like the devnet's Lido, the pool starts with a
// 1 ETH bootstrap deposit held by 0xdead, so the share rate is 1.
func Install(node *chaintest.Node, addrs Addresses) *Lido {
	t := node.T()
	t.Helper()
	a, err := lido.ABI()
	if err != nil {
		t.Fatalf("lidofake: %v", err)
	}
	l := &Lido{n: node, addrs: addrs, abi: a, st: newState()}
	for _, ev := range []struct {
		dst     *string
		name    string
		indexed int
	}{{&l.erc20Transfer, "Transfer", 2}, {&l.erc20Approval, "Approval", 2}, {&l.nftTransfer, "Transfer", 3}} {
		if *ev.dst, err = eventKey(a, ev.name, ev.indexed); err != nil {
			t.Fatal(err)
		}
	}
	l.installStETH()
	l.installWstETH()
	l.installQueue()
	if addrs.Locator != (common.Address{}) {
		for name, v := range map[string]common.Address{"lido": addrs.StETH, "wstETH": addrs.WstETH, "withdrawalQueue": addrs.Queue} {
			l.view(addrs.Locator, name, func(*exec, []any) any { return v })
		}
	}
	l.fixture(func(x *exec) error {
		x.c.Mint(addrs.StETH, bootstrap)
		x.mintShares(deadAddr, bootstrap)
		x.s.pooled = new(big.Int).Set(bootstrap)
		return nil
	})
	return l
}

// eventKey finds event raw with n indexed inputs in the adapter's merged
// ABI, which keeps look-alike events under de-duplicated keys.
func eventKey(a *abi.ABI, raw string, n int) (string, error) {
	for key, ev := range a.Events {
		indexed := 0
		for _, in := range ev.Inputs {
			if in.Indexed {
				indexed++
			}
		}
		if ev.RawName == raw && indexed == n {
			return key, nil
		}
	}
	return "", fmt.Errorf("lidofake: the Lido ABI has no %s event with %d indexed arguments", raw, n)
}

// handle registers f for method at addr; f works on a copy of the state,
// which replaces the state only if the call is a transaction that succeeds.
func (l *Lido) handle(addr common.Address, method string, f func(x *exec, args []any) ([]any, error)) {
	l.n.Handle(addr, l.abi, method, func(c *chaintest.Ctx, args []any) ([]any, error) {
		x := &exec{l: l, s: l.st.clone(), c: c}
		out, err := f(x, args)
		if err != nil {
			return nil, err
		}
		c.Commit(func() { l.st = x.s })
		return out, nil
	})
}

// view registers a method with one output that cannot revert.
func (l *Lido) view(addr common.Address, method string, f func(x *exec, args []any) any) {
	l.handle(addr, method, func(x *exec, args []any) ([]any, error) { return []any{f(x, args)}, nil })
}

// one is a handler result with a single output.
func one(v any, err error) ([]any, error) {
	if err != nil {
		return nil, err
	}
	return []any{v}, nil
}

func (l *Lido) installStETH() {
	st := l.addrs.StETH
	for name, f := range map[string]func(x *exec, args []any) any{
		"name":                func(*exec, []any) any { return "Liquid staked Ether 2.0" },
		"symbol":              func(*exec, []any) any { return "stETH" },
		"decimals":            func(*exec, []any) any { return uint8(18) },
		"totalSupply":         func(x *exec, _ []any) any { return x.s.pooled },
		"getTotalPooledEther": func(x *exec, _ []any) any { return x.s.pooled },
		"getBufferedEther":    func(x *exec, _ []any) any { return x.s.pooled },
		"getTotalShares":      func(x *exec, _ []any) any { return x.s.totalShares },
		"balanceOf":           func(x *exec, a []any) any { return x.stBalance(a[0].(common.Address)) },
		"sharesOf":            func(x *exec, a []any) any { return get(x.s.shares, a[0].(common.Address)) },
		"allowance": func(x *exec, a []any) any {
			return get(x.s.stAllow, [2]common.Address{a[0].(common.Address), a[1].(common.Address)})
		},
		"getSharesByPooledEth": func(x *exec, a []any) any { return x.sharesByPooled(a[0].(*big.Int)) },
		"getPooledEthByShares": func(x *exec, a []any) any { return x.pooledByShares(a[0].(*big.Int)) },
		"isStakingPaused":      func(x *exec, _ []any) any { return x.s.stakingPaused },
		"getCurrentStakeLimit": func(x *exec, _ []any) any { return x.currentStakeLimit() },
	} {
		l.view(st, name, f)
	}
	l.handle(st, "getStakeLimitFullInfo", func(x *exec, _ []any) ([]any, error) {
		limitMax := new(big.Int)
		if x.s.stakeLimitMax != nil {
			limitMax = x.s.stakeLimitMax
		}
		cur := x.currentStakeLimit()
		return []any{x.s.stakingPaused, x.s.stakeLimit != nil, cur, limitMax, new(big.Int), cur, new(big.Int)}, nil
	})
	l.handle(st, "submit", func(x *exec, a []any) ([]any, error) {
		return one(x.submit(x.c.From, x.c.Value, a[0].(common.Address)))
	})
	l.handle(st, "", func(x *exec, _ []any) ([]any, error) { // receive(): stake with no referral
		_, err := x.submit(x.c.From, x.c.Value, common.Address{})
		return nil, err
	})
	l.handle(st, "approve", func(x *exec, a []any) ([]any, error) {
		return one(true, x.stApprove(x.c.From, a[0].(common.Address), a[1].(*big.Int)))
	})
	l.handle(st, "transfer", func(x *exec, a []any) ([]any, error) {
		return one(true, x.stTransfer(x.c.From, a[0].(common.Address), a[1].(*big.Int)))
	})
	l.handle(st, "transferFrom", func(x *exec, a []any) ([]any, error) {
		return one(true, x.stTransferFrom(x.c.From, a[0].(common.Address), a[1].(common.Address), a[2].(*big.Int)))
	})
}

func (l *Lido) installWstETH() {
	w := l.addrs.WstETH
	ether := big.NewInt(params.Ether)
	for name, f := range map[string]func(x *exec, args []any) any{
		"name":        func(*exec, []any) any { return "Wrapped liquid staked Ether 2.0" },
		"symbol":      func(*exec, []any) any { return "wstETH" },
		"decimals":    func(*exec, []any) any { return uint8(18) },
		"stETH":       func(x *exec, _ []any) any { return x.l.addrs.StETH },
		"totalSupply": func(x *exec, _ []any) any { return x.s.wstSupply },
		"balanceOf":   func(x *exec, a []any) any { return get(x.s.wst, a[0].(common.Address)) },
		"allowance": func(x *exec, a []any) any {
			return get(x.s.wstAllow, [2]common.Address{a[0].(common.Address), a[1].(common.Address)})
		},
		"getWstETHByStETH": func(x *exec, a []any) any { return x.sharesByPooled(a[0].(*big.Int)) },
		"getStETHByWstETH": func(x *exec, a []any) any { return x.pooledByShares(a[0].(*big.Int)) },
		"stEthPerToken":    func(x *exec, _ []any) any { return x.pooledByShares(ether) },
		"tokensPerStEth":   func(x *exec, _ []any) any { return x.sharesByPooled(ether) },
	} {
		l.view(w, name, f)
	}
	l.handle(w, "wrap", func(x *exec, a []any) ([]any, error) { return one(x.wrap(x.c.From, a[0].(*big.Int))) })
	l.handle(w, "unwrap", func(x *exec, a []any) ([]any, error) { return one(x.unwrap(x.c.From, a[0].(*big.Int))) })
	l.handle(w, "approve", func(x *exec, a []any) ([]any, error) {
		return one(true, x.wstApprove(x.c.From, a[0].(common.Address), a[1].(*big.Int)))
	})
	l.handle(w, "transfer", func(x *exec, a []any) ([]any, error) {
		return one(true, x.wstTransfer(x.c.From, a[0].(common.Address), a[1].(*big.Int)))
	})
	l.handle(w, "transferFrom", func(x *exec, a []any) ([]any, error) {
		return one(true, x.wstTransferFrom(x.c.From, a[0].(common.Address), a[1].(common.Address), a[2].(*big.Int)))
	})
	l.handle(w, "", func(x *exec, _ []any) ([]any, error) { // receive(): stake and wrap
		x.c.Pay(x.l.addrs.StETH, x.c.Value)
		sh, err := x.submit(w, x.c.Value, common.Address{})
		if err != nil {
			return nil, err
		}
		x.wstMint(x.c.From, sh)
		return nil, nil
	})
}

func (l *Lido) installQueue() {
	q := l.addrs.Queue
	for name, f := range map[string]func(x *exec, args []any) any{
		"name":                        func(*exec, []any) any { return "Lido: stETH Withdrawal NFT" },
		"symbol":                      func(*exec, []any) any { return "unstETH" },
		"MIN_STETH_WITHDRAWAL_AMOUNT": func(*exec, []any) any { return minRequest },
		"MAX_STETH_WITHDRAWAL_AMOUNT": func(*exec, []any) any { return maxRequest },
		"getLastRequestId":            func(x *exec, _ []any) any { return u64big(x.lastID()) },
		"getLastFinalizedRequestId":   func(x *exec, _ []any) any { return u64big(x.s.lastFinalized) },
		"getLastCheckpointIndex":      func(x *exec, _ []any) any { return u64big(uint64(len(x.s.checkpoints))) },
		"getLockedEtherAmount":        func(x *exec, _ []any) any { return x.s.locked },
		"unfinalizedRequestNumber":    func(x *exec, _ []any) any { return u64big(x.lastID() - x.s.lastFinalized) },
		"isPaused":                    func(x *exec, _ []any) any { return x.s.queuePaused },
		"isBunkerModeActive":          func(x *exec, _ []any) any { return x.s.bunker },
		"getWithdrawalRequests": func(x *exec, a []any) any {
			var ids []*big.Int
			for _, id := range x.s.owned[a[0].(common.Address)] {
				ids = append(ids, u64big(id))
			}
			return ids
		},
	} {
		l.view(q, name, f)
	}
	l.handle(q, "requestWithdrawals", func(x *exec, a []any) ([]any, error) {
		return one(x.requestWithdrawals(a[0].([]*big.Int), a[1].(common.Address), false))
	})
	l.handle(q, "requestWithdrawalsWstETH", func(x *exec, a []any) ([]any, error) {
		return one(x.requestWithdrawals(a[0].([]*big.Int), a[1].(common.Address), true))
	})
	l.handle(q, "getWithdrawalStatus", func(x *exec, a []any) ([]any, error) {
		var out []withdrawalStatus
		for _, id := range a[0].([]*big.Int) {
			s, err := x.status(id)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return []any{out}, nil
	})
	l.handle(q, "getClaimableEther", func(x *exec, a []any) ([]any, error) {
		ids, hints := a[0].([]*big.Int), a[1].([]*big.Int)
		if len(ids) != len(hints) {
			return nil, x.custom("ArraysLengthMismatch", big.NewInt(int64(len(ids))), big.NewInt(int64(len(hints))))
		}
		out := make([]*big.Int, len(ids))
		for i, id := range ids {
			r, err := x.request(id)
			if err != nil {
				return nil, err
			}
			out[i] = new(big.Int)
			if id.Uint64() > x.s.lastFinalized || r.claimed {
				continue
			}
			if out[i], err = x.claimable(id.Uint64(), hints[i]); err != nil {
				return nil, err
			}
		}
		return []any{out}, nil
	})
	l.handle(q, "findCheckpointHints", func(x *exec, a []any) ([]any, error) {
		ids, first, last := a[0].([]*big.Int), a[1].(*big.Int), a[2].(*big.Int)
		out := make([]*big.Int, len(ids))
		prev := new(big.Int)
		for i, id := range ids {
			if id.Cmp(prev) < 0 {
				return nil, x.custom("RequestIdsNotSorted")
			}
			h, err := x.findHint(id, first, last)
			if err != nil {
				return nil, err
			}
			// As WithdrawalQueueBase: each answer is the next search's
			// start, NOT_FOUND (0) too, so an id after one reverts
			// InvalidRequestIdRange(0, last).
			out[i] = u64big(h)
			first = out[i]
			prev = id
		}
		return []any{out}, nil
	})
	l.handle(q, "claimWithdrawals", func(x *exec, a []any) ([]any, error) {
		ids, hints := a[0].([]*big.Int), a[1].([]*big.Int)
		if len(ids) != len(hints) {
			return nil, x.custom("ArraysLengthMismatch", big.NewInt(int64(len(ids))), big.NewInt(int64(len(hints))))
		}
		for i := range ids {
			if err := x.claim(ids[i], hints[i], x.c.From); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
}

// ---- fixtures ----

// fixture runs fn on a copy of the state as a change by the stETH contract
// (which pays out of the pool), through Node.Apply; a failure fails the test.
func (l *Lido) fixture(fn func(x *exec) error) {
	t := l.n.T()
	t.Helper()
	err := l.n.Apply(l.addrs.StETH, func(c *chaintest.Ctx) error {
		x := &exec{l: l, s: l.st.clone(), c: c}
		if err := fn(x); err != nil {
			return err
		}
		c.Commit(func() { l.st = x.s })
		return nil
	})
	if err != nil {
		t.Fatalf("lidofake: %v", err)
	}
}

// read runs fn on the state under the node's lock.
func (l *Lido) read(fn func(x *exec)) {
	// Apply fails only when its function does, and this one cannot.
	_ = l.n.Apply(l.addrs.StETH, func(c *chaintest.Ctx) error {
		fn(&exec{l: l, s: l.st, c: c})
		return nil
	})
}

// Mint gives owner amount of stETH, as if owner had staked that much (the
// ether is in the pool; limits and pauses do not apply). Like every fixture
// that emits events, it mines a block.
func (l *Lido) Mint(owner common.Address, amount *big.Int) {
	l.fixture(func(x *exec) error {
		x.c.Mint(l.addrs.StETH, amount)
		x.deposit(owner, amount, common.Address{})
		return nil
	})
}

// MintWstETH gives owner amount of wstETH, backed by stETH shares the
// wstETH contract holds.
func (l *Lido) MintWstETH(owner common.Address, amount *big.Int) {
	l.fixture(func(x *exec) error {
		eth := x.pooledByShares(amount)
		x.c.Mint(l.addrs.StETH, eth)
		x.mintShares(l.addrs.WstETH, amount)
		x.s.pooled = add(x.s.pooled, eth)
		x.stEmitTransfer(common.Address{}, l.addrs.WstETH, eth, amount)
		x.wstMint(owner, amount)
		return nil
	})
}

// Reward adds amount wei to the pool (negative: takes it away, a
// penalty), as an oracle report does: every stETH balance, and the wstETH
// rate, move in proportion. It mines no block.
func (l *Lido) Reward(amount *big.Int) {
	l.fixture(func(x *exec) error {
		x.s.pooled = add(x.s.pooled, amount)
		if x.s.pooled.Sign() < 0 {
			return fmt.Errorf("lidofake: a penalty of %s wei exceeds the pool", new(big.Int).Neg(amount))
		}
		if amount.Sign() >= 0 {
			x.c.Mint(l.addrs.StETH, amount)
		} else {
			x.c.Pay(common.Address{}, new(big.Int).Neg(amount))
		}
		return nil
	})
}

// SetStakeLimit sets how much submit accepts from now on (each stake uses
// it up; it does not refill); nil removes the limit.
func (l *Lido) SetStakeLimit(limit *big.Int) {
	l.fixture(func(x *exec) error {
		x.s.stakeLimit, x.s.stakeLimitMax = nil, nil
		if limit != nil {
			x.s.stakeLimit, x.s.stakeLimitMax = new(big.Int).Set(limit), new(big.Int).Set(limit)
		}
		return nil
	})
}

// SetStakingPaused pauses or resumes staking (STAKING_PAUSED).
func (l *Lido) SetStakingPaused(paused bool) {
	l.fixture(func(x *exec) error { x.s.stakingPaused = paused; return nil })
}

// SetQueuePaused pauses or resumes new withdrawal requests
// (ResumedExpected); claims still work, as in the real queue.
func (l *Lido) SetQueuePaused(paused bool) {
	l.fixture(func(x *exec) error { x.s.queuePaused = paused; return nil })
}

// SetBunkerMode switches bunker mode, which only isBunkerModeActive reports.
func (l *Lido) SetBunkerMode(on bool) {
	l.fixture(func(x *exec) error { x.s.bunker = on; return nil })
}

// AddRequest creates a withdrawal request of amount stETH owned by owner,
// as if owner had staked and requested it in the next block (bounds are
// not checked), and finalizes every request up to it if finalized is set.
// It returns the request's id.
func (l *Lido) AddRequest(owner common.Address, amount *big.Int, finalized bool) uint64 {
	var id uint64
	l.fixture(func(x *exec) error {
		x.c.Mint(l.addrs.StETH, amount)
		sh := x.sharesByPooled(amount)
		x.mintShares(l.addrs.Queue, sh)
		x.s.pooled = add(x.s.pooled, amount)
		id = x.enqueue(amount, sh, owner, owner).Uint64()
		if finalized {
			return x.finalize(id)
		}
		return nil
	})
	return id
}

// Finalize finalizes every request up to id at the current share rate, as
// an oracle report does: one checkpoint, the ether moved from the pool to
// the queue, a WithdrawalsFinalized event in a new block.
func (l *Lido) Finalize(id uint64) {
	l.fixture(func(x *exec) error { return x.finalize(id) })
}

// Request is a withdrawal request as the queue stores it.
type Request struct {
	Owner          common.Address
	AmountOfStETH  *big.Int
	AmountOfShares *big.Int
	RequestedAt    time.Time
	Finalized      bool
	Claimed        bool
}

// Request returns request id, and false if there is none.
func (l *Lido) Request(id uint64) (Request, bool) {
	var r Request
	var ok bool
	l.read(func(x *exec) {
		if id == 0 || id > x.lastID() {
			return
		}
		s := x.s.requests[id-1]
		r = Request{Owner: s.owner, AmountOfStETH: s.stETH, AmountOfShares: s.shares,
			RequestedAt: time.Unix(int64(s.timestamp), 0).UTC(), Finalized: id <= x.s.lastFinalized, Claimed: s.claimed}
		ok = true
	})
	return r, ok
}

// StETHBalance returns owner's stETH balance.
func (l *Lido) StETHBalance(owner common.Address) *big.Int {
	var b *big.Int
	l.read(func(x *exec) { b = x.stBalance(owner) })
	return b
}

// WstETHBalance returns owner's wstETH balance.
func (l *Lido) WstETHBalance(owner common.Address) *big.Int {
	var b *big.Int
	l.read(func(x *exec) { b = new(big.Int).Set(get(x.s.wst, owner)) })
	return b
}
