package lido

import (
	"context"
	_ "embed"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// lensArtifact is LidoQueueLens (lens/LidoQueueLens.sol, compiled by
// scripts/gen-contracts.sh): owners' request ids, their statuses,
// checkpoint hints and claimable ETH in one eth_call (see protocol.Lens).
//
//go:embed lens/LidoQueueLens.json
var lensArtifact []byte

const (
	// lensPage bounds the requests one lens call reads: about 31k gas each
	// (status, hint search, claimable ETH; 7.7M for a page of 250 measured
	// on the devnet by TestReadRoundTrips), well below what nodes allow an
	// eth_call (geth: 50M).
	lensPage = 250
	// lensOwners bounds the owners one lens call lists; each gets
	// lensPage/lensOwners requests in the first round, and an owner with
	// more gets the rest in a second.
	lensOwners = 25
)

func newLens() (*protocol.Lens, error) { return protocol.NewLens(lensArtifact, "QueueState") }

// lensQueue is the queue's state at the block the lens ran in: what the
// ETA model starts from (Estimator.load), so that it need not read it.
type lensQueue struct {
	BlockNumber   *big.Int
	Timestamp     *big.Int
	LastFinalized *big.Int
	Paused        bool
	Bunker        bool
	Buffered      *big.Int
}

func (q lensQueue) valid() bool {
	for _, v := range []*big.Int{q.BlockNumber, q.Timestamp, q.LastFinalized} {
		if v == nil || !v.IsUint64() {
			return false
		}
	}
	// Wei buffered fits stETH's uint128 accounting; a time is in seconds.
	return q.Buffered != nil && q.Buffered.BitLen() <= 128 && q.Timestamp.Uint64() <= 1<<40
}

// lensAnswer is LidoQueueLens's QueueState, fields by argument name.
type lensAnswer struct {
	Queue     lensQueue
	Totals    []*big.Int
	Ids       []*big.Int
	Statuses  []requestStatus
	Hints     []*big.Int
	Claimable []*big.Int
}

// lensCall is one lens eth_call: the owners it lists (or the ids it reads).
type lensCall struct {
	owners []common.Address
	ids    []*big.Int
	offset int
	limit  int
}

func (l *Lido) lensMsg(c lensCall) (ethereum.CallMsg, error) {
	owners, ids := c.owners, c.ids
	if owners == nil {
		owners = []common.Address{}
	}
	if ids == nil {
		ids = []*big.Int{}
	}
	return l.lens.Msg(l.queue, l.stETH, owners, ids, big.NewInt(int64(c.offset)), big.NewInt(int64(c.limit)))
}

// valid says whether an answer to c hangs together: a total per owner, one
// status, hint and amount per id, ids ascending (the lens sorts them), the
// ids asked for or, when listing, owned by the owners asked about, at most
// limit each.
func (a *lensAnswer) valid(c lensCall) bool {
	n := len(a.Ids)
	if !a.Queue.valid() || len(a.Totals) != len(c.owners) || len(a.Statuses) != n || len(a.Hints) != n || len(a.Claimable) != n {
		return false
	}
	for i, id := range a.Ids {
		if id == nil || a.Hints[i] == nil || a.Claimable[i] == nil || i > 0 && a.Ids[i-1].Cmp(id) >= 0 {
			return false
		}
	}
	if c.owners == nil {
		return slices.EqualFunc(a.Ids, c.ids, func(x, y *big.Int) bool { return x.Cmp(y) == 0 })
	}
	per := map[common.Address]int{}
	for _, s := range a.Statuses {
		per[s.Owner]++
	}
	for k, o := range c.owners {
		t := a.Totals[k]
		if t == nil || !t.IsInt64() || t.Int64() > 1_000_000 || per[o] > c.limit || int64(per[o]) > t.Int64() {
			return false
		}
		delete(per, o)
	}
	return len(per) == 0
}

// lensRound runs calls in one round trip at block (nil: latest), with
// extra, reads of the way without the lens that ride along so that a
// refused lens costs no round trip of its own. ok is false unless every
// call answered validly; extra's answers come back either way.
func (l *Lido) lensRound(ctx context.Context, calls []lensCall, block *big.Int, extra []ethereum.CallMsg) (answers []*lensAnswer, ok bool, rets [][]byte, errs []error) {
	if l.lensOff.Load() {
		return nil, false, nil, nil
	}
	defer func() {
		if !ok && ctx.Err() == nil {
			l.lensOff.Store(true)
		}
	}()
	msgs := make([]ethereum.CallMsg, len(calls), len(calls)+len(extra))
	for i, c := range calls {
		m, err := l.lensMsg(c)
		if err != nil {
			return nil, false, nil, nil
		}
		msgs[i] = m
	}
	all, allErrs := protocol.CallAllAt(ctx, l.b, append(msgs, extra...), block)
	rets, errs = all[len(calls):], allErrs[len(calls):]
	answers = make([]*lensAnswer, len(calls))
	for i := range calls {
		values, ok := l.lens.Answer(all[i], allErrs[i])
		if !ok {
			return nil, false, rets, errs
		}
		a := new(lensAnswer)
		if err := l.lens.Copy(a, values); err != nil || !a.valid(calls[i]) {
			return nil, false, rets, errs
		}
		answers[i] = a
	}
	l.keepQueue(answers[0].Queue)
	return answers, true, rets, errs
}

// keepQueue keeps the newest queue state a lens saw, for the ETA model.
func (l *Lido) keepQueue(q lensQueue) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.queueSeen == nil || q.BlockNumber.Cmp(l.queueSeen.BlockNumber) > 0 {
		l.queueSeen = &q
	}
}

// seenQueue is the newest queue state a lens saw in this adapter's life
// (one command), or nil.
func (l *Lido) seenQueue() *lensQueue {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.queueSeen
}

// lensList is every request of each of owners (distinct) through the lens:
// one round trip, a second for owners with more requests than the first
// round's share (read at the block of their first answer, as a claim in
// between reorders the queue's set of an owner's requests). ok is false
// when the lens gave no usable answer.
func (l *Lido) lensList(ctx context.Context, owners []common.Address, extra []ethereum.CallMsg) (sts []*queueState, ok bool, rets [][]byte, errs []error) {
	var calls []lensCall
	for start := 0; start < len(owners); start += lensOwners {
		group := owners[start:min(start+lensOwners, len(owners))]
		calls = append(calls, lensCall{owners: group, limit: lensPage / len(group)})
	}
	answers, ok, rets, errs := l.lensRound(ctx, calls, nil, extra)
	if !ok {
		return nil, false, rets, errs
	}
	// The owners with more requests than the first page held, by block.
	type rest struct {
		calls []lensCall
		block *big.Int
	}
	var rests []rest
	totals := map[common.Address]int64{}
	for i, c := range calls {
		for k, o := range c.owners {
			total := answers[i].Totals[k].Int64()
			totals[o] = total
			var more []lensCall
			for offset := int64(c.limit); offset < total; offset += lensPage {
				more = append(more, lensCall{owners: []common.Address{o}, offset: int(offset), limit: lensPage})
			}
			if len(more) > 0 {
				rests = append(rests, rest{more, answers[i].Queue.BlockNumber})
			}
		}
	}
	// Every block's pages in one batch; different blocks are rare (the
	// first round's calls left together).
	byBlock := map[string]*rest{}
	var order []string
	for _, r := range rests {
		key := r.block.String()
		if byBlock[key] == nil {
			byBlock[key] = &rest{block: r.block}
			order = append(order, key)
		}
		byBlock[key].calls = append(byBlock[key].calls, r.calls...)
	}
	for _, key := range order {
		r := byBlock[key]
		more, ok, _, _ := l.lensRound(ctx, r.calls, r.block, nil)
		if !ok {
			return nil, false, rets, errs
		}
		for i, a := range more {
			if a.Totals[0].Int64() != totals[r.calls[i].owners[0]] {
				return nil, false, rets, errs
			}
		}
		answers = append(answers, more...)
	}

	rows := l.lensRows(answers)
	index := make(map[common.Address]int, len(owners))
	out := make([]*queueState, len(owners))
	for i, o := range owners {
		index[o], out[i] = i, &queueState{}
	}
	for _, r := range rows {
		st := out[index[r.status.Owner]]
		st.ids, st.statuses = append(st.ids, r.id), append(st.statuses, r.status)
	}
	for i, o := range owners {
		// Every request counted, none twice: the pages fit together.
		if int64(len(out[i].ids)) != totals[o] {
			return nil, false, rets, errs
		}
	}
	return out, l.keepFacts(rows), rets, errs
}

// lensIDs is queueState of ids (any order) through the lens, in one round
// trip, with extra as lensRound.
func (l *Lido) lensIDs(ctx context.Context, ids []*big.Int, extra []ethereum.CallMsg) (st *queueState, ok bool, rets [][]byte, errs []error) {
	ids = sortedUnique(ids)
	var calls []lensCall
	for start := 0; start < len(ids); start += lensPage {
		calls = append(calls, lensCall{ids: ids[start:min(start+lensPage, len(ids))]})
	}
	answers, ok, rets, errs := l.lensRound(ctx, calls, nil, extra)
	if !ok {
		return nil, false, rets, errs
	}
	st = &queueState{}
	rows := l.lensRows(answers)
	for _, r := range rows {
		st.ids, st.statuses = append(st.ids, r.id), append(st.statuses, r.status)
	}
	return st, l.keepFacts(rows), rets, errs
}

// lensRow is one request of a lens answer.
type lensRow struct {
	id     *big.Int
	status requestStatus
	hint   *big.Int
	eth    *big.Int
}

// lensRows are answers' requests, ascending, each once.
func (l *Lido) lensRows(answers []*lensAnswer) []lensRow {
	var rows []lensRow
	for _, a := range answers {
		for i, id := range a.Ids {
			rows = append(rows, lensRow{id, a.Statuses[i], a.Hints[i], a.Claimable[i]})
		}
	}
	slices.SortFunc(rows, func(x, y lensRow) int { return x.id.Cmp(y.id) })
	return slices.CompactFunc(rows, func(x, y lensRow) bool { return x.id.Cmp(y.id) == 0 })
}

// keepFacts keeps the hint and ETH of each claimable request. It is false
// when a claimable one has none: queueState then reads without the lens,
// and says what is wrong.
func (l *Lido) keepFacts(rows []lensRow) bool {
	for _, r := range rows {
		if r.status.status() == protocol.StatusClaimable && (r.hint.Sign() == 0 || r.eth.Sign() == 0) {
			return false
		}
	}
	for _, r := range rows {
		if r.status.status() == protocol.StatusClaimable {
			l.setFact(r.id, claimFact{hint: r.hint, eth: r.eth})
		}
	}
	return true
}
