package polygon_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	polymodel "github.com/stakewallet/stakewallet/internal/devnet/models/polygon"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/polygon"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
)

// plainAdapter binds a fresh adapter to a node that refuses the lens.
func (n *net) plainAdapter(t *testing.T) *polygon.Polygon {
	t.Helper()
	p, err := polygon.New(protocol.Env{Network: "devnet", Addresses: polygon.Deployments["devnet"], Backend: protocoltest.NewNoCreation(n.backend), Native: nativeETH})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*polygon.Polygon)
}

// addValidators registers validators 4 (without a ValidatorShare: listed
// by no one, refused by name) to 9 (9 has the rate precision of ids from 8)
// beside the genesis three, as the oracle (the StakeManager's governance).
func addValidators(ctx context.Context, t *testing.T, n *net) {
	t.Helper()
	smArt, err := contracts.Load(polymodel.NameStakeManager)
	if err != nil {
		t.Fatal(err)
	}
	shareArt, err := contracts.Load(polymodel.NameValidatorShare)
	if err != nil {
		t.Fatal(err)
	}
	sm := polygon.DevnetStakeManager
	for id := 4; id <= 9; id++ {
		share := common.Address{}
		if id != 4 {
			code, err := shareArt.InitCode(big.NewInt(int64(id)), sm, false)
			if err != nil {
				t.Fatal(err)
			}
			r, err := n.Oracle.Send(ctx, nil, nil, code)
			if err != nil {
				t.Fatalf("deploy the ValidatorShare of validator %d: %v", id, err)
			}
			share = r.ContractAddress
		}
		data, err := smArt.ABI.Pack("addValidator", polymodel.Signer(id), share, pol(10_000), big.NewInt(7), false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Oracle.Send(ctx, &sm, nil, data); err != nil {
			t.Fatalf("add validator %d: %v", id, err)
		}
	}
}

// TestLens: through the lens, Withdrawals, WithdrawalsOf and Delegations
// answer exactly what they answer without it (a node that runs no
// creation code), every field, errors alike, on fresh adapters and again
// with the validators known: nine validators (4 without a ValidatorShare,
// 3 jailed), owners with stakes, rewards, and claimed, claimable and
// pending unbonds on several, and one with nothing. Each read is one round
// trip through the lens; without it, as many as before the lens (the lens
// rides with the first reads).
func TestLens(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	n := startNet(ctx, t)
	addValidators(ctx, t, n)
	alice, bob, carol := n.Accounts[1], n.Accounts[2], n.Accounts[3]
	p := n.adapter(t)
	stake := func(acct devkeys.Account, target string, amount int64) {
		t.Helper()
		n.send(ctx, t, p, acct, mustCalls(t)(p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: pol(amount), Target: target})))
	}
	unstake := func(acct devkeys.Account, target string, amount int64) {
		t.Helper()
		n.send(ctx, t, p, acct, mustCalls(t)(p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: pol(amount), Token: p.Tokens()[0], Target: target})))
	}
	checkpoint := func() {
		t.Helper()
		time.Sleep(1100 * time.Millisecond) // checkpoints a second apart: a cadence
		if err := n.stepper.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
	}
	stake(alice, "1", 1000)
	stake(alice, "2", 500)
	stake(alice, "5", 300)
	stake(alice, "9", 200)
	stake(bob, "9", 100)
	stake(bob, "1", 50)
	unstake(alice, "1", 100)
	unstake(alice, "1", 50)
	unstake(alice, "9", 20)
	unstake(bob, "9", 10)
	checkpoint()
	checkpoint()
	n.send(ctx, t, p, alice, mustCalls(t)(p.Claim(ctx, alice.Address, []protocol.RequestID{"1/1"})))
	unstake(alice, "2", 10)
	unstake(alice, "9", 5)

	ws, err := n.adapter(t).Withdrawals(ctx, alice.Address, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[protocol.RequestID]protocol.Status{
		"1/1": protocol.StatusClaimed, "1/2": protocol.StatusClaimable, "2/1": protocol.StatusPending,
		"9/1": protocol.StatusClaimable, "9/2": protocol.StatusPending,
	}
	etas := 0
	for _, w := range ws {
		if want[w.ID] != w.Status {
			t.Errorf("request %s is %s, want %s", w.ID, w.Status, want[w.ID])
		}
		if w.ETA != nil {
			etas++
		}
	}
	if len(ws) != len(want) || etas == 0 {
		t.Fatalf("alice's requests %+v, want %v, the pending ones with an ETA", ws, want)
	}

	type read struct {
		name string
		f    func(p *polygon.Polygon) (any, error)
	}
	withdrawals := func(name string, owner common.Address, ids ...protocol.RequestID) read {
		return read{name, func(p *polygon.Polygon) (any, error) { return p.Withdrawals(ctx, owner, ids) }}
	}
	delegations := func(name string, owner common.Address, target string) read {
		return read{name, func(p *polygon.Polygon) (any, error) { return p.Delegations(ctx, owner, target) }}
	}
	reads := []read{
		withdrawals("alice's requests", alice.Address),
		withdrawals("bob's requests", bob.Address),
		withdrawals("carol's requests (none)", carol.Address),
		withdrawals("alice's requests by id", alice.Address, "9/2", "1/1", "2/1", "1/2", "9/2"),
		withdrawals("a nonce never issued", alice.Address, "1/2", "1/3"),
		withdrawals("a validator without a ValidatorShare", alice.Address, "1/1", "4/1"),
		withdrawals("no such validator", alice.Address, "12/1"),
		delegations("alice's delegations", alice.Address, ""),
		delegations("bob's delegations", bob.Address, ""),
		delegations("carol's delegations (none)", carol.Address, ""),
		delegations("alice's delegation to validator 9", alice.Address, "9"),
		delegations("alice's delegation to the jailed validator (none)", alice.Address, "3"),
		delegations("a delegation to a validator without a ValidatorShare", alice.Address, "4"),
		delegations("a delegation to no validator", alice.Address, "12"),
		{"every owner's requests", func(p *polygon.Polygon) (any, error) {
			return p.WithdrawalsOf(ctx, []common.Address{alice.Address, bob.Address, carol.Address, alice.Address})
		}},
	}
	// WithdrawalsOf has no way without the lens: it is compared with
	// Withdrawals owner by owner.
	perOwner := func(p *polygon.Polygon) (any, error) {
		var out [][]protocol.Withdrawal
		for _, o := range []common.Address{alice.Address, bob.Address, carol.Address, alice.Address} {
			ws, err := p.Withdrawals(ctx, o, nil)
			if err != nil {
				return nil, err
			}
			out = append(out, ws)
		}
		return out, nil
	}
	var lens, plain *polygon.Polygon
	for _, round := range []string{"fresh", "validators known"} {
		for _, r := range reads {
			if round == "fresh" {
				lens, plain = n.adapter(t), n.plainAdapter(t)
			}
			var lv, pv any
			var le, pe error
			lt := devnettest.Trips(n.backend, func() { lv, le = r.f(lens) })
			f := r.f
			if r.name == "every owner's requests" {
				f = perOwner
			}
			pt := devnettest.Trips(n.backend, func() { pv, pe = f(plain) })
			if fmt.Sprint(le) != fmt.Sprint(pe) {
				t.Errorf("%s, %s: through the lens %v, without %v", round, r.name, le, pe)
			}
			if gl, gp := canon(lv), canon(pv); gl != gp {
				t.Errorf("%s, %s: through the lens\n%s\nwithout\n%s", round, r.name, gl, gp)
			}
			if lt != 1 {
				t.Errorf("%s, %s: %d round trips through the lens, want 1", round, r.name, lt)
			}
			t.Logf("%s, %s: %d round trip through the lens, %d without (%v)", round, r.name, lt, pt, le)
		}
	}
	if _, err := n.plainAdapter(t).WithdrawalsOf(ctx, []common.Address{alice.Address}); !errors.Is(err, protocol.ErrNoShortcut) {
		t.Errorf("WithdrawalsOf without the lens: %v, want ErrNoShortcut", err)
	}

	// Round trips on fresh adapters: one through the lens; without it the
	// same as before the lens, which rides with the first reads.
	for _, tc := range []struct {
		name string
		lens bool
		f    func(p *polygon.Polygon) error
		want int
	}{
		{"withdrawals", true, func(p *polygon.Polygon) error { _, err := p.Withdrawals(ctx, alice.Address, nil); return err }, 1},
		{"withdrawals, no lens (validators, nonces, unbonds)", false, func(p *polygon.Polygon) error { _, err := p.Withdrawals(ctx, alice.Address, nil); return err }, 3},
		{"withdrawals by id", true, func(p *polygon.Polygon) error {
			_, err := p.Withdrawals(ctx, alice.Address, []protocol.RequestID{"9/2", "1/2"})
			return err
		}, 1},
		{"withdrawals by id, no lens (shares, nonces, unbonds)", false, func(p *polygon.Polygon) error {
			_, err := p.Withdrawals(ctx, alice.Address, []protocol.RequestID{"9/2", "1/2"})
			return err
		}, 3},
		{"delegations", true, func(p *polygon.Polygon) error { _, err := p.Delegations(ctx, alice.Address, ""); return err }, 1},
		{"delegations, no lens (validators, stakes and rewards)", false, func(p *polygon.Polygon) error { _, err := p.Delegations(ctx, alice.Address, ""); return err }, 2},
		{"every owner's requests", true, func(p *polygon.Polygon) error {
			_, err := p.WithdrawalsOf(ctx, []common.Address{alice.Address, bob.Address})
			return err
		}, 1},
	} {
		p := n.adapter(t)
		if !tc.lens {
			p = n.plainAdapter(t)
		}
		var err error
		if got := devnettest.Trips(n.backend, func() { err = tc.f(p) }); err != nil || got != tc.want {
			t.Errorf("%s: %d round trips (%v), want %d", tc.name, got, err, tc.want)
		}
	}

	// The ETAs need no read of their own: the chain's time came with the
	// requests.
	est := p.Estimator()
	for _, tc := range []struct {
		name    string
		owner   common.Address
		pending int
	}{{"bob: none pending", bob.Address, 0}, {"alice: two pending", alice.Address, 2}} {
		ws, err := p.Withdrawals(ctx, tc.owner, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ests map[protocol.RequestID]protocol.Estimate
		if got := devnettest.Trips(n.backend, func() { ests, err = est.Estimate(ctx, ws) }); err != nil || got != 0 || len(ests) != tc.pending {
			t.Errorf("%s: %d estimates in %d round trips (%v), want %d in 0", tc.name, len(ests), got, err, tc.pending)
		}
		for id, e := range ests {
			if e.AsOf.IsZero() || e.ETA == nil {
				t.Errorf("%s: request %s: estimate %+v, want an ETA as of the chain's time", tc.name, id, e)
			}
		}
	}
}

// canon renders v, every field (a *big.Int by its value, which the two
// ways may hold in words of different capacity).
func canon(v any) string { return fmt.Sprintf("%+v", v) }
