package balance

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
)

// TestBalanceRoundTrips counts the HTTP requests balance makes on the fake
// node (a batch is one): one round trip for the chain-ID check, every
// account's native coin, tokens and rates (packed by Multicall3) and the
// Lido queue's requests through its lens (ids, statuses, hints and
// claimable amounts in one eth_call; 25 owners per call).
//
// On a node that runs no creation code in eth_call, one account's lens
// rides with the id list, statuses and checkpoint hints follow, then the
// claimable amounts, which need the hints (only for accounts that have
// requests). For several accounts the refusal of the lens that reads them
// all costs one round trip before the accounts' id lists.
func TestBalanceRoundTrips(t *testing.T) {
	tests := []struct {
		name     string
		owners   int
		requests bool // Alice has a pending and a claimable request
		noCreate bool // the node refuses the lens
		want     int
	}{
		{"one account", 1, false, false, 1},
		{"100 accounts", 100, false, false, 1},
		{"one account with requests", 1, true, false, 1},
		{"100 accounts, one with requests", 100, true, false, 1},
		{"one account with requests, no lens", 1, true, true, 3},
		{"100 accounts, no lens", 100, false, true, 2},
		{"100 accounts, one with requests, no lens", 100, true, true, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *clitest.Env
			if tt.requests {
				e, _ = setUp(t)
			} else {
				e = clitest.NewFakenetEnv(t)
				installRETH(t, e.Node, clitest.Ether(1))
			}
			args := []string{"--json"}
			for i := range tt.owners {
				a := e.Alice
				if i > 0 {
					a = common.BigToAddress(big.NewInt(int64(0x1000 + i)))
				}
				args = append(args, a.Hex())
			}
			e.Node.SetCreate(!tt.noCreate)
			e.Node.ResetCounters()
			e.RunOK(t, build, args...)
			if got := e.Node.Requests(); got != tt.want {
				t.Errorf("%d round trips, want %d; calls: %s", got, tt.want, strings.Join(e.Node.Calls(), " "))
			}
			n := strings.Count(e.Out.String(), `"address"`)
			if n != tt.owners {
				t.Errorf("%d accounts in the document, want %d", n, tt.owners)
			}
		})
	}
}
