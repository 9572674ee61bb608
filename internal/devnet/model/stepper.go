package model

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
)

// What every model's stepper does the same way. name, where a helper takes
// it, prefixes errors ("sts model").

// Check refuses an env no stepper can work with: no sender, a negative
// bonding period, an APR that is negative or not a number.
func (env StepEnv) Check(name string) error {
	if env.Sender == nil {
		return fmt.Errorf("%s: no sender for the oracle account", name)
	}
	if env.BondingPeriod < 0 {
		return fmt.Errorf("%s: the bonding period must not be negative", name)
	}
	if env.APR < 0 || math.IsNaN(env.APR) || math.IsInf(env.APR, 0) {
		return fmt.Errorf("%s: invalid APR %v", name, env.APR)
	}
	return nil
}

// Log is env.Logger, or a logger that discards when there is none.
func (env StepEnv) Log() *slog.Logger {
	if env.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return env.Logger
}

// Now is the time of the next block after one of time head: on a
// wall-clock node (the devnet, which mines on demand) the later of head and
// the wall clock, otherwise head.
func Now(wallClock bool, head uint64) uint64 {
	if wallClock {
		return max(head, uint64(time.Now().Unix()))
	}
	return head
}

// ABIs loads the ABIs of the model contracts names, in order.
func ABIs(names ...string) ([]*abi.ABI, error) {
	out := make([]*abi.ABI, len(names))
	for i, n := range names {
		a, err := contracts.Load(n)
		if err != nil {
			return nil, err
		}
		out[i] = &a.ABI
	}
	return out, nil
}

// Send sends method(args...) of a to `to` with value (nil: none) as
// sender, and waits for it.
func Send(ctx context.Context, sender *devtx.Sender, name string, to common.Address, value *big.Int, a *abi.ABI, method string, args ...any) error {
	data, err := a.Pack(method, args...)
	if err != nil {
		return fmt.Errorf("%s: encode %s: %w", name, method, err)
	}
	if _, err := sender.Send(ctx, &to, value, data); err != nil {
		return fmt.Errorf("%s: %s: %w", name, method, err)
	}
	return nil
}

// SetOnce reads getter() of a on `to` and, when it is not want, sends
// setter(args...) as sender (a model's admin applying a StepEnv setting
// once); it reports whether it sent.
func SetOnce(ctx context.Context, sender *devtx.Sender, name string, a *abi.ABI, to common.Address, getter string, want *big.Int, setter string, args ...any) (bool, error) {
	have, err := devtx.CallBig(ctx, sender.Client(), a, to, getter)
	if err != nil {
		return false, fmt.Errorf("%s: read %s: %w", name, getter, err)
	}
	if have.Cmp(want) == 0 {
		return false, nil
	}
	return true, Send(ctx, sender, name, to, nil, a, setter, args...)
}

// Due holds the times, fixed when requests were made, at which they become
// claimable and which the chain has not reached yet. On a node that mines
// on demand, a claim simulates against the latest block: once the wall
// clock passes such a time a block must be made.
type Due struct{ times []uint64 }

// Add records a time a request becomes claimable.
func (d *Due) Add(t uint64) { d.times = append(d.times, t) }

// Len is the number of times held.
func (d *Due) Len() int { return len(d.times) }

// Mine forgets the times the latest block (of time head) has reached and,
// when one has passed by now (Now) and the step sent nothing else (sent:
// any transaction makes a block stamped with the wall clock), sends an
// empty transaction from sender to itself. It reports whether it did. Off a
// wall-clock node it forgets everything: time is moved by hand there.
func (d *Due) Mine(ctx context.Context, sender *devtx.Sender, name string, wallClock bool, head, now uint64, sent bool) (bool, error) {
	if !wallClock {
		d.times = nil
		return false, nil
	}
	mine := false
	kept := d.times[:0]
	for _, t := range d.times {
		switch {
		case t <= head:
			// the chain has it claimable already
		case t <= now:
			mine = true
		default:
			kept = append(kept, t)
		}
	}
	d.times = kept
	if !mine || sent {
		return false, nil
	}
	to := sender.From()
	if _, err := sender.Send(ctx, &to, new(big.Int), nil); err != nil {
		return false, fmt.Errorf("%s: mine a block: %w", name, err)
	}
	return true, nil
}
