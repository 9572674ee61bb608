package polygon_test

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/polygon"
)

// TestRewarder: Delegations shows the stake and the liquid rewards of a
// delegation; ClaimRewards (withdrawRewardsPOL) pays them in POL;
// RestakeRewards (restakePOL) adds them to the stake.
func TestRewarder(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	n := startNet(ctx, t)
	acct := n.Accounts[3]
	p := n.adapter(t)
	if _, err := p.ClaimRewards(ctx, acct.Address, ""); !errors.As(err, new(*protocol.LimitError)) {
		t.Errorf("claim with no delegation: %v, want a LimitError", err)
	}
	n.send(ctx, t, p, acct, mustCalls(t)(p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: pol(1000), Target: "2"})))
	earn := func() protocol.Delegation {
		t.Helper()
		for range 2 {
			if err := n.stepper.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}
		ds, err := p.Delegations(ctx, acct.Address, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Target != "2" || ds[0].Rewards.Sign() <= 0 || ds[0].Token.Symbol != "POL" {
			t.Fatalf("delegations %+v, want one to validator 2 in POL with rewards", ds)
		}
		return ds[0]
	}
	d := earn()
	if d.Staked.Cmp(pol(999)) < 0 {
		t.Errorf("staked %s, want about 1000 POL", d.Staked)
	}
	polToken := polygon.Deployments["devnet"][polygon.RolePOL]
	before, err := erc20.BalanceOf(ctx, n.Client, polToken, acct.Address)
	if err != nil {
		t.Fatal(err)
	}
	calls := mustCalls(t)(p.ClaimRewards(ctx, acct.Address, "2"))
	n.send(ctx, t, p, acct, calls)
	after, err := erc20.BalanceOf(ctx, n.Client, polToken, acct.Address)
	if err != nil {
		t.Fatal(err)
	}
	if got := new(big.Int).Sub(after, before); got.Cmp(calls[0].Amount) < 0 {
		t.Errorf("withdrawRewardsPOL paid %s POL wei, want at least the %s read", got, calls[0].Amount)
	}
	d = earn()
	calls = mustCalls(t)(p.RestakeRewards(ctx, acct.Address, ""))
	n.send(ctx, t, p, acct, calls)
	ds, err := p.Delegations(ctx, acct.Address, "2")
	if err != nil {
		t.Fatal(err)
	}
	// restakePOL buys whole shares: the stake grows by the rewards less
	// at most one share's worth of rounding.
	if len(ds) != 1 || ds[0].Staked.Cmp(d.Staked) <= 0 {
		t.Errorf("after restakePOL: %+v, want more than %s staked", ds, d.Staked)
	}
}

func mustCalls(t *testing.T) func([]protocol.Call, error) []protocol.Call {
	return func(calls []protocol.Call, err error) []protocol.Call {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return calls
	}
}
