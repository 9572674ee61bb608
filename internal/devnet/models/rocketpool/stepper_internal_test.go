package rocketpool

import (
	"math/big"
	"testing"
)

// TestNextRate: the rate grows by the APR over the elapsed time and never
// by RPIP-61's maximum change or more.
func TestNextRate(t *testing.T) {
	e18 := big.NewInt(1e18)
	maxDelta := big.NewInt(2e16) // 2%
	tests := []struct {
		name           string
		total, supply  *big.Int
		apr            float64
		elapsed        uint64
		rate0, atLeast *big.Int
		clamped        bool
	}{
		{"no supply reported: 1:1", new(big.Int), new(big.Int), 10, secondsPerYear / 10, e18, big.NewInt(1e18 + 1e16 - 1), false},
		{"1.1, 4% for a year", ether(110), ether(100), 4, secondsPerYear, big.NewInt(11e17), big.NewInt(11e17 + 44e15 - 1), true},
		{"1.1, 4% for a day", ether(110), ether(100), 4, 86400, big.NewInt(11e17), new(big.Int).Add(big.NewInt(11e17), new(big.Int).Div(big.NewInt(44e15), big.NewInt(365))), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r0, r1 := NextRate(tt.total, tt.supply, tt.apr, tt.elapsed, maxDelta)
			if r0.Cmp(tt.rate0) != 0 {
				t.Errorf("rate0 = %s, want %s", r0, tt.rate0)
			}
			limit := new(big.Int).Add(r0, mulDiv(r0, maxDelta, e18))
			if r1.Cmp(limit) >= 0 || r1.Cmp(r0) <= 0 {
				t.Errorf("rate1 = %s, want in (%s, %s)", r1, r0, limit)
			}
			if !tt.clamped && r1.Cmp(tt.atLeast) < 0 {
				t.Errorf("rate1 = %s, want ≥ %s", r1, tt.atLeast)
			}
		})
	}
}
