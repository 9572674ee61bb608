package model_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
)

func TestCheck(t *testing.T) {
	sender := &devtx.Sender{}
	tests := []struct {
		name    string
		env     model.StepEnv
		wantErr string
	}{
		{"fine", model.StepEnv{Sender: sender, BondingPeriod: time.Second, APR: 3.5}, ""},
		{"zero bonding and APR", model.StepEnv{Sender: sender}, ""},
		{"no sender", model.StepEnv{APR: 1}, "x model: no sender"},
		{"negative bonding", model.StepEnv{Sender: sender, BondingPeriod: -time.Second}, "x model: the bonding period must not be negative"},
		{"negative APR", model.StepEnv{Sender: sender, APR: -1}, "x model: invalid APR -1"},
		{"NaN APR", model.StepEnv{Sender: sender, APR: math.NaN()}, "x model: invalid APR NaN"},
		{"infinite APR", model.StepEnv{Sender: sender, APR: math.Inf(1)}, "x model: invalid APR +Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.env.Check("x model")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestNow(t *testing.T) {
	wall := uint64(time.Now().Unix())
	ahead := wall + 3600
	tests := []struct {
		name      string
		wallClock bool
		head      uint64
		atLeast   uint64
		atMost    uint64
	}{
		{"hand-moved clock: the head", false, 100, 100, 100},
		{"wall clock ahead of the head", true, 100, wall, wall + 60},
		{"head ahead of the wall clock", true, ahead, ahead, ahead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.Now(tt.wallClock, tt.head); got < tt.atLeast || got > tt.atMost {
				t.Errorf("Now(%v, %d) = %d, want in [%d, %d]", tt.wallClock, tt.head, got, tt.atLeast, tt.atMost)
			}
		})
	}
}

// TestDueMine: on a devnet, a due time the wall clock passed but the chain
// did not makes one block (unless the step sent something already); times
// the chain reached are forgotten, later ones kept; off a wall-clock node
// everything is forgotten and nothing sent.
func TestDueMine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx := t.Context()
	n := devnettest.Start(ctx, t, "")
	const head, now = 1000, 2000
	tests := []struct {
		name      string
		wallClock bool
		sent      bool
		times     []uint64
		wantMined bool
		wantLeft  int
	}{
		{"reached by the chain", true, false, []uint64{500, head}, false, 0},
		{"passed by the wall clock", true, false, []uint64{500, 1500, now + 10}, true, 1},
		{"passed, but the step sent already", true, true, []uint64{1500}, false, 0},
		{"still ahead", true, false, []uint64{now + 1, now + 2}, false, 2},
		{"hand-moved clock", false, false, []uint64{1500, now + 1}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d model.Due
			for _, x := range tt.times {
				d.Add(x)
			}
			before, err := n.Client.BlockNumber(ctx)
			if err != nil {
				t.Fatal(err)
			}
			mined, err := d.Mine(ctx, n.Oracle, "x model", tt.wallClock, head, now, tt.sent)
			if err != nil {
				t.Fatal(err)
			}
			after, err := n.Client.BlockNumber(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if mined != tt.wantMined || d.Len() != tt.wantLeft {
				t.Errorf("mined %v, %d times left; want %v, %d", mined, d.Len(), tt.wantMined, tt.wantLeft)
			}
			if blocks := after - before; (blocks == 1) != tt.wantMined || blocks > 1 {
				t.Errorf("%d blocks made, want mined=%v", blocks, tt.wantMined)
			}
		})
	}
}
