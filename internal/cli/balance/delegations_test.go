package balance

import (
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/output"
)

// TestDelegationRows: a delegation row shows its pending rewards, or that
// they compound into the stake when the protocol has none to claim (BNB).
func TestDelegationRows(t *testing.T) {
	bnb := Amount{Amount: "1500000000000000000", Symbol: "BNB", Decimals: 18}
	tests := []struct {
		name string
		d    Delegation
		want []string
	}{
		{"pending rewards", Delegation{Protocol: "sonic", Validator: "7", Staked: Amount{Amount: "2000000000000000000", Symbol: "S", Decimals: 18},
			Rewards: &Amount{Amount: "250000000000000000", Symbol: "S", Decimals: 18}},
			[]string{"sonic", "validator", "7", "2", "S", "staked,", "0.25", "S", "rewards"}},
		{"compounding", Delegation{Protocol: "bnb", Validator: "0xAb", Staked: bnb},
			[]string{"bnb", "validator", "0xAb", "1.5", "BNB", "staked,", "rewards", "compound"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Result{Address: "0x0000000000000000000000000000000000000001", Network: "devnet", Native: bnb, Delegations: []Delegation{tt.d}}
			var b strings.Builder
			r.RenderHuman(&b, output.Styles{})
			if lines := strings.Split(b.String(), "\n"); !hasRow(lines, tt.want) {
				t.Errorf("no row %q in:\n%s", strings.Join(tt.want, " "), b.String())
			}
		})
	}
}
