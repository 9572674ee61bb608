// Package watch runs a check once per new block until it reports done: the
// loop behind `stakewallet withdrawals wait`. It follows new heads by
// subscription when the backend can push them (a ws:// endpoint) and
// otherwise polls the block number at an interval with jitter. Either way
// the check — the expensive status read — runs at most once per new block,
// however many requests it covers and however often the loop wakes up.
// Failures back off exponentially and never end the loop unless the caller
// says an error is final, because a wait can last days and RPC providers
// have bad minutes.
package watch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
)

// Defaults of Options.
const (
	DefaultInterval    = 12 * time.Second // one Ethereum slot
	DefaultJitter      = 0.2
	DefaultMaxBackoff  = 5 * time.Minute
	DefaultCallTimeout = time.Minute
	// safetyPollFactor × Interval (at least minSafetyPoll) is how often the
	// block number is still polled while a subscription is up: a
	// subscription can stall without an error, and a wait must not hang on it.
	safetyPollFactor = 5
	minSafetyPoll    = time.Minute
)

// Heads tells the loop the latest block number. *chain.Client satisfies it.
type Heads interface {
	BlockNumber(ctx context.Context) (uint64, error)
}

// Subscriber is implemented by backends that push new heads.
// *chain.Client satisfies it and returns an error without a ws endpoint,
// in which case the loop polls.
type Subscriber interface {
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error)
}

// Check looks at the state as of block head (or later) and reports whether
// the wait is over. An error is retried with backoff unless
// Options.Retryable says it is final.
type Check func(ctx context.Context, head uint64) (done bool, err error)

// Mode is how the loop learns about new blocks.
type Mode string

const (
	ModePolling      Mode = "polling"
	ModeSubscription Mode = "subscription"
)

// Options tune Run. The zero value polls every 12 s ± 20%.
type Options struct {
	// Interval is the polling period over HTTP, and the base of the backoff.
	Interval time.Duration
	// Jitter spreads each delay by ± this fraction, so that many wallets
	// started by the same cron minute do not poll a provider in lockstep.
	// Negative disables jitter.
	Jitter float64
	// MaxBackoff caps the delay after consecutive failures.
	MaxBackoff time.Duration
	// CallTimeout bounds each block-number read.
	CallTimeout time.Duration
	// Subscribe makes the loop follow new heads by subscription when the
	// backend implements Subscriber (and polls when subscribing fails).
	Subscribe bool
	// Retryable reports whether an error of the check or of the block-number
	// read is worth retrying; nil retries everything but the end of ctx.
	Retryable func(error) bool
	// MinDelay is the least delay an error demands before the next attempt
	// (a rate limit the server stated); nil means none.
	MinDelay func(error) time.Duration
	// OnRetry is told about each failed attempt and the delay before the next.
	OnRetry func(err error, delay time.Duration)
	// OnMode is told how new blocks are followed: at the start, and when a
	// subscription fails (err says why) and the loop falls back to polling.
	OnMode func(m Mode, err error)
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Jitter == 0 {
		o.Jitter = DefaultJitter
	}
	if o.Jitter < 0 {
		o.Jitter = 0
	}
	o.Jitter = min(o.Jitter, 0.9)
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	o.MaxBackoff = max(o.MaxBackoff, o.Interval)
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	return o
}

// Run calls check for the current block at once and then at most once per
// new block, until check reports done (Run returns nil), ctx ends (Run
// returns ctx.Err()) or an error is not retryable (Run returns it).
func Run(ctx context.Context, b Heads, opts Options, check Check) error {
	l := &loop{b: b, opts: opts.withDefaults(), check: check}
	return l.run(ctx)
}

type loop struct {
	b     Heads
	opts  Options
	check Check

	checked  bool   // a check succeeded at least once
	last     uint64 // block of the last successful check
	seen     uint64 // highest block number heard of
	failures int    // consecutive failed attempts
	retry    bool   // the last check failed: try the same block again

	sub     ethereum.Subscription
	heads   chan *types.Header
	resubAt time.Time // when to try subscribing again after a failure
}

func (l *loop) run(ctx context.Context) error {
	defer l.unsubscribe()
	_, canSubscribe := l.b.(Subscriber)
	canSubscribe = canSubscribe && l.opts.Subscribe
	if canSubscribe {
		l.subscribe(ctx)
	} else {
		l.mode(ModePolling, nil)
	}
	timer := time.NewTimer(0) // the first look is immediate
	defer timer.Stop()
	for {
		var subErr <-chan error
		if l.sub != nil {
			subErr = l.sub.Err()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()

		case h := <-l.heads:
			l.hear(h)
			// Coalesce a burst: only the newest head matters.
			for drained := false; !drained; {
				select {
				case h := <-l.heads:
					l.hear(h)
				default:
					drained = true
				}
			}
			if l.failures > 0 || (l.checked && l.seen <= l.last) {
				// Backing off: the timer decides when to try again.
				continue
			}
			done, err := l.runCheck(ctx, l.seen)
			if done {
				return nil
			}
			if err != nil {
				if err := l.fail(ctx, err, timer); err != nil {
					return err
				}
				continue
			}
			resetTimer(timer, l.idleDelay())

		case err := <-subErr:
			l.unsubscribe()
			l.resubAt = time.Now().Add(l.opts.MaxBackoff)
			l.mode(ModePolling, fmt.Errorf("subscription ended: %w", err))
			resetTimer(timer, 0)

		case <-timer.C:
			if canSubscribe && l.sub == nil && !time.Now().Before(l.resubAt) {
				l.subscribe(ctx)
			}
			done, err := l.poll(ctx)
			if done {
				return nil
			}
			if err != nil {
				if err := l.fail(ctx, err, timer); err != nil {
					return err
				}
				continue
			}
			l.failures = 0
			resetTimer(timer, l.idleDelay())
		}
	}
}

// poll reads the block number and checks if it is new (or if the last
// check failed, in which case the same block is tried again).
func (l *loop) poll(ctx context.Context) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, l.opts.CallTimeout)
	head, err := l.b.BlockNumber(cctx)
	cancel()
	if err != nil {
		return false, fmt.Errorf("read the block number: %w", err)
	}
	l.seen = max(l.seen, head)
	if l.checked && head <= l.last && !l.retry {
		return false, nil // no new block: no status call
	}
	return l.runCheck(ctx, max(head, l.seen))
}

func (l *loop) runCheck(ctx context.Context, head uint64) (bool, error) {
	done, err := l.check(ctx, head)
	if err != nil {
		l.retry = true
		return false, err
	}
	l.checked, l.last, l.failures, l.retry = true, head, 0, false
	return done, nil
}

func (l *loop) hear(h *types.Header) {
	if h != nil && h.Number != nil && h.Number.IsUint64() {
		l.seen = max(l.seen, h.Number.Uint64())
	}
}

// fail decides whether err ends the loop and otherwise arms the timer for
// the retry.
func (l *loop) fail(ctx context.Context, err error, timer *time.Timer) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.Canceled) || (l.opts.Retryable != nil && !l.opts.Retryable(err)) {
		return err
	}
	l.failures++
	d := l.backoff(l.failures)
	if l.opts.MinDelay != nil {
		d = max(d, l.opts.MinDelay(err))
	}
	if l.opts.OnRetry != nil {
		l.opts.OnRetry(err, d)
	}
	resetTimer(timer, d)
	return nil
}

// backoff is Interval·2^(n-1), capped at MaxBackoff, with jitter.
func (l *loop) backoff(n int) time.Duration {
	d := l.opts.Interval << min(n-1, 30)
	if d <= 0 || d > l.opts.MaxBackoff {
		d = l.opts.MaxBackoff
	}
	return jitter(d, l.opts.Jitter)
}

// idleDelay is the wait before the next block-number read: the interval
// when polling, a slow safety poll while subscribed.
func (l *loop) idleDelay() time.Duration {
	if l.sub != nil {
		return jitter(max(l.opts.Interval*safetyPollFactor, minSafetyPoll), l.opts.Jitter)
	}
	return jitter(l.opts.Interval, l.opts.Jitter)
}

func (l *loop) subscribe(ctx context.Context) {
	s := l.b.(Subscriber)
	heads := make(chan *types.Header, 16)
	cctx, cancel := context.WithTimeout(ctx, l.opts.CallTimeout)
	sub, err := s.SubscribeNewHead(cctx, heads)
	cancel()
	if err != nil {
		l.resubAt = time.Now().Add(l.opts.MaxBackoff)
		l.mode(ModePolling, err)
		return
	}
	l.sub, l.heads = sub, heads
	l.mode(ModeSubscription, nil)
}

func (l *loop) unsubscribe() {
	if l.sub != nil {
		l.sub.Unsubscribe()
		l.sub = nil
	}
	// A nil channel blocks forever in select: no more heads from it.
	l.heads = nil
}

func (l *loop) mode(m Mode, err error) {
	if l.opts.OnMode != nil {
		l.opts.OnMode(m, err)
	}
}

// jitter spreads d uniformly over d·(1 ± f).
func jitter(d time.Duration, f float64) time.Duration {
	if f <= 0 || d <= 0 {
		return d
	}
	return time.Duration(float64(d) * (1 + f*(2*rand.Float64()-1)))
}

func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	select {
	case <-t.C:
	default:
	}
	t.Reset(d)
}
