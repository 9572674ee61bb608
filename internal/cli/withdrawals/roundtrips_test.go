package withdrawals

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
)

// TestWithdrawalsRoundTrips counts the HTTP requests `withdrawals` makes on
// the fake node (a batch is one) for an owner with many requests: the
// chain-ID check and the owner's id list share the first round trip; the
// statuses and checkpoint hints of every id the second; the claimable
// amounts, which need the hints, the third, only when some are finalized.
// Pending requests add the ETA model's reads (the latest block, the queue's
// state in one batch, the finalization events, the statuses ahead): four
// more round trips, however many requests.
func TestWithdrawalsRoundTrips(t *testing.T) {
	tests := []struct {
		name               string
		claimable, pending int
		want               int
	}{
		{"no requests", 0, 0, 1},
		{"one claimable", 1, 0, 3},
		{"1000 claimable", 1000, 0, 3},
		{"1000 pending", 0, 1000, 6},
		{"500 claimable, 500 pending", 500, 500, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewFakenetEnv(t)
			amount := big.NewInt(1e17)
			for i := range tt.claimable + tt.pending {
				// Finalizing finalizes every request up to the id.
				e.Lido.AddRequest(e.Alice, amount, i == tt.claimable-1)
			}
			e.Node.ResetCounters()
			e.RunOK(t, buildList, "--json", "--protocol", "lido")
			var doc struct{ Withdrawals []RequestDoc }
			e.JSON(t, &doc)
			if len(doc.Withdrawals) != tt.claimable+tt.pending {
				t.Fatalf("%d requests listed, want %d", len(doc.Withdrawals), tt.claimable+tt.pending)
			}
			claimable := 0
			for _, w := range doc.Withdrawals {
				if w.Status == "claimable" && w.Claimable != nil && *w.Claimable == amount.String() {
					claimable++
				}
			}
			if claimable != tt.claimable {
				t.Errorf("%d claimable with their amount, want %d", claimable, tt.claimable)
			}
			calls := e.Node.Calls()
			if got := e.Node.Requests(); got != tt.want {
				t.Errorf("%d round trips, want %d; %d calls: %s", got, tt.want, len(calls), strings.Join(calls, " "))
			}
		})
	}
}
