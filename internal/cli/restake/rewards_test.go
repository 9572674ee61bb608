package restake

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// TestNativeBelow: native rewards below --min wait; rewards in another
// token (POL) are not held to a minimum in the native coin.
func TestNativeBelow(t *testing.T) {
	s := protocol.Token{Symbol: "S", Decimals: 18, Role: protocol.RoleNative}
	pol := protocol.Token{Symbol: "POL", Decimals: 18, Address: common.HexToAddress("0x01"), Role: protocol.RoleUnderlying}
	call := func(tok protocol.Token, n int64) protocol.Call {
		return protocol.Call{Action: "restakeRewards", Token: tok, Amount: big.NewInt(n)}
	}
	tests := []struct {
		name  string
		calls []protocol.Call
		min   int64
		want  bool
	}{
		{"no minimum", []protocol.Call{call(s, 1)}, 0, false},
		{"the sum reaches it", []protocol.Call{call(s, 4), call(s, 6)}, 10, false},
		{"below", []protocol.Call{call(s, 4), call(s, 5)}, 10, true},
		{"another token", []protocol.Call{call(pol, 1)}, 10, false},
	}
	for _, tt := range tests {
		if got := nativeBelow(tt.calls, big.NewInt(tt.min)); got != tt.want {
			t.Errorf("%s: nativeBelow = %v, want %v", tt.name, got, tt.want)
		}
	}
}
