package polygon

import (
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Estimator implements protocol.Estimating: a request is claimable at the
// epoch withdrawEpoch + withdrawalDelay(), and epochs advance one per
// checkpoint, so Withdrawals already sets its ETA: the latest
// checkpoint's time plus the remaining checkpoints at the average interval
// of the last five (RootChain headerBlocks). Estimating reads only the
// latest block's time (AsOf).
func (a *Polygon) Estimator() protocol.Estimator {
	return protocol.FixedETA{
		Name:    "polygon",
		Backend: a.b,
		ETA:     func(w protocol.Withdrawal) *time.Time { return w.ETA },
		Known:   "the remaining checkpoints of the withdrawal delay at the average interval of the last checkpoints; checkpoints can be late",
		Unknown: "the checkpoint cadence is unknown: the RootChain has fewer than two checkpoints with time between them",
	}
}
