package protocoltest

import (
	"context"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// compounding is a delegation protocol whose rewards compound into the
// stake (BNB's kind): a protocol.Delegator that is not a protocol.Rewarder.
type compounding struct {
	fakeProtocol
	stakes map[string][]*big.Int // by target
	asked  []string
}

func (c *compounding) Delegations(_ context.Context, owner common.Address, target string) ([]protocol.Delegation, error) {
	c.asked = append(c.asked, target)
	var out []protocol.Delegation
	for _, s := range c.stakes[target] {
		out = append(out, protocol.Delegation{Target: target, Staked: s})
	}
	return out, nil
}

// rewarding is the same with rewards that wait to be claimed (Sonic's kind).
type rewarding struct{ compounding }

func (*rewarding) ClaimRewards(context.Context, common.Address, string) ([]protocol.Call, error) {
	return nil, nil
}
func (*rewarding) RestakeRewards(context.Context, common.Address, string) ([]protocol.Call, error) {
	return nil, nil
}

var (
	_ protocol.Delegator = (*compounding)(nil)
	_ protocol.Rewarder  = (*rewarding)(nil)
)

// TestMeasuresDelegation: the suite measures a tokenless native delegation
// through Delegations for every Delegator, not only for Rewarders.
func TestMeasuresDelegation(t *testing.T) {
	if _, ok := any(&compounding{}).(protocol.Rewarder); ok {
		t.Fatal("compounding must not be a Rewarder for this test to mean anything")
	}
	credit := protocol.Token{Symbol: "stV", Address: common.HexToAddress("0x1600000000000000000000000000000000000001"), Role: protocol.RoleCredit}
	tests := []struct {
		name   string
		p      protocol.Protocol
		staked protocol.Token
		target string
		want   bool
	}{
		{"compounding delegator (BNB-like)", &compounding{}, protocol.Token{}, "v1", true},
		{"rewarder (Sonic-like)", &rewarding{}, protocol.Token{}, "v1", true},
		{"no delegations capability", fakeProtocol{}, protocol.Token{}, "v1", false},
		{"no target", &compounding{}, protocol.Token{}, "", false},
		{"a credit to read instead (BNB)", &compounding{}, credit, "v1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := measuresDelegation(tt.p, tt.staked, tt.target); got != tt.want {
				t.Errorf("measuresDelegation = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBalanceOfDelegation: the suite's balance of a delegated stake is the
// sum of the Target's delegations, read through a Delegator that is not a
// Rewarder (no chain read).
func TestBalanceOfDelegation(t *testing.T) {
	native := protocol.Token{Symbol: "BNB", Decimals: 18, Role: protocol.RoleNative}
	p := &compounding{stakes: map[string][]*big.Int{"v1": {big.NewInt(7), big.NewInt(5)}}}
	s := &suite{
		h:         Harness{Target: "v1", Native: native, Chain: fakeChain{}},
		p:         p,
		ctx:       context.Background(),
		staked:    native,
		delegated: true,
	}
	got, err := s.balance(native)
	if err != nil {
		t.Fatal(err)
	}
	if got.Cmp(big.NewInt(12)) != 0 || len(p.asked) != 1 || p.asked[0] != "v1" {
		t.Errorf("balance = %s (asked %q), want 12 from target v1", got, p.asked)
	}
}
