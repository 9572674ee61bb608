package withdrawals

import (
	"slices"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/pkg/watch"
)

// TestNewCmdWithdrawals: --owner, --protocol and --json reach the options;
// the list only reads, so transaction flags and arguments are usage
// errors before anything runs.
func TestNewCmdWithdrawals(t *testing.T) {
	const addr = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	clitest.RunFlagCases(t, NewCmdWithdrawals, []clitest.FlagCase[WithdrawalsOptions]{
		{Name: "defaults", Args: nil, Want: WithdrawalsOptions{}},
		{Name: "every flag", Args: []string{"--owner", addr, "--protocol", "lido", "--json"}, Want: WithdrawalsOptions{Owner: addr, ProtocolName: "lido", JSON: true}},
		{Name: "an argument", Args: []string{"12"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--yes is a sending flag", Args: []string{"--yes"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--nonce is a sending flag", Args: []string{"--nonce", "3"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--claim is wait's", Args: []string{"--claim"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *WithdrawalsOptions) {
		if got.Owner != want.Owner || got.ProtocolName != want.ProtocolName || got.JSON != want.JSON {
			t.Errorf("options = %+v, want %+v", *got, *want)
		}
	})
}

// TestNewCmdWait: ids and flags reach the options. wait takes the
// transaction flags (--claim sends), but --timeout bounds the wait only
// when given: its inclusion default must not end a days-long wait.
func TestNewCmdWait(t *testing.T) {
	const addr = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	noTimeout := clitest.TxFlags(func(t *cmdutil.TxFlags) { t.Timeout = 0 })
	clitest.RunFlagCases(t, NewCmdWait, []clitest.FlagCase[WaitOptions]{
		{Name: "defaults", Args: nil, Want: WaitOptions{Interval: watch.DefaultInterval, Tx: noTimeout}},
		{Name: "ids", Args: []string{"12", "13"}, Want: WaitOptions{IDs: []string{"12", "13"}, Interval: watch.DefaultInterval, Tx: noTimeout}},
		{
			Name: "claim with every flag",
			Args: []string{"12", "--claim", "--protocol", "lido", "--interval", "30s", "--json",
				"--yes", "--dry-run", "--timeout", "2h", "--confirmations", "2", "--max-fee", "40", "--priority-fee", "2", "--gas-limit", "90000", "--nonce", "3"},
			Want: WaitOptions{
				IDs: []string{"12"}, Claim: true, ProtocolName: "lido", Interval: 30 * time.Second, JSON: true,
				Tx: cmdutil.TxFlags{Yes: true, DryRun: true, Timeout: 2 * time.Hour, Confirmations: 2, MaxFee: "40", PriorityFee: "2", GasLimit: 90000, Nonce: 3},
			},
		},
		{Name: "-y", Args: []string{"--claim", "-y"}, Want: WaitOptions{Claim: true, Interval: watch.DefaultInterval, Tx: clitest.TxFlags(func(t *cmdutil.TxFlags) { t.Timeout, t.Yes = 0, true })}},
		{Name: "owner", Args: []string{"--owner", addr}, Want: WaitOptions{Owner: addr, Interval: watch.DefaultInterval, Tx: noTimeout}},
		{Name: "bad interval", Args: []string{"--interval", "often"}, WantCode: cmdutil.ExitBadInput},
		{Name: "bad timeout", Args: []string{"--timeout", "soon"}, WantCode: cmdutil.ExitBadInput},
		{Name: "unknown flag", Args: []string{"--token", "stETH"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *WaitOptions) {
		if !slices.Equal(got.IDs, want.IDs) || got.Owner != want.Owner || got.ProtocolName != want.ProtocolName ||
			got.Claim != want.Claim || got.Interval != want.Interval || got.JSON != want.JSON || got.Tx != want.Tx {
			t.Errorf("options = %+v\nwant      %+v", *got, *want)
		}
	})
}

// TestWaitIsUnderWithdrawals: the real CLI reaches wait as a subcommand
// of withdrawals, with its own flags.
func TestWaitIsUnderWithdrawals(t *testing.T) {
	f, _ := clitest.NewFactory("")
	cmd := NewCmdWithdrawals(f, nil)
	wait, _, err := cmd.Find([]string{"wait"})
	if err != nil || wait.Name() != "wait" {
		t.Fatalf("withdrawals wait: %v, %v", wait, err)
	}
	for _, flag := range []string{"claim", "interval", "yes", "dry-run", "timeout", "nonce"} {
		if wait.Flags().Lookup(flag) == nil {
			t.Errorf("wait has no --%s", flag)
		}
	}
}
