package sonic

import (
	"fmt"
	"math/big"
	"testing"
	"time"
)

// TestJudge: SFC._withdraw's rules (time and epochs, the deactivation
// shortcut, the slashing penalty) and the ETA (the later of the two rules,
// the epochs at the average epoch length).
func TestJudge(t *testing.T) {
	b := func(v int64) *big.Int { return big.NewInt(v) }
	coin := new(big.Int).Mul(b(10), decimalUnit) // 10 S
	active := validatorInfo{Status: b(0), DeactivatedTime: b(0), DeactivatedEpoch: b(0)}
	// Period 100 s and 3 epochs; epoch 10 sealed at 1000 (current 11),
	// epochs last 20 s on average.
	p := period{time: b(100), epochs: b(3), now: 1000, sealed: 10, sealedEnd: 1000, epochLen: b(20)}
	unix := func(s int64) *time.Time { u := time.Unix(s, 0).UTC(); return &u }
	tests := []struct {
		name      string
		req       []*big.Int // epoch, time, amount
		v         validatorInfo
		refund    *big.Int
		p         period
		claimable bool
		payable   *big.Int
		eta       *time.Time
	}{
		{"fresh: the time decides", []*big.Int{b(11), b(990), coin}, active, nil, p, false, coin,
			unix(1090)}, // epoch 14 needs 3 more seals (1060); time due 1090
		{"the epochs decide", []*big.Int{b(11), b(950), coin}, active, nil, p, false, coin,
			unix(1000 + 3*20)}, // time due 1050
		{"the time decides", []*big.Int{b(9), b(980), coin}, active, nil, p, false, coin,
			unix(1080)}, // epoch 12 needs 1 seal (1020); time due 1080
		{"both passed", []*big.Int{b(8), b(900), coin}, active, nil, p, true, coin, unix(1000)},
		{"time passed, epochs not", []*big.Int{b(10), b(800), coin}, active, nil, p, false, coin,
			unix(1000 + 2*20)},
		{"deactivated before the request: its time and epoch count", []*big.Int{b(11), b(990), coin},
			validatorInfo{Status: b(statusOffline), DeactivatedTime: b(850), DeactivatedEpoch: b(5)}, nil, p, true, coin, unix(950)},
		{"slashed, half refunded: the penalty rounds up", []*big.Int{b(8), b(900), coin},
			validatorInfo{Status: b(statusDoubleSign), DeactivatedTime: b(950), DeactivatedEpoch: b(9)},
			new(big.Int).Div(decimalUnit, b(2)), p, true, new(big.Int).Sub(new(big.Int).Div(coin, b(2)), b(1)), unix(1000)},
		{"epoch length unknown: no ETA while epochs are due", []*big.Int{b(11), b(990), coin}, active, nil,
			period{time: b(100), epochs: b(3), now: 1000, sealed: 10, sealedEnd: 1000}, false, coin, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := judge(tt.req, tt.v, tt.refund, tt.p)
			if !j.exists || j.claimable != tt.claimable || j.payable.Cmp(tt.payable) != 0 {
				t.Errorf("exists %v claimable %v payable %s; want claimable %v payable %s", j.exists, j.claimable, j.payable, tt.claimable, tt.payable)
			}
			switch {
			case (j.eta == nil) != (tt.eta == nil):
				t.Errorf("ETA %v, want %v", j.eta, tt.eta)
			case j.eta != nil && !j.eta.Equal(*tt.eta):
				t.Errorf("ETA %v, want %v", j.eta, tt.eta)
			}
		})
	}
	if j := judge([]*big.Int{b(0), b(0), b(0)}, active, nil, p); j.exists {
		t.Error("a request of amount 0 (none, or withdrawn) exists")
	}
}

// TestEpochLength: the median of the last epochs' lengths, so that one
// long epoch (a pause in sealing) does not skew the ETA; the epochs read.
func TestEpochLength(t *testing.T) {
	tests := []struct {
		ends []uint64
		want int64 // -1: unknown
	}{
		{[]uint64{0}, -1},
		{[]uint64{100}, -1},
		{[]uint64{0, 100}, -1},                  // epoch 0 never ends
		{[]uint64{100, 120}, 20},                // one epoch
		{[]uint64{100, 700, 720, 740, 760}, 20}, // a pause, then 20 s epochs
		{[]uint64{100, 110, 130, 160}, 20},      // 10, 20, 30
		{[]uint64{100, 110, 140, 160, 900}, 20}, // 10, 30, 20, 740: lower median
	}
	for _, tt := range tests {
		got := epochLength(tt.ends)
		switch {
		case tt.want < 0 && got != nil:
			t.Errorf("epochLength(%v) = %s, want unknown", tt.ends, got)
		case tt.want >= 0 && (got == nil || got.Int64() != tt.want):
			t.Errorf("epochLength(%v) = %v, want %d", tt.ends, got, tt.want)
		}
	}
	for _, tt := range []struct {
		sealed uint64
		want   []uint64
	}{{0, []uint64{0}}, {1, []uint64{1}}, {3, []uint64{1, 2, 3}}, {10, []uint64{6, 7, 8, 9, 10}}} {
		if got := endEpochs(tt.sealed); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("endEpochs(%d) = %v, want %v", tt.sealed, got, tt.want)
		}
	}
}
