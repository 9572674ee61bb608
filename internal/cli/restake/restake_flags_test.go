package restake

import (
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdRestake: flags reach the options with their defaults, and
// what restake does not take is a usage error before anything runs.
func TestNewCmdRestake(t *testing.T) {
	withTx := func(mod func(*cmdutil.TxFlags)) cmdutil.TxFlags {
		tx := cmdutil.DefaultTxFlags()
		mod(&tx)
		return tx
	}
	tests := []struct {
		name     string
		args     []string
		want     RestakeOptions
		wantCode int
	}{
		{name: "defaults", args: nil, want: RestakeOptions{Keep: "0", Min: "0", Tx: cmdutil.DefaultTxFlags()}},
		{
			name: "own flags",
			args: []string{"--keep", "0.05", "--min", "0.5", "--protocol", "lido", "--validator", "v7", "--json"},
			want: RestakeOptions{Keep: "0.05", Min: "0.5", ProtocolName: "lido", Validator: "v7", JSON: true, Tx: cmdutil.DefaultTxFlags()},
		},
		{
			name: "transaction flags",
			args: []string{"--yes", "--dry-run", "--timeout", "1m", "--confirmations", "2", "--max-fee", "30", "--priority-fee", "1.5", "--gas-limit", "250000", "--nonce", "4"},
			want: RestakeOptions{Keep: "0", Min: "0", Tx: cmdutil.TxFlags{Yes: true, DryRun: true, Timeout: time.Minute, Confirmations: 2, MaxFee: "30", PriorityFee: "1.5", GasLimit: 250000, Nonce: 4}},
		},
		{name: "-y", args: []string{"-y"}, want: RestakeOptions{Keep: "0", Min: "0", Tx: withTx(func(t *cmdutil.TxFlags) { t.Yes = true })}},
		{name: "an argument", args: []string{"1"}, wantCode: cmdutil.ExitBadInput},
		{name: "unknown flag", args: []string{"--amount", "1"}, wantCode: cmdutil.ExitBadInput},
		{name: "bad nonce", args: []string{"--nonce", "x"}, wantCode: cmdutil.ExitBadInput},
		{name: "--keep without a value", args: []string{"--keep"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *RestakeOptions
			cmd := NewCmdRestake(f, func(o *RestakeOptions) error { got = o; return nil })
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
			if got.Keep != tt.want.Keep || got.Min != tt.want.Min || got.ProtocolName != tt.want.ProtocolName ||
				got.Validator != tt.want.Validator || got.JSON != tt.want.JSON || got.Tx != tt.want.Tx {
				t.Errorf("options = %+v\nwant      %+v", *got, tt.want)
			}
		})
	}
}
