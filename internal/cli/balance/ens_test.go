package balance

import (
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/ensfake"
	"github.com/stakewallet/stakewallet/pkg/ens"
)

// TestBalanceOfName: `balance alice.eth` reads the account the name
// resolves to; "address" stays the address, "name" is added only when a
// name was given, and people see both.
func TestBalanceOfName(t *testing.T) {
	e, _ := setUp(t)
	ensfake.Install(e.Node, ens.Registry, ensfake.DevnetResolver).Set("alice.eth", e.Alice)

	type doc struct {
		Address string
		Tokens  []struct{ Amount, Symbol string }
	}
	tests := []struct {
		arg      string
		wantName string // the raw JSON value, "" for no key
	}{
		{"alice.eth", `"alice.eth"`},
		{"ALICE.eth", `"alice.eth"`},
		{e.Alice.Hex(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			e.RunOK(t, build, tt.arg, "--json")
			d, raw := clitest.JSONWithKeys[doc](t, e)
			if d.Address != e.Alice.Hex() || string(raw["name"]) != tt.wantName {
				t.Errorf("address %s name %s, want %s and %q", d.Address, raw["name"], e.Alice.Hex(), tt.wantName)
			}
			if len(d.Tokens) == 0 || d.Tokens[0].Symbol != "stETH" || d.Tokens[0].Amount != e.Lido.StETHBalance(e.Alice).String() {
				t.Errorf("tokens %+v: want Alice's", d.Tokens)
			}
		})
	}

	e.RunOK(t, build, "alice.eth")
	if first := strings.SplitN(e.Out.String(), "\n", 2)[0]; first != "alice.eth (0xf39F…2266) on fakenet (chain ID 1337)" {
		t.Errorf("heading %q", first)
	}
}

// TestBalanceOfNameRefused: a name without an address is exit 2, and a
// name that cannot be normalised reaches no node.
func TestBalanceOfNameRefused(t *testing.T) {
	e, _ := setUp(t)
	ensfake.Install(e.Node, ens.Registry, ensfake.DevnetResolver)
	e.RunFails(t, build, cmdutil.ExitBadInput, "nobody.eth does not resolve to an address on fakenet", "nobody.eth")
	e.Node.ResetCounters()
	e.RunFails(t, build, cmdutil.ExitBadInput, "non-ASCII", "ålice.eth")
	if n := e.Node.Requests(); n != 0 {
		t.Errorf("%d requests to the node for a name refused on sight", n)
	}
}
