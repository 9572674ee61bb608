package withdrawals

import (
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/ensfake"
	"github.com/stakewallet/stakewallet/pkg/ens"
)

// TestWithdrawalsOwnerName: --owner alice.eth lists the requests of the
// account the name resolves to (with no signer selected, so that the
// signer's account cannot stand in for it); the document adds owner and
// ownerName only when a name was given, and wait takes the name too.
func TestWithdrawalsOwnerName(t *testing.T) {
	e, fx := setUpList(t)
	ensfake.Install(e.Node, ens.Registry, ensfake.DevnetResolver).Set("alice.eth", e.Alice)
	t.Setenv("STAKEWALLET_SIGNER", "")

	type doc struct {
		Withdrawals []struct{ ID, Owner string }
	}
	tests := []struct {
		owner               string
		wantOwner, wantName string // raw JSON values, "" for no key
	}{
		{"alice.eth", `"` + e.Alice.Hex() + `"`, `"alice.eth"`},
		{e.Alice.Hex(), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			e.RunOK(t, buildList, "--owner", tt.owner, "--json")
			d, raw := clitest.JSONWithKeys[doc](t, e)
			if string(raw["owner"]) != tt.wantOwner || string(raw["ownerName"]) != tt.wantName {
				t.Errorf("owner %s ownerName %s, want %s %s", raw["owner"], raw["ownerName"], tt.wantOwner, tt.wantName)
			}
			if len(d.Withdrawals) != 2 || d.Withdrawals[0].Owner != e.Alice.Hex() {
				t.Errorf("withdrawals %+v, want Alice's %d and %d", d.Withdrawals, fx.claimableID, fx.pendingID)
			}
		})
	}

	e.RunOK(t, buildList, "--owner", "alice.eth")
	if first := strings.SplitN(e.Out.String(), "\n", 2)[0]; first != "Withdrawal requests of alice.eth (0xf39F…2266)" {
		t.Errorf("heading %q", first)
	}
	e.RunFails(t, buildList, cmdutil.ExitBadInput, "bob.eth does not resolve to an address on fakenet", "--owner", "bob.eth")
	e.RunFails(t, buildList, cmdutil.ExitBadInput, "bob.eth does not resolve to an address on fakenet", "wait", "--owner", "bob.eth", "--timeout", "1s")
}
