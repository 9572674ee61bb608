package cli

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// hostile is what a contract could put in a revert reason or a moniker to
// spoof what the user reads: erase the line, return the cursor, a fake
// success, an OSC 8 link, a bell, and a right-to-left override.
const hostile = "\x1b[2K\r✓ Staked 1 ETH\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\b\u202eHTE"

// hostileShown is hostile as people see it: every control escaped.
const hostileShown = `\x1b[2K\x0d✓ Staked 1 ETH\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x08\u202eHTE`

// evilPool is a delegation protocol whose contract reverts with hostile
// and whose one validator is named hostile.
type evilPool struct {
	pool common.Address
	abi  *abi.ABI
}

const evilABI = `[{"type":"function","name":"deposit","stateMutability":"payable","inputs":[{"name":"validator","type":"uint256"}],"outputs":[]}]`

func newEvilPool(t *testing.T, e *clitest.Env) *evilPool {
	a, err := abi.JSON(strings.NewReader(evilABI))
	if err != nil {
		t.Fatal(err)
	}
	p := &evilPool{pool: common.HexToAddress("0x00000000000000000000000000000000000e0001"), abi: &a}
	e.UseProtocol(p)
	e.Node.Handle(p.pool, p.abi, "deposit", func(*chaintest.Ctx, []any) ([]any, error) {
		return nil, chaintest.RevertString(hostile)
	})
	return p
}

func (p *evilPool) Name() string                    { return "evil" }
func (p *evilPool) DisplayName() string             { return "Evil Pool" }
func (p *evilPool) Tokens() protocol.Tokens         { return nil }
func (p *evilPool) Unstaking() protocol.UnstakeKind { return protocol.UnstakeInstant }
func (p *evilPool) Targets() protocol.TargetRule    { return protocol.TargetRequired }
func (p *evilPool) ABI() *abi.ABI                   { return p.abi }
func (p *evilPool) Unstake(context.Context, protocol.UnstakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("evilPool: unstake is not part of this test")
}

func (p *evilPool) Stake(_ context.Context, r protocol.StakeRequest) ([]protocol.Call, error) {
	data, err := p.abi.Pack("deposit", big.NewInt(1))
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{Action: "deposit", Description: "Deposit with validator 1", To: p.pool, Data: data, Value: r.Amount}}, nil
}

func (p *evilPool) Validators(context.Context) ([]protocol.Validator, error) {
	return []protocol.Validator{{ID: "1", Moniker: hostile, Status: "active", TotalStake: big.NewInt(1)}}, nil
}

// TestErrorsShownEscaped: an error that quotes the chain (a decoded revert
// reason, a validator's moniker) reaches stderr with its control
// characters escaped, so it cannot rewrite what the user reads; --json
// carries the same text exactly, escaped as JSON.
func TestErrorsShownEscaped(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"revert reason", []string{"stake", "1", "--validator", "1", "--yes"}, cmdutil.ExitBadInput},
		{"moniker in an unknown-validator error", []string{"stake", "1", "--validator", "nobody", "--yes"}, cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			newEvilPool(t, e)
			code := Run(context.Background(), e.F, tt.args)
			stderr := e.ErrOut.String()
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if !strings.Contains(stderr, hostileShown) {
				t.Errorf("stderr lacks the escaped text %q:\n%q", hostileShown, stderr)
			}
			if strings.ContainsAny(stderr, "\x1b\r\b\x07\u202e") {
				t.Errorf("stderr holds a raw control character: %q", stderr)
			}
			e.AssertNothingSent(t)

			e = clitest.NewEnv(t, "")
			newEvilPool(t, e)
			Run(context.Background(), e.F, append(tt.args, "--json"))
			var doc struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal([]byte(e.Out.String()), &doc); err != nil {
				t.Fatalf("%v: %q", err, e.Out)
			}
			if !strings.Contains(doc.Error.Message, hostile) {
				t.Errorf("JSON message %q lacks the text as read", doc.Error.Message)
			}
			if strings.ContainsAny(e.Out.String(), "\x1b\r\b\x07\u202e") {
				t.Errorf("JSON holds a raw control character: %q", e.Out)
			}
		})
	}
}
