package protocol

import (
	"context"
	"fmt"
	"math/big"
	"time"
)

// Estimate says where a pending withdrawal request stands in its
// protocol's queue and when it should become claimable. Every field may be
// unknown: a wallet must not present a guess as a fact.
type Estimate struct {
	// RequestsAhead counts the unfinalized requests queued before this one;
	// nil when unknown.
	RequestsAhead *uint64
	// AmountAhead is the amount of the LST (base units) still unfinalized
	// before this request; nil when unknown.
	AmountAhead *big.Int
	// ETA is when the request is expected to become claimable; nil when
	// unknown.
	ETA *time.Time
	// Note says how the ETA was derived, or why it is unknown.
	Note string
	// AsOf is the time the estimate was made at: the later of the wall
	// clock and the chain's latest block, so that "in ~N h" stays right on
	// a chain whose clock runs ahead (a test node moved forward).
	AsOf time.Time
}

// Estimator places pending requests in their queue and estimates when
// they become claimable. The first call may read history; an
// implementation used inside a wait loop keeps what it read, so that later
// calls stay cheap (no per-request reads).
type Estimator interface {
	// Estimate returns an estimate per pending request of ws, keyed by its
	// id; requests that are not pending are left out.
	Estimate(ctx context.Context, ws []Withdrawal) (map[RequestID]Estimate, error)
}

// Estimating is the "eta" capability: each call returns a fresh Estimator
// with its own cache.
type Estimating interface {
	Estimator() Estimator
}

// FixedETA is the Estimator of a protocol whose Withdrawals already give
// each pending request its expected claimable time (fixed when it was
// made, or derived from the chain's cadence): estimating reads only the
// latest block's time, for AsOf.
type FixedETA struct {
	// Name is the adapter's, to prefix errors ("sts").
	Name    string
	Backend Backend
	// ETA picks a request's expected claimable time (w.ClaimableAt or
	// w.ETA); nil when unknown.
	ETA func(w Withdrawal) *time.Time
	// Known says how the ETA was derived; Unknown why a request has none.
	Known, Unknown string
	// ChainTime, when set and it has one, is the chain's latest time as the
	// adapter read it with the requests a moment ago: the latest block is
	// then not read again.
	ChainTime func() (time.Time, bool)
}

// Estimate implements Estimator.
func (e FixedETA) Estimate(ctx context.Context, ws []Withdrawal) (map[RequestID]Estimate, error) {
	asOf := time.Now().UTC()
	chain, ok := time.Time{}, false
	if e.ChainTime != nil {
		chain, ok = e.ChainTime()
	}
	if !ok {
		h, err := e.Backend.HeaderByNumber(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: read the latest block: %w", e.Name, err)
		}
		chain = time.Unix(int64(h.Time), 0)
	}
	if t := chain.UTC(); t.After(asOf) {
		asOf = t
	}
	out := map[RequestID]Estimate{}
	for _, w := range ws {
		if w.Status != StatusPending {
			continue
		}
		est := Estimate{AsOf: asOf, Note: e.Unknown}
		if at := e.ETA(w); at != nil {
			t := *at
			est.ETA, est.Note = &t, e.Known
		}
		out[w.ID] = est
	}
	return out, nil
}
