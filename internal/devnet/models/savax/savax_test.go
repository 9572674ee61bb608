package savax_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	savaxmodel "github.com/stakewallet/stakewallet/internal/devnet/models/savax"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
	"github.com/stakewallet/stakewallet/pkg/protocol/savax"
)

// TestModelABI: the model exposes the real StakedAvax ABI: every function
// and event the adapter knows (written from Benqi's source) is in the
// compiled model with the same selector or topic.
func TestModelABI(t *testing.T) {
	art, err := contracts.Load(savaxmodel.ContractName)
	if err != nil {
		t.Fatal(err)
	}
	real, err := savax.ABI()
	if err != nil {
		t.Fatal(err)
	}
	model := map[string]bool{}
	for _, m := range art.ABI.Methods {
		model[m.Sig] = true
	}
	for _, m := range real.Methods {
		if !model[m.Sig] {
			t.Errorf("the model lacks %s", m.Sig)
		}
	}
	for name, ev := range real.Events {
		got, ok := art.ABI.Events[name]
		if !ok || got.ID != ev.ID {
			t.Errorf("event %s: model %v, want topic %s", ev.Sig, got.Sig, ev.ID.Hex())
		}
		for i, in := range ev.Inputs {
			if ok && (i >= len(got.Inputs) || got.Inputs[i].Indexed != in.Indexed) {
				t.Errorf("event %s: argument %d indexed differs from the real one", ev.Sig, i)
			}
		}
	}
	if len(art.ABI.Errors) != 0 {
		t.Errorf("the model declares custom errors %v; the real contract has none", art.ABI.Errors)
	}
}

func TestPeriods(t *testing.T) {
	for _, c := range []struct {
		b, cooldown, redeem time.Duration
	}{
		{0, 0, 2 * time.Second},
		{time.Second, time.Second, 2 * time.Second},
		{5 * time.Second, 5 * time.Second, 10 * time.Second},
		{time.Minute, time.Minute, 2 * time.Minute},
	} {
		cd, rd := savaxmodel.Periods(c.b)
		if cd != c.cooldown || rd != c.redeem {
			t.Errorf("Periods(%s) = %s, %s; want %s, %s", c.b, cd, rd, c.cooldown, c.redeem)
		}
	}
}

// TestStepper: the stepper scales the periods once through the admin
// setters, sends nothing when nothing is due, makes the block that ends a
// cooldown and a window on a wall-clock chain, and pays APR rewards.
func TestStepper(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dn := devnettest.Start(ctx, t, "devnet-avalanche")
	d, client, sender := dn.Devnet, dn.Client, dn.Oracle
	art, err := contracts.Load(savaxmodel.ContractName)
	if err != nil {
		t.Fatal(err)
	}
	addrs := d.Deployment("savax")
	addr := addrs[savax.RoleStakedAvax]
	read := func(method string, args ...any) *big.Int {
		t.Helper()
		v, err := devtx.CallBig(ctx, client, &art.ABI, addr, method, args...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if read("cooldownPeriod").Int64() != int64(savaxmodel.MainnetCooldown/time.Second) || read("redeemPeriod").Int64() != int64(savaxmodel.MainnetRedeem/time.Second) {
		t.Errorf("genesis periods %s/%s, want mainnet's", read("cooldownPeriod"), read("redeemPeriod"))
	}
	head := func() uint64 {
		t.Helper()
		n, err := client.BlockNumber(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	st, err := savaxmodel.Model.NewStepper(ctx, model.StepEnv{Sender: sender, Addresses: addrs, BondingPeriod: 2 * time.Second, WallClock: true})
	if err != nil {
		t.Fatal(err)
	}
	if read("cooldownPeriod").Int64() != 2 || read("redeemPeriod").Int64() != 4 {
		t.Errorf("periods %s/%s after the stepper, want 2/4", read("cooldownPeriod"), read("redeemPeriod"))
	}
	// A second stepper finds the periods set: no transaction.
	before := head()
	if _, err := savaxmodel.Model.NewStepper(ctx, model.StepEnv{Sender: sender, Addresses: addrs, BondingPeriod: 2 * time.Second, WallClock: true}); err != nil {
		t.Fatal(err)
	}
	if err := st.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if after := head(); after != before {
		t.Errorf("nothing due (no APR, no request): %d blocks made, want none", after-before)
	}

	// A request: the stepper makes a block after its cooldown and after
	// its window, so the chain says claimable, then expired.
	user := d.Accounts()[6]
	p, err := savax.New(protocol.Env{Network: "devnet-avalanche", Addresses: addrs, Backend: client, Native: protocol.Token{Symbol: "AVAX", Decimals: 18}})
	if err != nil {
		t.Fatal(err)
	}
	us := protocoltest.NewSender(client, user.PrivateKey, p)
	send := func(calls []protocol.Call, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := us.Send(ctx, calls); err != nil {
			t.Fatal(err)
		}
	}
	send(p.Stake(ctx, protocol.StakeRequest{From: user.Address, Amount: big.NewInt(1e18)}))
	send(p.Unstake(ctx, protocol.UnstakeRequest{Owner: user.Address, Amount: big.NewInt(5e17)}))
	seen := map[protocol.Status]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for !seen[protocol.StatusExpired] && time.Now().Before(deadline) {
		if err := st.Step(ctx); err != nil {
			t.Fatal(err)
		}
		ws, err := p.(protocol.Requests).Withdrawals(ctx, user.Address, nil)
		if err != nil || len(ws) != 1 {
			t.Fatalf("withdrawals: %v, %v", ws, err)
		}
		seen[ws[0].Status] = true
		time.Sleep(200 * time.Millisecond)
	}
	for _, s := range []protocol.Status{protocol.StatusPending, protocol.StatusClaimable, protocol.StatusExpired} {
		if !seen[s] {
			t.Errorf("the request was never %s (saw %v): the stepper made no block at the boundary", s, seen)
		}
	}

	// APR: a stepper with rewards raises the rate once the interval passed.
	rst, err := savaxmodel.Model.NewStepper(ctx, model.StepEnv{Sender: sender, Addresses: addrs, BondingPeriod: 2 * time.Second, APR: 1000, WallClock: true})
	if err != nil {
		t.Fatal(err)
	}
	rate0 := read("getPooledAvaxByShares", big.NewInt(1e18))
	for time.Now().Before(deadline.Add(30*time.Second)) && read("getPooledAvaxByShares", big.NewInt(1e18)).Cmp(rate0) == 0 {
		if err := rst.Step(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	rate1 := read("getPooledAvaxByShares", big.NewInt(1e18))
	if rate1.Cmp(rate0) <= 0 {
		t.Errorf("rate %s → %s with APR 1000%%: no rewards", rate0, rate1)
	}
	// The contract holds the AVAX its pool says (rewards are paid in).
	bal, err := client.BalanceAt(ctx, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pooled := read("totalPooledAvax"); bal.Cmp(pooled) < 0 {
		t.Errorf("contract holds %s AVAX wei, pool says %s: redeems could not be paid", bal, pooled)
	}
}
