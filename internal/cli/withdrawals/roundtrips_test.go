package withdrawals

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
)

// TestWithdrawalsRoundTrips counts the HTTP requests `withdrawals` makes on
// the fake node (a batch is one) for an owner with many requests: the
// chain-ID check and the Lido queue's lens (the owner's ids, statuses,
// checkpoint hints and claimable amounts in one eth_call, up to 250
// requests) share the first round trip; the other pages of 250 the second.
// Pending requests add the ETA model's reads: the finalization events and
// the statuses ahead, two more round trips however many requests (the
// latest block and the queue's state came with the lens).
//
// Where the node runs no creation code in eth_call, the lens's refusal
// comes back with the reads that follow it: the id list (with the first
// round trip), the statuses and checkpoint hints of every id, then the
// claimable amounts, which need the hints, only when some are finalized.
func TestWithdrawalsRoundTrips(t *testing.T) {
	tests := []struct {
		name               string
		claimable, pending int
		noCreate           bool
		want               int
	}{
		{"no requests", 0, 0, false, 1},
		{"one claimable", 1, 0, false, 1},
		{"1000 claimable", 1000, 0, false, 2},
		{"1000 pending", 0, 1000, false, 4},
		{"500 claimable, 500 pending", 500, 500, false, 4},
		{"one claimable, no lens", 1, 0, true, 3},
		{"1000 claimable, no lens", 1000, 0, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewFakenetEnv(t)
			amount := big.NewInt(1e17)
			for i := range tt.claimable + tt.pending {
				// Finalizing finalizes every request up to the id.
				e.Lido.AddRequest(e.Alice, amount, i == tt.claimable-1)
			}
			e.Node.SetCreate(!tt.noCreate)
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
