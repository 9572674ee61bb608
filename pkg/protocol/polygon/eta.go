package polygon

import (
	"context"
	"fmt"
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Estimator implements protocol.Estimating: a request is claimable at the
// epoch withdrawEpoch + withdrawalDelay(), and epochs advance one per
// checkpoint, so Withdrawals already sets its ETA: the latest
// checkpoint's time plus the remaining checkpoints at the average interval
// of the last five (RootChain headerBlocks). Estimating reads only the
// latest block's time (AsOf).
func (a *Polygon) Estimator() protocol.Estimator { return &estimator{a: a} }

type estimator struct{ a *Polygon }

// Estimate implements protocol.Estimator.
func (e *estimator) Estimate(ctx context.Context, ws []protocol.Withdrawal) (map[protocol.RequestID]protocol.Estimate, error) {
	asOf := time.Now().UTC()
	h, err := e.a.b.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("polygon: read the latest block: %w", err)
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
		if w.ETA != nil {
			t := *w.ETA
			est.ETA = &t
			est.Note = "the remaining checkpoints of the withdrawal delay at the average interval of the last checkpoints; checkpoints can be late"
		} else {
			est.Note = "the checkpoint cadence is unknown: the RootChain has fewer than two checkpoints with time between them"
		}
		out[w.ID] = est
	}
	return out, nil
}
