package withdrawals

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/watch"
)

var alice = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")

// ether is the devnet's native coin, as the network describes it.
var ether = (&config.Network{NativeSymbol: "ETH", NativeDecimals: 18}).Native()

// chainHeads is a chain whose head advances every `every` reads.
type chainHeads struct {
	mu    sync.Mutex
	head  uint64
	reads int
	every int
}

func (c *chainHeads) BlockNumber(context.Context) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.reads%c.every == 0 {
		c.head++
	}
	return c.head, nil
}

func (c *chainHeads) current() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.head
}

// fakeProto is a protocol whose requests become claimable at given
// blocks; it counts its status reads (one per Withdrawals call, like
// Lido's single getWithdrawalStatus).
type fakeProto struct {
	protocol.Protocol // methods the wait does not use
	protocol.Requests
	heads       *chainHeads
	finalAt     map[int64]uint64 // request id → block it is finalized in
	claimed     map[int64]bool
	mu          sync.Mutex
	statusReads int
	failNext    int // Withdrawals calls that fail with an RPC error
}

func (p *fakeProto) Name() string { return "lido" }

func (p *fakeProto) Withdrawals(_ context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.statusReads++
	if p.failNext > 0 {
		p.failNext--
		return nil, fmt.Errorf("%w: eth_call: 503", chain.ErrUnreachable)
	}
	if len(ids) == 0 {
		for id := range p.finalAt {
			ids = append(ids, protocol.RequestID(strconv.FormatInt(id, 10)))
		}
	}
	head := p.heads.current()
	var out []protocol.Withdrawal
	for _, rid := range ids {
		id, err := strconv.ParseInt(string(rid), 10, 64)
		if err != nil {
			return nil, err
		}
		w := protocol.Withdrawal{ID: rid, Protocol: "lido", Owner: owner, Amount: big.NewInt(1e18), Token: protocol.Token{Symbol: "stETH", Decimals: 18}, Status: protocol.StatusPending, RequestedAt: time.Unix(1_700_000_000, 0)}
		switch {
		case p.claimed[id]:
			w.Status = protocol.StatusClaimed
		case head >= p.finalAt[id]:
			w.Status, w.Claimable = protocol.StatusClaimable, big.NewInt(1e18)
		}
		out = append(out, w)
	}
	return out, nil
}

// recorder is a reporter that keeps what it was told.
type recorder struct {
	changes []change
	retries int
	claims  [][]string
}

func (r *recorder) mode(watch.Mode, error)                 {}
func (r *recorder) snapshot(_ []Row, c []change, _ uint64) { r.changes = append(r.changes, c...) }
func (r *recorder) retry(error, time.Duration)             { r.retries++ }
func (r *recorder) claimed(ids []string, _ *claim.Result)  { r.claims = append(r.claims, ids) }
func (r *recorder) pause()                                 {}
func (r *recorder) resume()                                {}
func (r *recorder) stop()                                  {}
func (r *recorder) statuses(id string) (out []protocol.Status) {
	for _, c := range r.changes {
		if c.row.ID.String() == id {
			out = append(out, c.row.Status)
		}
	}
	return out
}

// The polling budget: however many requests, one status read per new
// block, even when the block number is polled five times per block.
func TestWaitPollingBudget(t *testing.T) {
	for _, n := range []int{1, 200} {
		t.Run(fmt.Sprintf("%d requests", n), func(t *testing.T) {
			heads := &chainHeads{head: 10, every: 5}
			p := &fakeProto{heads: heads, finalAt: map[int64]uint64{}}
			var last uint64
			for i := 1; i <= n; i++ {
				p.finalAt[int64(i)] = 20 + uint64(i%3) // different ages: blocks 20–22
				last = max(last, p.finalAt[int64(i)])
			}
			rec := &recorder{}
			w := &waiter{owner: alice, rep: rec, now: time.Now, groups: []*group{{p: p, reqs: p}}}
			err := watch.Run(context.Background(), heads, watch.Options{Interval: time.Millisecond, Jitter: -1}, w.check)
			if err != nil {
				t.Fatal(err)
			}
			blocks := heads.current() - 10 + 1 // blocks 10..head, each checked once at most
			if p.statusReads > int(blocks) {
				t.Errorf("%d status reads for %d blocks", p.statusReads, blocks)
			}
			if want := int(last - 10 + 1); p.statusReads != want {
				t.Errorf("%d status reads, want %d (blocks 10–%d)", p.statusReads, want, last)
			}
			if heads.reads < 5*int(blocks)-5 {
				t.Errorf("only %d block-number polls", heads.reads)
			}
			for i := 1; i <= n; i++ {
				got := rec.statuses(fmt.Sprint(i))
				if len(got) != 2 || got[0] != protocol.StatusPending || got[1] != protocol.StatusClaimable {
					t.Fatalf("request %d reported %v, want pending then claimable", i, got)
				}
			}
		})
	}
}

// --claim claims what is claimable as soon as it is, in one batch per
// check, and the wait ends when nothing is left to claim.
func TestWaitClaimsAsSoonAsClaimable(t *testing.T) {
	heads := &chainHeads{head: 1, every: 2}
	p := &fakeProto{heads: heads, finalAt: map[int64]uint64{1: 3, 2: 3, 3: 6}, claimed: map[int64]bool{}}
	rec := &recorder{}
	var batches [][]int64
	w := &waiter{owner: alice, rep: rec, now: time.Now, groups: []*group{{p: p, reqs: p}}}
	w.claim = func(_ context.Context, _ protocol.Protocol, ws []protocol.Withdrawal) error {
		var ids []int64
		for _, wd := range ws {
			id, err := strconv.ParseInt(string(wd.ID), 10, 64)
			if err != nil {
				return err
			}
			ids = append(ids, id)
			p.claimed[id] = true
		}
		batches = append(batches, ids)
		return nil
	}
	if err := watch.Run(context.Background(), heads, watch.Options{Interval: time.Millisecond, Jitter: -1}, w.check); err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 || len(batches[0]) != 2 || len(batches[1]) != 1 || batches[1][0] != 3 {
		t.Fatalf("claim batches %v, want [1 2] then [3]", batches)
	}
	for _, r := range w.rows() {
		if r.Status != protocol.StatusClaimed {
			t.Errorf("request %s ended %s", r.ID, r.Status)
		}
	}
	if got := rec.statuses("3"); len(got) != 3 || got[2] != protocol.StatusClaimed {
		t.Errorf("request 3 reported %v", got)
	}
}

// RPC failures while waiting are retried; a failed claim ends the wait.
func TestWaitErrors(t *testing.T) {
	t.Run("rpc errors are retried", func(t *testing.T) {
		heads := &chainHeads{head: 1, every: 2}
		p := &fakeProto{heads: heads, finalAt: map[int64]uint64{1: 4}, failNext: 3}
		rec := &recorder{}
		w := &waiter{owner: alice, rep: rec, now: time.Now, groups: []*group{{p: p, reqs: p}}}
		err := watch.Run(context.Background(), heads, watch.Options{Interval: time.Millisecond, Jitter: -1, Retryable: retryable, OnRetry: rec.retry}, w.check)
		if err != nil || rec.retries != 3 {
			t.Fatalf("Run = %v after %d retries", err, rec.retries)
		}
	})
	t.Run("a failed claim is final", func(t *testing.T) {
		heads := &chainHeads{head: 5, every: 2}
		p := &fakeProto{heads: heads, finalAt: map[int64]uint64{1: 1}}
		w := &waiter{owner: alice, rep: &recorder{}, now: time.Now, groups: []*group{{p: p, reqs: p}}}
		errDeclined := errors.New("declined")
		w.claim = func(context.Context, protocol.Protocol, []protocol.Withdrawal) error { return errDeclined }
		err := watch.Run(context.Background(), heads, watch.Options{Interval: time.Millisecond, Retryable: retryable}, w.check)
		if !errors.Is(err, errDeclined) {
			t.Fatalf("Run = %v", err)
		}
	})
	t.Run("another account's request cannot be claimed", func(t *testing.T) {
		heads := &chainHeads{head: 1, every: 2}
		p := &fakeProto{heads: heads, finalAt: map[int64]uint64{1: 9}}
		bob := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
		w := &waiter{owner: alice, rep: &recorder{}, now: time.Now, groups: []*group{{p: &ownedBy{p, bob}, reqs: &ownedBy{p, bob}, ids: []protocol.RequestID{"1"}, explicit: true}}}
		w.claim = func(context.Context, protocol.Protocol, []protocol.Withdrawal) error { return nil }
		err := watch.Run(context.Background(), heads, watch.Options{Interval: time.Millisecond, Retryable: retryable}, w.check)
		var limit *protocol.LimitError
		if !errors.As(err, &limit) || !strings.Contains(err.Error(), "belongs to") {
			t.Fatalf("Run = %v", err)
		}
	})
}

// ownedBy reports every request as owned by owner.
type ownedBy struct {
	*fakeProto
	owner common.Address
}

func (o *ownedBy) Withdrawals(ctx context.Context, _ common.Address, ids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	return o.fakeProto.Withdrawals(ctx, o.owner, ids)
}

func TestRetryableAndMinDelay(t *testing.T) {
	tests := []struct {
		err       error
		retryable bool
		minDelay  time.Duration
	}{
		{fmt.Errorf("%w: eth_call", chain.ErrUnreachable), true, 0},
		{&chain.UnreachableError{Errs: []error{rpc.HTTPError{StatusCode: 429}}}, true, chain.DefaultMaxRetryAfter},
		{fmt.Errorf("read: %w", rpc.HTTPError{StatusCode: 500}), true, 0},
		{&protocol.LimitError{Reason: "no such request"}, false, 0},
		{cmdutil.BadInputf("bad"), false, 0},
		{&chain.WrongChainError{Want: 1, Got: 2}, false, 0},
		{&finalError{err: errors.New("claim reverted")}, false, 0},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.retryable {
			t.Errorf("retryable(%v) = %v", tt.err, got)
		}
		if got := minDelay(tt.err); got != tt.minDelay {
			t.Errorf("minDelay(%v) = %v", tt.err, got)
		}
	}
}

func TestResumeCommand(t *testing.T) {
	tests := []struct {
		o    WaitOptions
		want string
	}{
		{WaitOptions{}, "stakewallet withdrawals wait"},
		{WaitOptions{IDs: []string{"3", "4"}, Claim: true}, "stakewallet withdrawals wait 3 4 --claim"},
		{WaitOptions{Owner: "0xabc", ProtocolName: "lido"}, "stakewallet withdrawals wait --owner 0xabc --protocol lido"},
	}
	for _, tt := range tests {
		if got := resumeCommand(&tt.o); got != tt.want {
			t.Errorf("resumeCommand = %q, want %q", got, tt.want)
		}
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := map[time.Duration]string{
		-time.Minute:                  "due now",
		90 * time.Second:              "in ~2 min",
		45 * time.Minute:              "in ~45 min",
		20*time.Hour + 20*time.Minute: "in ~20 h",
		72 * time.Hour:                "in ~72 h",
		6 * 24 * time.Hour:            "in ~6 d",
	}
	for d, want := range tests {
		if got := relative(now.Add(d), now); got != want {
			t.Errorf("relative(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestProgress(t *testing.T) {
	req := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	eta := req.Add(10 * time.Hour)
	tests := []struct {
		name  string
		row   Row
		now   time.Time
		frac  float64
		known bool
		bar   string
	}{
		{"halfway", Row{Withdrawal: protocol.Withdrawal{Status: protocol.StatusPending, RequestedAt: req, ETA: &eta}}, req.Add(5 * time.Hour), 0.5, true, "[████████░░░░░░░░]"},
		{"late but pending", Row{Withdrawal: protocol.Withdrawal{Status: protocol.StatusPending, RequestedAt: req, ETA: &eta}}, req.Add(20 * time.Hour), 0.99, true, "[███████████████░]"},
		{"no ETA", Row{Withdrawal: protocol.Withdrawal{Status: protocol.StatusPending, RequestedAt: req}}, req, 0, false, "[················]"},
		{"claimable", Row{Withdrawal: protocol.Withdrawal{Status: protocol.StatusClaimable}}, req, 1, true, "[████████████████]"},
	}
	for _, tt := range tests {
		f, known := progress(tt.row, tt.now)
		if f != tt.frac || known != tt.known {
			t.Errorf("%s: progress = %v, %v", tt.name, f, known)
		}
		if got := bar(f, known); got != tt.bar {
			t.Errorf("%s: bar = %q, want %q", tt.name, got, tt.bar)
		}
	}
}

// Piped and JSON output: one line (object) per state change, on stderr.
func TestReporters(t *testing.T) {
	eta := time.Now().Add(20*time.Hour + 10*time.Minute)
	ahead := uint64(3)
	pending := Row{
		Withdrawal: protocol.Withdrawal{ID: "12", Protocol: "lido", Owner: alice, Amount: big.NewInt(5e17), Token: protocol.Token{Symbol: "stETH", Decimals: 18}, Status: protocol.StatusPending, ETA: &eta},
		Est:        &protocol.Estimate{ETA: &eta, RequestsAhead: &ahead, AmountAhead: big.NewInt(2e18), Note: "Lido finalized every ~24h lately"},
	}
	claimable := pending
	claimable.Status, claimable.Est, claimable.ETA, claimable.Claimable = protocol.StatusClaimable, nil, nil, big.NewInt(5e17)

	ios, _, errOut := iostreams.Test("")
	now := func() time.Time { return time.Now() }
	lines := newReporter(ios.ErrOut, output.NewStyles(ios), ether, false, false, 12*time.Second, now)
	lines.mode(watch.ModePolling, nil)
	lines.snapshot(nil, []change{{row: pending}}, 7)
	lines.snapshot(nil, []change{{row: claimable, prev: protocol.StatusPending}}, 9)
	got := errOut.String()
	for _, want := range []string{"polling every 12s", "lido #12 pending, ETA ", "(in ~20 h), 3 · 2 stETH ahead", "lido #12 pending → claimable, 0.5 ETH to claim"} {
		if !strings.Contains(got, want) {
			t.Errorf("piped output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n"); n != 3 {
		t.Errorf("%d lines, want 3:\n%s", n, got)
	}

	ios, _, errOut = iostreams.Test("")
	js := newReporter(ios.ErrOut, output.NewStyles(ios), ether, true, false, time.Second, now)
	js.snapshot(nil, []change{{row: pending}}, 7)
	js.snapshot(nil, []change{{row: claimable, prev: protocol.StatusPending}}, 9)
	js.retry(errors.New("RPC unreachable"), 2*time.Second)
	objs := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(objs) != 3 {
		t.Fatalf("JSON events:\n%s", errOut.String())
	}
	for i, want := range []string{
		`"event":"status"`, `"event":"status"`, `"event":"retry"`,
	} {
		if !strings.Contains(objs[i], want) {
			t.Errorf("event %d %s lacks %s", i, objs[i], want)
		}
	}
	for _, want := range []string{`"previous":null`, `"requestsAhead":3`, `"amountAhead":"2000000000000000000"`, `"block":7`} {
		if !strings.Contains(objs[0], want) {
			t.Errorf("first event %s lacks %s", objs[0], want)
		}
	}
	if !strings.Contains(objs[1], `"previous":"pending"`) || !strings.Contains(objs[1], `"claimable":"500000000000000000"`) {
		t.Errorf("second event %s", objs[1])
	}
}

func TestLiveLines(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	st := output.NewStyles(ios)
	var rows []Row
	for i := 1; i <= 12; i++ {
		s := protocol.StatusPending
		if i%4 == 0 {
			s = protocol.StatusClaimable
		}
		rows = append(rows, Row{Withdrawal: protocol.Withdrawal{ID: protocol.RequestID(strconv.Itoa(i)), Protocol: "lido", Amount: big.NewInt(1e18), Token: protocol.Token{Symbol: "stETH", Decimals: 18}, Status: s}})
	}
	lines := liveLines(st, ether, rows, time.Now(), 133*time.Second, "polling every 12s", "", 42, 0)
	if len(lines) != 1+liveRows+1 {
		t.Fatalf("%d lines:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], "9 pending requests of 12") || !strings.Contains(lines[0], "2m13s elapsed") || !strings.Contains(lines[0], "block 42") {
		t.Errorf("header %q", lines[0])
	}
	if !strings.Contains(lines[len(lines)-1], "4 more: 3 pending, 1 claimable, 0 claimed") {
		t.Errorf("summary %q", lines[len(lines)-1])
	}
}
