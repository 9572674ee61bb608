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
	var f *cmdutil.Factory // the case's, whose streams the options carry
	clitest.RunFlagCases(t, clitest.RecordFactory(NewCmdUnstake, &f), []clitest.FlagCase[UnstakeOptions]{
		{
			Name: "amount only",
			Args: []string{"0.5"},
			Want: UnstakeOptions{Amount: "0.5", Tx: cmdutil.DefaultTxFlags()},
		},
		{
			Name: "all with token, protocol, validator and json",
			Args: []string{"all", "--token", "wstETH", "--protocol", "lido", "--validator", "7", "--json"},
			Want: UnstakeOptions{Amount: "all", Token: "wstETH", ProtocolName: "lido", Validator: "7", JSON: true, Tx: cmdutil.DefaultTxFlags()},
		},
		{
			Name: "tx flags",
			Args: []string{"1", "--yes", "--dry-run", "--nonce", "3", "--max-fee", "30", "--priority-fee", "2", "--gas-limit", "200000", "--confirmations", "2", "--timeout", "1m"},
			Want: UnstakeOptions{Amount: "1", Tx: clitest.TxFlags(func(tx *cmdutil.TxFlags) {
				tx.Yes, tx.DryRun, tx.Nonce, tx.MaxFee, tx.PriorityFee = true, true, 3, "30", "2"
				tx.GasLimit, tx.Confirmations, tx.Timeout = 200000, 2, time.Minute
			})},
		},
		{Name: "no amount", Args: nil, WantCode: cmdutil.ExitBadInput},
		{Name: "two amounts", Args: []string{"1", "2"}, WantCode: cmdutil.ExitBadInput},
		{Name: "unknown flag", Args: []string{"1", "--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}, WantCode: cmdutil.ExitBadInput},
		{Name: "negative amount", Args: []string{"-1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "bad nonce", Args: []string{"1", "--nonce", "x"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *UnstakeOptions) {
		if got.Amount != want.Amount || got.Token != want.Token || got.ProtocolName != want.ProtocolName ||
			got.Validator != want.Validator || got.JSON != want.JSON || got.Tx != want.Tx {
			t.Errorf("options = {Amount:%q Token:%q Protocol:%q Validator:%q JSON:%v Tx:%+v}\nwant      {Amount:%q Token:%q Protocol:%q Validator:%q JSON:%v Tx:%+v}",
				got.Amount, got.Token, got.ProtocolName, got.Validator, got.JSON, got.Tx,
				want.Amount, want.Token, want.ProtocolName, want.Validator, want.JSON, want.Tx)
		}
		if got.IO != f.IO {
			t.Error("options do not carry the factory's streams")
		}
	})
}
