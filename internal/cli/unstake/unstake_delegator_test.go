package unstake

import (
	"context"
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

// compoundingDelegation is a native delegation protocol whose rewards
// compound into the stake, as BNB Chain's do: it lists validators and
// delegations (protocol.Validators, protocol.Delegator) but has no rewards
// to claim, so it is not a protocol.Rewarder. Its stake is no token, and
// its validators mint no credit; unstaking pays the coin back at once.
type compoundingDelegation struct {
	hub common.Address
	abi *abi.ABI
	// stakes is what Delegations answers, by owner and validator id.
	stakes map[common.Address]map[string]*big.Int
	// got is the last request Unstake was asked to build.
	got *protocol.UnstakeRequest
}

const delegationABI = `[{"type":"function","name":"undelegate","stateMutability":"nonpayable","inputs":[{"name":"validator","type":"uint256"},{"name":"amount","type":"uint256"}],"outputs":[]}]`

var (
	_ protocol.Validators = (*compoundingDelegation)(nil)
	_ protocol.Delegator  = (*compoundingDelegation)(nil)
)

func newCompoundingDelegation(t *testing.T) *compoundingDelegation {
	a, err := abi.JSON(strings.NewReader(delegationABI))
	if err != nil {
		t.Fatal(err)
	}
	return &compoundingDelegation{
		hub:    common.HexToAddress("0x00000000000000000000000000000000000d0001"),
		abi:    &a,
		stakes: map[common.Address]map[string]*big.Int{},
	}
}

func (p *compoundingDelegation) Name() string                    { return "compound" }
func (p *compoundingDelegation) DisplayName() string             { return "Compounding Staking" }
func (p *compoundingDelegation) Tokens() protocol.Tokens         { return nil }
func (p *compoundingDelegation) Unstaking() protocol.UnstakeKind { return protocol.UnstakeInstant }
func (p *compoundingDelegation) Targets() protocol.TargetRule    { return protocol.TargetRequired }
func (p *compoundingDelegation) ABI() *abi.ABI                   { return p.abi }
func (p *compoundingDelegation) Stake(context.Context, protocol.StakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("compoundingDelegation: stake is not part of this test")
}

func (p *compoundingDelegation) Validators(context.Context) ([]protocol.Validator, error) {
	return []protocol.Validator{
		{ID: "7", Moniker: "Seven", Status: "active", TotalStake: clitest.Ether(1000)},
		{ID: "8", Moniker: "Eight", Status: "active", TotalStake: clitest.Ether(1000)},
	}, nil
}

func (p *compoundingDelegation) Delegations(_ context.Context, owner common.Address, target string) ([]protocol.Delegation, error) {
	var out []protocol.Delegation
	for id, s := range p.stakes[owner] {
		if (target == "" || target == id) && s.Sign() > 0 {
			out = append(out, protocol.Delegation{Target: id, Staked: new(big.Int).Set(s)})
		}
	}
	return out, nil
}

func (p *compoundingDelegation) Unstake(_ context.Context, r protocol.UnstakeRequest) ([]protocol.Call, error) {
	p.got = &r
	id, ok := new(big.Int).SetString(r.Target, 10)
	if !ok {
		return nil, &protocol.LimitError{Reason: "bad validator " + r.Target}
	}
	data, err := p.abi.Pack("undelegate", id, r.Amount)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{Action: "undelegate", Description: "Undelegate from validator " + r.Target, To: p.hub, Data: data, Amount: r.Amount, Token: r.Token}}, nil
}

// compoundingEnv is a node-backed env where every protocol is p, whose hub
// pays the undelegated amount back at once.
func compoundingEnv(t *testing.T, p *compoundingDelegation) *clitest.Env {
	e := clitest.NewEnv(t, "")
	e.UseProtocol(p)
	e.Node.SetBalance(p.hub, clitest.Ether(1000))
	e.Node.Handle(p.hub, p.abi, "undelegate", func(c *chaintest.Ctx, args []any) ([]any, error) {
		c.Pay(c.From, args[1].(*big.Int))
		return nil, nil
	})
	return e
}

// TestUnstakeAllOfCompoundingDelegation: "unstake all --validator V" of a
// native delegation is the stake Delegations reports for V, for a protocol
// whose rewards compound (a Delegator that is no Rewarder, as BNB Chain's
// adapter is) just as for one whose rewards wait to be claimed (Sonic).
func TestUnstakeAllOfCompoundingDelegation(t *testing.T) {
	if _, ok := any(&compoundingDelegation{}).(protocol.Rewarder); ok {
		t.Fatal("compoundingDelegation must not be a Rewarder for this test to mean anything")
	}
	for _, validator := range []string{"7", "sev"} {
		t.Run("--validator "+validator, func(t *testing.T) {
			p := newCompoundingDelegation(t)
			e := compoundingEnv(t, p)
			staked := clitest.Tenths(23)
			p.stakes[e.Alice] = map[string]*big.Int{"7": staked, "8": clitest.Ether(5)}
			e.RunOK(t, unstakeCmd, "all", "--validator", validator, "--yes", "--json")
			d, _ := clitest.JSONWithKeys[unstakeDoc](t, e)
			if d.Amount != staked.String() || d.Symbol != "ETH" || e.TxActions(t) != "undelegate:success" {
				t.Errorf("document = %+v", d)
			}
			if p.got == nil || p.got.Target != "7" || p.got.Amount.Cmp(staked) != 0 || !p.got.Token.IsNative() || p.got.Token.Role != protocol.RoleNative {
				t.Fatalf("Unstake was asked for %+v, want all %s of validator 7 in the native coin", p.got, staked)
			}
			if d.Received == nil || d.Received.Amount != staked.String() {
				t.Errorf("received = %+v, want %s", d.Received, staked)
			}
		})
	}
	t.Run("nothing delegated", func(t *testing.T) {
		p := newCompoundingDelegation(t)
		e := compoundingEnv(t, p)
		p.stakes[e.Alice] = map[string]*big.Int{"8": clitest.Ether(5)}
		e.RunFails(t, unstakeCmd, cmdutil.ExitBadInput, "has nothing delegated to Compounding Staking validator 7", "all", "--validator", "7", "--yes")
		e.AssertNothingSent(t)
		if p.got != nil {
			t.Errorf("built %+v after a refusal", p.got)
		}
	})
}
