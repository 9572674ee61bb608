package sonic_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	sonicmodel "github.com/stakewallet/stakewallet/internal/devnet/models/sonic"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
	"github.com/stakewallet/stakewallet/pkg/protocol/sonic"
)

// bondingPeriod: the withdrawal period time; epochs are sealed every
// second (bondingPeriod/(3+1), at least 1 s) when the stepper is stepped.
const bondingPeriod = 3 * time.Second

// net is the in-process devnet-sonic chain (the stS model's SFC with the
// sonic model's validators in its genesis), the sonic stepper driven by
// hand.
type net struct {
	*devnettest.Net
	backend *protocoltest.Counter
	stepper model.Stepper
}

func startNet(ctx context.Context, t *testing.T) *net {
	t.Helper()
	dn := devnettest.Start(ctx, t, "devnet-sonic")
	st := dn.Stepper(ctx, t, sonicmodel.Model, model.StepEnv{
		Addresses: sonic.Deployments["devnet-sonic"], BondingPeriod: bondingPeriod, APR: 1000, WallClock: true,
	})
	return &net{Net: dn, backend: protocoltest.NewCounter(dn.Wallet), stepper: st}
}

// adapter binds a fresh adapter: nothing cached, as in a new process.
func (n *net) adapter(t *testing.T) *sonic.Sonic {
	t.Helper()
	p, err := sonic.New(protocol.Env{Network: "devnet-sonic", Addresses: sonic.Deployments["devnet-sonic"], Backend: n.backend, Native: nativeS})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*sonic.Sonic)
}

// step waits a second and steps the model (an epoch is sealed each time).
func (n *net) step(ctx context.Context, t *testing.T) {
	t.Helper()
	time.Sleep(time.Second)
	if err := n.stepper.Step(ctx); err != nil {
		t.Fatal(err)
	}
}

// finalize steps the model until no request of owner is pending.
func (n *net) finalize(p *sonic.Sonic, owner common.Address) func(ctx context.Context) error {
	return devnettest.FinalizeBy(n.stepper.Step, p, owner, time.Second)
}

// TestContract runs the protocol contract suite against the SFC model on
// an in-process devnet-sonic chain, then what only Sonic has.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	n := startNet(ctx, t)
	owner := n.Accounts[4]
	p := n.adapter(t)
	protocoltest.Run(t, protocoltest.Harness{
		Protocol: p,
		Native:   nativeS,
		Chain:    n.Client,
		Key:      owner.PrivateKey,
		Stake:    coins(100),
		Target:   "1",
		Finalize: n.finalize(p, owner.Address),
		Events: map[string][]string{
			"stake":   {"Delegated"},
			"unstake": {"Undelegated"},
			"claim":   {"Withdrawn"},
		},
		// The suite replays its claim: withdraw deleted the request.
		WantRevert: "RequestNotExists",
		// Stake reads nothing (its rules are Checks); Unstake reads the
		// wrID slots, which its calldata names (one eth_call).
		Reads:        n.backend.Reads,
		StakeReads:   0,
		UnstakeReads: 1,
	})
	t.Run("validators", func(t *testing.T) { validators(ctx, t, n) })
	t.Run("stake limits", func(t *testing.T) { stakeLimits(ctx, t, n, n.Accounts[5]) })
	t.Run("wrID found again after a restart", func(t *testing.T) { wrIDs(ctx, t, n, n.Accounts[6]) })
	t.Run("claim before time and epochs", func(t *testing.T) { claimEarly(ctx, t, n, n.Accounts[7]) })
	t.Run("rewards", func(t *testing.T) { rewards(ctx, t, n, n.Accounts[8]) })
}

func validators(ctx context.Context, t *testing.T, n *net) {
	p := n.adapter(t)
	var vs []protocol.Validator
	trips := devnettest.Trips(n.backend, func() {
		var err error
		if vs, err = p.Validators(ctx); err != nil {
			t.Fatal(err)
		}
	})
	want := map[string]string{"1": "active", "2": "active", "3": "slashed", "4": "offline"}
	if len(vs) != len(want) {
		t.Fatalf("%d validators, want %d: %+v", len(vs), len(want), vs)
	}
	for _, v := range vs {
		if want[v.ID] != v.Status {
			t.Errorf("validator %s is %q, want %q", v.ID, v.Status, want[v.ID])
		}
		if v.TotalStake == nil || v.TotalStake.Cmp(sonicmodel.SelfStake()) < 0 {
			t.Errorf("validator %s total stake %v, want at least its self-stake %s", v.ID, v.TotalStake, sonicmodel.SelfStake())
		}
	}
	if trips != 2 {
		t.Errorf("Validators made %d round trips, want 2 (lastValidatorID, then every getValidator in one eth_call)", trips)
	}
}

func stakeLimits(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	tests := []struct {
		target string
		want   string
	}{
		{"99", "no validator 99"},
		{"3", "validator 3 is slashed"},
		{"4", "validator 4 is offline"},
		{"x", "invalid Sonic validator"},
		{"", "pass --validator"},
	}
	for _, tt := range tests {
		err := judged(ctx, n, must(p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(1), Target: tt.target})))
		var le *protocol.LimitError
		if !errors.As(err, &le) || !strings.Contains(le.Reason, tt.want) {
			t.Errorf("stake to %q: %v, want a LimitError saying %q", tt.target, err, tt.want)
		}
	}
	// Unstaking more than the delegation is refused by its Check.
	err := judged(ctx, n, must(p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1), Token: nativeS, Target: "2"})))
	var le *protocol.LimitError
	if !errors.As(err, &le) || !strings.Contains(le.Reason, "delegated to Sonic validator 2, less than") {
		t.Errorf("unstake with no delegation: %v, want a LimitError", err)
	}
}

// built is what building calls returned.
type built struct {
	calls []protocol.Call
	err   error
}

func must(calls []protocol.Call, err error) built { return built{calls, err} }

// judged is the error of building the calls, else of their Checks (as the
// wallet runs them).
func judged(ctx context.Context, n *net, b built) error {
	if b.err != nil {
		return b.err
	}
	_, err := protocol.RunChecks(ctx, n.Client, b.calls)
	return err
}

// wrIDs: the wallet picks the first free wrID and a fresh adapter (a new
// process, no local state) finds every request again; a claimed wrID is
// reused.
func wrIDs(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	n.Send(ctx, t, n.adapter(t), acct.PrivateKey, mustT(t)(n.adapter(t).Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(10), Target: "2"})))
	var made []protocol.RequestID
	for i := range 3 {
		p := n.adapter(t) // a new process each time
		_, rs := n.Send(ctx, t, p, acct.PrivateKey, mustT(t)(p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1), Token: nativeS, Target: "2"})))
		ids := p.RequestIDs(rs[0])
		if len(ids) != 1 || string(ids[0]) != fmt.Sprintf("2/%d", i) {
			t.Fatalf("unstake %d made requests %v, want [2/%d]", i, ids, i)
		}
		made = append(made, ids[0])
	}
	p := n.adapter(t)
	var ws []protocol.Withdrawal
	trips := devnettest.Trips(n.backend, func() {
		var err error
		if ws, err = p.Withdrawals(ctx, acct.Address, nil); err != nil {
			t.Fatal(err)
		}
	})
	if trips != 2 {
		t.Errorf("Withdrawals made %d round trips, want 2", trips)
	}
	var got []protocol.RequestID
	for _, w := range ws {
		got = append(got, w.ID)
		if w.Amount.Cmp(coins(1)) != 0 || w.Target != "2" || w.Status != protocol.StatusPending {
			t.Errorf("request %s: %s to %s, %s; want 1 S to 2, pending", w.ID, w.Amount, w.Target, w.Status)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(made) {
		t.Fatalf("a fresh adapter lists %v, want %v", got, made)
	}
	// Claim 2/0; the next unstake takes wrID 0 again.
	if err := n.finalize(p, acct.Address)(ctx); err != nil {
		t.Fatal(err)
	}
	n.Send(ctx, t, p, acct.PrivateKey, mustT(t)(p.Claim(ctx, acct.Address, made[:1])))
	p = n.adapter(t)
	_, rs := n.Send(ctx, t, p, acct.PrivateKey, mustT(t)(p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(2), Token: nativeS, Target: "2"})))
	if ids := p.RequestIDs(rs[0]); len(ids) != 1 || ids[0] != "2/0" {
		t.Errorf("after claiming 2/0 the unstake made %v, want [2/0]", ids)
	}
	ws, err := n.adapter(t).Withdrawals(ctx, acct.Address, []protocol.RequestID{"2/0", "2/1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].Amount.Cmp(coins(2)) != 0 || ws[0].Status != protocol.StatusPending || ws[1].Status != protocol.StatusClaimable {
		t.Errorf("named requests: %+v, want 2/0 of 2 S pending and 2/1 claimable", ws)
	}
}

func mustT(t *testing.T) func([]protocol.Call, error) []protocol.Call {
	return func(calls []protocol.Call, err error) []protocol.Call {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return calls
	}
}

// claimEarly: a claim before the period's time is refused with when it
// becomes claimable; once the time has passed but not the epochs, it is
// still refused, naming the epoch; after the epochs are sealed it goes.
func claimEarly(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	n.Send(ctx, t, p, acct.PrivateKey, mustT(t)(p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(5), Target: "1"})))
	_, rs := n.Send(ctx, t, p, acct.PrivateKey, mustT(t)(p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(5), Token: nativeS, Target: "1"})))
	ids := p.RequestIDs(rs[0])
	if len(ids) != 1 {
		t.Fatalf("request ids %v", ids)
	}
	claim := func() error {
		_, err := protocol.RunChecks(ctx, n.Client, mustT(t)(n.adapter(t).Claim(ctx, acct.Address, ids)))
		return err
	}
	var le *protocol.LimitError
	if err := claim(); !errors.As(err, &le) || !strings.Contains(le.Reason, "becomes claimable at") || !strings.Contains(le.Reason, "epoch") {
		t.Fatalf("claim at once: %v, want a refusal saying when it becomes claimable", err)
	}
	ws, err := p.Withdrawals(ctx, acct.Address, ids)
	if err != nil {
		t.Fatal(err)
	}
	if ws[0].Status != protocol.StatusPending || ws[0].ETA == nil || ws[0].ETA.Before(ws[0].RequestedAt.Add(bondingPeriod)) {
		t.Errorf("fresh request: %s, ETA %v, want pending with an ETA at least the period after %v", ws[0].Status, ws[0].ETA, ws[0].RequestedAt)
	}
	// The time passes with no epoch sealed: a block (any transaction)
	// makes the chain's clock move.
	time.Sleep(bondingPeriod + time.Second)
	n.Send(ctx, t, p, n.Accounts[9].PrivateKey, mustT(t)(p.Stake(ctx, protocol.StakeRequest{From: n.Accounts[9].Address, Amount: coins(1), Target: "2"})))
	if err := claim(); !errors.As(err, &le) || !strings.Contains(le.Reason, "and epoch") {
		t.Fatalf("claim after the time, before the epochs: %v, want a refusal naming the epoch", err)
	}
	if err := n.finalize(p, acct.Address)(ctx); err != nil {
		t.Fatal(err)
	}
	if err := claim(); err != nil {
		t.Fatalf("claim after the period: %v", err)
	}
}

// rewards: the model pays rewards at the APR; Delegations shows them;
// claimRewards pays them out and restakeRewards adds them to the stake.
func rewards(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	n.Send(ctx, t, p, acct.PrivateKey, mustT(t)(p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(1000), Target: "2"})))
	if _, err := p.ClaimRewards(ctx, acct.Address, ""); !errors.As(err, new(*protocol.LimitError)) {
		t.Errorf("claim of no rewards: %v, want a LimitError", err)
	}
	waitRewards := func() protocol.Delegation {
		t.Helper()
		for range 20 {
			n.step(ctx, t)
			ds, err := p.Delegations(ctx, acct.Address, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) == 1 && ds[0].Rewards.Sign() > 0 {
				return ds[0]
			}
		}
		t.Fatal("no rewards after 20 steps")
		return protocol.Delegation{}
	}
	d := waitRewards()
	if d.Target != "2" || d.Staked.Cmp(coins(1000)) != 0 || d.Token.Symbol != "S" {
		t.Errorf("delegation %+v, want 1000 S on validator 2", d)
	}
	trips := devnettest.Trips(n.backend, func() {
		if _, err := p.Delegations(ctx, acct.Address, ""); err != nil {
			t.Fatal(err)
		}
	})
	if trips != 2 {
		t.Errorf("Delegations made %d round trips, want 2", trips)
	}

	before, err := n.Client.BalanceAt(ctx, acct.Address, nil)
	if err != nil {
		t.Fatal(err)
	}
	calls := mustT(t)(p.ClaimRewards(ctx, acct.Address, ""))
	_, rs := n.Send(ctx, t, p, acct.PrivateKey, calls)
	after, err := n.Client.BalanceAt(ctx, acct.Address, nil)
	if err != nil {
		t.Fatal(err)
	}
	gained := new(big.Int).Sub(after, before)
	gained.Add(gained, protocoltest.Fees(rs))
	if gained.Cmp(calls[0].Amount) < 0 || gained.Sign() <= 0 {
		t.Errorf("claimRewards paid %s, want at least the %s pending", gained, calls[0].Amount)
	}

	d = waitRewards()
	calls = mustT(t)(p.RestakeRewards(ctx, acct.Address, "2"))
	n.Send(ctx, t, p, acct.PrivateKey, calls)
	ds, err := p.Delegations(ctx, acct.Address, "2")
	if err != nil {
		t.Fatal(err)
	}
	want := new(big.Int).Add(d.Staked, calls[0].Amount)
	if len(ds) != 1 || ds[0].Staked.Cmp(want) < 0 {
		t.Errorf("after restake: %+v, want at least %s staked", ds, want)
	}
	// Restaking to a validator that is not active is refused.
	if _, err := p.RestakeRewards(ctx, acct.Address, "3"); !errors.As(err, new(*protocol.LimitError)) {
		t.Errorf("restake on slashed validator 3: %v, want a LimitError", err)
	}
}
