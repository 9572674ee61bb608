package balance

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
)

// TestBalanceRoundTrips counts the HTTP requests balance makes on the fake
// node (a batch is one): one round trip for the chain-ID check and every
// account's native coin, tokens, rates and withdrawal-request list (packed
// by Multicall3), then, only for accounts that have requests, the Lido
// queue's dependent reads: statuses and checkpoint hints, then the
// claimable amounts, which need the hints.
func TestBalanceRoundTrips(t *testing.T) {
	tests := []struct {
		name     string
		owners   int
		requests bool // Alice has a pending and a claimable request
		want     int
	}{
		{"one account", 1, false, 1},
		{"100 accounts", 100, false, 1},
		{"one account with requests", 1, true, 3},
		{"100 accounts, one with requests", 100, true, 3},
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
