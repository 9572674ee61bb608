package stake

import (
	"encoding/json"
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

func stakeCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdStake(f, nil) }

// TestStakeAgainstNode runs the real body against the fake node playing
// Lido: the calls it sends, the JSON and human results, and what must
// not happen (nothing signed on a dry run, a refusal or a decline).
func TestStakeAgainstNode(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		if code := e.Run(stakeCmd, "1.5", "--yes", "--json"); code != 0 {
			t.Fatalf("exit %d\n%s", code, e.ErrOut)
		}
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
		if err := json.Unmarshal([]byte(e.Out.String()), &doc); err != nil {
			t.Fatalf("%v\n%s", err, e.Out)
		}
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
		if code := e.Run(stakeCmd, "2", "--yes"); code != 0 {
			t.Fatalf("exit %d\n%s", code, e.ErrOut)
		}
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
		if code := e.Run(stakeCmd, "1", "--dry-run"); code != 0 {
			t.Fatalf("exit %d\n%s", code, e.ErrOut)
		}
		for _, want := range []string{"Stake 1 ETH with Lido", "signer", "keystore:alice", "gas limit", "Dry run: nothing was signed or sent."} {
			if !strings.Contains(e.Out.String(), want) {
				t.Errorf("preview lacks %q:\n%s", want, e.Out)
			}
		}
		if strings.Contains(e.ErrOut.String(), "passphrase") || len(e.Node.Sent()) != 0 || len(e.Journal()) != 0 {
			t.Errorf("dry run asked or sent: stderr %q, %d sent, journal %v", e.ErrOut, len(e.Node.Sent()), e.Journal())
		}
		if code := e.Run(stakeCmd, "1", "--dry-run", "--json"); code != 0 {
			t.Fatal(code)
		}
		var doc struct {
			DryRun       bool
			Transactions []struct{ Status, Data, Value string }
			MaxFee       string
			Received     *struct{}
		}
		if err := json.Unmarshal([]byte(e.Out.String()), &doc); err != nil {
			t.Fatal(err)
		}
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
		if code := e.Run(stakeCmd, "1"); code != cmdutil.ExitNeedsInput {
			t.Fatalf("exit %d, want %d\n%s", code, cmdutil.ExitNeedsInput, e.ErrOut)
		}
		if !strings.Contains(e.ErrOut.String(), "Confirm?") || strings.Contains(e.ErrOut.String(), "assphrase") || len(e.Node.Sent()) != 0 {
			t.Errorf("stderr %q, %d sent", e.ErrOut, len(e.Node.Sent()))
		}
	})

	// Confirming, then typing the passphrase: the key opens after the
	// confirmation, not before.
	t.Run("passphrase after the confirmation", func(t *testing.T) {
		e := clitest.NewEnv(t, "y\ncorrect horse\n")
		t.Setenv("STAKEWALLET_PASSWORD_FILE", "")
		e.F.IO.SetTTY(true, false, false)
		if code := e.Run(stakeCmd, "1"); code != 0 {
			t.Fatalf("exit %d\n%s", code, e.ErrOut)
		}
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
		{"more than the balance", nil, []string{"1000", "--yes"}, cmdutil.ExitBadInput, "insufficient funds"},
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
			err := clitest.Exec(e.F, NewCmdStake(e.F, nil), tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.code || err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("exit %d (%v), want %d with %q", code, err, tt.code, tt.msg)
			}
			if len(e.Node.Sent()) != 0 || len(e.Journal()) != 0 {
				t.Errorf("refused stake sent %d transactions, journal %v", len(e.Node.Sent()), e.Journal())
			}
		})
	}
}
