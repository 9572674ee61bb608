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
	clitest.RunFlagCases(t, NewCmdRestake, []clitest.FlagCase[RestakeOptions]{
		{Name: "defaults", Args: nil, Want: RestakeOptions{Keep: "0", Min: "0", Tx: cmdutil.DefaultTxFlags()}},
		{
			Name: "own flags",
			Args: []string{"--keep", "0.05", "--min", "0.5", "--protocol", "lido", "--validator", "v7", "--json"},
			Want: RestakeOptions{Keep: "0.05", Min: "0.5", ProtocolName: "lido", Validator: "v7", JSON: true, Tx: cmdutil.DefaultTxFlags()},
		},
		{
			Name: "transaction flags",
			Args: []string{"--yes", "--dry-run", "--timeout", "1m", "--confirmations", "2", "--max-fee", "30", "--priority-fee", "1.5", "--gas-limit", "250000", "--nonce", "4"},
			Want: RestakeOptions{Keep: "0", Min: "0", Tx: cmdutil.TxFlags{Yes: true, DryRun: true, Timeout: time.Minute, Confirmations: 2, MaxFee: "30", PriorityFee: "1.5", GasLimit: 250000, Nonce: 4}},
		},
		{Name: "-y", Args: []string{"-y"}, Want: RestakeOptions{Keep: "0", Min: "0", Tx: clitest.TxFlags(func(t *cmdutil.TxFlags) { t.Yes = true })}},
		{Name: "an argument", Args: []string{"1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "unknown flag", Args: []string{"--amount", "1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "bad nonce", Args: []string{"--nonce", "x"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--keep without a value", Args: []string{"--keep"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *RestakeOptions) {
		if got.Keep != want.Keep || got.Min != want.Min || got.ProtocolName != want.ProtocolName ||
			got.Validator != want.Validator || got.JSON != want.JSON || got.Tx != want.Tx {
			t.Errorf("options = %+v\nwant      %+v", *got, *want)
		}
	})
}
