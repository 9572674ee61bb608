package bnb

import (
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Estimator implements protocol.Estimating: a request unlocks at its
// unlockTime, fixed when it was made, and is claimable once every earlier
// request to the same validator is too; Withdrawals reports that as
// ClaimableAt, so estimating reads only the latest block's time (AsOf).
func (a *BNB) Estimator() protocol.Estimator {
	return protocol.FixedETA{
		Name:    "bnb",
		Backend: a.b,
		ETA:     func(w protocol.Withdrawal) *time.Time { return w.ClaimableAt },
		Known:   "the request's unlock time (undelegation + the StakeHub's unbondPeriod), after any earlier request to the same validator",
		Unknown: "the request's unlock time is unknown",
	}
}
