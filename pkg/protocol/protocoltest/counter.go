package protocoltest

import (
	"context"
	"errors"
	"math/big"
	"sync/atomic"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Counter wraps the backend an adapter is built with and counts the round
// trips the adapter makes through it (a batch of reads is one), for
// Harness.Reads: build the adapter on NewCounter(b) and pass its Reads.
// It batches (protocol.BatchBackend) when b does, and otherwise serves a
// batch one read at a time, counting each.
type Counter struct {
	b protocol.Backend
	n atomic.Int64
}

var _ protocol.BatchBackend = (*Counter)(nil)

// NewCounter counts the round trips made through b.
func NewCounter(b protocol.Backend) *Counter { return &Counter{b: b} }

// Reads is the number of round trips so far.
func (c *Counter) Reads() int { return int(c.n.Load()) }

// CallContract implements protocol.Backend.
func (c *Counter) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	c.n.Add(1)
	return c.b.CallContract(ctx, msg, block)
}

// BatchCallContract implements protocol.BatchBackend.
func (c *Counter) BatchCallContract(ctx context.Context, msgs []ethereum.CallMsg, block *big.Int) ([][]byte, []error) {
	if bb, ok := c.b.(protocol.BatchBackend); ok {
		c.n.Add(1)
		return bb.BatchCallContract(ctx, msgs, block)
	}
	results, errs := make([][]byte, len(msgs)), make([]error, len(msgs))
	for i, m := range msgs {
		results[i], errs[i] = c.CallContract(ctx, m, block)
	}
	return results, errs
}

// FilterLogs implements protocol.Backend.
func (c *Counter) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	c.n.Add(1)
	return c.b.FilterLogs(ctx, q)
}

// HeaderByNumber implements protocol.Backend.
func (c *Counter) HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error) {
	c.n.Add(1)
	return c.b.HeaderByNumber(ctx, number)
}

// NoCreation is a node that runs no creation code in eth_call (a call with
// no `to`, as some providers refuse them), its other reads counted by the
// Counter: an adapter on it reads without its lens (protocol.Lens).
// Refused counts the calls it refused.
type NoCreation struct {
	*Counter
	Refused atomic.Int64
}

var _ protocol.BatchBackend = (*NoCreation)(nil)

// ErrNoCreation is NoCreation's answer to a call with no `to`.
var ErrNoCreation = errors.New("this node runs no creation code in eth_call")

// NewNoCreation wraps c.
func NewNoCreation(c *Counter) *NoCreation { return &NoCreation{Counter: c} }

// CallContract implements protocol.Backend.
func (r *NoCreation) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if msg.To == nil {
		r.Refused.Add(1)
		return nil, ErrNoCreation
	}
	return r.Counter.CallContract(ctx, msg, block)
}

// BatchCallContract implements protocol.BatchBackend: the calls with no
// `to` refused, the others in one round trip.
func (r *NoCreation) BatchCallContract(ctx context.Context, msgs []ethereum.CallMsg, block *big.Int) ([][]byte, []error) {
	rets, errs := make([][]byte, len(msgs)), make([]error, len(msgs))
	var fwd []ethereum.CallMsg
	var at []int
	for i, m := range msgs {
		if m.To == nil {
			r.Refused.Add(1)
			errs[i] = ErrNoCreation
			continue
		}
		fwd = append(fwd, m)
		at = append(at, i)
	}
	if len(fwd) > 0 {
		r2, e2 := r.Counter.BatchCallContract(ctx, fwd, block)
		for k, i := range at {
			rets[i], errs[i] = r2[k], e2[k]
		}
	}
	return rets, errs
}
