package balance

import (
	"math/big"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

func build(f *cmdutil.Factory) *cobra.Command { return NewCmdBalance(f, nil) }

// fixture gives Alice stETH, wstETH, one claimable and one pending
// withdrawal request on the fake node (share rate 1: no rewards, so a
// claim pays what was requested), and rETH at 1.1 ETH per rETH.
type fixture struct {
	stETH, wstETH, pending, claimable *big.Int
	rETH, rate                        *big.Int
}

func setUp(t *testing.T) (*clitest.Env, fixture) {
	e := clitest.NewFakenetEnv(t)
	fx := fixture{
		stETH:     clitest.Ether(2),
		wstETH:    new(big.Int).Div(clitest.Ether(3), big.NewInt(2)),
		claimable: new(big.Int).Div(clitest.Ether(1), big.NewInt(4)),
		pending:   new(big.Int).Div(clitest.Ether(1), big.NewInt(2)),
		rETH:      clitest.Tenths(8),
		rate:      clitest.Tenths(11),
	}
	installRETH(t, e.Node, fx.rate).set(e.Alice, fx.rETH)
	e.Lido.Mint(e.Alice, fx.stETH)
	e.Lido.MintWstETH(e.Alice, fx.wstETH)
	// Finalizing finalizes every request up to the id: the claimable one
	// goes first.
	e.Lido.AddRequest(e.Alice, fx.claimable, true)
	e.Lido.AddRequest(e.Alice, fx.pending, false)
	return e, fx
}

// TestBalanceJSON: the document has today's keys, and its amounts are the
// node's: native balance, each Lido token, and the withdrawal sums.
func TestBalanceJSON(t *testing.T) {
	e, fx := setUp(t)
	tests := []struct {
		name string
		args []string
		// owner's expected balances
		owner                    func() string
		native, stETH, wstETH    *big.Int
		rETH                     *big.Int
		pendingN, claimableN     int
		pendingSum, claimableSum *big.Int
	}{
		{
			name: "the signer's account", args: []string{"--json"}, owner: e.Alice.Hex,
			native: e.Node.Balance(e.Alice), stETH: e.Lido.StETHBalance(e.Alice), wstETH: fx.wstETH, rETH: fx.rETH,
			pendingN: 1, pendingSum: fx.pending, claimableN: 1, claimableSum: fx.claimable,
		},
		{
			name: "another address", args: []string{e.Bob.Hex(), "--json"}, owner: e.Bob.Hex,
			native: new(big.Int), stETH: new(big.Int), wstETH: new(big.Int), rETH: new(big.Int),
			pendingSum: new(big.Int), claimableSum: new(big.Int),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.RunOK(t, build, tt.args...)
			var doc struct {
				Address string `json:"address"`
				Network string `json:"network"`
				ChainID uint64 `json:"chainId"`
				Native  struct {
					Amount   string `json:"amount"`
					Symbol   string `json:"symbol"`
					Decimals int    `json:"decimals"`
				} `json:"native"`
				Tokens []struct {
					Amount, Symbol, Token, Protocol string
					Decimals                        int
					Rate, Value                     *struct {
						Amount, Symbol string
						Decimals       int
					}
				} `json:"tokens"`
				Withdrawals struct {
					Pending struct {
						Count  int    `json:"count"`
						Amount string `json:"amount"`
					} `json:"pending"`
					Claimable struct {
						Count    int    `json:"count"`
						Amount   string `json:"amount"`
						Symbol   string `json:"symbol"`
						Decimals int    `json:"decimals"`
					} `json:"claimable"`
				} `json:"withdrawals"`
			}
			e.JSON(t, &doc)
			if doc.Address != tt.owner() || doc.Network != clitest.Fakenet || doc.ChainID != 1337 {
				t.Errorf("address %s network %s chain %d", doc.Address, doc.Network, doc.ChainID)
			}
			if doc.Native.Amount != tt.native.String() || doc.Native.Symbol != "ETH" || doc.Native.Decimals != 18 {
				t.Errorf("native %+v, want %s ETH/18", doc.Native, tt.native)
			}
			want := map[string]string{"stETH": tt.stETH.String(), "wstETH": tt.wstETH.String(), "rETH": tt.rETH.String()}
			protocolOf := map[string]string{"stETH": "lido", "wstETH": "lido", "rETH": "rocketpool"}
			if len(doc.Tokens) != len(want) {
				t.Fatalf("tokens %+v", doc.Tokens)
			}
			for _, tok := range doc.Tokens {
				if tok.Amount != want[tok.Symbol] || tok.Protocol != protocolOf[tok.Symbol] || tok.Decimals != 18 || !strings.HasPrefix(tok.Token, "0x") {
					t.Errorf("token %+v, want amount %s", tok, want[tok.Symbol])
				}
				if tok.Symbol != "rETH" {
					if tok.Rate != nil || tok.Value != nil {
						t.Errorf("%s has a rate: %+v %+v", tok.Symbol, tok.Rate, tok.Value)
					}
					continue
				}
				// Rocket Pool states a rate: value = amount × rate / 10^18.
				value := new(big.Int).Mul(tt.rETH, fx.rate)
				value.Quo(value, clitest.Ether(1))
				if tok.Rate == nil || tok.Rate.Amount != fx.rate.String() || tok.Rate.Symbol != "ETH" ||
					tok.Value == nil || tok.Value.Amount != value.String() || tok.Value.Decimals != 18 {
					t.Errorf("rETH rate %+v value %+v, want %s and %s", tok.Rate, tok.Value, fx.rate, value)
				}
			}
			w := doc.Withdrawals
			if w.Pending.Count != tt.pendingN || w.Pending.Amount != tt.pendingSum.String() {
				t.Errorf("pending %+v, want %d / %s", w.Pending, tt.pendingN, tt.pendingSum)
			}
			if w.Claimable.Count != tt.claimableN || w.Claimable.Amount != tt.claimableSum.String() || w.Claimable.Symbol != "ETH" || w.Claimable.Decimals != 18 {
				t.Errorf("claimable %+v, want %d / %s ETH", w.Claimable, tt.claimableN, tt.claimableSum)
			}
			e.AssertNothingSent(t)
		})
	}
}

// TestBalanceHuman: one row per coin and token, amounts in whole coins,
// the withdrawal sums with their units.
func TestBalanceHuman(t *testing.T) {
	e, _ := setUp(t)
	e.RunOK(t, build)
	out := e.Out.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], e.Alice.Hex()+" on fakenet (chain ID 1337)") {
		t.Errorf("heading %q", lines[0])
	}
	for _, want := range [][]string{
		{"ETH", "100"},
		{"stETH", "2"},
		{"wstETH", "1.5"},
		{"rETH", "0.8", "(≈", "0.88", "ETH", "at", "1.1", "ETH", "each)"},
		{"pending", "withdrawals", "1", "(0.5", "stETH)"},
		{"claimable", "1", "(0.25", "ETH)"},
	} {
		if !hasRow(lines, want) {
			t.Errorf("no row %q in:\n%s", strings.Join(want, " "), out)
		}
	}
}

// TestBalanceErrors: bad input is exit 2 and reads nothing from the node.
func TestBalanceErrors(t *testing.T) {
	e, _ := setUp(t)
	e.Node.ResetCounters()
	if code := e.Run(build, "0x1234"); code != cmdutil.ExitBadInput {
		t.Errorf("a short address: exit %d, want 2", code)
	}
	if n := e.Node.Requests(); n != 0 {
		t.Errorf("%d requests to the node after bad input", n)
	}
}

// hasRow reports whether a line's fields are exactly want.
func hasRow(lines []string, want []string) bool {
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != len(want) {
			continue
		}
		same := true
		for i := range f {
			same = same && f[i] == want[i]
		}
		if same {
			return true
		}
	}
	return false
}

// TestBalanceMany: several accounts give one document with a Result per
// account, in the order given, and one block per account for people.
func TestBalanceMany(t *testing.T) {
	e, fx := setUp(t)
	e.RunOK(t, build, e.Bob.Hex(), e.Alice.Hex(), "--json")
	var doc struct {
		Balances []struct {
			Address string `json:"address"`
			Tokens  []struct{ Symbol, Amount string }
		} `json:"balances"`
	}
	e.JSON(t, &doc)
	if len(doc.Balances) != 2 || doc.Balances[0].Address != e.Bob.Hex() || doc.Balances[1].Address != e.Alice.Hex() {
		t.Fatalf("balances %+v", doc.Balances)
	}
	for _, tok := range doc.Balances[1].Tokens {
		if tok.Symbol == "rETH" && tok.Amount != fx.rETH.String() {
			t.Errorf("Alice's rETH %s, want %s", tok.Amount, fx.rETH)
		}
	}
	e.RunOK(t, build, e.Bob.Hex(), e.Alice.Hex())
	blocks := strings.Split(strings.TrimSpace(e.Out.String()), "\n\n")
	if len(blocks) != 2 || !strings.HasPrefix(blocks[0], e.Bob.Hex()+" on fakenet") || !strings.HasPrefix(blocks[1], e.Alice.Hex()+" on fakenet") {
		t.Errorf("human output:\n%s", e.Out)
	}
}
