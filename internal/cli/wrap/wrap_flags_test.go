package wrap

import (
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdWrap checks that wrap and unwrap fill WrapOptions from their
// command lines (Unwrap telling them apart) and refuse malformed ones.
func TestNewCmdWrap(t *testing.T) {
	defaults := cmdutil.DefaultTxFlags()
	// Each constructor names its command as the user types it (the
	// cases below run it by that name).
	for name, newCmd := range map[string]clitest.NewCmdFunc[WrapOptions]{"wrap": NewCmdWrap, "unwrap": NewCmdUnwrap} {
		f, _ := clitest.NewFactory("")
		if got := newCmd(f, nil).Name(); got != name {
			t.Fatalf("command is named %q, want %q", got, name)
		}
	}
	check := func(t *testing.T, got, want *WrapOptions) {
		if got.Unwrap != want.Unwrap || got.Amount != want.Amount || got.JSON != want.JSON ||
			got.ProtocolName != want.ProtocolName || got.Tx != want.Tx {
			t.Errorf("options = {Unwrap:%v Amount:%q JSON:%v Protocol:%q Tx:%+v}, want {Unwrap:%v Amount:%q JSON:%v Protocol:%q Tx:%+v}",
				got.Unwrap, got.Amount, got.JSON, got.ProtocolName, got.Tx,
				want.Unwrap, want.Amount, want.JSON, want.ProtocolName, want.Tx)
		}
	}
	clitest.RunFlagCases(t, NewCmdWrap, []clitest.FlagCase[WrapOptions]{
		{Name: "wrap amount", Args: []string{"0.5"}, Want: WrapOptions{Amount: "0.5", Tx: defaults}},
		{Name: "wrap dry run with nonce", Args: []string{"1", "--dry-run", "--nonce", "7", "-y"}, Want: WrapOptions{Amount: "1", Tx: clitest.TxFlags(func(tx *cmdutil.TxFlags) {
			tx.DryRun, tx.Nonce, tx.Yes = true, 7, true
		})}},
		{Name: "wrap without amount", Args: nil, WantCode: cmdutil.ExitBadInput},
		{Name: "wrap takes no --token", Args: []string{"1", "--token", "stETH"}, WantCode: cmdutil.ExitBadInput},
	}, check)
	clitest.RunFlagCases(t, NewCmdUnwrap, []clitest.FlagCase[WrapOptions]{
		{Name: "unwrap all json", Args: []string{"all", "--json", "--protocol", "lido"}, Want: WrapOptions{Unwrap: true, Amount: "all", JSON: true, ProtocolName: "lido", Tx: defaults}},
		{Name: "unwrap two amounts", Args: []string{"1", "2"}, WantCode: cmdutil.ExitBadInput},
		{Name: "unwrap takes no --validator", Args: []string{"1", "--validator", "3"}, WantCode: cmdutil.ExitBadInput},
	}, check)
}
