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

// TestResolveUnstakeValidatorNative: for a native delegation (no token, no
// credit) an unstake amount, or all, is in the native coin; --token keeps
// the command's own choice.
func TestResolveUnstakeValidatorNative(t *testing.T) {
	native := protocol.Token{Symbol: "S", Decimals: 18}
	list := []protocol.Validator{{ID: "1", Status: "active", TotalStake: big.NewInt(1)}}
	for _, tc := range []struct {
		name, token, amount, want string
	}{
		{"amount", "", "5", "S"},
		{"all", "", "all", "S"},
		{"--token given", "stS", "1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, tok, err := ResolveUnstakeValidator(context.Background(), &fakeNative{fakeDelegation{list: list}}, "1", tc.token, tc.amount, native)
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
