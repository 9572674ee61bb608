package cmdutil

import (
	"context"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// fakeNative is a delegation protocol with no token at all whose rewards
// wait to be claimed (Sonic's SFC).
type fakeNative struct{ fakeDelegation }

func (*fakeNative) Delegations(context.Context, common.Address, string) ([]protocol.Delegation, error) {
	return nil, nil
}
func (*fakeNative) ClaimRewards(context.Context, common.Address, string) ([]protocol.Call, error) {
	return nil, nil
}
func (*fakeNative) RestakeRewards(context.Context, common.Address, string) ([]protocol.Call, error) {
	return nil, nil
}

// fakeCompounding is a native delegation protocol with no token whose
// rewards compound into the stake (as BNB's do): a protocol.Delegator that
// is not a protocol.Rewarder.
type fakeCompounding struct{ fakeDelegation }

func (*fakeCompounding) Delegations(context.Context, common.Address, string) ([]protocol.Delegation, error) {
	return nil, nil
}

var (
	_ protocol.Rewarder  = (*fakeNative)(nil)
	_ protocol.Delegator = (*fakeCompounding)(nil)
)

// TestResolveUnstakeValidatorNative: for a native delegation (no token, no
// credit) an unstake amount, or all, is in the native coin; --token keeps
// the command's own choice. Rewards that compound (a Delegator that is no
// Rewarder) make no difference; a protocol with validators but no
// delegations capability keeps the command's choice.
func TestResolveUnstakeValidatorNative(t *testing.T) {
	if _, ok := any(&fakeCompounding{}).(protocol.Rewarder); ok {
		t.Fatal("fakeCompounding must not be a Rewarder")
	}
	native := protocol.Token{Symbol: "S", Decimals: 18}
	list := []protocol.Validator{{ID: "1", Status: "active", TotalStake: big.NewInt(1)}}
	for _, tc := range []struct {
		name, token, amount, want string
		p                         func() protocol.Protocol
	}{
		{"amount", "", "5", "S", nil},
		{"all", "", "all", "S", nil},
		{"--token given", "stS", "1", "", nil},
		{"compounding: amount", "", "5", "S", func() protocol.Protocol { return &fakeCompounding{fakeDelegation{list: list}} }},
		{"compounding: all", "", "all", "S", func() protocol.Protocol { return &fakeCompounding{fakeDelegation{list: list}} }},
		{"compounding: --token given", "stS", "all", "", func() protocol.Protocol { return &fakeCompounding{fakeDelegation{list: list}} }},
		{"validators without delegations", "", "all", "", func() protocol.Protocol { return &fakeDelegation{list: list} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p protocol.Protocol = &fakeNative{fakeDelegation{list: list}}
			if tc.p != nil {
				p = tc.p()
			}
			id, tok, err := ResolveUnstakeValidator(context.Background(), p, "1", tc.token, tc.amount, native)
			if err != nil || id != "1" {
				t.Fatalf("= %q, %v", id, err)
			}
			got := ""
			if tok != nil {
				got = tok.Symbol
				if tok.Role != protocol.RoleNative {
					t.Errorf("role %q, want native", tok.Role)
				}
			}
			if got != tc.want {
				t.Errorf("token %q, want %q", got, tc.want)
			}
		})
	}
}
