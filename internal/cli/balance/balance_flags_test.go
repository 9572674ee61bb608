package balance

import (
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdBalance: the optional ADDRESS and --json reach the options;
// balance only reads, so transaction flags and extra arguments are usage
// errors before anything runs.
func TestNewCmdBalance(t *testing.T) {
	const addr = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	clitest.RunFlagCases(t, NewCmdBalance, []clitest.FlagCase[BalanceOptions]{
		{Name: "signer's account", Args: nil, Want: BalanceOptions{}},
		{Name: "address", Args: []string{addr}, Want: BalanceOptions{Owner: addr}},
		{Name: "json", Args: []string{addr, "--json"}, Want: BalanceOptions{Owner: addr, JSON: true}},
		{Name: "two addresses", Args: []string{addr, addr}, WantCode: cmdutil.ExitBadInput},
		{Name: "--nonce is a sending flag", Args: []string{"--nonce", "3"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--yes is a sending flag", Args: []string{"--yes"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--dry-run is a sending flag", Args: []string{"--dry-run"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--timeout is a sending flag", Args: []string{"--timeout", "1m"}, WantCode: cmdutil.ExitBadInput},
		{Name: "unknown flag", Args: []string{"--owner", addr}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *BalanceOptions) {
		if got.Owner != want.Owner || got.JSON != want.JSON {
			t.Errorf("options = {Owner:%q JSON:%v}, want {Owner:%q JSON:%v}", got.Owner, got.JSON, want.Owner, want.JSON)
		}
	})
}
