package stake

import (
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdStake: flags and arguments reach the options, and what the
// command does not take is a usage error before anything runs.
func TestNewCmdStake(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     StakeOptions
		wantCode int
	}{
		{name: "amount", args: []string{"1.5"}, want: StakeOptions{Amount: "1.5", Tx: cmdutil.DefaultTxFlags()}},
		{
			name: "every flag",
			args: []string{"0.25", "--protocol", "lido", "--validator", "v1", "--referral", "0x00000000000000000000000000000000000000aa",
				"--yes", "--dry-run", "--timeout", "30s", "--confirmations", "3", "--max-fee", "40", "--priority-fee", "2", "--gas-limit", "90000", "--nonce", "7", "--json"},
			want: StakeOptions{
				Amount: "0.25", ProtocolName: "lido", Validator: "v1", Referral: "0x00000000000000000000000000000000000000aa", JSON: true,
				Tx: cmdutil.TxFlags{Yes: true, DryRun: true, Timeout: 30 * time.Second, Confirmations: 3, MaxFee: "40", PriorityFee: "2", GasLimit: 90000, Nonce: 7},
			},
		},
		{name: "-y", args: []string{"2", "-y"}, want: StakeOptions{Amount: "2", Tx: func() cmdutil.TxFlags { t := cmdutil.DefaultTxFlags(); t.Yes = true; return t }()}},
		{name: "no amount", args: nil, wantCode: cmdutil.ExitBadInput},
		{name: "two amounts", args: []string{"1", "2"}, wantCode: cmdutil.ExitBadInput},
		{name: "unknown flag", args: []string{"1", "--token", "stETH"}, wantCode: cmdutil.ExitBadInput},
		{name: "negative amount reads as a flag", args: []string{"-1"}, wantCode: cmdutil.ExitBadInput},
		{name: "bad duration", args: []string{"1", "--timeout", "soon"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *StakeOptions
			cmd := NewCmdStake(f, func(o *StakeOptions) error { got = o; return nil })
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
			if got.Amount != tt.want.Amount || got.ProtocolName != tt.want.ProtocolName || got.Validator != tt.want.Validator ||
				got.Referral != tt.want.Referral || got.JSON != tt.want.JSON || got.Tx != tt.want.Tx {
				t.Errorf("options = %+v\nwant      %+v", *got, tt.want)
			}
		})
	}
}
