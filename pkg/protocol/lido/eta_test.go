package lido

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// daily builds n finalizations at t0 + i·24h, each finalizing `per` ids of
// 1 ETH, with blocks 7200 apart (12 s slots).
func daily(n int, per uint64) []finalization {
	var out []finalization
	for i := 0; i < n; i++ {
		from := uint64(i)*per + 1
		out = append(out, finalization{
			from: from, to: from + per - 1,
			ethLocked: new(big.Int).Mul(big.NewInt(int64(per)), big.NewInt(1e18)),
			at:        t0.Add(time.Duration(i) * 24 * time.Hour),
			block:     uint64(1000 + i*7200),
		})
	}
	return out
}

func TestCadence(t *testing.T) {
	tests := []struct {
		name   string
		gaps   []time.Duration
		want   time.Duration
		wantOK bool
	}{
		{"none", nil, 0, false},
		{"regular", []time.Duration{24 * time.Hour, 24 * time.Hour, 24 * time.Hour}, 24 * time.Hour, true},
		{"a missed report does not move the median", []time.Duration{24 * time.Hour, 48 * time.Hour, 24 * time.Hour}, 24 * time.Hour, true},
		{"even count averages the middle two", []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}, 3 * time.Hour, true},
		{"same second", []time.Duration{0, 0}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := []finalization{{at: t0}}
			for _, g := range tt.gaps {
				evs = append(evs, finalization{at: evs[len(evs)-1].at.Add(g)})
			}
			if tt.gaps == nil {
				evs = evs[:1]
			}
			got, ok := cadence(evs)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("cadence = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestYoungestFinalizedAge(t *testing.T) {
	evs := daily(3, 1) // ids 1, 2, 3 finalized at t0, t0+24h, t0+48h
	requested := map[uint64]time.Time{
		1: t0.Add(-5 * time.Hour),
		2: t0.Add(24*time.Hour - 70*time.Minute), // the youngest: 70 min old
		3: t0.Add(48*time.Hour - 3*time.Hour),
	}
	got, ok := youngestFinalizedAge(evs, requested)
	if !ok || got != 70*time.Minute {
		t.Errorf("margin = %v, %v; want 70m", got, ok)
	}
	if _, ok := youngestFinalizedAge(evs, nil); ok {
		t.Error("margin known without request timestamps")
	}
}

func TestETA(t *testing.T) {
	hist := daily(4, 10) // last report at t0+72h, finalized up to id 40
	last := t0.Add(72 * time.Hour)
	base := queueModel{native: nativeETH, events: hist, margin: 70 * time.Minute, marginKnown: true, lastFinalized: 40, buffered: new(big.Int).Mul(big.NewInt(5), big.NewInt(1e18))}
	oneETH := big.NewInt(1e18)
	tests := []struct {
		name     string
		model    func(m *queueModel)
		pos      position
		now      time.Time
		want     time.Time // zero = unknown
		noteHas  string
		noteHas2 string
	}{
		{
			name: "young request, short queue: the next report",
			pos:  position{id: 41, requestedAt: last.Add(time.Hour), amount: oneETH, amountAhead: new(big.Int)},
			now:  last.Add(2 * time.Hour),
			want: last.Add(24 * time.Hour), noteHas: "every ~24h", noteHas2: "~1h10m old",
		},
		{
			name: "requested just before the next report: too young for it, so the one after",
			pos:  position{id: 41, requestedAt: last.Add(23 * time.Hour), amount: oneETH, amountAhead: new(big.Int)},
			now:  last.Add(23*time.Hour + time.Minute),
			want: last.Add(48 * time.Hour),
		},
		{
			name: "a missed report: the grid moves on from now",
			pos:  position{id: 41, requestedAt: last.Add(time.Hour), amount: oneETH, amountAhead: new(big.Int)},
			now:  last.Add(30 * time.Hour),
			want: last.Add(48 * time.Hour),
		},
		{
			name: "a queue the buffer pays: the next report, however long",
			pos:  position{id: 66, ahead: 25, requestedAt: last.Add(time.Hour), amount: oneETH, amountAhead: new(big.Int).Mul(big.NewInt(4), oneETH)},
			now:  last.Add(2 * time.Hour),
			want: last.Add(24 * time.Hour),
		},
		{
			name: "26 ETH to pay from 5 buffered: 21 more in batches of at most 10 ETH, three more reports",
			pos:  position{id: 66, ahead: 25, requestedAt: last.Add(time.Hour), amount: oneETH, amountAhead: new(big.Int).Mul(big.NewInt(25), oneETH)},
			now:  last.Add(2 * time.Hour),
			want: last.Add(96 * time.Hour), noteHas: "more ether than Lido holds", noteHas2: "up to 10 ETH",
		},
		{
			name: "amount ahead unknown: time only",
			pos:  position{id: 66, ahead: 25, requestedAt: last.Add(time.Hour), amount: oneETH},
			now:  last.Add(2 * time.Hour),
			want: last.Add(24 * time.Hour),
		},
		{
			name:  "margin unknown: the next report",
			model: func(m *queueModel) { m.marginKnown = false },
			pos:   position{id: 41, requestedAt: last.Add(23 * time.Hour), amount: oneETH, amountAhead: new(big.Int)},
			now:   last.Add(23*time.Hour + time.Minute),
			want:  last.Add(24 * time.Hour),
		},
		{
			name: "already finalized: now",
			pos:  position{id: 40, requestedAt: last.Add(-time.Hour), amount: oneETH},
			now:  last.Add(time.Minute),
			want: last.Add(time.Minute), noteHas: "finalized",
		},
		{
			name:    "paused",
			model:   func(m *queueModel) { m.paused = true },
			pos:     position{id: 41, requestedAt: last, amount: oneETH},
			now:     last,
			noteHas: "paused",
		},
		{
			name:    "bunker mode",
			model:   func(m *queueModel) { m.bunker = true },
			pos:     position{id: 41, requestedAt: last, amount: oneETH},
			now:     last,
			noteHas: "bunker",
		},
		{
			name:    "one finalization is no cadence",
			model:   func(m *queueModel) { m.events = m.events[3:] },
			pos:     position{id: 41, requestedAt: last, amount: oneETH},
			now:     last,
			noteHas: "fewer than two",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base
			m.events = append([]finalization(nil), base.events...)
			if tt.model != nil {
				tt.model(&m)
			}
			got, note := m.eta(tt.pos, tt.now)
			switch {
			case tt.want.IsZero() && got != nil:
				t.Errorf("ETA %v, want unknown", got)
			case !tt.want.IsZero() && got == nil:
				t.Errorf("ETA unknown (%s), want %v", note, tt.want)
			case got != nil && !got.Equal(tt.want):
				t.Errorf("ETA %v, want %v (%s)", got, tt.want, note)
			}
			for _, s := range []string{tt.noteHas, tt.noteHas2} {
				if !strings.Contains(note, s) {
					t.Errorf("note %q lacks %q", note, s)
				}
			}
		})
	}
}

// etaChain is a backend with a queue's finalization history as logs,
// request statuses, and a head; it counts reads per method.
type etaChain struct {
	t          *testing.T
	l          *Lido
	head       uint64
	headTime   time.Time
	logs       []types.Log
	requests   map[uint64]requestStatus
	lastFin    uint64
	maxRange   uint64 // FilterLogs refuses wider ranges; 0 = any
	buffered   *big.Int
	calls      map[string]int
	ranges     [][2]uint64
	statusSize []int // ids per getWithdrawalStatus
}

func (c *etaChain) CallContract(_ context.Context, msg ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	a := c.l.abis.queue
	if *msg.To == DevnetStETH {
		a = c.l.abis.stETH
	}
	m, err := a.MethodById(msg.Data)
	if err != nil {
		c.t.Fatalf("call: %v", err)
	}
	args, err := m.Inputs.Unpack(msg.Data[4:])
	if err != nil {
		c.t.Fatal(err)
	}
	c.calls[m.Name]++
	var out []any
	switch m.Name {
	case "getLastFinalizedRequestId":
		out = []any{new(big.Int).SetUint64(c.lastFin)}
	case "isPaused", "isBunkerModeActive":
		out = []any{false}
	case "getBufferedEther":
		out = []any{c.buffered}
	case "getWithdrawalStatus":
		ids := args[0].([]*big.Int)
		c.statusSize = append(c.statusSize, len(ids))
		var st []requestStatus
		for _, id := range ids {
			s, ok := c.requests[id.Uint64()]
			if !ok {
				c.t.Fatalf("status of unknown request %s", id)
			}
			st = append(st, s)
		}
		out = []any{st}
	default:
		c.t.Fatalf("unexpected call %s", m.Name)
	}
	return m.Outputs.Pack(out...)
}

func (c *etaChain) FilterLogs(_ context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	c.calls["eth_getLogs"]++
	from, to := q.FromBlock.Uint64(), q.ToBlock.Uint64()
	c.ranges = append(c.ranges, [2]uint64{from, to})
	if c.maxRange > 0 && to-from+1 > c.maxRange {
		return nil, errors.New("query exceeds max block range")
	}
	var out []types.Log
	for _, lg := range c.logs {
		if lg.BlockNumber >= from && lg.BlockNumber <= to {
			out = append(out, lg)
		}
	}
	return out, nil
}

func (c *etaChain) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	c.calls["eth_getBlockByNumber"]++
	return &types.Header{Number: new(big.Int).SetUint64(c.head), Time: uint64(c.headTime.Unix())}, nil
}

func (c *etaChain) addFinalization(t *testing.T, f finalization) {
	t.Helper()
	ev := c.l.abis.queue.Events["WithdrawalsFinalized"]
	data, err := ev.Inputs.NonIndexed().Pack(f.ethLocked, big.NewInt(0), big.NewInt(f.at.Unix()))
	if err != nil {
		t.Fatal(err)
	}
	c.logs = append(c.logs, types.Log{
		Address: DevnetWithdrawalQueue, BlockNumber: f.block, Data: data,
		Topics: []common.Hash{ev.ID, common.BigToHash(new(big.Int).SetUint64(f.from)), common.BigToHash(new(big.Int).SetUint64(f.to))},
	})
	c.lastFin = max(c.lastFin, f.to)
}

func newETAChain(t *testing.T) *etaChain {
	c := &etaChain{t: t, requests: map[uint64]requestStatus{}, calls: map[string]int{}, buffered: new(big.Int)}
	p, err := New(devnetEnv(c))
	if err != nil {
		t.Fatal(err)
	}
	c.l = p.(*Lido)
	return c
}

// The estimator reads the history once, answers from it, and afterwards
// reads only new events: no status read per request per block.
func TestEstimatorAgainstHistory(t *testing.T) {
	c := newETAChain(t)
	oneETH := big.NewInt(1e18)
	// Ten reports a day apart finalizing 3 requests each; the last request of
	// each batch was 2 hours old.
	var evs []finalization
	for i := 0; i < 10; i++ {
		f := finalization{
			from: uint64(3*i + 1), to: uint64(3*i + 3), ethLocked: new(big.Int).Mul(big.NewInt(3), oneETH),
			at: t0.Add(time.Duration(i) * 24 * time.Hour), block: uint64(20_000 + i*7200),
		}
		evs = append(evs, f)
		c.addFinalization(t, f)
		for id := f.from; id <= f.to; id++ {
			c.requests[id] = requestStatus{AmountOfStETH: oneETH, AmountOfShares: oneETH, Timestamp: big.NewInt(f.at.Add(-2*time.Hour - time.Duration(f.to-id)*time.Hour).Unix()), IsFinalized: true}
		}
	}
	last := evs[9].at
	// Queue: 31 (someone else's, 5 ETH) then ours, 32 and 33.
	for id, amt := range map[uint64]int64{31: 5, 32: 1, 33: 1} {
		c.requests[id] = requestStatus{AmountOfStETH: new(big.Int).Mul(big.NewInt(amt), oneETH), AmountOfShares: oneETH, Timestamp: big.NewInt(last.Add(time.Hour).Unix())}
	}
	c.head, c.headTime = 20_000+9*7200+300, last.Add(time.Hour)
	c.maxRange = 5_000 // forces the window to halve
	c.buffered = new(big.Int).Mul(big.NewInt(3), oneETH)

	est := c.l.Estimator().(*Estimator)
	est.now = func() time.Time { return last.Add(90 * time.Minute) }
	ws := []protocol.Withdrawal{
		{ID: "32", Status: protocol.StatusPending, Amount: oneETH, RequestedAt: last.Add(time.Hour)},
		{ID: "33", Status: protocol.StatusPending, Amount: oneETH, RequestedAt: last.Add(time.Hour)},
		{ID: "30", Status: protocol.StatusClaimable, Amount: oneETH},
	}
	got, err := est.Estimate(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("estimates for %d requests, want the 2 pending", len(got))
	}
	e33 := got["33"]
	if e33.RequestsAhead == nil || *e33.RequestsAhead != 2 {
		t.Errorf("requests ahead of 33: %v", e33.RequestsAhead)
	}
	if e33.AmountAhead == nil || e33.AmountAhead.Cmp(new(big.Int).Mul(big.NewInt(6), oneETH)) != 0 {
		t.Errorf("stETH ahead of 33: %v", e33.AmountAhead)
	}
	// 6 ETH ahead + 1 own, 3 buffered: 4 more in batches of at most 3 ETH,
	// two more reports.
	if want := last.Add(72 * time.Hour); e33.ETA == nil || !e33.ETA.Equal(want) {
		t.Errorf("ETA of 33 = %v, want %v (%s)", e33.ETA, want, e33.Note)
	}
	if want := last.Add(48 * time.Hour); got["32"].ETA == nil || !got["32"].ETA.Equal(want) {
		t.Errorf("ETA of 32 = %v, want %v", got["32"].ETA, want)
	}
	if !strings.Contains(e33.Note, "every ~24h") || !strings.Contains(e33.Note, "~2h old") {
		t.Errorf("note %q", e33.Note)
	}
	if c.calls["getWithdrawalStatus"] != 1 || c.statusSize[0] != 8+2 {
		t.Errorf("status reads %d (sizes %v): want one read of the 8 batch ends and the 2 ids ahead", c.calls["getWithdrawalStatus"], c.statusSize)
	}
	if len(c.ranges) < 2 || c.ranges[0][1]-c.ranges[0][0]+1 <= c.maxRange || c.ranges[1][1]-c.ranges[1][0]+1 > c.maxRange {
		t.Errorf("log ranges %v: want a refused wide range, then narrower ones", c.ranges)
	}

	// A new report finalizes 31 and 32: the next Estimate reads the new
	// event and no status.
	f := finalization{from: 31, to: 32, ethLocked: new(big.Int).Mul(big.NewInt(6), oneETH), at: last.Add(24 * time.Hour), block: c.head + 7000}
	c.addFinalization(t, f)
	c.head, c.headTime = f.block+10, f.at.Add(2*time.Minute)
	est.now = func() time.Time { return f.at.Add(time.Minute) }
	statusBefore, logsBefore := c.calls["getWithdrawalStatus"], c.calls["eth_getLogs"]
	got, err = est.Estimate(context.Background(), ws[1:2])
	if err != nil {
		t.Fatal(err)
	}
	// 7010 new blocks in the 5000-block window learnt above: two reads,
	// none refused.
	if c.calls["getWithdrawalStatus"] != statusBefore || c.calls["eth_getLogs"] != logsBefore+2 {
		t.Errorf("refresh made %d status reads and %d log reads", c.calls["getWithdrawalStatus"]-statusBefore, c.calls["eth_getLogs"]-logsBefore)
	}
	e33 = got["33"]
	if e33.RequestsAhead == nil || *e33.RequestsAhead != 0 || e33.AmountAhead == nil || e33.AmountAhead.Sign() != 0 {
		t.Errorf("after the report: ahead %v / %v", e33.RequestsAhead, e33.AmountAhead)
	}
	if want := f.at.Add(24 * time.Hour); e33.ETA == nil || !e33.ETA.Equal(want) {
		t.Errorf("ETA of 33 after the report = %v, want %v (%s)", e33.ETA, want, e33.Note)
	}
}

func TestEstimatorWithoutHistory(t *testing.T) {
	c := newETAChain(t)
	c.requests[1] = requestStatus{AmountOfStETH: big.NewInt(1e18), AmountOfShares: big.NewInt(1e18), Timestamp: big.NewInt(t0.Unix())}
	c.head, c.headTime = 50, t0
	got, err := c.l.Estimator().Estimate(context.Background(), []protocol.Withdrawal{{ID: "1", Status: protocol.StatusPending, Amount: big.NewInt(1e18), RequestedAt: t0}})
	if err != nil {
		t.Fatal(err)
	}
	e := got["1"]
	if e.ETA != nil || !strings.HasPrefix(e.Note, "unknown") {
		t.Errorf("ETA %v (%s) with no history", e.ETA, e.Note)
	}
	if e.RequestsAhead == nil || *e.RequestsAhead != 0 {
		t.Errorf("ahead %v", e.RequestsAhead)
	}
	if c.calls["getWithdrawalStatus"] != 0 {
		t.Errorf("%d status reads with nothing to read", c.calls["getWithdrawalStatus"])
	}
}

func TestRoughDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		24 * time.Hour:                  "24h",
		70 * time.Minute:                "1h10m",
		25*time.Minute + 20*time.Second: "25m",
		40 * time.Second:                "40s",
		47*time.Hour + 59*time.Minute:   "47h59m",
		2*time.Hour + 30*time.Second:    "2h01m",
		2*time.Hour + 29*time.Second:    "2h",
	} {
		if got := roughDuration(d); got != want {
			t.Errorf("roughDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
