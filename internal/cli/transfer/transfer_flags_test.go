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
	clitest.RunFlagCases(t, NewCmdTransfer, []clitest.FlagCase[TransferOptions]{
		{Name: "symbol", Args: []string{"0.1", "stETH", "--to", bob}, Want: TransferOptions{Amount: "0.1", Token: "stETH", To: bob, Tx: cmdutil.DefaultTxFlags()}},
		{
			Name: "all by address, json, yes",
			Args: []string{"all", "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0", "--to", bob, "--json", "--yes"},
			Want: TransferOptions{Amount: "all", Token: "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0", To: bob, JSON: true, Tx: clitest.TxFlags(func(tx *cmdutil.TxFlags) { tx.Yes = true })},
		},
		{Name: "missing --to", Args: []string{"1", "stETH"}, WantCode: cmdutil.ExitBadInput},
		{Name: "missing token", Args: []string{"1", "--to", bob}, WantCode: cmdutil.ExitBadInput},
		{Name: "three arguments", Args: []string{"1", "stETH", bob}, WantCode: cmdutil.ExitBadInput},
		{Name: "bad gas limit", Args: []string{"1", "stETH", "--to", bob, "--gas-limit", "-5"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *TransferOptions) {
		if got.Amount != want.Amount || got.Token != want.Token || got.To != want.To || got.JSON != want.JSON || got.Tx != want.Tx {
			t.Errorf("options = {Amount:%q Token:%q To:%q JSON:%v Tx:%+v}, want {Amount:%q Token:%q To:%q JSON:%v Tx:%+v}",
				got.Amount, got.Token, got.To, got.JSON, got.Tx, want.Amount, want.Token, want.To, want.JSON, want.Tx)
		}
	})
}
