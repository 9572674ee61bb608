package unstake

import (
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

func unstakeCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdUnstake(f, nil) }

// unstakeDoc is the --json document, decoded into the types scripts see.
type unstakeDoc struct {
	Action       string
	Protocol     string
	Amount       string
	Symbol       string
	Decimals     *uint8
	DryRun       bool
	RequestIDs   []string
	Received     *struct{ Amount, Symbol, Token string }
	Transactions []struct {
		Action, Status, TxHash, EffectiveGasPrice string
		GasUsed                                   *uint64
	}
}

// TestUnstakeLidoAgainstNode: a queued unstake of the fake Lido creates the
// requests the JSON names, from stETH by default and wstETH with --token.
func TestUnstakeLidoAgainstNode(t *testing.T) {
	tests := []struct {
		name        string
		mint        func(e *clitest.Env)
		args        []string
		wantAmount  *big.Int
		wantSymbol  string
		wantActions string
		balance     func(e *clitest.Env) *big.Int // of the token unstaked
		wantLeft    *big.Int
	}{
		{
			name:        "stETH by default, approve first",
			mint:        func(e *clitest.Env) { e.Lido.Mint(e.Alice, clitest.Tenths(30)) },
			args:        []string{"1.5"},
			wantAmount:  clitest.Tenths(15),
			wantSymbol:  "stETH",
			wantActions: "approve:success,requestWithdrawals:success",
			balance:     func(e *clitest.Env) *big.Int { return e.Lido.StETHBalance(e.Alice) },
			wantLeft:    clitest.Tenths(15),
		},
		{
			name:        "all of wstETH by --token",
			mint:        func(e *clitest.Env) { e.Lido.MintWstETH(e.Alice, clitest.Tenths(20)) },
			args:        []string{"all", "--token", "wsteth"},
			wantAmount:  clitest.Tenths(20),
			wantSymbol:  "wstETH",
			wantActions: "approve:success,requestWithdrawals:success",
			balance:     func(e *clitest.Env) *big.Int { return e.Lido.WstETHBalance(e.Alice) },
			wantLeft:    new(big.Int),
		},
		{
			name:        "wstETH by address",
			mint:        func(e *clitest.Env) { e.Lido.MintWstETH(e.Alice, clitest.Tenths(20)) },
			args:        []string{"0.5", "--token", lido.DevnetWstETH.Hex()},
			wantAmount:  clitest.Tenths(5),
			wantSymbol:  "wstETH",
			wantActions: "approve:success,requestWithdrawals:success",
			balance:     func(e *clitest.Env) *big.Int { return e.Lido.WstETHBalance(e.Alice) },
			wantLeft:    clitest.Tenths(15),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			tt.mint(e)
			e.RunOK(t, unstakeCmd, append(tt.args, "--yes", "--json")...)
			d, raw := clitest.JSONWithKeys[unstakeDoc](t, e)
			if d.Action != "unstake" || d.Protocol != "lido" || d.Amount != tt.wantAmount.String() || d.Symbol != tt.wantSymbol || d.Decimals == nil || *d.Decimals != 18 {
				t.Errorf("document = %+v", d)
			}
			if got := e.TxActions(t); got != tt.wantActions || len(e.Node.Sent()) != len(d.Transactions) {
				t.Errorf("transactions %s (node got %d), want %s", got, len(e.Node.Sent()), tt.wantActions)
			}
			if _, ok := raw["received"]; ok {
				t.Error(`a queued unstake has a "received" key`)
			}
			if len(d.RequestIDs) != 1 {
				t.Fatalf("requestIds = %v, want one", d.RequestIDs)
			}
			requireRequest(t, e, d.RequestIDs[0])
			if left := tt.balance(e); left.Cmp(tt.wantLeft) != 0 {
				t.Errorf("%s left after the unstake: %s, want %s", tt.wantSymbol, left, tt.wantLeft)
			}
		})
	}
}

// requireRequest fails unless the fake queue holds request id, Alice's
// and unclaimed.
func requireRequest(t *testing.T, e *clitest.Env, id string) {
	t.Helper()
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		t.Fatalf("request id %q: %v", id, err)
	}
	r, ok := e.Lido.Request(n)
	if !ok || r.Owner != e.Alice || r.Claimed {
		t.Fatalf("request %s in the queue: %+v, %v", id, r, ok)
	}
}

// TestUnstakeHumanOutput: people get the request ids and what to run next.
func TestUnstakeHumanOutput(t *testing.T) {
	e := clitest.NewEnv(t, "")
	e.Lido.Mint(e.Alice, clitest.Tenths(10))
	e.RunOK(t, unstakeCmd, "1", "--yes")
	out := e.Out.String()
	m := regexp.MustCompile(`(?m)^  request ids  (\d+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no request ids row:\n%s", out)
	}
	requireRequest(t, e, m[1])
	for _, want := range []string{"✓ Request withdrawal of 1 stETH from Lido", "requestWithdrawals", "  next         stakewallet withdrawals wait --claim\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "received") {
		t.Errorf("a queued unstake shows a received row:\n%s", out)
	}
}

// TestUnstakeSendsNothing: a dry run (no passphrase available at all), a
// declined confirmation and refused input send no transaction.
func TestUnstakeSendsNothing(t *testing.T) {
	t.Run("dry run", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		e.Lido.Mint(e.Alice, clitest.Tenths(10))
		e.RemovePasswordFile(t)
		e.RunOK(t, unstakeCmd, "1", "--dry-run", "--json")
		d, raw := clitest.JSONWithKeys[unstakeDoc](t, e)
		if !d.DryRun || e.TxActions(t) != "approve:unsigned,requestWithdrawals:unsigned" {
			t.Errorf("document = %+v", d)
		}
		for _, k := range []string{"requestIds", "received"} {
			if _, ok := raw[k]; ok {
				t.Errorf("a dry run's document has %q", k)
			}
		}
		e.AssertNothingSent(t)
	})
	t.Run("declined", func(t *testing.T) {
		e := clitest.NewEnv(t, "n\n")
		e.F.IO.SetTTY(true, false, false)
		e.Lido.Mint(e.Alice, clitest.Tenths(10))
		e.RunFails(t, unstakeCmd, cmdutil.ExitNeedsInput, "", "1")
		e.AssertNothingSent(t)
		if !strings.Contains(e.ErrOut.String(), "Request withdrawal of 1 stETH from Lido") {
			t.Errorf("stderr lacks the plan:\n%s", e.ErrOut)
		}
	})

	// A token with symbol and decimals that is none of Lido's.
	other := common.HexToAddress("0x00000000000000000000000000000000000C0FFE")
	refusals := []struct {
		name string
		args []string
		msg  string
	}{
		{"validator for pooled stake", []string{"1", "--validator", "7"}, "--validator is not taken"},
		{"unknown token", []string{"1", "--token", "rETH"}, `unknown token "rETH"`},
		{"another protocol's token", []string{"1", "--token", other.Hex()}, "is not a token of Lido"},
		{"bad amount", []string{"1.2.3"}, "1.2.3"},
		{"too many decimals", []string{"0.0000000000000000001"}, "decimals"},
		{"more than the balance", []string{"11"}, "stETH"},
		{"all of nothing", []string{"all", "--token", "wstETH"}, "has no wstETH"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Lido.Mint(e.Alice, clitest.Tenths(100))
			e.Node.Handle(other, erc20.ABI, "symbol", func(*chaintest.Ctx, []any) ([]any, error) { return []any{"COFFEE"}, nil })
			e.Node.Handle(other, erc20.ABI, "decimals", func(*chaintest.Ctx, []any) ([]any, error) { return []any{uint8(18)}, nil })
			// The message is the command's error, which cli.Run prints.
			e.RunFails(t, unstakeCmd, cmdutil.ExitBadInput, tt.msg, append(tt.args, "--yes")...)
			e.AssertNothingSent(t)
		})
	}
}

// instantPool is a protocol with nothing but the required interface, whose
// unstake burns its token for the native coin in the same transaction (as
// Rocket Pool's rETH burn does): the CLI must handle it without Lido and
// without the requests capability.
type instantPool struct {
	pool  common.Address
	token protocol.Token
	abi   *abi.ABI
	kind  protocol.UnstakeKind
	rule  protocol.TargetRule
	// got is the last request Unstake was asked to build.
	got *protocol.UnstakeRequest
}

const poolABI = `[{"type":"function","name":"burn","stateMutability":"nonpayable","inputs":[{"name":"amount","type":"uint256"}],"outputs":[]}]`

func newInstantPool(t *testing.T) *instantPool {
	a, err := abi.JSON(strings.NewReader(poolABI))
	if err != nil {
		t.Fatal(err)
	}
	pool := common.HexToAddress("0x00000000000000000000000000000000000b0001")
	return &instantPool{
		pool:  pool,
		token: protocol.Token{Symbol: "rPOOL", Address: common.HexToAddress("0x00000000000000000000000000000000000b0002"), Decimals: 18, Role: protocol.RoleStaked},
		abi:   &a,
		kind:  protocol.UnstakeInstant,
		rule:  protocol.TargetNone,
	}
}

func (p *instantPool) Name() string                    { return "pool" }
func (p *instantPool) DisplayName() string             { return "Instant Pool" }
func (p *instantPool) Tokens() protocol.Tokens         { return protocol.Tokens{p.token} }
func (p *instantPool) Unstaking() protocol.UnstakeKind { return p.kind }
func (p *instantPool) Targets() protocol.TargetRule    { return p.rule }
func (p *instantPool) ABI() *abi.ABI                   { return p.abi }
func (p *instantPool) Stake(context.Context, protocol.StakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("instantPool: stake is not part of this test")
}

func (p *instantPool) Unstake(_ context.Context, r protocol.UnstakeRequest) ([]protocol.Call, error) {
	p.got = &r
	data, err := p.abi.Pack("burn", r.Amount)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{Action: "burn", Description: "Burn rPOOL for the native coin", To: p.pool, Data: data, Amount: r.Amount, Token: r.Token}}, nil
}

// instantEnv is a node-backed env where every protocol is p, whose pool
// pays 1.05 coin per token burnt, on a devnet whose native coin is named
// AVAX by the config file (so no symbol can come from anywhere else).
func instantEnv(t *testing.T, p *instantPool) *clitest.Env {
	e := clitest.NewEnv(t, "")
	if err := os.WriteFile(filepath.Join(e.Home, "config.toml"), []byte("[networks.devnet]\nnative-symbol = \"AVAX\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.UseProtocol(p)
	e.Node.SetBalance(p.pool, clitest.Ether(1000))
	e.Node.Handle(p.pool, p.abi, "burn", func(c *chaintest.Ctx, args []any) ([]any, error) {
		out := new(big.Int).Mul(args[0].(*big.Int), big.NewInt(105))
		c.Pay(c.From, out.Div(out, big.NewInt(100)))
		return nil, nil
	})
	return e
}

// TestUnstakeInstant: an instant unstake reports the native coin it paid,
// exactly, and neither request ids nor a "next" step.
func TestUnstakeInstant(t *testing.T) {
	p := newInstantPool(t)
	e := instantEnv(t, p)
	before := e.Node.Balance(e.Alice)
	e.RunOK(t, unstakeCmd, "2", "--yes", "--json")
	d, raw := clitest.JSONWithKeys[unstakeDoc](t, e)
	if _, ok := raw["requestIds"]; ok {
		t.Error(`an instant unstake has "requestIds"`)
	}
	if d.Symbol != "rPOOL" || d.Amount != clitest.Ether(2).String() || e.TxActions(t) != "burn:success" || len(e.Node.Sent()) != 1 {
		t.Fatalf("document = %+v", d)
	}
	if p.got == nil || p.got.Owner != e.Alice || p.got.Token != p.token || p.got.Amount.Cmp(clitest.Ether(2)) != 0 {
		t.Errorf("Unstake was asked for %+v", p.got)
	}
	want := clitest.Tenths(21) // 2 tokens at 1.05
	if d.Received == nil || d.Received.Amount != want.String() || d.Received.Symbol != "AVAX" || d.Received.Token != (common.Address{}).Hex() {
		t.Fatalf("received = %+v, want %s AVAX", d.Received, want)
	}
	// The node's books agree: the balance moved by what was received
	// less the fee the receipt says was paid.
	tx := d.Transactions[0]
	price, _ := new(big.Int).SetString(tx.EffectiveGasPrice, 10)
	fee := new(big.Int).Mul(price, new(big.Int).SetUint64(*tx.GasUsed))
	if got := new(big.Int).Sub(e.Node.Balance(e.Alice), before); got.Cmp(new(big.Int).Sub(want, fee)) != 0 {
		t.Errorf("balance moved by %s, want %s received less %s fee", got, want, fee)
	}

	if code := e.Run(unstakeCmd, "1", "--yes"); code != 0 {
		t.Fatalf("human run: exit %d\n%s", code, e.ErrOut)
	}
	out := e.Out.String()
	if !strings.Contains(out, "✓ Unstake 1 rPOOL from Instant Pool") || !strings.Contains(out, "received  1.05 AVAX") {
		t.Errorf("stdout:\n%s", out)
	}
	if strings.Contains(out, "request ids") || strings.Contains(out, "next") {
		t.Errorf("an instant unstake shows request rows:\n%s", out)
	}
}

// TestUnstakeTargetsAndKinds: the protocol's target rule and unstake kind
// are honoured before anything is signed.
func TestUnstakeTargetsAndKinds(t *testing.T) {
	tests := []struct {
		name     string
		kind     protocol.UnstakeKind
		rule     protocol.TargetRule
		args     []string
		wantCode int
		// wantTarget is what the adapter is asked for when the run goes on.
		wantTarget string
	}{
		{name: "required target given", kind: protocol.UnstakeInstant, rule: protocol.TargetRequired, args: []string{"1", "--validator", "v7"}, wantTarget: "v7"},
		{name: "required target missing", kind: protocol.UnstakeInstant, rule: protocol.TargetRequired, args: []string{"1"}, wantCode: cmdutil.ExitBadInput},
		{name: "optional target omitted", kind: protocol.UnstakeInstant, rule: protocol.TargetOptional, args: []string{"1"}},
		{name: "queued kind without the requests capability", kind: protocol.UnstakeQueued, rule: protocol.TargetNone, args: []string{"1"}, wantCode: cmdutil.ExitBadInput},
		{name: "unbonding kind without the requests capability", kind: protocol.UnstakeUnbonding, rule: protocol.TargetRequired, args: []string{"1", "--validator", "v1"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newInstantPool(t)
			p.kind, p.rule = tt.kind, tt.rule
			e := instantEnv(t, p)
			code := e.Run(unstakeCmd, append(tt.args, "--yes", "--json")...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, e.ErrOut)
			}
			if tt.wantCode != 0 {
				e.AssertNothingSent(t)
				if p.got != nil {
					t.Errorf("built %+v after a refusal", p.got)
				}
				return
			}
			if p.got == nil || p.got.Target != tt.wantTarget || len(e.Node.Sent()) != 1 {
				t.Errorf("built %+v, sent %d", p.got, len(e.Node.Sent()))
			}
		})
	}
}
