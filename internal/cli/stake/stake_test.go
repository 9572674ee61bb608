package stake

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/lidofake"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdStake: flags and arguments reach the options, and what the
// command does not take is a usage error before anything runs.
func TestNewCmdStake(t *testing.T) {
	clitest.RunFlagCases(t, NewCmdStake, []clitest.FlagCase[StakeOptions]{
		{Name: "amount", Args: []string{"1.5"}, Want: StakeOptions{Amount: "1.5", Tx: cmdutil.DefaultTxFlags()}},
		{
			Name: "every flag",
			Args: []string{"0.25", "--protocol", "lido", "--validator", "v1", "--referral", "0x00000000000000000000000000000000000000aa",
				"--yes", "--dry-run", "--timeout", "30s", "--confirmations", "3", "--max-fee", "40", "--priority-fee", "2", "--gas-limit", "90000", "--nonce", "7", "--json"},
			Want: StakeOptions{
				Amount: "0.25", ProtocolName: "lido", Validator: "v1", Referral: "0x00000000000000000000000000000000000000aa", JSON: true,
				Tx: cmdutil.TxFlags{Yes: true, DryRun: true, Timeout: 30 * time.Second, Confirmations: 3, MaxFee: "40", PriorityFee: "2", GasLimit: 90000, Nonce: 7},
			},
		},
		{Name: "-y", Args: []string{"2", "-y"}, Want: StakeOptions{Amount: "2", Tx: clitest.TxFlags(func(t *cmdutil.TxFlags) { t.Yes = true })}},
		{Name: "no amount", Args: nil, WantCode: cmdutil.ExitBadInput},
		{Name: "two amounts", Args: []string{"1", "2"}, WantCode: cmdutil.ExitBadInput},
		{Name: "unknown flag", Args: []string{"1", "--token", "stETH"}, WantCode: cmdutil.ExitBadInput},
		{Name: "negative amount reads as a flag", Args: []string{"-1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "bad duration", Args: []string{"1", "--timeout", "soon"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *StakeOptions) {
		if got.Amount != want.Amount || got.ProtocolName != want.ProtocolName || got.Validator != want.Validator ||
			got.Referral != want.Referral || got.JSON != want.JSON || got.Tx != want.Tx {
			t.Errorf("options = %+v\nwant      %+v", *got, *want)
		}
	})
}

func stakeCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdStake(f, nil) }

// TestStakeAgainstNode runs the real body against the fake node playing
// Lido: the calls it sends, the JSON and human results, and what must
// not happen (nothing signed on a dry run, a refusal or a decline).
func TestStakeAgainstNode(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		e.RunOK(t, stakeCmd, "1.5", "--yes", "--json")
		var doc struct {
			Action, Network, From, Protocol, Amount, Symbol string
			ChainID                                         uint64
			Decimals                                        int
			Transactions                                    []struct {
				Action, Status, TxHash string
				BlockNumber            *uint64
				Events                 []struct{ Name string }
			}
			Received, Balance struct{ Amount, Symbol, Token string }
		}
		e.JSON(t, &doc)
		want := clitest.Ether(3)
		want.Div(want, big.NewInt(2))
		if doc.Action != "stake" || doc.Network != "devnet" || doc.ChainID != 1337 || doc.Protocol != "lido" ||
			doc.From != e.Alice.Hex() || doc.Amount != want.String() || doc.Symbol != "ETH" || doc.Decimals != 18 {
			t.Errorf("document head = %+v", doc)
		}
		if len(doc.Transactions) != 1 || doc.Transactions[0].Status != "success" || doc.Transactions[0].BlockNumber == nil {
			t.Fatalf("transactions = %+v", doc.Transactions)
		}
		sent := e.Node.Sent()
		if len(sent) != 1 || sent[0].Hash().Hex() != doc.Transactions[0].TxHash || sent[0].Value().Cmp(want) != 0 ||
			*sent[0].To() != lidofake.DevnetAddresses().StETH {
			t.Fatalf("node got %d transactions: %+v", len(sent), sent)
		}
		if doc.Received.Amount != want.String() || doc.Received.Symbol != "stETH" || doc.Balance.Amount != e.Lido.StETHBalance(e.Alice).String() {
			t.Errorf("received %+v, balance %+v; the fake holds %s", doc.Received, doc.Balance, e.Lido.StETHBalance(e.Alice))
		}
		if len(e.Journal()) == 0 {
			t.Error("nothing journaled before the broadcast")
		}
	})

	t.Run("human", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		e.RunOK(t, stakeCmd, "2", "--yes")
		for _, want := range []string{"✓ Stake 2 ETH with Lido", "stake 0x", "success", "received", "2 stETH", "balance"} {
			if !strings.Contains(e.Out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, e.Out)
			}
		}
	})

	// The plan is built from the registry's address: a dry run with no
	// password file and no terminal previews, asks nothing, signs nothing.
	t.Run("dry run needs no passphrase", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		t.Setenv("STAKEWALLET_PASSWORD_FILE", "")
		e.RunOK(t, stakeCmd, "1", "--dry-run")
		for _, want := range []string{"Stake 1 ETH with Lido", "signer", "keystore:alice", "gas limit", "Dry run: nothing was signed or sent."} {
			if !strings.Contains(e.Out.String(), want) {
				t.Errorf("preview lacks %q:\n%s", want, e.Out)
			}
		}
		e.AssertNothingSent(t)
		if strings.Contains(e.ErrOut.String(), "passphrase") {
			t.Errorf("dry run asked for the passphrase: stderr %q", e.ErrOut)
		}
		e.RunOK(t, stakeCmd, "1", "--dry-run", "--json")
		var doc struct {
			DryRun       bool
			Transactions []struct{ Status, Data, Value string }
			MaxFee       string
			Received     *struct{}
		}
		e.JSON(t, &doc)
		if !doc.DryRun || len(doc.Transactions) != 1 || doc.Transactions[0].Status != "unsigned" || doc.Transactions[0].Value != clitest.Ether(1).String() ||
			!strings.HasPrefix(doc.Transactions[0].Data, "0xa1903eab") || doc.MaxFee == "" || doc.Received != nil {
			t.Errorf("dry-run document = %+v\n%s", doc, e.Out)
		}
	})

	// Declining at the prompt: nothing signed, and the passphrase (no
	// file) was never asked for.
	t.Run("declined before the passphrase", func(t *testing.T) {
		e := clitest.NewEnv(t, "n\n")
		t.Setenv("STAKEWALLET_PASSWORD_FILE", "")
		e.F.IO.SetTTY(true, false, false)
		e.RunFails(t, stakeCmd, cmdutil.ExitNeedsInput, "", "1")
		e.AssertNothingSent(t)
		if !strings.Contains(e.ErrOut.String(), "Confirm?") || strings.Contains(e.ErrOut.String(), "assphrase") {
			t.Errorf("stderr %q, want the confirmation and no passphrase prompt", e.ErrOut)
		}
	})

	// Confirming, then typing the passphrase: the key opens after the
	// confirmation, not before.
	t.Run("passphrase after the confirmation", func(t *testing.T) {
		e := clitest.NewEnv(t, "y\ncorrect horse\n")
		t.Setenv("STAKEWALLET_PASSWORD_FILE", "")
		e.F.IO.SetTTY(true, false, false)
		e.RunOK(t, stakeCmd, "1")
		errOut := e.ErrOut.String()
		confirm, pass := strings.Index(errOut, "Confirm?"), strings.Index(errOut, "assphrase")
		if confirm < 0 || pass < confirm {
			t.Errorf("the passphrase was asked before the confirmation:\n%s", errOut)
		}
		if len(e.Node.Sent()) != 1 {
			t.Errorf("%d sent", len(e.Node.Sent()))
		}
	})

	refusals := []struct {
		name  string
		setup func(e *clitest.Env)
		args  []string
		code  int
		msg   string
	}{
		{"no terminal, no --yes", nil, []string{"1"}, cmdutil.ExitNeedsInput, "--yes"},
		{"over the stake limit", func(e *clitest.Env) { e.Lido.SetStakeLimit(clitest.Ether(1)) }, []string{"2", "--yes"}, cmdutil.ExitBadInput, "stake limit"},
		{"staking paused", func(e *clitest.Env) { e.Lido.SetStakingPaused(true) }, []string{"1", "--yes"}, cmdutil.ExitBadInput, "paused"},
		{"a validator for a pooled protocol", nil, []string{"1", "--validator", "v1", "--yes"}, cmdutil.ExitBadInput, "pools the stake"},
		{"more than the balance", nil, []string{"1000", "--yes"}, cmdutil.ExitBadInput, "insufficient ETH: have 100 ETH, need 1000 ETH plus up to"},
		{"bad amount", nil, []string{"1.5.5", "--yes"}, cmdutil.ExitBadInput, ""},
		{"too many decimals", nil, []string{"0.0000000000000000001", "--yes"}, cmdutil.ExitBadInput, "decimal"},
		{"bad referral", nil, []string{"1", "--referral", "0x12", "--yes"}, cmdutil.ExitBadInput, "not an address"},
		{"zero confirmations", nil, []string{"1", "--confirmations", "0", "--yes"}, cmdutil.ExitBadInput, "confirmations"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			if tt.setup != nil {
				tt.setup(e)
			}
			e.RunFails(t, stakeCmd, tt.code, tt.msg, tt.args...)
			e.AssertNothingSent(t)
		})
	}
}
