package bnb

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// speculative is how many unbond requests per validator Withdrawals reads in
// its first batch, before it knows the queue's length; a longer queue costs
// one more round trip for the rest.
const speculative = 4

// unbond is one request of a delegator's queue on one credit.
type unbond struct {
	shares, bnb *big.Int
	unlock      uint64
}

// queue is a delegator's unbond queue on one validator's credit.
type queue struct {
	op, credit common.Address
	head       uint64 // sequence of the request at index 0
	next       uint64 // unbondSequence: the next request's sequence
	reqs       []unbond
}

// queueState is one read of the queues of owner on several validators.
type queueState struct {
	now          uint64 // the latest block's timestamp
	unbondPeriod uint64
	queues       map[common.Address]*queue // by operator
}

// readQueues reads owner's queues on the validators ops (all of them when
// ops is nil): the first batch reads the time, the unbond period, each
// queue's length and sequence and its first `speculative` requests; a
// second batch reads the rest of longer queues. The validators and their
// credits come from getValidators, read once per adapter (a validator
// created while a wait loop runs is seen by the next command).
func (a *BNB) readQueues(ctx context.Context, owner common.Address, ops []common.Address) (*queueState, error) {
	if ops == nil {
		all, err := a.knownOperators(ctx)
		if err != nil {
			return nil, err
		}
		ops = all
	}
	st := &queueState{queues: map[common.Address]*queue{}}
	type read struct {
		q      *queue
		kind   string
		index  int
		method string
	}
	var reads []read
	var msgs []ethereum.CallMsg
	add := func(r read, m ethereum.CallMsg, err error) error {
		if err != nil {
			return err
		}
		reads = append(reads, r)
		msgs = append(msgs, m)
		return nil
	}
	m, err := msg(a.abis.mc3, protocol.Multicall3, "getCurrentBlockTimestamp")
	if err := add(read{kind: "time", method: "getCurrentBlockTimestamp"}, m, err); err != nil {
		return nil, err
	}
	m, err = msg(a.abis.hub, a.hub, "unbondPeriod")
	if err := add(read{kind: "period", method: "unbondPeriod"}, m, err); err != nil {
		return nil, err
	}
	for _, op := range ops {
		if _, dup := st.queues[op]; dup {
			continue
		}
		credit, ok, err := a.creditOf(ctx, op)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s is not a BNB Chain validator; `stakewallet validators --protocol bnb` lists them", op.Hex())}
		}
		q := &queue{op: op, credit: credit}
		st.queues[op] = q
		m, err := msg(a.abis.credit, credit, "pendingUnbondRequest", owner)
		if err := add(read{q: q, kind: "pending", method: "pendingUnbondRequest"}, m, err); err != nil {
			return nil, err
		}
		m, err = msg(a.abis.credit, credit, "unbondSequence", owner)
		if err := add(read{q: q, kind: "sequence", method: "unbondSequence"}, m, err); err != nil {
			return nil, err
		}
		for i := 0; i < speculative; i++ {
			m, err := msg(a.abis.credit, credit, "unbondRequest", owner, big.NewInt(int64(i)))
			if err := add(read{q: q, kind: "request", index: i, method: "unbondRequest"}, m, err); err != nil {
				return nil, err
			}
		}
	}
	rets, errs := protocol.CallAll(ctx, a.b, msgs)
	pending := map[*queue]uint64{}
	requests := map[*queue]map[int]unbond{}
	for i, r := range reads {
		if r.kind == "request" {
			continue // judged once the queue's length is known
		}
		if errs[i] != nil {
			return nil, fmt.Errorf("bnb: read %s: %w", r.method, errs[i])
		}
		var ab = a.abis.credit
		switch r.kind {
		case "time":
			ab = a.abis.mc3
		case "period":
			ab = a.abis.hub
		}
		v, err := unpackBig(ab, r.method, rets[i])
		if err != nil {
			return nil, err
		}
		if !v.IsUint64() {
			return nil, fmt.Errorf("bnb: %w: %s = %s", protocol.ErrBadAnswer, r.method, v)
		}
		switch r.kind {
		case "time":
			st.now = v.Uint64()
		case "period":
			st.unbondPeriod = v.Uint64()
		case "pending":
			pending[r.q] = v.Uint64()
		case "sequence":
			r.q.next = v.Uint64()
		}
	}
	var more []read
	var moreMsgs []ethereum.CallMsg
	for i, r := range reads {
		if r.kind != "request" || uint64(r.index) >= pending[r.q] {
			continue
		}
		if errs[i] != nil {
			return nil, fmt.Errorf("bnb: read unbondRequest %d of %s: %w", r.index, r.q.credit.Hex(), errs[i])
		}
		u, err := a.unpackUnbond(rets[i])
		if err != nil {
			return nil, err
		}
		if requests[r.q] == nil {
			requests[r.q] = map[int]unbond{}
		}
		requests[r.q][r.index] = u
	}
	for _, q := range st.queues {
		n := pending[q]
		if n > q.next {
			return nil, fmt.Errorf("bnb: %w: %d pending unbond requests but sequence %d on %s", protocol.ErrBadAnswer, n, q.next, q.credit.Hex())
		}
		q.head = q.next - n
		for i := speculative; uint64(i) < n; i++ {
			m, err := msg(a.abis.credit, q.credit, "unbondRequest", owner, big.NewInt(int64(i)))
			if err != nil {
				return nil, err
			}
			more = append(more, read{q: q, kind: "request", index: i, method: "unbondRequest"})
			moreMsgs = append(moreMsgs, m)
		}
	}
	if len(moreMsgs) > 0 {
		rets, errs := protocol.CallAll(ctx, a.b, moreMsgs)
		for i, r := range more {
			if errs[i] != nil {
				return nil, fmt.Errorf("bnb: read unbondRequest %d of %s: %w", r.index, r.q.credit.Hex(), errs[i])
			}
			u, err := a.unpackUnbond(rets[i])
			if err != nil {
				return nil, err
			}
			if requests[r.q] == nil {
				requests[r.q] = map[int]unbond{}
			}
			requests[r.q][r.index] = u
		}
	}
	for q, n := range pending {
		q.reqs = make([]unbond, n)
		for i := range q.reqs {
			q.reqs[i] = requests[q][i]
		}
	}
	return st, nil
}

func (a *BNB) unpackUnbond(ret []byte) (unbond, error) {
	var u struct{ Shares, BnbAmount, UnlockTime *big.Int }
	if err := unpackInto(a.abis.credit, "unbondRequest", ret, &u); err != nil {
		return unbond{}, err
	}
	if u.Shares == nil || u.BnbAmount == nil || u.UnlockTime == nil || !u.UnlockTime.IsUint64() {
		return unbond{}, fmt.Errorf("bnb: %w: unbondRequest returned %+v", protocol.ErrBadAnswer, u)
	}
	return unbond{shares: u.Shares, bnb: u.BnbAmount, unlock: u.UnlockTime.Uint64()}, nil
}

// withdrawal is the request at index i of q: claimable when it and every
// earlier request are unlocked (the claim stops at the first locked head),
// claimable at the latest unlock time up to it.
func (a *BNB) withdrawal(owner common.Address, st *queueState, q *queue, i int) protocol.Withdrawal {
	var at uint64
	claimable := true
	for j := 0; j <= i; j++ {
		at = max(at, q.reqs[j].unlock)
		claimable = claimable && st.now >= q.reqs[j].unlock
	}
	u := q.reqs[i]
	requested := u.unlock
	if requested >= st.unbondPeriod {
		requested -= st.unbondPeriod
	}
	eta := time.Unix(int64(at), 0).UTC()
	w := protocol.Withdrawal{
		ID:          reqID{op: q.op, seq: q.head + uint64(i)}.id(),
		Protocol:    a.Name(),
		Owner:       owner,
		Target:      q.op.Hex(),
		Amount:      new(big.Int).Set(u.bnb),
		Token:       a.native,
		Status:      protocol.StatusPending,
		RequestedAt: time.Unix(int64(requested), 0).UTC(),
		ClaimableAt: &eta,
	}
	if claimable {
		w.Status = protocol.StatusClaimable
		w.Claimable = new(big.Int).Set(u.bnb)
	} else {
		etaCopy := eta
		w.ETA = &etaCopy
	}
	return w
}

// Withdrawals implements protocol.Requests: every unbond request of owner
// on every validator (ids empty), or the requests ids name. Two round trips
// for the queues (three when a queue is longer than four requests), plus
// getValidators once per adapter. A request already claimed is listed as
// claimed (its amount is no longer stored: zero).
func (a *BNB) Withdrawals(ctx context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	want, err := parseIDs(ids)
	if err != nil {
		return nil, err
	}
	var ops []common.Address
	if len(want) > 0 {
		ops = []common.Address{}
		for _, r := range want {
			if !slices.Contains(ops, r.op) {
				ops = append(ops, r.op)
			}
		}
	}
	st, err := a.readQueues(ctx, owner, ops)
	if err != nil {
		return nil, err
	}
	var out []protocol.Withdrawal
	if len(want) == 0 {
		for _, q := range st.queues {
			for i := range q.reqs {
				out = append(out, a.withdrawal(owner, st, q, i))
			}
		}
		sortWithdrawals(out)
		return out, nil
	}
	for _, r := range want {
		q := st.queues[r.op]
		switch {
		case r.seq >= q.next:
			return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s has no unbond request %s: its requests to validator %s are numbered below %d", owner.Hex(), r.id(), r.op.Hex(), q.next)}
		case r.seq < q.head:
			out = append(out, protocol.Withdrawal{
				ID: r.id(), Protocol: a.Name(), Owner: owner, Target: r.op.Hex(),
				Amount: new(big.Int), Token: a.native, Status: protocol.StatusClaimed,
			})
		default:
			out = append(out, a.withdrawal(owner, st, q, int(r.seq-q.head)))
		}
	}
	return out, nil
}

// sortWithdrawals orders requests oldest first (then by validator and
// sequence, for a stable list).
func sortWithdrawals(ws []protocol.Withdrawal) {
	slices.SortStableFunc(ws, func(x, y protocol.Withdrawal) int {
		if c := x.RequestedAt.Compare(y.RequestedAt); c != 0 {
			return c
		}
		if c := strings.Compare(x.Target, y.Target); c != 0 {
			return c
		}
		rx, _ := parseID(string(x.ID))
		ry, _ := parseID(string(y.ID))
		return int(rx.seq) - int(ry.seq)
	})
}
