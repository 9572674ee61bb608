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
	tests := []struct {
		name     string
		args     []string
		want     WithdrawalsOptions
		wantCode int
	}{
		{name: "defaults", args: nil, want: WithdrawalsOptions{}},
		{name: "every flag", args: []string{"--owner", addr, "--protocol", "lido", "--json"}, want: WithdrawalsOptions{Owner: addr, ProtocolName: "lido", JSON: true}},
		{name: "an argument", args: []string{"12"}, wantCode: cmdutil.ExitBadInput},
		{name: "--yes is a sending flag", args: []string{"--yes"}, wantCode: cmdutil.ExitBadInput},
		{name: "--nonce is a sending flag", args: []string{"--nonce", "3"}, wantCode: cmdutil.ExitBadInput},
		{name: "--claim is wait's", args: []string{"--claim"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *WithdrawalsOptions
			cmd := NewCmdWithdrawals(f, func(o *WithdrawalsOptions) error { got = o; return nil })
			err := clitest.Exec(f, cmd, tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Error("runF ran after a usage error")
				}
				return
			}
			if got == nil {
				t.Fatal("runF did not run")
			}
			if got.Owner != tt.want.Owner || got.ProtocolName != tt.want.ProtocolName || got.JSON != tt.want.JSON {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// TestNewCmdWait: ids and flags reach the options. wait takes the
// transaction flags (--claim sends), but --timeout bounds the wait only
// when given: its inclusion default must not end a days-long wait.
func TestNewCmdWait(t *testing.T) {
	const addr = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	noTimeout := cmdutil.DefaultTxFlags()
	noTimeout.Timeout = 0
	tx := func(edit func(*cmdutil.TxFlags)) cmdutil.TxFlags {
		t := noTimeout
		edit(&t)
		return t
	}
	tests := []struct {
		name     string
		args     []string
		want     WaitOptions
		wantCode int
	}{
		{name: "defaults", args: nil, want: WaitOptions{Interval: watch.DefaultInterval, Tx: noTimeout}},
		{name: "ids", args: []string{"12", "13"}, want: WaitOptions{IDs: []string{"12", "13"}, Interval: watch.DefaultInterval, Tx: noTimeout}},
		{
			name: "claim with every flag",
			args: []string{"12", "--claim", "--protocol", "lido", "--interval", "30s", "--json",
				"--yes", "--dry-run", "--timeout", "2h", "--confirmations", "2", "--max-fee", "40", "--priority-fee", "2", "--gas-limit", "90000", "--nonce", "3"},
			want: WaitOptions{
				IDs: []string{"12"}, Claim: true, ProtocolName: "lido", Interval: 30 * time.Second, JSON: true,
				Tx: cmdutil.TxFlags{Yes: true, DryRun: true, Timeout: 2 * time.Hour, Confirmations: 2, MaxFee: "40", PriorityFee: "2", GasLimit: 90000, Nonce: 3},
			},
		},
		{name: "-y", args: []string{"--claim", "-y"}, want: WaitOptions{Claim: true, Interval: watch.DefaultInterval, Tx: tx(func(t *cmdutil.TxFlags) { t.Yes = true })}},
		{name: "owner", args: []string{"--owner", addr}, want: WaitOptions{Owner: addr, Interval: watch.DefaultInterval, Tx: noTimeout}},
		{name: "bad interval", args: []string{"--interval", "often"}, wantCode: cmdutil.ExitBadInput},
		{name: "bad timeout", args: []string{"--timeout", "soon"}, wantCode: cmdutil.ExitBadInput},
		{name: "unknown flag", args: []string{"--token", "stETH"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *WaitOptions
			cmd := NewCmdWait(f, func(o *WaitOptions) error { got = o; return nil })
			err := clitest.Exec(f, cmd, tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Error("runF ran after a usage error")
				}
				return
			}
			if got == nil {
				t.Fatal("runF did not run")
			}
			if !slices.Equal(got.IDs, tt.want.IDs) || got.Owner != tt.want.Owner || got.ProtocolName != tt.want.ProtocolName ||
				got.Claim != tt.want.Claim || got.Interval != tt.want.Interval || got.JSON != tt.want.JSON || got.Tx != tt.want.Tx {
				t.Errorf("options = %+v\nwant      %+v", *got, tt.want)
			}
		})
	}
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
