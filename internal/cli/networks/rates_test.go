package networks

import (
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

func buildProtocols(f *cmdutil.Factory) *cobra.Command { return NewCmdProtocols(f, nil) }

// TestProtocolsRates: on a reachable network, the protocols that state an
// exchange rate (Rocket Pool on the devnet) show it, read in one round
// trip; offline the list is the same without rates, with a note, exit 0.
func TestProtocolsRates(t *testing.T) {
	rate := new(big.Int).Mul(big.NewInt(105), big.NewInt(1e16)) // 1.05 ETH per rETH
	tests := []struct {
		name    string
		offline bool
	}{{"reachable", false}, {"offline", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			a, err := rocketpool.ABI()
			if err != nil {
				t.Fatal(err)
			}
			e.Node.Handle(rocketpool.DevnetRETH, a, "getExchangeRate", func(*chaintest.Ctx, []any) ([]any, error) {
				return []any{new(big.Int).Set(rate)}, nil
			})
			if tt.offline {
				srv := httptest.NewServer(nil)
				srv.Close()
				t.Setenv("ETH_RPC_URL", srv.URL)
			}
			e.Node.ResetCounters()
			e.RunOK(t, buildProtocols, "--json")
			var res ProtocolsResult
			clitest.DecodeJSON(t, e.Out.String(), &res)
			for _, p := range res.Protocols {
				switch {
				case p.Name == "rocketpool" && !tt.offline:
					if p.Rate == nil || p.Rate.Amount != rate.String() || p.Rate.Network != "devnet" || p.Rate.Token != "rETH" || p.Rate.Symbol != "ETH" {
						t.Errorf("rocketpool rate %+v, want %s ETH per rETH on devnet", p.Rate, rate)
					}
				case p.Rate != nil && (tt.offline || p.Name == "lido"):
					// Lido's stETH is rebasing: 1:1, no rate to state.
					t.Errorf("%s has a rate %+v", p.Name, p.Rate)
				}
			}
			if got := e.Node.Requests(); tt.offline && got != 0 || !tt.offline && got != 1 {
				t.Errorf("%d round trips to the node", got)
			}
			if tt.offline && res.RatesNote == "" {
				t.Error("offline, and no note says why the rates are missing")
			}
			e.RunOK(t, buildProtocols)
			if !tt.offline && !strings.Contains(e.Out.String(), "1 rETH = 1.05 ETH (devnet)") {
				t.Errorf("table lacks the rate:\n%s", e.Out)
			}
		})
	}
}
