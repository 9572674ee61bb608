package watch

import (
	"slices"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// TestClosingWindows is the 24 h warning on times, not timing: which
// claimable requests are within the margin of their ClaimBy.
func TestClosingWindows(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	ws := []protocol.Withdrawal{
		{ID: "far", Status: protocol.StatusClaimable, ClaimBy: at(48 * time.Hour)},
		{ID: "edge", Status: protocol.StatusClaimable, ClaimBy: at(24 * time.Hour)}, // exactly 24 h: not under
		{ID: "under", Status: protocol.StatusClaimable, ClaimBy: at(24*time.Hour - time.Second)},
		{ID: "soon", Status: protocol.StatusClaimable, ClaimBy: at(time.Hour)},
		{ID: "passed", Status: protocol.StatusClaimable, ClaimBy: at(-time.Minute)}, // the clock is past it, the chain not yet
		{ID: "pending", Status: protocol.StatusPending, ClaimBy: at(time.Hour)},
		{ID: "expired", Status: protocol.StatusExpired, ClaimBy: at(-time.Hour)},
		{ID: "claimed", Status: protocol.StatusClaimed, ClaimBy: at(time.Hour)},
		{ID: "no window", Status: protocol.StatusClaimable},
	}
	for _, c := range []struct {
		margin time.Duration
		want   []protocol.RequestID
	}{
		{ClaimWindowWarning, []protocol.RequestID{"passed", "soon", "under"}},
		{time.Hour + time.Second, []protocol.RequestID{"passed", "soon"}},
		{0, []protocol.RequestID{"passed"}},
	} {
		var got []protocol.RequestID
		for _, w := range ClosingWindows(ws, now, c.margin) {
			got = append(got, w.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("margin %s: %v, want %v", c.margin, got, c.want)
		}
	}
}
