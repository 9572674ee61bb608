package sts

import (
	"math/big"
	"testing"
	"time"
)

// TestRuleOf: the SFC's rule for stS's own request, from the request time,
// the withdrawal period and the end times of the last sealed epochs.
func TestRuleOf(t *testing.T) {
	const req = 1000
	// Epochs 5..9 sealed (currentEpoch 10), 60 s apart, ending 1000+60k.
	ends := func(afterReq int) []uint64 {
		var out []uint64
		for i := 0; i < 5; i++ {
			// the last afterReq epochs end after the request
			if i >= 5-afterReq {
				out = append(out, req+uint64(60*(i-(5-afterReq)+1)))
			} else {
				out = append(out, req-uint64(60*(5-afterReq-i)))
			}
		}
		return out
	}
	tests := []struct {
		name          string
		periodTime    int64
		periodEpochs  int64
		afterReq      int // epochs sealed after the request
		now           uint64
		wantClaimable bool
		wantTimeOK    bool
		wantNeeded    uint64
		wantETA       int64 // 0: nil
	}{
		{"time passed, epochs not", 100, 3, 1, req + 200, false, true, 2, req + 60 + 2*60 + 0},
		{"time and epochs passed", 100, 3, 3, req + 200, true, true, 0, req + 100},
		{"epochs passed, time not", 500, 3, 4, req + 300, false, false, 0, req + 500},
		{"no epochs required", 100, 0, 0, req + 100, true, true, 0, req + 100},
		{"an epoch ending in the request's second is not counted", 0, 1, 0, req + 10, false, true, 1, req + 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &period{time: big.NewInt(tt.periodTime), epochs: big.NewInt(tt.periodEpochs), ends: ends(tt.afterReq), first: 5}
			if tt.name == "an epoch ending in the request's second is not counted" {
				p.ends[4] = req
			}
			r := ruleOf(big.NewInt(req), p, tt.now, 10)
			if r.claimable != tt.wantClaimable || r.timeOK != tt.wantTimeOK || r.needed != tt.wantNeeded {
				t.Errorf("ruleOf = %+v, want claimable %v, timeOK %v, needed %d", r, tt.wantClaimable, tt.wantTimeOK, tt.wantNeeded)
			}
			want := time.Unix(max(tt.wantETA, int64(tt.now)), 0).UTC()
			if tt.wantClaimable || tt.wantNeeded == 0 {
				want = time.Unix(tt.wantETA, 0).UTC()
			}
			if r.due == nil || !r.due.Equal(want) {
				t.Errorf("due %v, want %v", r.due, want)
			}
		})
	}
}
