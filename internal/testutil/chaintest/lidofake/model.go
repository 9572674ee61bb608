package lidofake

import (
	"fmt"
	"maps"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/params"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
)

// Constants of the contracts (the real values).
var (
	minRequest = big.NewInt(100)
	maxRequest = new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))
	e27        = new(big.Int).Exp(big.NewInt(10), big.NewInt(27), nil)
	// deadAddr holds the bootstrap shares, like the real Lido's initial holder.
	deadAddr  = common.HexToAddress("0x000000000000000000000000000000000000dEaD")
	bootstrap = big.NewInt(params.Ether)
)

// state is the four contracts' storage. Its *big.Int values are never
// changed in place, so clone can copy maps shallowly.
type state struct {
	// stETH
	shares        map[common.Address]*big.Int
	totalShares   *big.Int
	pooled        *big.Int // all buffered: the model has no validators
	stAllow       map[[2]common.Address]*big.Int
	stakingPaused bool
	stakeLimit    *big.Int // what submit accepts now; nil: no limit
	stakeLimitMax *big.Int
	// wstETH
	wst       map[common.Address]*big.Int
	wstSupply *big.Int
	wstAllow  map[[2]common.Address]*big.Int
	// queue
	queuePaused   bool
	bunker        bool
	requests      []request // id i+1 at index i
	owned         map[common.Address][]uint64
	lastFinalized uint64
	checkpoints   []checkpoint // index i+1 at i
	locked        *big.Int
}

type request struct {
	stETH, shares *big.Int
	owner         common.Address
	timestamp     uint64
	claimed       bool
}

type checkpoint struct {
	fromID    uint64
	shareRate *big.Int // 1e27 precision
}

// withdrawalStatus is the queue's WithdrawalRequestStatus tuple; go-ethereum
// packs it by field name.
type withdrawalStatus struct {
	AmountOfStETH  *big.Int
	AmountOfShares *big.Int
	Owner          common.Address
	Timestamp      *big.Int
	IsFinalized    bool
	IsClaimed      bool
}

func newState() *state {
	return &state{
		shares: map[common.Address]*big.Int{}, totalShares: new(big.Int), pooled: new(big.Int),
		stAllow: map[[2]common.Address]*big.Int{},
		wst:     map[common.Address]*big.Int{}, wstSupply: new(big.Int), wstAllow: map[[2]common.Address]*big.Int{},
		owned: map[common.Address][]uint64{}, locked: new(big.Int),
	}
}

func (s *state) clone() *state {
	c := *s
	c.shares, c.stAllow = maps.Clone(s.shares), maps.Clone(s.stAllow)
	c.wst, c.wstAllow = maps.Clone(s.wst), maps.Clone(s.wstAllow)
	c.requests, c.checkpoints = slices.Clone(s.requests), slices.Clone(s.checkpoints)
	c.owned = make(map[common.Address][]uint64, len(s.owned))
	for k, v := range s.owned {
		c.owned[k] = slices.Clone(v)
	}
	return &c
}

// exec is one call: a working copy of the state, kept only if the call is
// a transaction that succeeds, and the call's context.
type exec struct {
	l *Lido
	s *state
	c *chaintest.Ctx
}

func get[K comparable](m map[K]*big.Int, k K) *big.Int {
	if v := m[k]; v != nil {
		return v
	}
	return new(big.Int)
}

func add(a, b *big.Int) *big.Int       { return new(big.Int).Add(a, b) }
func sub(a, b *big.Int) *big.Int       { return new(big.Int).Sub(a, b) }
func mulDiv(a, b, c *big.Int) *big.Int { return new(big.Int).Div(new(big.Int).Mul(a, b), c) }
func u64big(n uint64) *big.Int         { return new(big.Int).SetUint64(n) }

// u64 clamps an ABI uint256 to uint64: ids and indices beyond it exist nowhere.
func u64(b *big.Int) uint64 {
	if !b.IsUint64() {
		return ^uint64(0)
	}
	return b.Uint64()
}

func (x *exec) revert(reason string) error { return chaintest.RevertString(reason) }

func (x *exec) custom(name string, args ...any) error {
	return chaintest.RevertCustom(x.l.abi, name, args...)
}

// ---- stETH (Lido.sol) ----

func (x *exec) sharesByPooled(eth *big.Int) *big.Int {
	if x.s.totalShares.Sign() == 0 || x.s.pooled.Sign() == 0 {
		return new(big.Int).Set(eth)
	}
	return mulDiv(eth, x.s.totalShares, x.s.pooled)
}

func (x *exec) pooledByShares(sh *big.Int) *big.Int {
	if x.s.totalShares.Sign() == 0 {
		return new(big.Int).Set(sh)
	}
	return mulDiv(sh, x.s.pooled, x.s.totalShares)
}

func (x *exec) stBalance(a common.Address) *big.Int { return x.pooledByShares(get(x.s.shares, a)) }

func (x *exec) currentStakeLimit() *big.Int {
	switch {
	case x.s.stakingPaused:
		return new(big.Int)
	case x.s.stakeLimit == nil:
		return math.MaxBig256
	}
	return x.s.stakeLimit
}

func (x *exec) mintShares(to common.Address, sh *big.Int) {
	x.s.shares[to] = add(get(x.s.shares, to), sh)
	x.s.totalShares = add(x.s.totalShares, sh)
}

func (x *exec) submit(sender common.Address, value *big.Int, referral common.Address) (*big.Int, error) {
	switch {
	case value.Sign() == 0:
		return nil, x.revert("ZERO_DEPOSIT")
	case x.s.stakingPaused:
		return nil, x.revert("STAKING_PAUSED")
	case x.s.stakeLimit != nil && value.Cmp(x.s.stakeLimit) > 0:
		return nil, x.revert("STAKE_LIMIT")
	case x.s.stakeLimit != nil:
		x.s.stakeLimit = sub(x.s.stakeLimit, value)
	}
	return x.deposit(sender, value, referral), nil
}

// deposit mints stETH for value wei, whose ether the caller put in the pool.
func (x *exec) deposit(to common.Address, value *big.Int, referral common.Address) *big.Int {
	sh := x.sharesByPooled(value)
	x.mintShares(to, sh)
	x.s.pooled = add(x.s.pooled, value)
	x.c.Emit(x.l.addrs.StETH, x.l.abi, "Submitted", to, value, referral)
	x.stEmitTransfer(common.Address{}, to, x.pooledByShares(sh), sh)
	return sh
}

func (x *exec) stEmitTransfer(from, to common.Address, amount, sh *big.Int) {
	x.c.Emit(x.l.addrs.StETH, x.l.abi, x.l.erc20Transfer, from, to, amount)
	x.c.Emit(x.l.addrs.StETH, x.l.abi, "TransferShares", from, to, sh)
}

func (x *exec) stTransferShares(from, to common.Address, sh *big.Int) error {
	switch {
	case from == common.Address{}:
		return x.revert("TRANSFER_FROM_ZERO_ADDR")
	case to == common.Address{}:
		return x.revert("TRANSFER_TO_ZERO_ADDR")
	case to == x.l.addrs.StETH:
		return x.revert("TRANSFER_TO_STETH_CONTRACT")
	}
	have := get(x.s.shares, from)
	if sh.Cmp(have) > 0 {
		return x.revert("BALANCE_EXCEEDED")
	}
	x.s.shares[from] = sub(have, sh)
	x.s.shares[to] = add(get(x.s.shares, to), sh)
	return nil
}

// stTransfer moves amount as shares at the current rate: the recipient may
// get a wei or two less, as with the real stETH.
func (x *exec) stTransfer(from, to common.Address, amount *big.Int) error {
	sh := x.sharesByPooled(amount)
	if err := x.stTransferShares(from, to, sh); err != nil {
		return err
	}
	x.stEmitTransfer(from, to, amount, sh)
	return nil
}

func (x *exec) stApprove(owner, spender common.Address, amount *big.Int) error {
	switch {
	case owner == common.Address{}:
		return x.revert("APPROVE_FROM_ZERO_ADDR")
	case spender == common.Address{}:
		return x.revert("APPROVE_TO_ZERO_ADDR")
	}
	x.s.stAllow[[2]common.Address{owner, spender}] = amount
	x.c.Emit(x.l.addrs.StETH, x.l.abi, x.l.erc20Approval, owner, spender, amount)
	return nil
}

func (x *exec) stTransferFrom(spender, from, to common.Address, amount *big.Int) error {
	cur := get(x.s.stAllow, [2]common.Address{from, spender})
	if cur.Cmp(math.MaxBig256) != 0 { // an infinite allowance is never spent
		if cur.Cmp(amount) < 0 {
			return x.revert("ALLOWANCE_EXCEEDED")
		}
		if err := x.stApprove(from, spender, sub(cur, amount)); err != nil {
			return err
		}
	}
	return x.stTransfer(from, to, amount)
}

// ---- wstETH (WstETH.sol, OpenZeppelin 3 revert strings) ----

func (x *exec) wstTransfer(from, to common.Address, amount *big.Int) error {
	have := get(x.s.wst, from)
	switch {
	case from == common.Address{}:
		return x.revert("ERC20: transfer from the zero address")
	case to == common.Address{}:
		return x.revert("ERC20: transfer to the zero address")
	case have.Cmp(amount) < 0:
		return x.revert("ERC20: transfer amount exceeds balance")
	}
	x.s.wst[from] = sub(have, amount)
	x.s.wst[to] = add(get(x.s.wst, to), amount)
	x.c.Emit(x.l.addrs.WstETH, x.l.abi, x.l.erc20Transfer, from, to, amount)
	return nil
}

func (x *exec) wstApprove(owner, spender common.Address, amount *big.Int) error {
	switch {
	case owner == common.Address{}:
		return x.revert("ERC20: approve from the zero address")
	case spender == common.Address{}:
		return x.revert("ERC20: approve to the zero address")
	}
	x.s.wstAllow[[2]common.Address{owner, spender}] = amount
	x.c.Emit(x.l.addrs.WstETH, x.l.abi, x.l.erc20Approval, owner, spender, amount)
	return nil
}

// wstTransferFrom moves first and checks the allowance after, as OpenZeppelin 3 does.
func (x *exec) wstTransferFrom(spender, from, to common.Address, amount *big.Int) error {
	if err := x.wstTransfer(from, to, amount); err != nil {
		return err
	}
	cur := get(x.s.wstAllow, [2]common.Address{from, spender})
	if cur.Cmp(amount) < 0 {
		return x.revert("ERC20: transfer amount exceeds allowance")
	}
	return x.wstApprove(from, spender, sub(cur, amount))
}

func (x *exec) wstMint(to common.Address, amount *big.Int) {
	x.s.wstSupply = add(x.s.wstSupply, amount)
	x.s.wst[to] = add(get(x.s.wst, to), amount)
	x.c.Emit(x.l.addrs.WstETH, x.l.abi, x.l.erc20Transfer, common.Address{}, to, amount)
}

func (x *exec) wrap(sender common.Address, stAmount *big.Int) (*big.Int, error) {
	if stAmount.Sign() == 0 {
		return nil, x.revert("wstETH: can't wrap zero stETH")
	}
	w := x.sharesByPooled(stAmount)
	x.wstMint(sender, w)
	return w, x.stTransferFrom(x.l.addrs.WstETH, sender, x.l.addrs.WstETH, stAmount)
}

func (x *exec) unwrap(sender common.Address, w *big.Int) (*big.Int, error) {
	if w.Sign() == 0 {
		return nil, x.revert("wstETH: zero amount unwrap not allowed")
	}
	st := x.pooledByShares(w)
	have := get(x.s.wst, sender)
	if have.Cmp(w) < 0 {
		return nil, x.revert("ERC20: burn amount exceeds balance")
	}
	x.s.wst[sender] = sub(have, w)
	x.s.wstSupply = sub(x.s.wstSupply, w)
	x.c.Emit(x.l.addrs.WstETH, x.l.abi, x.l.erc20Transfer, sender, common.Address{}, w)
	return st, x.stTransfer(x.l.addrs.WstETH, sender, st)
}

// ---- WithdrawalQueueERC721 ----

func (x *exec) lastID() uint64 { return uint64(len(x.s.requests)) }

// request returns the stored request id, or reverts InvalidRequestId.
func (x *exec) request(id *big.Int) (*request, error) {
	if id.Sign() == 0 || u64(id) > x.lastID() {
		return nil, x.custom("InvalidRequestId", id)
	}
	return &x.s.requests[id.Uint64()-1], nil
}

func (x *exec) cp(index uint64) checkpoint { return x.s.checkpoints[index-1] }

func (x *exec) checkAmount(amount *big.Int) error {
	switch {
	case amount.Cmp(minRequest) < 0:
		return x.custom("RequestAmountTooSmall", amount)
	case amount.Cmp(maxRequest) > 0:
		return x.custom("RequestAmountTooLarge", amount)
	}
	return nil
}

// requestWithdrawals locks stETH (or wstETH, unwrapped) from the sender,
// one request per amount.
func (x *exec) requestWithdrawals(amounts []*big.Int, owner common.Address, wst bool) ([]*big.Int, error) {
	if x.s.queuePaused {
		return nil, x.custom("ResumedExpected")
	}
	if owner == (common.Address{}) {
		owner = x.c.From
	}
	queue := x.l.addrs.Queue
	ids := make([]*big.Int, 0, len(amounts))
	for _, amount := range amounts {
		st := amount
		if wst {
			if err := x.wstTransferFrom(queue, x.c.From, queue, amount); err != nil {
				return nil, err
			}
			var err error
			if st, err = x.unwrap(queue, amount); err != nil {
				return nil, err
			}
		}
		if err := x.checkAmount(st); err != nil {
			return nil, err
		}
		if !wst {
			if err := x.stTransferFrom(queue, x.c.From, queue, st); err != nil {
				return nil, err
			}
		}
		ids = append(ids, x.enqueue(st, x.sharesByPooled(st), x.c.From, owner))
	}
	return ids, nil
}

func (x *exec) enqueue(st, sh *big.Int, requestor, owner common.Address) *big.Int {
	x.s.requests = append(x.s.requests, request{stETH: st, shares: sh, owner: owner, timestamp: x.c.Time})
	id := x.lastID()
	x.s.owned[owner] = append(x.s.owned[owner], id)
	x.c.Emit(x.l.addrs.Queue, x.l.abi, "WithdrawalRequested", u64big(id), requestor, owner, st, sh)
	x.c.Emit(x.l.addrs.Queue, x.l.abi, x.l.nftTransfer, common.Address{}, owner, u64big(id))
	return u64big(id)
}

func (x *exec) status(id *big.Int) (withdrawalStatus, error) {
	r, err := x.request(id)
	if err != nil {
		return withdrawalStatus{}, err
	}
	return withdrawalStatus{AmountOfStETH: r.stETH, AmountOfShares: r.shares, Owner: r.owner,
		Timestamp: u64big(r.timestamp), IsFinalized: id.Uint64() <= x.s.lastFinalized, IsClaimed: r.claimed}, nil
}

// findHint is the checkpoint index of id within [start, end], 0 if none.
func (x *exec) findHint(id, startB, endB *big.Int) (uint64, error) {
	if _, err := x.request(id); err != nil {
		return 0, err
	}
	last := uint64(len(x.s.checkpoints))
	start, end, n := u64(startB), u64(endB), id.Uint64()
	if start == 0 || end > last {
		return 0, x.custom("InvalidRequestIdRange", startB, endB)
	}
	if last == 0 || n > x.s.lastFinalized || start > end {
		return 0, nil
	}
	if n >= x.cp(end).fromID {
		if end == last || n < x.cp(end+1).fromID {
			return end, nil
		}
		return 0, nil
	}
	for k := end - 1; k >= start; k-- {
		if x.cp(k).fromID <= n {
			return k, nil
		}
	}
	return 0, nil
}

// claimable checks that hint is id's checkpoint and applies the discount.
func (x *exec) claimable(id uint64, hintB *big.Int) (*big.Int, error) {
	last, hint := uint64(len(x.s.checkpoints)), u64(hintB)
	if hint == 0 || hint > last || id < x.cp(hint).fromID || (hint < last && x.cp(hint+1).fromID <= id) {
		return nil, x.custom("InvalidHint", hintB)
	}
	r := x.s.requests[id-1]
	return discounted(r.stETH, r.shares, x.cp(hint).shareRate), nil
}

// discounted is the ether for stETH/shares at a finalization's share rate:
// the nominal amount, or less when the rate fell since the request.
func discounted(st, sh, rate *big.Int) *big.Int {
	if sh.Sign() == 0 || mulDiv(st, e27, sh).Cmp(rate) <= 0 {
		return st
	}
	return mulDiv(sh, rate, e27)
}

func (x *exec) claim(idB, hint *big.Int, recipient common.Address) error {
	switch {
	case idB.Sign() == 0:
		return x.custom("InvalidRequestId", idB)
	case u64(idB) > x.s.lastFinalized:
		return x.custom("RequestNotFoundOrNotFinalized", idB)
	}
	id := idB.Uint64()
	r := &x.s.requests[id-1]
	switch {
	case r.claimed:
		return x.custom("RequestAlreadyClaimed", idB)
	case r.owner != x.c.From:
		return x.custom("NotOwner", x.c.From, r.owner)
	}
	r.claimed = true
	owned := x.s.owned[r.owner]
	i := slices.Index(owned, id) // swap-and-pop, as the contract's enumerable set
	owned[i] = owned[len(owned)-1]
	x.s.owned[r.owner] = owned[:len(owned)-1]
	eth, err := x.claimable(id, hint)
	if err != nil {
		return err
	}
	x.s.locked = sub(x.s.locked, eth)
	x.c.Pay(recipient, eth)
	x.c.Emit(x.l.addrs.Queue, x.l.abi, "WithdrawalClaimed", idB, x.c.From, recipient, eth)
	x.c.Emit(x.l.addrs.Queue, x.l.abi, x.l.nftTransfer, x.c.From, common.Address{}, idB)
	return nil
}

// finalize is an oracle report's finalization (Lido.handleOracleReport
// then the queue's finalize): requests up to upTo get the current share rate
// as their checkpoint, their shares are burnt and their ether moves from the
// pool to the queue. x.c must be a context of the stETH contract.
func (x *exec) finalize(upTo uint64) error {
	if upTo > x.lastID() || upTo <= x.s.lastFinalized {
		return fmt.Errorf("lidofake: cannot finalize up to request %d: requests %d to %d are unfinalized",
			upTo, x.s.lastFinalized+1, x.lastID())
	}
	rate := new(big.Int).Set(e27)
	if x.s.totalShares.Sign() > 0 {
		rate = mulDiv(x.s.pooled, e27, x.s.totalShares)
	}
	eth, sh := new(big.Int), new(big.Int)
	for _, r := range x.s.requests[x.s.lastFinalized:upTo] {
		eth.Add(eth, discounted(r.stETH, r.shares, rate))
		sh.Add(sh, r.shares)
	}
	queue := x.l.addrs.Queue
	if held := get(x.s.shares, queue); held.Cmp(sh) < 0 || x.s.pooled.Cmp(eth) < 0 {
		return fmt.Errorf("lidofake: the queue holds %s shares and the pool %s wei, finalizing needs %s and %s", held, x.s.pooled, sh, eth)
	}
	x.s.shares[queue] = sub(get(x.s.shares, queue), sh)
	x.s.totalShares = sub(x.s.totalShares, sh)
	x.s.pooled = sub(x.s.pooled, eth)
	x.c.Pay(queue, eth)
	from := x.s.lastFinalized + 1
	x.s.checkpoints = append(x.s.checkpoints, checkpoint{fromID: from, shareRate: rate})
	x.s.locked = add(x.s.locked, eth)
	x.s.lastFinalized = upTo
	x.c.Emit(queue, x.l.abi, "WithdrawalsFinalized", u64big(from), u64big(upTo), eth, sh, u64big(x.c.Time))
	x.c.Emit(queue, x.l.abi, "BatchMetadataUpdate", u64big(from), u64big(x.lastID()))
	return nil
}
