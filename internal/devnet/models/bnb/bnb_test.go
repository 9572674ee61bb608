package bnb_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	bnbmodel "github.com/stakewallet/stakewallet/internal/devnet/models/bnb"
	"github.com/stakewallet/stakewallet/pkg/protocol/bnb"
)

// TestStepper: the bonding period is applied once through updateParam, a
// step with nothing to do sends nothing, and rewards at the APR raise the
// pools of unjailed validators only.
func TestStepper(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	dn := devnettest.Start(ctx, t, "devnet-bsc")
	c, oracle := dn.Client, dn.Oracle
	hubArt, err := contracts.Load(bnbmodel.NameStakeHub)
	if err != nil {
		t.Fatal(err)
	}
	creditArt, err := contracts.Load(bnbmodel.NameStakeCredit)
	if err != nil {
		t.Fatal(err)
	}
	read := func(a *abi.ABI, to interface{ Hex() string }, method string) *big.Int {
		t.Helper()
		v, err := devtx.CallBig(ctx, c, a, bnb.DevnetStakeHub, method)
		if to.Hex() != bnb.DevnetStakeHub.Hex() {
			v, err = devtx.CallBig(ctx, c, a, bnb.DevnetCredit(int(to.(creditN))), method)
		}
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	head := func() uint64 {
		n, err := c.BlockNumber(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := read(&hubArt.ABI, bnb.DevnetStakeHub, "unbondPeriod"); got.Int64() != int64(bnbmodel.GenesisUnbondPeriod/time.Second) {
		t.Fatalf("genesis unbondPeriod %s, want 7 days", got)
	}
	env := model.StepEnv{Sender: oracle, Addresses: bnb.Deployments["devnet-bsc"], BondingPeriod: 10 * time.Second, WallClock: true}
	s, err := bnbmodel.Model.NewStepper(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(&hubArt.ABI, bnb.DevnetStakeHub, "unbondPeriod"); got.Int64() != 10 {
		t.Fatalf("unbondPeriod %s after the stepper, want 10", got)
	}
	n := head()
	if _, err := bnbmodel.Model.NewStepper(ctx, env); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if head() != n {
		t.Errorf("the same bonding period set again, or a step with nothing to do sent: block %d → %d", n, head())
	}

	env.APR, env.RewardInterval = 50, time.Second
	s, err = bnbmodel.Model.NewStepper(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	before := map[int]*big.Int{}
	for i := range bnbmodel.Validators {
		before[i+1] = read(&creditArt.ABI, creditN(i+1), "totalPooledBNB")
	}
	// The first reward is due an interval after the stepper started, by
	// the later of the chain's clock and the wall clock.
	start := head()
	for deadline := time.Now().Add(10 * time.Second); head() == start && time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		if err := s.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range bnbmodel.Validators {
		after := read(&creditArt.ABI, creditN(i+1), "totalPooledBNB")
		switch grew := after.Cmp(before[i+1]) > 0; {
		case v.Jailed && grew:
			t.Errorf("jailed %s earned rewards: %s → %s", v.Moniker, before[i+1], after)
		case !v.Jailed && !grew:
			t.Errorf("%s earned no rewards at 50%% APR: %s → %s", v.Moniker, before[i+1], after)
		}
	}
}

// creditN names the n-th validator's credit for read.
type creditN int

func (n creditN) Hex() string { return bnb.DevnetCredit(int(n)).Hex() }
