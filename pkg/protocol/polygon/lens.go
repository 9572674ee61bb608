package polygon

import (
	"bytes"
	"context"
	_ "embed"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// lensArtifact is PolygonLens (lens/PolygonLens.sol, compiled by
// scripts/gen-contracts.sh): the validators, their ValidatorShares, the
// owners' stake, rewards and unbond nonces on each, every unbond, the
// withdraw rates, the epoch, the withdrawal delay and the checkpoints'
// times in one eth_call (see protocol.Lens).
//
//go:embed lens/PolygonLens.json
var lensArtifact []byte

const (
	// lensOwners bounds the owners one lens call reads (WithdrawalsOf):
	// about 4k gas per owner and validator (unbondNonces through the
	// ValidatorShare proxy), so that a call over mainnet's ~200 validators
	// stays near 8M gas, far below what nodes allow an eth_call (geth:
	// 50M).
	lensOwners = 10
	// maxValidators bounds the validators a listing may answer (as
	// Validators bounds NFTCounter).
	maxValidators = 100_000
	// maxUnbonds bounds the unbond nonces an answer may claim an owner
	// has on one validator.
	maxUnbonds = 1 << 32
)

func newLens() (*protocol.Lens, error) { return protocol.NewLens(lensArtifact, "PolygonState") }

// The lens's answer, PolygonState, fields by argument name.
type (
	lensState struct {
		Epoch, WithdrawalDelay, HeaderBlock, Timestamp *big.Int
		Checkpoints                                    []*big.Int
	}
	lensValidator struct {
		Id           *big.Int //nolint:revive // the ABI component is id
		Share        common.Address
		WithdrawRate *big.Int
	}
	lensPosition struct {
		Stake, Rewards, Nonces *big.Int
	}
	lensUnbond struct {
		Owner, ValidatorId, Nonce, Shares, WithdrawEpoch *big.Int //nolint:revive // the ABI component is validatorId
	}
	lensAnswer struct {
		State      lensState
		Validators []lensValidator
		Positions  []lensPosition
		Unbonds    []lensUnbond
	}
)

// lensQuery is one lens eth_call.
type lensQuery struct {
	owners []common.Address
	// ids are the validators to read; empty: every one with a
	// ValidatorShare (the lens lists them).
	ids []uint64
	// delegations reads the owners' stake and rewards; unbonds the state,
	// their nonces and unbonds: every one, or reqs (of owners[0]).
	delegations, unbonds bool
	reqs                 []reqID
}

func (a *Polygon) lensMsg(q lensQuery) (ethereum.CallMsg, error) {
	ids := make([]*big.Int, len(q.ids))
	for i, id := range q.ids {
		ids[i] = new(big.Int).SetUint64(id)
	}
	reqIDs, reqNonces := make([]*big.Int, len(q.reqs)), make([]*big.Int, len(q.reqs))
	for i, r := range q.reqs {
		reqIDs[i], reqNonces[i] = new(big.Int).SetUint64(r.validator), new(big.Int).SetUint64(r.nonce)
	}
	return a.lens.Msg(a.sm, a.root, q.owners, ids, q.delegations, q.unbonds, reqIDs, reqNonces,
		big.NewInt(maxDeposits), big.NewInt(cadenceWindow))
}

// valid says whether an answer to q hangs together: the validators asked
// for in order (or, listing, ascending ids, each with a ValidatorShare), a
// position per owner and validator, and with unbonds the state in range,
// the checkpoints there are, and exactly the unbonds asked for (every
// nonce from 1 to each position's count, owner by owner, validator by
// validator, or q.reqs in order). Trust no node: whatever does not is no
// answer.
func (ans *lensAnswer) valid(q lensQuery) bool {
	vs := ans.Validators
	if len(q.ids) > 0 {
		if len(vs) != len(q.ids) {
			return false
		}
		for i, v := range vs {
			if v.Id == nil || !v.Id.IsUint64() || v.Id.Uint64() != q.ids[i] {
				return false
			}
		}
	} else {
		if len(vs) > maxValidators {
			return false
		}
		for i, v := range vs {
			if v.Id == nil || !v.Id.IsUint64() || v.Id.Sign() == 0 || i > 0 && vs[i-1].Id.Cmp(v.Id) >= 0 || v.Share == (common.Address{}) {
				return false
			}
		}
	}
	for _, v := range vs {
		if v.WithdrawRate == nil {
			return false
		}
	}
	if len(ans.Positions) != len(q.owners)*len(vs) {
		return false
	}
	var total uint64
	for _, p := range ans.Positions {
		if p.Stake == nil || p.Rewards == nil || p.Nonces == nil || !p.Nonces.IsUint64() || p.Nonces.Uint64() > maxUnbonds {
			return false
		}
		total += p.Nonces.Uint64()
	}
	if !q.unbonds {
		return len(ans.Unbonds) == 0
	}
	st := ans.State
	for _, v := range []*big.Int{st.Epoch, st.WithdrawalDelay, st.HeaderBlock, st.Timestamp} {
		if v == nil || !v.IsUint64() {
			return false
		}
	}
	if _, ok := cadenceBack(st.HeaderBlock.Uint64()); ok != (len(st.Checkpoints) == 2) || !ok && len(st.Checkpoints) != 0 {
		return false
	}
	for _, c := range st.Checkpoints {
		if c == nil || !c.IsUint64() {
			return false
		}
	}
	us := ans.Unbonds
	for _, u := range us {
		if u.Owner == nil || u.ValidatorId == nil || u.Nonce == nil || u.Shares == nil || u.WithdrawEpoch == nil {
			return false
		}
	}
	is := func(u lensUnbond, owner int, validator, nonce uint64) bool {
		return u.Owner.IsUint64() && u.Owner.Uint64() == uint64(owner) &&
			u.ValidatorId.IsUint64() && u.ValidatorId.Uint64() == validator &&
			u.Nonce.IsUint64() && u.Nonce.Uint64() == nonce
	}
	if len(q.reqs) > 0 {
		if len(us) != len(q.reqs) {
			return false
		}
		for k, r := range q.reqs {
			if !is(us[k], 0, r.validator, r.nonce) {
				return false
			}
		}
		return true
	}
	if uint64(len(us)) != total {
		return false
	}
	next := 0
	for o := range q.owners {
		for i, v := range vs {
			for n := uint64(1); n <= ans.Positions[o*len(vs)+i].Nonces.Uint64(); n++ {
				if !is(us[next], o, v.Id.Uint64(), n) {
					return false
				}
				next++
			}
		}
	}
	return true
}

// lensRound runs qs in one round trip, with extra, reads of the way
// without the lens that ride along so that a refused lens costs no round
// trip of its own. ok is false unless every call answered validly; then
// the lens is not tried again by this adapter. extra's answers come back
// either way (nil when nothing was sent).
func (a *Polygon) lensRound(ctx context.Context, qs []lensQuery, extra []ethereum.CallMsg) (answers []*lensAnswer, ok bool, rets [][]byte, errs []error) {
	if a.lensOff.Load() {
		return nil, false, nil, nil
	}
	defer func() {
		if !ok && ctx.Err() == nil {
			a.lensOff.Store(true)
		}
	}()
	msgs := make([]ethereum.CallMsg, len(qs), len(qs)+len(extra))
	for i, q := range qs {
		m, err := a.lensMsg(q)
		if err != nil {
			return nil, false, nil, nil
		}
		msgs[i] = m
	}
	msgs = append(msgs, extra...)
	all, allErrs := protocol.CallAll(ctx, a.b, msgs)
	if len(all) != len(msgs) || len(allErrs) != len(msgs) {
		return nil, false, nil, nil
	}
	rets, errs = all[len(qs):], allErrs[len(qs):]
	answers = make([]*lensAnswer, len(qs))
	for i, q := range qs {
		values, ok := a.lens.Answer(all[i], allErrs[i])
		if !ok {
			return nil, false, rets, errs
		}
		ans := new(lensAnswer)
		if err := a.lens.Copy(ans, values); err != nil || !ans.valid(q) {
			return nil, false, rets, errs
		}
		answers[i] = ans
	}
	return answers, true, rets, errs
}

// firstReads are the reads the way without the lens makes first, to send
// beside the lens: Validators' first batch when listing (ids nil), else the
// ValidatorShares of ids not known yet, else then's reads.
func (a *Polygon) firstReads(ids []uint64, listing bool, then func(shares map[uint64]common.Address) ([]ethereum.CallMsg, error)) ([]ethereum.CallMsg, error) {
	if listing && ids == nil {
		return a.validatorsMsgs()
	}
	known, missing := a.knownShares(ids)
	if len(missing) > 0 {
		return a.shareMsgs(missing)
	}
	return then(known)
}

// keepShares takes the validators of an answer to q: when q named them, a
// validator without a ValidatorShare is refused as shares refuses it; the
// ValidatorShares are kept, and a listing is kept as validatorIDs keeps
// Validators'.
func (a *Polygon) keepShares(q lensQuery, ans *lensAnswer) ([]uint64, error) {
	ids := make([]uint64, len(ans.Validators))
	for i, v := range ans.Validators {
		ids[i] = v.Id.Uint64()
		if len(q.ids) > 0 && v.Share == (common.Address{}) {
			return nil, noValidator(ids[i])
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, v := range ans.Validators {
		a.sharesMap[ids[i]] = v.Share
	}
	if len(q.ids) == 0 && a.listed == nil {
		a.listed = ids
	}
	return ids, nil
}

// lensWithdrawals are the requests of q.owners[o] in an answer to q, as
// withdrawals makes them.
func (a *Polygon) lensWithdrawals(q lensQuery, ans *lensAnswer, o int) ([]protocol.Withdrawal, error) {
	owner := q.owners[o]
	ids, err := a.keepShares(q, ans)
	if err != nil {
		return nil, err
	}
	nonces := map[uint64]uint64{}
	rates := map[uint64]*big.Int{}
	for i, id := range ids {
		nonces[id] = ans.Positions[o*len(ids)+i].Nonces.Uint64()
		rates[id] = ans.Validators[i].WithdrawRate
	}
	if err := checkNonces(owner, q.reqs, nonces); err != nil {
		return nil, err
	}
	var out []protocol.Withdrawal
	var st *chainState
	a.seenNow.Store(ans.State.Timestamp.Uint64())
	for _, u := range ans.Unbonds {
		if u.Owner.Uint64() != uint64(o) {
			continue
		}
		if st == nil {
			st = ans.State.chainState()
		}
		r := reqID{validator: u.ValidatorId.Uint64(), nonce: u.Nonce.Uint64()}
		out = append(out, a.withdrawal(owner, st, r, u.Shares, u.WithdrawEpoch, rates[r.validator]))
	}
	return out, nil
}

// chainState is the state of a valid answer.
func (s lensState) chainState() *chainState {
	st := &chainState{epoch: s.Epoch.Uint64(), delay: s.WithdrawalDelay.Uint64(), header: s.HeaderBlock.Uint64(), now: s.Timestamp.Uint64()}
	if back, ok := cadenceBack(st.header); ok {
		st.setCadence(back, [2]uint64{s.Checkpoints[0].Uint64(), s.Checkpoints[1].Uint64()})
	}
	return st
}

// lensDelegations are the delegations of q.owners[0] in an answer to q,
// as delegations makes them.
func (a *Polygon) lensDelegations(q lensQuery, ans *lensAnswer) ([]protocol.Delegation, error) {
	ids, err := a.keepShares(q, ans)
	if err != nil {
		return nil, err
	}
	var out []protocol.Delegation
	for i, id := range ids {
		p := ans.Positions[i]
		if p.Stake.Sign() == 0 && p.Rewards.Sign() == 0 {
			continue
		}
		out = append(out, a.delegation(id, p.Stake, p.Rewards))
	}
	return out, nil
}

// WithdrawalsOf implements protocol.ManyOwners: every owner's requests
// through the lens, lensOwners per eth_call, all in one round trip.
// ErrNoShortcut where the node gives the lens no answer.
func (a *Polygon) WithdrawalsOf(ctx context.Context, owners []common.Address) ([][]protocol.Withdrawal, error) {
	if len(owners) == 0 {
		return [][]protocol.Withdrawal{}, nil
	}
	distinct := slices.Clone(owners)
	slices.SortFunc(distinct, func(x, y common.Address) int { return x.Cmp(y) })
	distinct = slices.Compact(distinct)
	ids := a.listedIDs()
	var qs []lensQuery
	for start := 0; start < len(distinct); start += lensOwners {
		qs = append(qs, lensQuery{owners: distinct[start:min(start+lensOwners, len(distinct))], ids: ids, unbonds: true})
	}
	answers, ok, _, _ := a.lensRound(ctx, qs, nil)
	if !ok {
		return nil, protocol.ErrNoShortcut
	}
	byOwner := make(map[common.Address][]protocol.Withdrawal, len(distinct))
	for i, q := range qs {
		for o, owner := range q.owners {
			ws, err := a.lensWithdrawals(q, answers[i], o)
			if err != nil {
				return nil, err
			}
			byOwner[owner] = ws
		}
	}
	out := make([][]protocol.Withdrawal, len(owners))
	for i, o := range owners {
		out[i] = slices.Clone(byOwner[o])
	}
	return out, nil
}

// reader makes the reads of the way without the lens: through the backend,
// except its first batch when that went out beside the lens already
// (prime), and asks again for the same reads.
type reader struct {
	b    protocol.Backend
	pre  []ethereum.CallMsg
	rets [][]byte
	errs []error
}

// direct is a reader with nothing read yet.
func (a *Polygon) direct() *reader { return &reader{b: a.b} }

// prime gives r the answers of msgs, read already; nothing when nothing
// was sent (rets nil).
func (r *reader) prime(msgs []ethereum.CallMsg, rets [][]byte, errs []error) {
	if rets == nil || len(rets) != len(msgs) || len(errs) != len(msgs) {
		return
	}
	r.pre, r.rets, r.errs = msgs, rets, errs
}

// callAll is protocol.CallAll, answered from the primed reads when msgs
// are those (only the first batch may be).
func (r *reader) callAll(ctx context.Context, msgs []ethereum.CallMsg) ([][]byte, []error) {
	pre, rets, errs := r.pre, r.rets, r.errs
	r.pre, r.rets, r.errs = nil, nil, nil
	if pre != nil && slices.EqualFunc(pre, msgs, sameMsg) {
		return rets, errs
	}
	return protocol.CallAll(ctx, r.b, msgs)
}

// sameMsg says whether x and y are the same read (the adapter's reads set
// only To and Data).
func sameMsg(x, y ethereum.CallMsg) bool {
	return (x.To == nil) == (y.To == nil) && (x.To == nil || *x.To == *y.To) && bytes.Equal(x.Data, y.Data) &&
		x.From == y.From && x.Value == nil && y.Value == nil && x.Gas == y.Gas
}
