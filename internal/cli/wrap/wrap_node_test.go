package wrap

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

func wrapCmd(f *cmdutil.Factory) *cobra.Command   { return NewCmdWrap(f, nil) }
func unwrapCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdUnwrap(f, nil) }

type wrapDoc struct {
	Action       string
	Amount       string
	Symbol       string
	DryRun       bool
	Received     *struct{ Amount, Symbol, Token string }
	Transactions []struct{ Action, Status string }
}

// TestWrapAgainstNode: wrap and unwrap move the fake Lido's tokens and
// report what arrived, as the token contracts' balances confirm.
func TestWrapAgainstNode(t *testing.T) {
	tests := []struct {
		name         string
		cmd          func(*cmdutil.Factory) *cobra.Command
		args         []string
		setup        func(e *clitest.Env)
		wantAction   string
		wantAmount   *big.Int
		wantFrom     string
		wantReceived protocol.Token
		wantActions  string
		// received is the balance of the token received, after.
		received func(e *clitest.Env) *big.Int
	}{
		{
			name: "wrap approves first", cmd: wrapCmd, args: []string{"1.5"},
			setup:      func(e *clitest.Env) { e.Lido.Mint(e.Alice, clitest.Tenths(20)) },
			wantAction: "wrap", wantAmount: clitest.Tenths(15), wantFrom: "stETH",
			wantReceived: protocol.Token{Symbol: "wstETH", Address: lido.DevnetWstETH},
			wantActions:  "approve:success,wrap:success",
			received:     func(e *clitest.Env) *big.Int { return e.Lido.WstETHBalance(e.Alice) },
		},
		{
			name: "unwrap all", cmd: unwrapCmd, args: []string{"all"},
			setup:      func(e *clitest.Env) { e.Lido.MintWstETH(e.Alice, clitest.Tenths(7)) },
			wantAction: "unwrap", wantAmount: clitest.Tenths(7), wantFrom: "wstETH",
			wantReceived: protocol.Token{Symbol: "stETH", Address: lido.DevnetStETH},
			wantActions:  "unwrap:success",
			received:     func(e *clitest.Env) *big.Int { return e.Lido.StETHBalance(e.Alice) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			tt.setup(e)
			e.RunOK(t, tt.cmd, append(tt.args, "--yes", "--json")...)
			var d wrapDoc
			e.JSON(t, &d)
			if d.Action != tt.wantAction || d.Amount != tt.wantAmount.String() || d.Symbol != tt.wantFrom {
				t.Errorf("document = %+v", d)
			}
			if got := e.TxActions(t); got != tt.wantActions || len(e.Node.Sent()) != len(d.Transactions) {
				t.Errorf("transactions %s (node got %d), want %s", got, len(e.Node.Sent()), tt.wantActions)
			}
			bal := tt.received(e)
			if d.Received == nil || d.Received.Symbol != tt.wantReceived.Symbol || d.Received.Token != tt.wantReceived.Address.Hex() ||
				d.Received.Amount != bal.String() || bal.Sign() == 0 {
				t.Errorf("received = %+v; the account holds %s %s", d.Received, bal, tt.wantReceived.Symbol)
			}
		})
	}
}

// TestWrapHumanOutput: people see the title and the received row.
func TestWrapHumanOutput(t *testing.T) {
	e := clitest.NewEnv(t, "")
	e.Lido.Mint(e.Alice, clitest.Tenths(10))
	e.RunOK(t, wrapCmd, "1", "--yes")
	out := e.Out.String()
	for _, want := range []string{"✓ Wrap 1 stETH into wstETH", "  received  1 wstETH\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

// noWrap is a protocol with only the required interface: wrap and unwrap
// must refuse it. withWrapper adds the capability but no wrapped token.
type noWrap struct{}

func (noWrap) Name() string                    { return "plain" }
func (noWrap) DisplayName() string             { return "Plain" }
func (noWrap) Unstaking() protocol.UnstakeKind { return protocol.UnstakeInstant }
func (noWrap) Targets() protocol.TargetRule    { return protocol.TargetNone }
func (noWrap) ABI() *abi.ABI                   { return &abi.ABI{} }
func (noWrap) Tokens() protocol.Tokens {
	return protocol.Tokens{{Symbol: "sPLAIN", Address: common.HexToAddress("0x00000000000000000000000000000000000a0001"), Decimals: 18, Role: protocol.RoleStaked}}
}
func (noWrap) Stake(context.Context, protocol.StakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("noWrap: not used")
}
func (noWrap) Unstake(context.Context, protocol.UnstakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("noWrap: not used")
}

type withWrapper struct{ noWrap }

func (withWrapper) Wrap(context.Context, common.Address, *big.Int) ([]protocol.Call, error) {
	return nil, errors.New("withWrapper: must not be reached")
}
func (withWrapper) Unwrap(context.Context, common.Address, *big.Int) ([]protocol.Call, error) {
	return nil, errors.New("withWrapper: must not be reached")
}

// TestWrapSendsNothing: a dry run (no passphrase to be had), a declined
// confirmation, and protocols without a wrapped token send nothing.
func TestWrapSendsNothing(t *testing.T) {
	t.Run("dry run", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		e.Lido.Mint(e.Alice, clitest.Tenths(10))
		e.RemovePasswordFile(t)
		e.RunOK(t, wrapCmd, "1", "--dry-run", "--json")
		d, raw := clitest.JSONWithKeys[wrapDoc](t, e)
		if _, ok := raw["received"]; ok || !d.DryRun || e.TxActions(t) != "approve:unsigned,wrap:unsigned" {
			t.Errorf("document = %s", e.Out)
		}
		e.AssertNothingSent(t)
		if e.Lido.WstETHBalance(e.Alice).Sign() != 0 {
			t.Errorf("Alice holds %s wstETH after a dry run", e.Lido.WstETHBalance(e.Alice))
		}
	})
	t.Run("declined", func(t *testing.T) {
		e := clitest.NewEnv(t, "no\n")
		e.F.IO.SetTTY(true, false, false)
		e.Lido.MintWstETH(e.Alice, clitest.Tenths(10))
		e.RunFails(t, unwrapCmd, cmdutil.ExitNeedsInput, "", "1")
		e.AssertNothingSent(t)
		if !strings.Contains(e.ErrOut.String(), "Unwrap 1 wstETH into stETH") {
			t.Errorf("stderr lacks the plan:\n%s", e.ErrOut)
		}
	})
	refusals := []struct {
		name string
		p    protocol.Protocol
		cmd  func(*cmdutil.Factory) *cobra.Command
		args []string
		msg  string
	}{
		{"no Wrapper capability", noWrap{}, wrapCmd, []string{"1"}, "Plain has no wrapped token"},
		{"no Wrapper capability, unwrap", noWrap{}, unwrapCmd, []string{"all"}, "Plain has no wrapped token"},
		{"Wrapper without a wrapped token", withWrapper{}, unwrapCmd, []string{"1"}, "no staked and wrapped token pair"},
		{"Lido, more than the balance", nil, wrapCmd, []string{"5"}, "stETH"},
		{"Lido, bad amount", nil, unwrapCmd, []string{"1e18"}, "1e18"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Lido.Mint(e.Alice, clitest.Tenths(10))
			if tt.p != nil {
				e.UseProtocol(tt.p)
			}
			e.RunFails(t, tt.cmd, cmdutil.ExitBadInput, tt.msg, append(tt.args, "--yes")...)
			e.AssertNothingSent(t)
		})
	}
}
