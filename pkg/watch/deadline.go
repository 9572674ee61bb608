package watch

import (
	"slices"
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// ClaimWindowWarning is how close to the end of its claim window (ClaimBy)
// a claimable request is warned about: a cooldown protocol (sAVAX) gives a
// window of days, and a request left past it expires.
const ClaimWindowWarning = 24 * time.Hour

// ClosingWindows returns the claimable requests of ws whose claim window
// ends within margin of now — including those whose ClaimBy already passed
// by now's clock while the chain still calls them claimable — soonest
// first. Requests without a ClaimBy never close.
func ClosingWindows(ws []protocol.Withdrawal, now time.Time, margin time.Duration) []protocol.Withdrawal {
	var out []protocol.Withdrawal
	for _, w := range ws {
		if w.Status == protocol.StatusClaimable && w.ClaimBy != nil && w.ClaimBy.Sub(now) < margin {
			out = append(out, w)
		}
	}
	slices.SortStableFunc(out, func(a, b protocol.Withdrawal) int { return a.ClaimBy.Compare(*b.ClaimBy) })
	return out
}
