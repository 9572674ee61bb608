package transfer

import (
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

const bob = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

// TestNewCmdTransfer checks that AMOUNT, TOKEN and the flags land in
// TransferOptions, and that a missing --to or a wrong argument count is a
// usage error before the body runs.
func TestNewCmdTransfer(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     TransferOptions
		wantCode int
	}{
		{name: "symbol", args: []string{"0.1", "stETH", "--to", bob}, want: TransferOptions{Amount: "0.1", Token: "stETH", To: bob, Tx: cmdutil.DefaultTxFlags()}},
		{
			name: "all by address, json, yes",
			args: []string{"all", "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0", "--to", bob, "--json", "--yes"},
			want: TransferOptions{Amount: "all", Token: "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0", To: bob, JSON: true, Tx: func() cmdutil.TxFlags {
				tx := cmdutil.DefaultTxFlags()
				tx.Yes = true
				return tx
			}()},
		},
		{name: "missing --to", args: []string{"1", "stETH"}, wantCode: cmdutil.ExitBadInput},
		{name: "missing token", args: []string{"1", "--to", bob}, wantCode: cmdutil.ExitBadInput},
		{name: "three arguments", args: []string{"1", "stETH", bob}, wantCode: cmdutil.ExitBadInput},
		{name: "bad gas limit", args: []string{"1", "stETH", "--to", bob, "--gas-limit", "-5"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *TransferOptions
			cmd := NewCmdTransfer(f, func(o *TransferOptions) error { got = o; return nil })
			err := clitest.Exec(f, cmd, tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Fatalf("runF ran for a usage error: %+v", got)
				}
				return
			}
			if got == nil {
				t.Fatal("runF did not run")
			}
			if got.Amount != tt.want.Amount || got.Token != tt.want.Token || got.To != tt.want.To || got.JSON != tt.want.JSON || got.Tx != tt.want.Tx {
				t.Errorf("options = {Amount:%q Token:%q To:%q JSON:%v Tx:%+v}, want {Amount:%q Token:%q To:%q JSON:%v Tx:%+v}",
					got.Amount, got.Token, got.To, got.JSON, got.Tx, tt.want.Amount, tt.want.Token, tt.want.To, tt.want.JSON, tt.want.Tx)
			}
		})
	}
}
