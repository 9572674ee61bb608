package lido

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The ETA model (protocols.md §1.6–1.7). Lido finalizes requests only in
// oracle reports, about once a day, and only requests older than a margin
// (requestTimestampMargin) that the ether at hand can pay. So a request
// becomes claimable at the first report that comes after it is old enough
// and after the queue ahead of it has been paid. Everything comes from the
// chain: the report cadence is the median gap between recent
// WithdrawalsFinalized events, the margin is the youngest age at which a
// request was seen finalized in them, and the ether at hand is stETH's
// buffered ether. When the queue ahead needs more than the buffer, the rest
// waits for validator exits, which no on-chain number predicts: the model
// then assumes each report pays as much as the largest batch seen and says
// so. With fewer than two events in the recent blocks, while the queue is
// paused, or in bunker mode the ETA is unknown and says why.
const (
	// etaEvents is how many recent finalizations the model looks at: about
	// a week of daily reports on mainnet.
	etaEvents = 8
	// logWindow is the block range of one eth_getLogs; providers limit it,
	// so a refused range is halved down to minLogWindow.
	logWindow    = 10_000
	minLogWindow = 250
	// maxLookback bounds the search for past finalizations (~17 days of
	// 12 s slots).
	maxLookback = 120_000
	// maxAheadReads bounds the requests read to sum the stETH queued ahead
	// of the caller's; beyond it the amount ahead is unknown (the count
	// stays exact).
	maxAheadReads = 2_000
)

// Estimator implements protocol.Estimating: an estimator over this queue.
func (l *Lido) Estimator() protocol.Estimator { return &Estimator{l: l, now: time.Now} }

// Estimator estimates when Lido withdrawal requests become claimable. The
// first Estimate reads the finalization history, the queue state and the
// requests ahead; later ones only read finalization events since, so it
// can be asked again on every block without a status read per request.
type Estimator struct {
	l   *Lido
	now func() time.Time

	mu       sync.Mutex
	loaded   bool
	scanned  uint64    // last block searched for finalization events
	window   uint64    // eth_getLogs block range that works (0 = logWindow)
	headTime time.Time // timestamp of that block
	model    queueModel
	amounts  map[uint64]*big.Int // stETH of unfinalized requests read at load
}

// Estimate implements protocol.Estimator.
func (e *Estimator) Estimate(ctx context.Context, ws []protocol.Withdrawal) (map[protocol.RequestID]protocol.Estimate, error) {
	var pending []protocol.Withdrawal
	for _, w := range ws {
		if w.Status == protocol.StatusPending && numID(w) != 0 {
			pending = append(pending, w)
		}
	}
	out := map[protocol.RequestID]protocol.Estimate{}
	if len(pending) == 0 {
		return out, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var err error
	if !e.loaded {
		err = e.load(ctx, pending)
	} else {
		err = e.refresh(ctx)
	}
	if err != nil {
		return nil, err
	}
	// Chain time, not only the wall clock: a node whose clock was moved
	// forward (anvil) or an idle dev chain must still get sensible ETAs.
	now := e.now()
	if e.headTime.After(now) {
		now = e.headTime
	}
	for _, w := range pending {
		p := e.position(w)
		est := protocol.Estimate{AmountAhead: p.amountAhead, AsOf: now}
		ahead := p.ahead
		est.RequestsAhead = &ahead
		est.ETA, est.Note = e.model.eta(p, now)
		out[w.ID] = est
	}
	return out, nil
}

// numID is w's request id as a number, 0 when it is not one of ours.
func numID(w protocol.Withdrawal) uint64 {
	n, err := strconv.ParseUint(string(w.ID), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func (e *Estimator) position(w protocol.Withdrawal) position {
	id := numID(w)
	p := position{id: id, requestedAt: w.RequestedAt, amount: w.Amount}
	last := e.model.lastFinalized
	if id <= last+1 {
		p.amountAhead = new(big.Int)
		return p
	}
	p.ahead = id - last - 1
	sum := new(big.Int)
	for k := last + 1; k < id; k++ {
		a, ok := e.amounts[k]
		if !ok {
			return p // not read: unknown rather than an undercount
		}
		sum.Add(sum, a)
	}
	p.amountAhead = sum
	return p
}

// queueNow reads the queue's state for the model in one round trip
// (protocol.CallAll): the last finalized id, paused, bunker mode and the
// buffered ether.
func (e *Estimator) queueNow(ctx context.Context) (lastFin *big.Int, paused, bunker bool, buffered *big.Int, err error) {
	l := e.l
	reads := []struct {
		a      *abi.ABI
		to     common.Address
		method string
	}{
		{l.abis.queue, l.queue, "getLastFinalizedRequestId"},
		{l.abis.queue, l.queue, "isPaused"},
		{l.abis.queue, l.queue, "isBunkerModeActive"},
		{l.abis.stETH, l.stETH, "getBufferedEther"},
	}
	msgs := make([]ethereum.CallMsg, len(reads))
	for i, r := range reads {
		if msgs[i], err = readMsg(r.a, r.to, r.method); err != nil {
			return nil, false, false, nil, err
		}
	}
	rets, errs := protocol.CallAll(ctx, l.b, msgs)
	for i, r := range reads {
		if errs[i] != nil {
			return nil, false, false, nil, fmt.Errorf("lido: %s on %s: %w", r.method, r.to.Hex(), errs[i])
		}
	}
	if lastFin, err = decodeBig(reads[0].a, reads[0].to, reads[0].method, rets[0]); err != nil {
		return nil, false, false, nil, err
	}
	if paused, err = decodeBool(reads[1].a, reads[1].to, reads[1].method, rets[1]); err != nil {
		return nil, false, false, nil, err
	}
	if bunker, err = decodeBool(reads[2].a, reads[2].to, reads[2].method, rets[2]); err != nil {
		return nil, false, false, nil, err
	}
	if buffered, err = decodeBig(reads[3].a, reads[3].to, reads[3].method, rets[3]); err != nil {
		return nil, false, false, nil, err
	}
	return lastFin, paused, bunker, buffered, nil
}

func (e *Estimator) load(ctx context.Context, pending []protocol.Withdrawal) error {
	l := e.l
	headNumber, headTime, lastFin, paused, bunker, buffered, err := e.start(ctx)
	if err != nil {
		return err
	}
	events, err := e.scanBack(ctx, headNumber)
	if err != nil {
		return err
	}
	m := queueModel{native: l.native, buffered: buffered, events: events, lastFinalized: lastFin.Uint64(), paused: paused, bunker: bunker,
		searched: min(headNumber+1, maxLookback)}

	// One status read serves both the margin (the timestamp of the last
	// request of each finalized batch) and the amounts queued ahead of ours.
	var ids []*big.Int
	for _, ev := range events {
		ids = append(ids, new(big.Int).SetUint64(ev.to))
	}
	var maxID uint64
	for _, w := range pending {
		maxID = max(maxID, numID(w))
	}
	if maxID > m.lastFinalized+1 && maxID-m.lastFinalized-1 <= maxAheadReads {
		for k := m.lastFinalized + 1; k < maxID; k++ {
			ids = append(ids, new(big.Int).SetUint64(k))
		}
	}
	ids = sortedUnique(ids)
	amounts := map[uint64]*big.Int{}
	if len(ids) > 0 {
		statuses, err := l.statuses(ctx, ids)
		if err != nil {
			return err
		}
		requested := map[uint64]time.Time{}
		for i, s := range statuses {
			id := ids[i].Uint64()
			if s.Timestamp != nil && s.Timestamp.IsInt64() {
				requested[id] = time.Unix(s.Timestamp.Int64(), 0).UTC()
			}
			if id > m.lastFinalized && !s.IsFinalized {
				amounts[id] = s.AmountOfStETH
			}
		}
		m.margin, m.marginKnown = youngestFinalizedAge(events, requested)
	}
	e.model, e.amounts = m, amounts
	e.scanned, e.headTime = headNumber, time.Unix(int64(headTime), 0).UTC()
	e.loaded = true
	return nil
}

// start is where the model begins: the latest block and the queue's state.
// The lens that listed the requests read both a moment ago (Lido.seenQueue):
// then nothing is read; otherwise the latest header, then the queue
// (queueNow).
func (e *Estimator) start(ctx context.Context) (headNumber, headTime uint64, lastFin *big.Int, paused, bunker bool, buffered *big.Int, err error) {
	if q := e.l.seenQueue(); q != nil {
		return q.BlockNumber.Uint64(), q.Timestamp.Uint64(), q.LastFinalized, q.Paused, q.Bunker, q.Buffered, nil
	}
	head, err := e.l.b.HeaderByNumber(ctx, nil)
	if err != nil {
		return 0, 0, nil, false, false, nil, fmt.Errorf("lido: read the latest block: %w", err)
	}
	lastFin, paused, bunker, buffered, err = e.queueNow(ctx)
	return head.Number.Uint64(), head.Time, lastFin, paused, bunker, buffered, err
}

// refresh reads the finalization events since the last look and the
// buffered ether. It reads no request status, so the margin stays as
// measured at load.
func (e *Estimator) refresh(ctx context.Context) error {
	head, err := e.l.b.HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("lido: read the latest block: %w", err)
	}
	buffered, err := e.l.read().big(ctx, e.l.abis.stETH, e.l.stETH, "getBufferedEther")
	if err != nil {
		return err
	}
	e.model.buffered = buffered
	n := head.Number.Uint64()
	e.headTime = time.Unix(int64(head.Time), 0).UTC()
	if n <= e.scanned {
		return nil
	}
	var fresh []finalization
	for from := e.scanned + 1; from <= n; {
		to := min(n, from+e.logWindow()-1)
		evs, err := e.filter(ctx, from, to)
		if err != nil {
			if e.narrow() {
				continue
			}
			return err
		}
		fresh = append(fresh, evs...)
		from = to + 1
	}
	for _, ev := range fresh {
		e.model.lastFinalized = max(e.model.lastFinalized, ev.to)
	}
	e.model.events = append(e.model.events, fresh...)
	if len(e.model.events) > etaEvents {
		e.model.events = e.model.events[len(e.model.events)-etaEvents:]
	}
	e.scanned = n
	e.model.searched = min(n+1, maxLookback)
	return nil
}

// scanBack finds up to etaEvents of the most recent finalizations,
// searching backwards from head in windows, oldest first in the result.
func (e *Estimator) scanBack(ctx context.Context, head uint64) ([]finalization, error) {
	var found []finalization
	to := head
	for len(found) < etaEvents && head-to < maxLookback {
		from := uint64(0)
		if window := e.logWindow(); to+1 > window {
			from = to + 1 - window
		}
		evs, err := e.filter(ctx, from, to)
		if err != nil {
			if e.narrow() {
				continue
			}
			return nil, err
		}
		found = append(evs, found...)
		if from == 0 {
			break
		}
		to = from - 1
	}
	if len(found) > etaEvents {
		found = found[len(found)-etaEvents:]
	}
	return found, nil
}

// logWindow is the block range of the next eth_getLogs.
func (e *Estimator) logWindow() uint64 {
	if e.window == 0 {
		e.window = logWindow
	}
	return e.window
}

// narrow halves the log window after a refused query and reports whether
// there is a narrower one left to try: providers refuse wide ranges with
// assorted messages, so any failure is taken as possibly that. The
// narrower window is kept for later queries.
func (e *Estimator) narrow() bool {
	if e.logWindow() <= minLogWindow {
		return false
	}
	e.window /= 2
	return true
}

func (e *Estimator) filter(ctx context.Context, from, to uint64) ([]finalization, error) {
	l := e.l
	ev := l.abis.queue.Events["WithdrawalsFinalized"]
	logs, err := l.b.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from),
		ToBlock:   new(big.Int).SetUint64(to),
		Addresses: []common.Address{l.queue},
		Topics:    [][]common.Hash{{ev.ID}},
	})
	if err != nil {
		return nil, fmt.Errorf("lido: read WithdrawalsFinalized events in blocks %d–%d: %w", from, to, err)
	}
	var out []finalization
	for _, lg := range logs {
		f, ok := l.parseFinalized(lg)
		if ok {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b finalization) int {
		switch {
		case a.block != b.block:
			return cmpUint(a.block, b.block)
		default:
			return cmpUint(a.to, b.to)
		}
	})
	return out, nil
}

// parseFinalized decodes a WithdrawalsFinalized log of this queue; logs
// of other emitters or shapes are ignored (anyone can emit look-alikes).
func (l *Lido) parseFinalized(lg types.Log) (finalization, bool) {
	ev := l.abis.queue.Events["WithdrawalsFinalized"]
	if lg.Removed || lg.Address != l.queue || len(lg.Topics) != 3 || lg.Topics[0] != ev.ID {
		return finalization{}, false
	}
	vals, err := ev.Inputs.NonIndexed().Unpack(lg.Data)
	if err != nil || len(vals) != 3 {
		return finalization{}, false
	}
	locked, _ := vals[0].(*big.Int)
	ts, _ := vals[2].(*big.Int)
	from, to := lg.Topics[1].Big(), lg.Topics[2].Big()
	if locked == nil || ts == nil || !ts.IsInt64() || !from.IsUint64() || !to.IsUint64() {
		return finalization{}, false
	}
	return finalization{
		from: from.Uint64(), to: to.Uint64(), ethLocked: locked,
		at: time.Unix(ts.Int64(), 0).UTC(), block: lg.BlockNumber,
	}, true
}

// finalization is one WithdrawalsFinalized event: ids from..to (inclusive,
// as the contract emits them) finalized at `at`.
type finalization struct {
	from, to  uint64
	ethLocked *big.Int
	at        time.Time
	block     uint64
}

// position is a pending request in the queue.
type position struct {
	id          uint64
	requestedAt time.Time
	amount      *big.Int
	ahead       uint64   // unfinalized requests before it
	amountAhead *big.Int // their stETH; nil = unknown
}

// queueModel is what the ETA is computed from; eta is pure, for tests.
type queueModel struct {
	native         protocol.Token // what finalization pays out
	events         []finalization // oldest first
	margin         time.Duration  // youngest age seen finalized
	marginKnown    bool
	lastFinalized  uint64
	paused, bunker bool
	searched       uint64   // blocks searched for events
	buffered       *big.Int // ether Lido holds to pay withdrawals; nil = unknown
}

// youngestFinalizedAge is, over the events, the smallest age of the last
// request of a finalized batch at the time of finalization: an upper bound
// of the margin, and close to it on a busy queue.
func youngestFinalizedAge(events []finalization, requested map[uint64]time.Time) (time.Duration, bool) {
	var best time.Duration
	known := false
	for _, ev := range events {
		t, ok := requested[ev.to]
		if !ok || ev.at.Before(t) {
			continue
		}
		if age := ev.at.Sub(t); !known || age < best {
			best, known = age, true
		}
	}
	return best, known
}

// cadence is the median gap between consecutive events.
func cadence(events []finalization) (time.Duration, bool) {
	if len(events) < 2 {
		return 0, false
	}
	gaps := make([]time.Duration, 0, len(events)-1)
	for i := 1; i < len(events); i++ {
		gaps = append(gaps, events[i].at.Sub(events[i-1].at))
	}
	slices.Sort(gaps)
	med := gaps[len(gaps)/2]
	if len(gaps)%2 == 0 {
		med = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
	}
	return med, med > 0
}

// eta projects the report grid (last event + k·cadence) forward: the first
// report after now, after the request is margin old, and after enough
// reports of the largest size seen to clear the queue ahead of it.
func (m *queueModel) eta(p position, now time.Time) (*time.Time, string) {
	switch {
	case p.id <= m.lastFinalized:
		t := now
		return &t, "finalized by the last oracle report"
	case m.paused:
		return nil, "unknown: the Lido withdrawal queue is paused; nothing is finalized until it resumes"
	case m.bunker:
		return nil, "unknown: Lido is in bunker mode, which delays finalization beyond what past reports show"
	case len(m.events) < 2:
		return nil, fmt.Sprintf("unknown: fewer than two Lido finalizations in the last %d blocks, so no cadence to go by", m.searched)
	}
	every, ok := cadence(m.events)
	if !ok {
		return nil, "unknown: recent Lido finalizations came in the same second; no cadence to go by"
	}
	last := m.events[len(m.events)-1].at
	kNow := int64(1)
	if !now.Before(last) {
		kNow = int64(now.Sub(last)/every) + 1
	}
	kReady := int64(1)
	if m.marginKnown {
		if ready := p.requestedAt.Add(m.margin); ready.After(last) {
			kReady = ceilDiv(int64(ready.Sub(last)), int64(every))
		}
	}
	reports, batch := m.reportsToPay(p)
	k := max(kNow+reports-1, kReady)
	t := last.Add(time.Duration(k) * every)
	note := fmt.Sprintf("Lido finalized every ~%s lately (last at %s)", roughDuration(every), last.Format(time.RFC3339))
	if m.marginKnown {
		note += fmt.Sprintf("; requests were finalized once ~%s old", roughDuration(m.margin))
	}
	if reports > 1 {
		note += fmt.Sprintf("; the queue ahead needs more ether than Lido holds, so this assumes reports paying up to %s (the largest batch seen) as validators exit", amount.FormatUnits(batch, m.native.Decimals, m.native.Symbol))
	}
	return &t, note
}

// reportsToPay is how many reports it takes to pay the queue ahead of p
// and p itself: one while the buffered ether covers it, else one more per
// largest batch seen for the rest. It also returns that batch size.
func (m *queueModel) reportsToPay(p position) (int64, *big.Int) {
	batch := new(big.Int)
	for _, ev := range m.events {
		if ev.ethLocked != nil && ev.ethLocked.Cmp(batch) > 0 {
			batch = ev.ethLocked
		}
	}
	if p.amountAhead == nil || p.amount == nil || m.buffered == nil || batch.Sign() == 0 {
		return 1, batch
	}
	short := new(big.Int).Add(p.amountAhead, p.amount)
	short.Sub(short, m.buffered)
	if short.Sign() <= 0 {
		return 1, batch
	}
	q, r := new(big.Int).QuoRem(short, batch, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return 1 << 20, batch
	}
	return 1 + q.Int64(), batch
}

func ceilDiv(a, b int64) int64 {
	if b <= 0 {
		return 1
	}
	return (a + b - 1) / b
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// roughDuration renders d for people: "24h", "1h10m", "25m", "40s".
func roughDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
		h, m := d/time.Hour, (d%time.Hour)/time.Minute
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%02dm", h, m)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", d.Round(time.Minute)/time.Minute)
	}
	return fmt.Sprintf("%ds", d.Round(time.Second)/time.Second)
}
