package restake

import (
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/lidofake"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// underlying plays a protocol that stakes an ERC-20 (Polygon's POL) on top
// of the fake Lido: its RoleUnderlying token is the fake stETH contract, so
// the balance restake caps by is a real balanceOf on the node.
type underlying struct {
	protocol.Protocol
	protocol.Requests
}

func (u underlying) Tokens() protocol.Tokens {
	pol := protocol.Token{Symbol: "POL", Decimals: 18, Address: lidofake.DevnetAddresses().StETH, Role: protocol.RoleUnderlying}
	return append(protocol.Tokens{pol}, u.Protocol.Tokens()...)
}

// TestRestakeUnderlyingToken: with a RoleUnderlying token (POL) the amount
// is the claimed proceeds minus --keep (in POL), capped by the POL balance
// with no gas reserve (gas is paid in the native coin); a native protocol
// still stakes the proceeds minus --keep, in the native coin.
func TestRestakeUnderlyingToken(t *testing.T) {
	tests := []struct {
		name       string
		underlying bool
		balance    string // the token's balance before the run ("" = native protocol)
		symbol     string
		staked     string
		whyHas     string
	}{
		{"POL, the balance covers the proceeds", true, "10", "POL", "1.5", "claimed 2 POL from 1 request; staked the proceeds of 2 POL minus --keep 0.5 POL"},
		{"POL, capped by the POL balance, no gas reserve", true, "1.2", "POL", "0.7", "staked 0.7 POL of 1.5 POL proceeds"},
		{"native coin unchanged", false, "", "ETH", "1.5", "claimed 2 ETH from 1 request; staked the proceeds of 2 ETH minus --keep 0.5 ETH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Lido.AddRequest(e.Alice, wei(t, "2"), true)
			if tt.underlying {
				// Alice holds exactly tt.balance of the token.
				if have := e.Lido.StETHBalance(e.Alice); have.Sign() > 0 {
					t.Fatalf("Alice starts with %s stETH; the case needs a known balance", have)
				}
				e.Lido.Mint(e.Alice, wei(t, tt.balance))
				withProtocol(e, func(p protocol.Protocol) protocol.Protocol {
					return underlying{Protocol: p, Requests: p.(protocol.Requests)}
				})
			}
			e.RunOK(t, restakeCmd, "--keep", "0.5", "--yes", "--json")
			doc := decodeDoc(t, e)
			if doc.Symbol != tt.symbol || doc.Keep != wei(t, "0.5").String() {
				t.Errorf("symbol %q keep %s, want %s and 0.5", doc.Symbol, doc.Keep, tt.symbol)
			}
			if doc.Staked == nil || doc.Staked.Amount != wei(t, tt.staked).String() {
				t.Errorf("staked %+v, want %s %s (%s)", doc.Staked, tt.staked, tt.symbol, doc.Message)
			}
			if !strings.Contains(doc.Message, tt.whyHas) {
				t.Errorf("message %q, want it to say %q", doc.Message, tt.whyHas)
			}
			if sent := e.Node.Sent(); len(sent) != 2 {
				t.Errorf("node got %d transactions, want claim and stake: %v", len(sent), toList(sent))
			}
		})
	}
}
