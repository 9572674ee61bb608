package polygon_test

import (
	"context"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	polymodel "github.com/stakewallet/stakewallet/internal/devnet/models/polygon"
	"github.com/stakewallet/stakewallet/pkg/protocol/polygon"
)

func TestScale(t *testing.T) {
	for _, tc := range []struct {
		bonding  time.Duration
		delay    uint64
		interval time.Duration
	}{
		{time.Second, 1, 5 * time.Second},
		{3 * time.Second, 1, 5 * time.Second},
		{10 * time.Second, 2, 5 * time.Second},
		{60 * time.Second, 12, 5 * time.Second},
		{400 * time.Second, 80, 5 * time.Second},
		{40 * time.Hour, 80, 30 * time.Minute},
	} {
		d, c := polymodel.Scale(tc.bonding)
		if d != tc.delay || c != tc.interval {
			t.Errorf("Scale(%v) = %d checkpoints every %v, want %d every %v", tc.bonding, d, c, tc.delay, tc.interval)
		}
	}
}

// TestStepper: the stepper applies the bonding period as the withdrawal
// delay, a step before the interval sends nothing, and a checkpoint
// advances the epoch and the RootChain's header block.
func TestStepper(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	dn := devnettest.Start(ctx, t, "devnet")
	c, oracle := dn.Client, dn.Oracle
	smArt, err := contracts.Load(polymodel.NameStakeManager)
	if err != nil {
		t.Fatal(err)
	}
	rootArt, err := contracts.Load(polymodel.NameRootChain)
	if err != nil {
		t.Fatal(err)
	}
	delay, err := devtx.CallBig(ctx, c, &smArt.ABI, polygon.DevnetStakeManager, "withdrawalDelay")
	if err != nil {
		t.Fatal(err)
	}
	if delay.Uint64() != polymodel.GenesisWithdrawalDelay {
		t.Fatalf("genesis withdrawal delay %s, want %d", delay, polymodel.GenesisWithdrawalDelay)
	}
	st, err := polymodel.Model.NewStepper(ctx, model.StepEnv{Sender: oracle, Addresses: polygon.Deployments["devnet"], BondingPeriod: time.Minute, WallClock: true})
	if err != nil {
		t.Fatal(err)
	}
	delay, err = devtx.CallBig(ctx, c, &smArt.ABI, polygon.DevnetStakeManager, "withdrawalDelay")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := polymodel.Scale(time.Minute); delay.Uint64() != want {
		t.Errorf("withdrawal delay %s after NewStepper, want %d", delay, want)
	}
	epoch0, err := devtx.CallBig(ctx, c, &smArt.ABI, polygon.DevnetStakeManager, "epoch")
	if err != nil {
		t.Fatal(err)
	}
	// The first step seals the first checkpoint; a step right after it,
	// before the interval, sends nothing.
	if err := st.Step(ctx); err != nil {
		t.Fatal(err)
	}
	head, err := c.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if after, err := c.BlockNumber(ctx); err != nil || after != head {
		t.Errorf("a step before the interval mined blocks %d → %d (%v)", head, after, err)
	}
	for i := 1; i <= 3; i++ {
		if i > 1 {
			if err := st.(*polymodel.Stepper).Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}
		epoch, err := devtx.CallBig(ctx, c, &smArt.ABI, polygon.DevnetStakeManager, "epoch")
		if err != nil {
			t.Fatal(err)
		}
		header, err := devtx.CallBig(ctx, c, &rootArt.ABI, polygon.DevnetRootChain, "currentHeaderBlock")
		if err != nil {
			t.Fatal(err)
		}
		if epoch.Int64() != epoch0.Int64()+int64(i) || header.Int64() != int64(i)*10_000 {
			t.Errorf("after %d checkpoints: epoch %s (from %s), header block %s", i, epoch, epoch0, header)
		}
	}
}
