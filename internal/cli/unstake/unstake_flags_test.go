package unstake

import (
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdUnstake checks that arguments and flags land in UnstakeOptions
// and that malformed command lines are usage errors before any work.
func TestNewCmdUnstake(t *testing.T) {
	txWith := func(edit func(*cmdutil.TxFlags)) cmdutil.TxFlags {
		tx := cmdutil.DefaultTxFlags()
		edit(&tx)
		return tx
	}
	tests := []struct {
		name     string
		args     []string
		want     UnstakeOptions
		wantCode int
	}{
		{
			name: "amount only",
			args: []string{"0.5"},
			want: UnstakeOptions{Amount: "0.5", Tx: cmdutil.DefaultTxFlags()},
		},
		{
			name: "all with token, protocol, validator and json",
			args: []string{"all", "--token", "wstETH", "--protocol", "lido", "--validator", "7", "--json"},
			want: UnstakeOptions{Amount: "all", Token: "wstETH", ProtocolName: "lido", Validator: "7", JSON: true, Tx: cmdutil.DefaultTxFlags()},
		},
		{
			name: "tx flags",
			args: []string{"1", "--yes", "--dry-run", "--nonce", "3", "--max-fee", "30", "--priority-fee", "2", "--gas-limit", "200000", "--confirmations", "2", "--timeout", "1m"},
			want: UnstakeOptions{Amount: "1", Tx: txWith(func(tx *cmdutil.TxFlags) {
				tx.Yes, tx.DryRun, tx.Nonce, tx.MaxFee, tx.PriorityFee = true, true, 3, "30", "2"
				tx.GasLimit, tx.Confirmations, tx.Timeout = 200000, 2, time.Minute
			})},
		},
		{name: "no amount", args: nil, wantCode: cmdutil.ExitBadInput},
		{name: "two amounts", args: []string{"1", "2"}, wantCode: cmdutil.ExitBadInput},
		{name: "unknown flag", args: []string{"1", "--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}, wantCode: cmdutil.ExitBadInput},
		{name: "negative amount", args: []string{"-1"}, wantCode: cmdutil.ExitBadInput},
		{name: "bad nonce", args: []string{"1", "--nonce", "x"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *UnstakeOptions
			cmd := NewCmdUnstake(f, func(o *UnstakeOptions) error { got = o; return nil })
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
			if got.Amount != tt.want.Amount || got.Token != tt.want.Token || got.ProtocolName != tt.want.ProtocolName ||
				got.Validator != tt.want.Validator || got.JSON != tt.want.JSON || got.Tx != tt.want.Tx {
				t.Errorf("options = {Amount:%q Token:%q Protocol:%q Validator:%q JSON:%v Tx:%+v}\nwant      {Amount:%q Token:%q Protocol:%q Validator:%q JSON:%v Tx:%+v}",
					got.Amount, got.Token, got.ProtocolName, got.Validator, got.JSON, got.Tx,
					tt.want.Amount, tt.want.Token, tt.want.ProtocolName, tt.want.Validator, tt.want.JSON, tt.want.Tx)
			}
			if got.IO != f.IO {
				t.Error("options do not carry the factory's streams")
			}
		})
	}
}
