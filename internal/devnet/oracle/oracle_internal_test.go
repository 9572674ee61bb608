package oracle

import (
	"math/big"
	"testing"
	"time"
)

func TestRewards(t *testing.T) {
	pooled, _ := new(big.Int).SetString("1000000000000000000000", 10) // 1000 ETH
	tests := []struct {
		name    string
		apr     float64
		elapsed uint64
		want    string
	}{
		{"a year at 4%", 4, secondsPerYear, "40000000000000000000"},
		{"a day at 4%", 4, 86400, "109589041095890410"},
		{"fractional APR", 3.5, secondsPerYear, "35000000000000000000"},
		{"no APR", 0, secondsPerYear, "0"},
		{"no time", 4, 0, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Oracle{cfg: Config{APR: tt.apr}}
			if got := o.rewards(pooled, tt.elapsed).String(); got != tt.want {
				t.Errorf("rewards = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestBondingSecondsRoundsUp(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want uint64
	}{
		{0, 0},
		{time.Second, 1},
		{1500 * time.Millisecond, 2},
		{time.Minute, 60},
	}
	for _, tt := range tests {
		o := &Oracle{cfg: Config{BondingPeriod: tt.in}}
		if got := o.bondingSeconds(); got != tt.want {
			t.Errorf("bondingSeconds(%s) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
