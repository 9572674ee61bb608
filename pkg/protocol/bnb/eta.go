package bnb

import (
	"context"
	"fmt"
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Estimator implements protocol.Estimating: a request unlocks at its
// unlockTime, fixed when it was made, and is claimable once every earlier
// request to the same validator is too; Withdrawals reports that as
// ClaimableAt, so estimating reads only the latest block's time (AsOf).
func (a *BNB) Estimator() protocol.Estimator { return &estimator{a: a} }

type estimator struct{ a *BNB }

// Estimate implements protocol.Estimator.
func (e *estimator) Estimate(ctx context.Context, ws []protocol.Withdrawal) (map[protocol.RequestID]protocol.Estimate, error) {
	asOf := time.Now().UTC()
	h, err := e.a.b.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("bnb: read the latest block: %w", err)
	}
	if t := time.Unix(int64(h.Time), 0).UTC(); t.After(asOf) {
		asOf = t
	}
	out := map[protocol.RequestID]protocol.Estimate{}
	for _, w := range ws {
		if w.Status != protocol.StatusPending {
			continue
		}
		est := protocol.Estimate{AsOf: asOf}
		if w.ClaimableAt != nil {
			t := *w.ClaimableAt
			est.ETA = &t
			est.Note = "the request's unlock time (undelegation + the StakeHub's unbondPeriod), after any earlier request to the same validator"
		} else {
			est.Note = "the request's unlock time is unknown"
		}
		out[w.ID] = est
	}
	return out, nil
}
