package wrap

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdWrap checks that wrap and unwrap fill WrapOptions from their
// command lines (Unwrap telling them apart) and refuse malformed ones.
func TestNewCmdWrap(t *testing.T) {
	txWith := func(edit func(*cmdutil.TxFlags)) cmdutil.TxFlags {
		tx := cmdutil.DefaultTxFlags()
		edit(&tx)
		return tx
	}
	defaults := cmdutil.DefaultTxFlags()
	cmds := map[string]func(*cmdutil.Factory, func(*WrapOptions) error) *cobra.Command{
		"wrap":   NewCmdWrap,
		"unwrap": NewCmdUnwrap,
	}
	tests := []struct {
		name     string
		cmd      string
		args     []string
		want     WrapOptions
		wantCode int
	}{
		{name: "wrap amount", cmd: "wrap", args: []string{"0.5"}, want: WrapOptions{Amount: "0.5", Tx: defaults}},
		{name: "unwrap all json", cmd: "unwrap", args: []string{"all", "--json", "--protocol", "lido"}, want: WrapOptions{Unwrap: true, Amount: "all", JSON: true, ProtocolName: "lido", Tx: defaults}},
		{name: "wrap dry run with nonce", cmd: "wrap", args: []string{"1", "--dry-run", "--nonce", "7", "-y"}, want: WrapOptions{Amount: "1", Tx: txWith(func(tx *cmdutil.TxFlags) {
			tx.DryRun, tx.Nonce, tx.Yes = true, 7, true
		})}},
		{name: "wrap without amount", cmd: "wrap", args: nil, wantCode: cmdutil.ExitBadInput},
		{name: "unwrap two amounts", cmd: "unwrap", args: []string{"1", "2"}, wantCode: cmdutil.ExitBadInput},
		{name: "wrap takes no --token", cmd: "wrap", args: []string{"1", "--token", "stETH"}, wantCode: cmdutil.ExitBadInput},
		{name: "unwrap takes no --validator", cmd: "unwrap", args: []string{"1", "--validator", "3"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *WrapOptions
			cmd := cmds[tt.cmd](f, func(o *WrapOptions) error { got = o; return nil })
			if cmd.Name() != tt.cmd {
				t.Fatalf("command is named %q, want %q", cmd.Name(), tt.cmd)
			}
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
			if got.Unwrap != tt.want.Unwrap || got.Amount != tt.want.Amount || got.JSON != tt.want.JSON ||
				got.ProtocolName != tt.want.ProtocolName || got.Tx != tt.want.Tx {
				t.Errorf("options = {Unwrap:%v Amount:%q JSON:%v Protocol:%q Tx:%+v}, want {Unwrap:%v Amount:%q JSON:%v Protocol:%q Tx:%+v}",
					got.Unwrap, got.Amount, got.JSON, got.ProtocolName, got.Tx,
					tt.want.Unwrap, tt.want.Amount, tt.want.JSON, tt.want.ProtocolName, tt.want.Tx)
			}
		})
	}
}
