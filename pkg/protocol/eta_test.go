package protocol_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// headBackend answers HeaderByNumber with a block of time head (or err)
// and counts the reads.
type headBackend struct {
	fakeBackend
	head  uint64
	err   error
	reads int
}

func (h *headBackend) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	h.reads++
	if h.err != nil {
		return nil, h.err
	}
	return &types.Header{Number: big.NewInt(1), Time: h.head}, nil
}

// TestFixedETA: each pending request gets the time its Withdrawal carries,
// with the Known note, or none with the Unknown one; other requests are
// left out; AsOf is the later of the wall clock and the latest block; one
// read.
func TestFixedETA(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ahead := uint64(time.Now().Add(24 * time.Hour).Unix())
	ws := []protocol.Withdrawal{
		{ID: "1", Status: protocol.StatusPending, ClaimableAt: &at},
		{ID: "2", Status: protocol.StatusPending},
		{ID: "3", Status: protocol.StatusClaimable, ClaimableAt: &at},
		{ID: "4", Status: protocol.StatusClaimed},
	}
	tests := []struct {
		name      string
		head      uint64
		headErr   error
		wantAsOf  func(before time.Time, got time.Time) bool
		wantErr   string
		wantNotes map[protocol.RequestID]string
		// chainTime is what FixedETA.ChainTime says (nil: not set);
		// reads the latest-block reads expected.
		chainTime func() (time.Time, bool)
		reads     int
	}{
		{
			name:      "chain behind the wall clock",
			head:      1,
			wantAsOf:  func(before, got time.Time) bool { return !got.Before(before) && got.Location() == time.UTC },
			wantNotes: map[protocol.RequestID]string{"1": "known", "2": "unknown"},
		},
		{
			name:      "chain ahead of the wall clock",
			head:      ahead,
			wantAsOf:  func(_, got time.Time) bool { return got.Equal(time.Unix(int64(ahead), 0)) },
			wantNotes: map[protocol.RequestID]string{"1": "known", "2": "unknown"},
		},
		{name: "no latest block", headErr: errors.New("node down"), wantErr: "x: read the latest block: node down"},
		{
			name:      "chain time known, ahead: no read",
			headErr:   errors.New("must not be read"),
			chainTime: func() (time.Time, bool) { return time.Unix(int64(ahead), 0), true },
			wantAsOf: func(_, got time.Time) bool {
				return got.Equal(time.Unix(int64(ahead), 0)) && got.Location() == time.UTC
			},
			wantNotes: map[protocol.RequestID]string{"1": "known", "2": "unknown"},
			reads:     0,
		},
		{
			name:      "chain time not known yet: the latest block",
			head:      ahead,
			chainTime: func() (time.Time, bool) { return time.Time{}, false },
			wantAsOf:  func(_, got time.Time) bool { return got.Equal(time.Unix(int64(ahead), 0)) },
			wantNotes: map[protocol.RequestID]string{"1": "known", "2": "unknown"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &headBackend{head: tt.head, err: tt.headErr}
			e := protocol.FixedETA{
				Name: "x", Backend: b, Known: "known", Unknown: "unknown",
				ETA:       func(w protocol.Withdrawal) *time.Time { return w.ClaimableAt },
				ChainTime: tt.chainTime,
			}
			wantReads := 1
			if tt.chainTime != nil {
				if _, known := tt.chainTime(); known {
					wantReads = tt.reads
				}
			}
			before := time.Now().Truncate(time.Second)
			got, err := e.Estimate(t.Context(), ws)
			if b.reads != wantReads {
				t.Errorf("%d reads, want %d", b.reads, wantReads)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Estimate = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.wantNotes) {
				t.Fatalf("estimates for %d requests, want %d: %+v", len(got), len(tt.wantNotes), got)
			}
			for id, note := range tt.wantNotes {
				est, ok := got[id]
				if !ok || est.Note != note {
					t.Errorf("request %s: %+v, want note %q", id, est, note)
				}
				if !tt.wantAsOf(before, est.AsOf) {
					t.Errorf("request %s: AsOf %v", id, est.AsOf)
				}
			}
			if eta := got["1"].ETA; eta == nil || !eta.Equal(at) || eta == ws[0].ClaimableAt {
				t.Errorf("request 1: ETA %v, want a copy of %v", eta, at)
			}
			if got["2"].ETA != nil {
				t.Errorf("request 2: ETA %v, want none", got["2"].ETA)
			}
		})
	}
}
