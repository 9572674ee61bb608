package watch

import (
	"context"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
)

// fakeHeads is a chain whose head moves on every `every`-th block-number
// read (or by hand with advance), with errors queued for the next reads.
type fakeHeads struct {
	mu      sync.Mutex
	head    uint64
	every   int // advance the head on every n-th read; 0 = never
	reads   int
	readErr []error
}

func (f *fakeHeads) BlockNumber(context.Context) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if len(f.readErr) > 0 {
		err := f.readErr[0]
		f.readErr = f.readErr[1:]
		return 0, err
	}
	if f.every > 0 && f.reads%f.every == 0 {
		f.head++
	}
	return f.head, nil
}

func (f *fakeHeads) advance() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.head++
	return f.head
}

// checker records the blocks it was called for and can fail on demand.
type checker struct {
	mu     sync.Mutex
	blocks []uint64
	errs   []error // returned by the next calls, in order
	doneAt uint64  // report done at this block or later; 0 = never
}

func (c *checker) check(_ context.Context, head uint64) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocks = append(c.blocks, head)
	if len(c.errs) > 0 {
		err := c.errs[0]
		c.errs = c.errs[1:]
		return false, err
	}
	return c.doneAt != 0 && head >= c.doneAt, nil
}

func (c *checker) calls() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]uint64(nil), c.blocks...)
}

// successful returns the blocks of the checks that did not fail: the
// budget is one of those per block.
func perBlock(blocks []uint64) map[uint64]int {
	m := map[uint64]int{}
	for _, b := range blocks {
		m[b]++
	}
	return m
}

// Polling much faster than blocks arrive must still check each block once.
func TestPollingChecksOncePerBlock(t *testing.T) {
	tests := []struct {
		name  string
		every int // block-number reads per new block
	}{
		{"a block per read", 1},
		{"five reads per block", 5},
		{"fifty reads per block", 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &fakeHeads{head: 100, every: tt.every}
			c := &checker{doneAt: 110}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := Run(ctx, b, Options{Interval: time.Millisecond, Jitter: -1}, c.check); err != nil {
				t.Fatal(err)
			}
			calls := c.calls()
			for blk, n := range perBlock(calls) {
				if n != 1 {
					t.Errorf("block %d checked %d times", blk, n)
				}
			}
			if got := calls[len(calls)-1]; got != 110 {
				t.Errorf("last check at %d, want 110", got)
			}
			if len(calls) > 11 {
				t.Errorf("%d checks for 11 blocks (%v)", len(calls), calls)
			}
			if b.reads < 10*tt.every {
				t.Errorf("only %d block-number reads", b.reads)
			}
		})
	}
}

var errFlaky = errors.New("503 from the provider")

// Failed checks are retried on the same block with growing delays, and a
// stated minimum delay (Retry-After) is honoured.
func TestCheckErrorsBackOff(t *testing.T) {
	b := &fakeHeads{head: 7} // the head never moves
	c := &checker{errs: []error{errFlaky, errFlaky, errFlaky}, doneAt: 7}
	var delays []time.Duration
	opts := Options{
		Interval:   10 * time.Millisecond,
		Jitter:     -1,
		MaxBackoff: 25 * time.Millisecond,
		MinDelay: func(err error) time.Duration {
			if errors.Is(err, errRateLimited) {
				return 30 * time.Millisecond
			}
			return 0
		},
		OnRetry: func(err error, d time.Duration) { delays = append(delays, d) },
	}
	c.errs = append(c.errs, errRateLimited)
	start := time.Now()
	if err := Run(context.Background(), b, opts, c.check); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 25 * time.Millisecond, 30 * time.Millisecond}
	if len(delays) != len(want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	for i := range want {
		if delays[i] != want[i] {
			t.Errorf("delay %d = %v, want %v", i, delays[i], want[i])
		}
	}
	if calls := c.calls(); len(calls) != 5 {
		t.Errorf("checks %v: want 4 failures and 1 success on block 7", calls)
	}
	if elapsed < 85*time.Millisecond {
		t.Errorf("finished after %v: the backoff was not slept", elapsed)
	}
}

var errRateLimited = errors.New("429 Too Many Requests")

// Block-number failures back off too, and never end the wait.
func TestBlockNumberErrorsAreRetried(t *testing.T) {
	b := &fakeHeads{head: 1, readErr: []error{errFlaky, errFlaky}}
	c := &checker{doneAt: 1}
	retries := 0
	opts := Options{Interval: time.Millisecond, Jitter: -1, OnRetry: func(error, time.Duration) { retries++ }}
	if err := Run(context.Background(), b, opts, c.check); err != nil {
		t.Fatal(err)
	}
	if retries != 2 || len(c.calls()) != 1 {
		t.Errorf("retries %d, checks %v", retries, c.calls())
	}
}

func TestFinalErrorEndsRun(t *testing.T) {
	errFinal := errors.New("no such request")
	b := &fakeHeads{head: 1}
	c := &checker{errs: []error{errFlaky, errFinal}}
	opts := Options{Interval: time.Millisecond, Retryable: func(err error) bool { return !errors.Is(err, errFinal) }}
	if err := Run(context.Background(), b, opts, c.check); !errors.Is(err, errFinal) {
		t.Fatalf("Run = %v, want the final error", err)
	}
}

func TestCancelEndsRun(t *testing.T) {
	b := &fakeHeads{head: 1}
	c := &checker{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := Run(ctx, b, Options{Interval: time.Millisecond}, c.check)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v", err)
	}
	if len(c.calls()) != 1 {
		t.Errorf("checks %v on a chain that never moved", c.calls())
	}
}

// fakeSubChain pushes heads through a subscription.
type fakeSubChain struct {
	fakeHeads
	subErr error // SubscribeNewHead fails with it
	subs   chan *fakeSub
}

type fakeSub struct {
	ch   chan<- *types.Header
	errc chan error
	once sync.Once
}

func (s *fakeSub) Unsubscribe()      { s.once.Do(func() { close(s.errc) }) }
func (s *fakeSub) Err() <-chan error { return s.errc }

func (f *fakeSubChain) SubscribeNewHead(_ context.Context, ch chan<- *types.Header) (ethereum.Subscription, error) {
	if f.subErr != nil {
		return nil, f.subErr
	}
	s := &fakeSub{ch: ch, errc: make(chan error, 1)}
	f.subs <- s
	return s, nil
}

func header(n uint64) *types.Header { return &types.Header{Number: new(big.Int).SetUint64(n)} }

// With a subscription, bursts of heads (repeats included) cost at most one
// check per new block, and the slow safety poll adds none.
func TestSubscriptionChecksOncePerBlock(t *testing.T) {
	f := &fakeSubChain{fakeHeads: fakeHeads{head: 50}, subs: make(chan *fakeSub, 1)}
	c := &checker{doneAt: 60}
	var modes []Mode
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), f, Options{Interval: time.Hour, Subscribe: true, OnMode: func(m Mode, _ error) { modes = append(modes, m) }}, c.check)
	}()
	sub := <-f.subs
	for n := uint64(51); n <= 60; n++ {
		f.advance()
		// A burst: the same head three times and an old one.
		sub.ch <- header(n)
		sub.ch <- header(n)
		sub.ch <- header(n - 1)
		sub.ch <- header(n)
		time.Sleep(2 * time.Millisecond)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not finish")
	}
	for blk, n := range perBlock(c.calls()) {
		if n != 1 {
			t.Errorf("block %d checked %d times", blk, n)
		}
	}
	if len(modes) != 1 || modes[0] != ModeSubscription {
		t.Errorf("modes %v", modes)
	}
}

// A failed subscribe and a dropped subscription both fall back to polling.
func TestSubscriptionFallsBackToPolling(t *testing.T) {
	t.Run("subscribe fails", func(t *testing.T) {
		f := &fakeSubChain{fakeHeads: fakeHeads{head: 1, every: 2}, subErr: errors.New("subscriptions need a ws:// url")}
		c := &checker{doneAt: 4}
		var fallback error
		opts := Options{Interval: time.Millisecond, Subscribe: true, OnMode: func(m Mode, err error) {
			if m == ModePolling {
				fallback = err
			}
		}}
		if err := Run(context.Background(), f, opts, c.check); err != nil {
			t.Fatal(err)
		}
		if fallback == nil {
			t.Error("no fallback reported")
		}
	})
	t.Run("subscription drops", func(t *testing.T) {
		f := &fakeSubChain{fakeHeads: fakeHeads{head: 1}, subs: make(chan *fakeSub, 1)}
		c := &checker{doneAt: 3}
		var modes []Mode
		done := make(chan error, 1)
		go func() {
			opts := Options{Interval: time.Millisecond, Subscribe: true, MaxBackoff: time.Hour, OnMode: func(m Mode, _ error) { modes = append(modes, m) }}
			done <- Run(context.Background(), f, opts, c.check)
		}()
		sub := <-f.subs
		sub.errc <- errors.New("websocket: close 1006")
		time.Sleep(20 * time.Millisecond)
		f.advance()
		f.advance()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("polling did not take over")
		}
		if len(modes) != 2 || modes[0] != ModeSubscription || modes[1] != ModePolling {
			t.Errorf("modes %v", modes)
		}
	})
}

func TestJitter(t *testing.T) {
	tests := []struct {
		d      time.Duration
		f      float64
		lo, hi time.Duration
	}{
		{12 * time.Second, 0.2, 9600 * time.Millisecond, 14400 * time.Millisecond},
		{12 * time.Second, 0, 12 * time.Second, 12 * time.Second},
		{time.Second, 0.5, 500 * time.Millisecond, 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		spread := map[time.Duration]bool{}
		for range 200 {
			got := jitter(tt.d, tt.f)
			if got < tt.lo || got > tt.hi {
				t.Fatalf("jitter(%v, %v) = %v, outside [%v, %v]", tt.d, tt.f, got, tt.lo, tt.hi)
			}
			spread[got] = true
		}
		if tt.f > 0 && len(spread) < 50 {
			t.Errorf("jitter(%v, %v) took only %d values in 200 draws", tt.d, tt.f, len(spread))
		}
	}
}

func TestBackoffGrowsToTheCap(t *testing.T) {
	l := &loop{opts: Options{Interval: time.Second, MaxBackoff: 10 * time.Second, Jitter: -1}.withDefaults()}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := l.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := l.backoff(100); got != 10*time.Second {
		t.Errorf("backoff(100) = %v", got)
	}
}
