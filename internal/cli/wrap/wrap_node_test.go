package wrap

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"os"
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

func decode(t *testing.T, e *clitest.Env) (wrapDoc, map[string]json.RawMessage) {
	t.Helper()
	var d wrapDoc
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(e.Out.String()), &d); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, e.Out)
	}
	if err := json.Unmarshal([]byte(e.Out.String()), &raw); err != nil {
		t.Fatal(err)
	}
	return d, raw
}

func actions(d wrapDoc) string {
	var s []string
	for _, tx := range d.Transactions {
		s = append(s, tx.Action+":"+tx.Status)
	}
	return strings.Join(s, ",")
}

// tenths is n tenths of a token in base units.
func tenths(n int64) *big.Int { return new(big.Int).Div(clitest.Ether(n), big.NewInt(10)) }

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
			setup:      func(e *clitest.Env) { e.Lido.Mint(e.Alice, tenths(20)) },
			wantAction: "wrap", wantAmount: tenths(15), wantFrom: "stETH",
			wantReceived: protocol.Token{Symbol: "wstETH", Address: lido.DevnetWstETH},
			wantActions:  "approve:success,wrap:success",
			received:     func(e *clitest.Env) *big.Int { return e.Lido.WstETHBalance(e.Alice) },
		},
		{
			name: "unwrap all", cmd: unwrapCmd, args: []string{"all"},
			setup:      func(e *clitest.Env) { e.Lido.MintWstETH(e.Alice, tenths(7)) },
			wantAction: "unwrap", wantAmount: tenths(7), wantFrom: "wstETH",
			wantReceived: protocol.Token{Symbol: "stETH", Address: lido.DevnetStETH},
			wantActions:  "unwrap:success",
			received:     func(e *clitest.Env) *big.Int { return e.Lido.StETHBalance(e.Alice) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			tt.setup(e)
			if code := e.Run(tt.cmd, append(tt.args, "--yes", "--json")...); code != 0 {
				t.Fatalf("exit %d\n%s", code, e.ErrOut)
			}
			d, _ := decode(t, e)
			if d.Action != tt.wantAction || d.Amount != tt.wantAmount.String() || d.Symbol != tt.wantFrom {
				t.Errorf("document = %+v", d)
			}
			if got := actions(d); got != tt.wantActions || len(e.Node.Sent()) != len(d.Transactions) {
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
	e.Lido.Mint(e.Alice, tenths(10))
	if code := e.Run(wrapCmd, "1", "--yes"); code != 0 {
		t.Fatalf("exit %d\n%s", code, e.ErrOut)
	}
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
		e.Lido.Mint(e.Alice, tenths(10))
		if err := os.Remove(e.PasswordFile); err != nil {
			t.Fatal(err)
		}
		if code := e.Run(wrapCmd, "1", "--dry-run", "--json"); code != 0 {
			t.Fatalf("exit %d\n%s", code, e.ErrOut)
		}
		d, raw := decode(t, e)
		if _, ok := raw["received"]; ok || !d.DryRun || actions(d) != "approve:unsigned,wrap:unsigned" {
			t.Errorf("document = %s", e.Out)
		}
		if len(e.Node.Sent()) != 0 || e.Lido.WstETHBalance(e.Alice).Sign() != 0 {
			t.Errorf("sent %d", len(e.Node.Sent()))
		}
	})
	t.Run("declined", func(t *testing.T) {
		e := clitest.NewEnv(t, "no\n")
		e.F.IO.SetTTY(true, false, false)
		e.Lido.MintWstETH(e.Alice, tenths(10))
		if code := e.Run(unwrapCmd, "1"); code != cmdutil.ExitNeedsInput {
			t.Fatalf("exit %d, want %d\n%s", code, cmdutil.ExitNeedsInput, e.ErrOut)
		}
		if len(e.Node.Sent()) != 0 || !strings.Contains(e.ErrOut.String(), "Unwrap 1 wstETH into stETH") {
			t.Errorf("sent %d; stderr:\n%s", len(e.Node.Sent()), e.ErrOut)
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
			e.Lido.Mint(e.Alice, tenths(10))
			if tt.p != nil {
				e.F.Protocol = func(context.Context, string) (protocol.Protocol, error) { return tt.p, nil }
			}
			err := clitest.Exec(e.F, tt.cmd(e.F), append(tt.args, "--yes")...)
			if code, _ := clitest.ExitCode(err); code != cmdutil.ExitBadInput {
				t.Fatalf("exit %d (%v), want %d", code, err, cmdutil.ExitBadInput)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to mention %q", err, tt.msg)
			}
			if len(e.Node.Sent()) != 0 {
				t.Errorf("sent %d", len(e.Node.Sent()))
			}
		})
	}
}
