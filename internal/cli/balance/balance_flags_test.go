package balance

import (
	"slices"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdBalance: the ADDRESS arguments (none, one or many) and --json
// reach the options; balance only reads, so transaction flags are usage
// errors before anything runs.
func TestNewCmdBalance(t *testing.T) {
	const addr = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	const other = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
	clitest.RunFlagCases(t, NewCmdBalance, []clitest.FlagCase[BalanceOptions]{
		{Name: "signer's account", Args: nil, Want: BalanceOptions{}},
		{Name: "address", Args: []string{addr}, Want: BalanceOptions{Owners: []string{addr}}},
		{Name: "json", Args: []string{addr, "--json"}, Want: BalanceOptions{Owners: []string{addr}, JSON: true}},
		{Name: "two addresses", Args: []string{addr, other}, Want: BalanceOptions{Owners: []string{addr, other}}},
		{Name: "too many addresses", Args: slices.Repeat([]string{addr}, maxOwners+1), WantCode: cmdutil.ExitBadInput},
		{Name: "--nonce is a sending flag", Args: []string{"--nonce", "3"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--yes is a sending flag", Args: []string{"--yes"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--dry-run is a sending flag", Args: []string{"--dry-run"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--timeout is a sending flag", Args: []string{"--timeout", "1m"}, WantCode: cmdutil.ExitBadInput},
		{Name: "unknown flag", Args: []string{"--owner", addr}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *BalanceOptions) {
		if !slices.Equal(got.Owners, want.Owners) || got.JSON != want.JSON {
			t.Errorf("options = {Owners:%q JSON:%v}, want {Owners:%q JSON:%v}", got.Owners, got.JSON, want.Owners, want.JSON)
		}
	})
}
