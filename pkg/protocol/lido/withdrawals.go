package lido

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

const (
	// readChunk bounds the ids per view call: getWithdrawalStatus returns
	// 6 words per id, so 500 ids is ~100 kB of return data, far below
	// node limits on eth_call gas and response size.
	readChunk = 500
	// claimChunk bounds the ids per claimWithdrawals transaction, keeping
	// its gas (~50k per id) well under a block.
	claimChunk = 100
)

// requestStatus mirrors WithdrawalQueueBase.WithdrawalRequestStatus;
// go-ethereum matches the fields to the tuple components by name.
type requestStatus struct {
	AmountOfStETH  *big.Int
	AmountOfShares *big.Int
	Owner          common.Address
	Timestamp      *big.Int
	IsFinalized    bool
	IsClaimed      bool
}

func (s requestStatus) status() protocol.Status {
	switch {
	case s.IsClaimed:
		return protocol.StatusClaimed
	case s.IsFinalized:
		return protocol.StatusClaimable
	default:
		return protocol.StatusPending
	}
}

// RequestIDs implements protocol.Protocol: the ids of the
// WithdrawalRequested events the queue emitted in receipt, in log order.
func (l *Lido) RequestIDs(receipt *types.Receipt) []protocol.RequestID {
	if receipt == nil {
		return nil
	}
	topic := l.abis.queue.Events["WithdrawalRequested"].ID
	var ids []protocol.RequestID
	for _, lg := range receipt.Logs {
		// Check the emitter: any contract can emit a look-alike event.
		if lg == nil || lg.Address != l.queue || len(lg.Topics) != 4 || lg.Topics[0] != topic {
			continue
		}
		ids = append(ids, idOf(lg.Topics[1].Big()))
	}
	return ids
}

// Withdrawals implements protocol.Protocol. With no ids it lists owner's
// requests (getWithdrawalRequests; note that anyone can create requests
// owned by someone else, so the list may hold requests owner never made).
// Statuses come from getWithdrawalStatus, claimable amounts from
// getClaimableEther with checkpoint hints, per the flow of protocols.md §1.6.
func (l *Lido) Withdrawals(ctx context.Context, owner common.Address, rids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	ids, err := bigIDs(rids)
	if err != nil {
		return nil, err
	}
	st, err := l.queueState(ctx, owner, ids, len(ids) == 0)
	if err != nil {
		return nil, err
	}
	return l.withdrawals(st), nil
}

// WithdrawalsOf implements protocol.ManyOwners: every owner's requests
// through the lens, 25 owners per eth_call, all in one round trip (a
// second for owners with more than 10 requests). ErrNoShortcut where the
// node gives the lens no answer.
func (l *Lido) WithdrawalsOf(ctx context.Context, owners []common.Address) ([][]protocol.Withdrawal, error) {
	distinct := slices.Clone(owners)
	slices.SortFunc(distinct, func(a, b common.Address) int { return a.Cmp(b) })
	distinct = slices.Compact(distinct)
	sts, ok, _, _ := l.lensList(ctx, distinct, nil)
	if !ok {
		return nil, protocol.ErrNoShortcut
	}
	byOwner := make(map[common.Address][]protocol.Withdrawal, len(distinct))
	for i, o := range distinct {
		byOwner[o] = l.withdrawals(sts[i])
	}
	out := make([][]protocol.Withdrawal, len(owners))
	for i, o := range owners {
		out[i] = slices.Clone(byOwner[o])
	}
	return out, nil
}

// withdrawals are the requests of st, ascending.
func (l *Lido) withdrawals(st *queueState) []protocol.Withdrawal {
	out := make([]protocol.Withdrawal, len(st.ids))
	for i, s := range st.statuses {
		w := protocol.Withdrawal{
			ID:       idOf(st.ids[i]),
			Protocol: l.Name(),
			Owner:    s.Owner,
			Amount:   s.AmountOfStETH,
			// The queue records stETH even for wstETH requests.
			Token:  l.stETHToken(),
			Status: s.status(),
		}
		if s.Timestamp != nil && s.Timestamp.IsInt64() {
			w.RequestedAt = time.Unix(s.Timestamp.Int64(), 0).UTC()
		}
		if f, ok := l.fact(st.ids[i]); ok && w.Status == protocol.StatusClaimable {
			w.Claimable = f.eth
		}
		out[i] = w
	}
	return out
}

// Claim implements protocol.Protocol: claimWithdrawals(ids, hints) per
// 100 ids, ids ascending. Every id must be owned by owner, finalized and
// unclaimed; otherwise a LimitError names each offender. With no ids it
// claims every claimable request of owner.
func (l *Lido) Claim(ctx context.Context, owner common.Address, rids []protocol.RequestID) ([]protocol.Call, error) {
	ids, err := bigIDs(rids)
	if err != nil {
		return nil, err
	}
	explicit := len(ids) > 0
	st, err := l.queueState(ctx, owner, ids, !explicit)
	if err != nil {
		return nil, err
	}
	ids, statuses := st.ids, st.statuses
	var problems []string
	var claim []*big.Int
	for i, s := range statuses {
		id := ids[i]
		switch {
		case s.Owner != owner:
			// claimWithdrawals pays msg.sender and reverts NotOwner otherwise.
			if explicit {
				problems = append(problems, fmt.Sprintf("request %s belongs to %s, not %s", id, s.Owner.Hex(), owner.Hex()))
			}
		case s.IsClaimed:
			if explicit {
				problems = append(problems, fmt.Sprintf("request %s was already claimed", id))
			}
		case !s.IsFinalized:
			if explicit {
				problems = append(problems, fmt.Sprintf("request %s is still pending", id))
			}
		default:
			claim = append(claim, id)
		}
	}
	if len(problems) > 0 {
		return nil, &protocol.LimitError{Reason: "cannot claim: " + strings.Join(problems, "; ")}
	}
	if len(claim) == 0 {
		return nil, &protocol.LimitError{Reason: "no claimable Lido withdrawal requests for " + owner.Hex()}
	}
	return l.claimCalls(ctx, claim, claimChunk)
}

func (l *Lido) claimDescription(total *big.Int, ids []*big.Int) string {
	noun := "request"
	if len(ids) > 1 {
		noun = "requests"
	}
	d := fmt.Sprintf("Claim %s from %d Lido withdrawal %s", amount.FormatUnits(total, l.native.Decimals, l.native.Symbol), len(ids), noun)
	if len(ids) <= 10 {
		strs := make([]string, len(ids))
		for i, id := range ids {
			strs[i] = "#" + id.String()
		}
		d += " (" + strings.Join(strs, ", ") + ")"
	}
	return d
}

// queueState is what the queue says of ids (or, with all, of every
// request of owner): in one round trip through the lens (queueStateLens),
// or, where a node does not run it, in as few round trips as the reads
// depend on one another, each a batch (protocol.CallAll):
//
//  1. the ids (getWithdrawalRequests, when listing, with the last
//     finalized id) or their statuses, with the last checkpoint index;
//  2. the statuses (when listing) and the checkpoint hints of every
//     finalized id (the last finalized id comes with the list);
//  3. the ETH each claimable request pays (getClaimableEther, which needs
//     the hints).
//
// Hints and claimable ETH of finalized requests never change until they
// are claimed, so they are kept (Lido.facts): a claim after a listing
// reads them no more.
func (l *Lido) queueState(ctx context.Context, owner common.Address, ids []*big.Int, all bool) (*queueState, error) {
	st := &queueState{}
	var last *big.Int
	// lastFin bounds the ids findCheckpointHints is asked about: on the
	// real queue one NOT_FOUND makes the next id revert
	// InvalidRequestIdRange(0, last) (the answer becomes the next search's
	// start), so it must only see finalized ids.
	var lastFin *big.Int
	lastMsg, err := readMsg(l.abis.queue, l.queue, "getLastCheckpointIndex")
	if err != nil {
		return nil, err
	}
	if all {
		listMsg, err := readMsg(l.abis.queue, l.queue, "getWithdrawalRequests", owner)
		if err != nil {
			return nil, err
		}
		finMsg, err := readMsg(l.abis.queue, l.queue, "getLastFinalizedRequestId")
		if err != nil {
			return nil, err
		}
		// The lens, with the first reads of the way without it.
		first := []ethereum.CallMsg{listMsg, lastMsg, finMsg}
		sts, ok, rets, errs := l.lensList(ctx, []common.Address{owner}, first)
		if ok {
			return sts[0], nil
		}
		if rets == nil {
			rets, errs = protocol.CallAll(ctx, l.b, first)
		}
		if errs[2] != nil {
			return nil, fmt.Errorf("lido: getLastFinalizedRequestId on %s: %w", l.queue.Hex(), errs[2])
		}
		if lastFin, err = decodeBig(l.abis.queue, l.queue, "getLastFinalizedRequestId", rets[2]); err != nil {
			return nil, err
		}
		if errs[0] != nil {
			return nil, fmt.Errorf("lido: getWithdrawalRequests on %s: %w", l.queue.Hex(), errs[0])
		}
		if ids, err = decodeBigs(l.abis.queue, l.queue, "getWithdrawalRequests", rets[0]); err != nil {
			return nil, err
		}
		if last, err = l.lastCheckpoint(rets[1], errs[1]); err != nil {
			return nil, err
		}
	}
	st.ids = sortedUnique(ids)
	if len(st.ids) == 0 {
		return st, nil
	}
	var chunks [][]*big.Int
	for start := 0; start < len(st.ids); start += readChunk {
		chunks = append(chunks, st.ids[start:min(start+readChunk, len(st.ids))])
	}
	if !all {
		// Statuses and the last checkpoint in one round trip; hints next.
		msgs, err := l.statusMsgs(chunks)
		if err != nil {
			return nil, err
		}
		first := append(msgs, lastMsg)
		lensSt, ok, rets, errs := l.lensIDs(ctx, st.ids, first)
		if ok {
			return lensSt, nil
		}
		if rets == nil {
			rets, errs = protocol.CallAll(ctx, l.b, first)
		}
		if st.statuses, err = l.decodeStatuses(chunks, rets[:len(chunks)], errs[:len(chunks)]); err != nil {
			return nil, err
		}
		if last, err = l.lastCheckpoint(rets[len(chunks)], errs[len(chunks)]); err != nil {
			return nil, err
		}
	}
	// Hints of the ids not known yet (with the statuses, when listing).
	var need []*big.Int
	for i, id := range st.ids {
		finalized := lastFin != nil && id.Cmp(lastFin) <= 0 || lastFin == nil && st.statuses[i].IsFinalized
		if _, ok := l.fact(id); !ok && finalized {
			need = append(need, id)
		}
	}
	var msgs []ethereum.CallMsg
	if all {
		if msgs, err = l.statusMsgs(chunks); err != nil {
			return nil, err
		}
	}
	var hintChunks [][]*big.Int
	if last.Sign() > 0 {
		for start := 0; start < len(need); start += readChunk {
			c := need[start:min(start+readChunk, len(need))]
			m, err := readMsg(l.abis.queue, l.queue, "findCheckpointHints", c, big.NewInt(1), last)
			if err != nil {
				return nil, err
			}
			hintChunks = append(hintChunks, c)
			msgs = append(msgs, m)
		}
	}
	hints := map[string]*big.Int{}
	if len(msgs) > 0 {
		rets, errs := protocol.CallAll(ctx, l.b, msgs)
		if all {
			if st.statuses, err = l.decodeStatuses(chunks, rets[:len(chunks)], errs[:len(chunks)]); err != nil {
				return nil, err
			}
			rets, errs = rets[len(chunks):], errs[len(chunks):]
		}
		for i, c := range hintChunks {
			if errs[i] != nil {
				return nil, fmt.Errorf("lido: findCheckpointHints on %s: %w", l.queue.Hex(), errs[i])
			}
			h, err := decodeBigs(l.abis.queue, l.queue, "findCheckpointHints", rets[i])
			if err != nil {
				return nil, err
			}
			if len(h) != len(c) {
				return nil, fmt.Errorf("lido: %w: findCheckpointHints returned %d hints for %d ids", protocol.ErrBadAnswer, len(h), len(c))
			}
			for j, id := range c {
				hints[id.String()] = h[j]
			}
		}
	}
	// The ETH of the claimable ones whose facts are not known yet.
	var claim, claimHints []*big.Int
	for i, s := range st.statuses {
		id := st.ids[i]
		if s.status() != protocol.StatusClaimable {
			continue
		}
		if _, ok := l.fact(id); ok {
			continue
		}
		h := hints[id.String()]
		if h == nil || h.Sign() == 0 {
			// NOT_FOUND: not finalized after all, which a consistent node
			// cannot report right after saying it is.
			return nil, fmt.Errorf("lido: no checkpoint hint for finalized request %s; retry", id)
		}
		claim, claimHints = append(claim, id), append(claimHints, h)
	}
	msgs = msgs[:0]
	for start := 0; start < len(claim); start += readChunk {
		end := min(start+readChunk, len(claim))
		m, err := readMsg(l.abis.queue, l.queue, "getClaimableEther", claim[start:end], claimHints[start:end])
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	if len(msgs) > 0 {
		rets, errs := protocol.CallAll(ctx, l.b, msgs)
		for i := range msgs {
			start, end := i*readChunk, min((i+1)*readChunk, len(claim))
			if errs[i] != nil {
				return nil, fmt.Errorf("lido: getClaimableEther on %s: %w", l.queue.Hex(), errs[i])
			}
			values, err := decodeBigs(l.abis.queue, l.queue, "getClaimableEther", rets[i])
			if err != nil {
				return nil, err
			}
			if len(values) != end-start {
				return nil, fmt.Errorf("lido: %w: getClaimableEther returned %d values for %d ids", protocol.ErrBadAnswer, len(values), end-start)
			}
			for j, v := range values {
				l.setFact(claim[start+j], claimFact{hint: claimHints[start+j], eth: v})
			}
		}
	}
	return st, nil
}

// queueState's answer: ids ascending, each with its status.
type queueState struct {
	ids      []*big.Int
	statuses []requestStatus
}

// claimFact is what never changes of a finalized request until it is
// claimed: its checkpoint hint and the ETH it pays.
type claimFact struct{ hint, eth *big.Int }

func (l *Lido) fact(id *big.Int) (claimFact, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.facts[id.String()]
	return f, ok
}

func (l *Lido) setFact(id *big.Int, f claimFact) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.facts == nil {
		l.facts = map[string]claimFact{}
	}
	l.facts[id.String()] = f
}

func (l *Lido) lastCheckpoint(ret []byte, err error) (*big.Int, error) {
	if err != nil {
		return nil, fmt.Errorf("lido: getLastCheckpointIndex on %s: %w", l.queue.Hex(), err)
	}
	return decodeBig(l.abis.queue, l.queue, "getLastCheckpointIndex", ret)
}

func (l *Lido) statusMsgs(chunks [][]*big.Int) ([]ethereum.CallMsg, error) {
	msgs := make([]ethereum.CallMsg, len(chunks))
	for i, c := range chunks {
		m, err := readMsg(l.abis.queue, l.queue, "getWithdrawalStatus", c)
		if err != nil {
			return nil, err
		}
		msgs[i] = m
	}
	return msgs, nil
}

// decodeStatuses decodes getWithdrawalStatus answers. An unknown id makes
// the contract revert InvalidRequestId, which is the user's input error,
// so it becomes a LimitError.
func (l *Lido) decodeStatuses(chunks [][]*big.Int, rets [][]byte, errs []error) ([]requestStatus, error) {
	var out []requestStatus
	for i, chunk := range chunks {
		if err := errs[i]; err != nil {
			if r, ok := abidecode.FromError(err, l.abis.queue); ok && r.Name == "InvalidRequestId" && len(r.Args) == 1 {
				return nil, &protocol.LimitError{Reason: fmt.Sprintf("Lido withdrawal request %v does not exist", r.Args[0].Value)}
			}
			return nil, fmt.Errorf("lido: getWithdrawalStatus on %s: %w", l.queue.Hex(), err)
		}
		vals, err := decode(l.abis.queue, l.queue, "getWithdrawalStatus", rets[i])
		if err != nil {
			return nil, err
		}
		var got []requestStatus
		if err := l.abis.queue.Methods["getWithdrawalStatus"].Outputs.Copy(&got, vals); err != nil {
			return nil, fmt.Errorf("lido: %w: decode getWithdrawalStatus result: %w", protocol.ErrBadAnswer, err)
		}
		if len(got) != len(chunk) {
			return nil, fmt.Errorf("lido: %w: getWithdrawalStatus returned %d statuses for %d ids", protocol.ErrBadAnswer, len(got), len(chunk))
		}
		out = append(out, got...)
	}
	return out, nil
}

// claimableEther is the hint and ETH of each of ids (finalized, sorted
// ascending), read when not known yet: the ETH by id (decimal string key)
// and the hints in ids order.
func (l *Lido) claimableEther(ctx context.Context, ids []*big.Int) (map[string]*big.Int, []*big.Int, error) {
	eth := map[string]*big.Int{}
	if len(ids) == 0 {
		return eth, nil, nil
	}
	known := true
	for _, id := range ids {
		_, ok := l.fact(id)
		known = known && ok
	}
	if !known {
		st, err := l.queueState(ctx, common.Address{}, ids, false)
		if err != nil {
			return nil, nil, err
		}
		for i, s := range st.statuses {
			if s.status() != protocol.StatusClaimable {
				return nil, nil, &protocol.LimitError{Reason: fmt.Sprintf("Lido withdrawal request %s is not claimable (%s)", st.ids[i], s.status())}
			}
		}
	}
	hints := make([]*big.Int, len(ids))
	for i, id := range ids {
		f, ok := l.fact(id)
		if !ok {
			return nil, nil, fmt.Errorf("lido: no checkpoint hint for finalized request %s; retry", id)
		}
		hints[i], eth[id.String()] = f.hint, f.eth
	}
	return eth, hints, nil
}

func decodeBigs(a *abi.ABI, to common.Address, method string, ret []byte) ([]*big.Int, error) {
	vals, err := decode(a, to, method, ret)
	if err != nil {
		return nil, err
	}
	v, ok := vals[0].([]*big.Int)
	if !ok {
		return nil, fmt.Errorf("lido: %w: %s returned %T, want uint256[]", protocol.ErrBadAnswer, method, vals[0])
	}
	return v, nil
}

// sortedUnique returns ids ascending without duplicates: hint search
// requires ascending ids and a duplicate would make a claim revert.
func sortedUnique(ids []*big.Int) []*big.Int {
	out := make([]*big.Int, 0, len(ids))
	for _, id := range ids {
		if id != nil {
			out = append(out, new(big.Int).Set(id))
		}
	}
	slices.SortFunc(out, func(a, b *big.Int) int { return a.Cmp(b) })
	return slices.CompactFunc(out, func(a, b *big.Int) bool { return a.Cmp(b) == 0 })
}

// statuses reads getWithdrawalStatus for ids (sorted), readChunk ids per
// call, every chunk in one round trip.
func (l *Lido) statuses(ctx context.Context, ids []*big.Int) ([]requestStatus, error) {
	var chunks [][]*big.Int
	for start := 0; start < len(ids); start += readChunk {
		chunks = append(chunks, ids[start:min(start+readChunk, len(ids))])
	}
	msgs, err := l.statusMsgs(chunks)
	if err != nil {
		return nil, err
	}
	rets, errs := protocol.CallAll(ctx, l.b, msgs)
	return l.decodeStatuses(chunks, rets, errs)
}
