package polygon

import (
	"context"
	"slices"
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Estimator implements protocol.Estimating: a request is claimable at the
// epoch withdrawEpoch + withdrawalDelay(), and epochs advance one per
// checkpoint, so Withdrawals already sets its ETA: the latest
// checkpoint's time plus the remaining checkpoints at the average interval
// of the last five (RootChain headerBlocks). Estimating reads nothing: the
// chain's time (AsOf) came with the requests.
func (a *Polygon) Estimator() protocol.Estimator {
	return estimator{protocol.FixedETA{
		Name:    "polygon",
		Backend: a.b,
		ETA:     func(w protocol.Withdrawal) *time.Time { return w.ETA },
		Known:   "the remaining checkpoints of the withdrawal delay at the average interval of the last checkpoints; checkpoints can be late",
		Unknown: "the checkpoint cadence is unknown: the RootChain has fewer than two checkpoints with time between them",
		// Withdrawals read the chain's time with the requests.
		ChainTime: func() (time.Time, bool) {
			n := a.seenNow.Load()
			return time.Unix(int64(n), 0), n != 0
		},
	}}
}

// estimator is FixedETA, without its read of the latest block when no
// request is pending (its estimates are of pending requests only): a
// listing with none takes no round trip after Withdrawals'.
type estimator struct{ protocol.FixedETA }

// Estimate implements protocol.Estimator.
func (e estimator) Estimate(ctx context.Context, ws []protocol.Withdrawal) (map[protocol.RequestID]protocol.Estimate, error) {
	if !slices.ContainsFunc(ws, func(w protocol.Withdrawal) bool { return w.Status == protocol.StatusPending }) {
		return map[protocol.RequestID]protocol.Estimate{}, nil
	}
	return e.FixedETA.Estimate(ctx, ws)
}
