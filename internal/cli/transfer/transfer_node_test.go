package transfer

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

func transferCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdTransfer(f, nil) }

type transferDoc struct {
	Action, Protocol, Amount, Symbol string
	DryRun                           bool
	To, Token, Transferred           string
	Transactions                     []struct{ Action, Status, To string }
}

// TestTransferAgainstNode: a transfer by symbol or address moves the fake
// Lido's tokens to Bob, and the document says what the events moved.
func TestTransferAgainstNode(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantToken  common.Address
		wantSymbol string
		wantAmount *big.Int
		// balance reads a's balance of the token.
		balance   func(e *clitest.Env, a common.Address) *big.Int
		wantAlice *big.Int
	}{
		{
			name: "stETH by symbol", args: []string{"1.5", "steth"},
			wantToken: lido.DevnetStETH, wantSymbol: "stETH", wantAmount: clitest.Tenths(15),
			balance:   func(e *clitest.Env, a common.Address) *big.Int { return e.Lido.StETHBalance(a) },
			wantAlice: clitest.Tenths(5),
		},
		{
			name: "all wstETH by address", args: []string{"all", lido.DevnetWstETH.Hex()},
			wantToken: lido.DevnetWstETH, wantSymbol: "wstETH", wantAmount: clitest.Tenths(20),
			balance:   func(e *clitest.Env, a common.Address) *big.Int { return e.Lido.WstETHBalance(a) },
			wantAlice: new(big.Int),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Lido.Mint(e.Alice, clitest.Tenths(20))
			e.Lido.MintWstETH(e.Alice, clitest.Tenths(20))
			e.RunOK(t, transferCmd, append(tt.args, "--to", e.Bob.Hex(), "--yes", "--json")...)
			var d transferDoc
			e.JSON(t, &d)
			if d.Action != "transfer" || d.Protocol != "lido" || d.Amount != tt.wantAmount.String() || d.Symbol != tt.wantSymbol {
				t.Errorf("document = %+v", d)
			}
			if len(d.Transactions) != 1 || d.Transactions[0].Action != "transfer" || d.Transactions[0].Status != "success" || len(e.Node.Sent()) != 1 {
				t.Fatalf("transactions = %+v, node got %d", d.Transactions, len(e.Node.Sent()))
			}
			got := tt.balance(e, e.Bob)
			if d.To != e.Bob.Hex() || d.Token != tt.wantToken.Hex() || d.Transferred != got.String() || got.Cmp(tt.wantAmount) != 0 {
				t.Errorf("to %s token %s transferred %s; Bob holds %s, want %s", d.To, d.Token, d.Transferred, got, tt.wantAmount)
			}
			if left := tt.balance(e, e.Alice); left.Cmp(tt.wantAlice) != 0 {
				t.Errorf("Alice holds %s, want %s", left, tt.wantAlice)
			}
		})
	}
}

// TestTransferHumanOutput: people see the recipient and the amount moved.
func TestTransferHumanOutput(t *testing.T) {
	e := clitest.NewEnv(t, "")
	e.Lido.Mint(e.Alice, clitest.Tenths(10))
	e.RunOK(t, transferCmd, "0.25", "stETH", "--to", e.Bob.Hex(), "--yes")
	out := e.Out.String()
	for _, want := range []string{"✓ Transfer 0.25 stETH to " + e.Bob.Hex(), "  to           " + e.Bob.Hex() + "\n", "  transferred  0.25 stETH\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

// credits is a protocol whose only token cannot move between accounts.
type credits struct{}

var creditToken = protocol.Token{Symbol: "CRED", Address: common.HexToAddress("0x00000000000000000000000000000000000c0001"), Decimals: 18, Role: protocol.RoleCredit, NotTransferable: true}

func (credits) Name() string                    { return "credits" }
func (credits) DisplayName() string             { return "Credits" }
func (credits) Tokens() protocol.Tokens         { return protocol.Tokens{creditToken} }
func (credits) Unstaking() protocol.UnstakeKind { return protocol.UnstakeUnbonding }
func (credits) Targets() protocol.TargetRule    { return protocol.TargetRequired }
func (credits) ABI() *abi.ABI                   { return &abi.ABI{} }
func (credits) Stake(context.Context, protocol.StakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("credits: not used")
}
func (credits) Unstake(context.Context, protocol.UnstakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("credits: not used")
}

// TestTransferSendsNothing: a dry run (no passphrase to be had), a declined
// confirmation and every refusal leave the node without a transaction.
func TestTransferSendsNothing(t *testing.T) {
	t.Run("dry run", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		e.Lido.Mint(e.Alice, clitest.Tenths(10))
		e.RemovePasswordFile(t)
		e.RunOK(t, transferCmd, "1", "stETH", "--to", e.Bob.Hex(), "--dry-run", "--json")
		d, raw := clitest.JSONWithKeys[transferDoc](t, e)
		if !d.DryRun || len(d.Transactions) != 1 || d.Transactions[0].Status != "unsigned" || d.Transactions[0].To != lido.DevnetStETH.Hex() {
			t.Errorf("document = %s", e.Out)
		}
		for _, k := range []string{"to", "token", "transferred"} {
			if _, ok := raw[k]; ok {
				t.Errorf("a dry run's document has %q", k)
			}
		}
		e.AssertNothingSent(t)
		if e.Lido.StETHBalance(e.Bob).Sign() != 0 {
			t.Errorf("Bob holds %s stETH after a dry run", e.Lido.StETHBalance(e.Bob))
		}
	})
	t.Run("declined", func(t *testing.T) {
		e := clitest.NewEnv(t, "\n")
		e.F.IO.SetTTY(true, false, false)
		e.Lido.Mint(e.Alice, clitest.Tenths(10))
		e.RunFails(t, transferCmd, cmdutil.ExitNeedsInput, "", "1", "stETH", "--to", e.Bob.Hex())
		e.AssertNothingSent(t)
		if !strings.Contains(e.ErrOut.String(), "Transfer 1 stETH to") {
			t.Errorf("stderr lacks the plan:\n%s", e.ErrOut)
		}
	})

	refusals := []struct {
		name string
		p    protocol.Protocol // replaces every protocol when set
		args func(e *clitest.Env) []string
		msg  string
	}{
		{"zero address", nil, func(e *clitest.Env) []string {
			return []string{"1", "stETH", "--to", (common.Address{}).Hex()}
		}, "zero address"},
		{"the token contract itself", nil, func(e *clitest.Env) []string {
			return []string{"1", "stETH", "--to", lido.DevnetStETH.Hex()}
		}, "the stETH contract itself"},
		{"bad checksum", nil, func(e *clitest.Env) []string {
			return []string{"1", "stETH", "--to", "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"}
		}, "checksum"},
		{"more than the balance", nil, func(e *clitest.Env) []string {
			return []string{"2", "stETH", "--to", e.Bob.Hex()}
		}, "insufficient stETH balance"},
		{"all of nothing", nil, func(e *clitest.Env) []string {
			return []string{"all", "wstETH", "--to", e.Bob.Hex()}
		}, "has no wstETH"},
		{"unknown symbol", nil, func(e *clitest.Env) []string {
			// (rETH is a devnet token since Rocket Pool joined.)
			return []string{"1", "FOO", "--to", e.Bob.Hex()}
		}, `unknown token "FOO"`},
		{"not transferable", credits{}, func(e *clitest.Env) []string {
			return []string{"1", "cred", "--to", e.Bob.Hex()}
		}, "CRED cannot be transferred"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Lido.Mint(e.Alice, clitest.Tenths(10))
			if tt.p != nil {
				e.UseProtocol(tt.p)
			}
			e.RunFails(t, transferCmd, cmdutil.ExitBadInput, tt.msg, append(tt.args(e), "--yes")...)
			e.AssertNothingSent(t)
		})
	}
}
