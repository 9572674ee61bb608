package bnb_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	bnbmodel "github.com/stakewallet/stakewallet/internal/devnet/models/bnb"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/bnb"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
)

func coins(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

var nativeBNB = protocol.Token{Symbol: "BNB", Decimals: 18, Role: protocol.RoleNative}

// bondingPeriod is the model's unbond period in these tests: long enough
// that a fresh request is pending, short enough to wait out.
const bondingPeriod = 3 * time.Second

// bscNet is an in-process devnet-bsc chain (the model in its genesis at the
// real addresses), its stepper driven by hand; adapters are bound to the
// wallet's client through backend, which counts their round trips.
type bscNet struct {
	*devnettest.Net
	backend *protocoltest.Counter
	stepper model.Stepper
}

func startNet(ctx context.Context, t *testing.T) *bscNet {
	t.Helper()
	dn := devnettest.Start(ctx, t, "devnet-bsc")
	stepper := dn.Stepper(ctx, t, bnbmodel.Model, model.StepEnv{
		Addresses: bnb.Deployments["devnet-bsc"], BondingPeriod: bondingPeriod, WallClock: true,
	})
	return &bscNet{Net: dn, backend: protocoltest.NewCounter(dn.Wallet), stepper: stepper}
}

// adapter binds a fresh adapter (its own credit cache) to the chain.
func (n *bscNet) adapter(t *testing.T) *bnb.BNB {
	t.Helper()
	p, err := bnb.New(protocol.Env{Network: "devnet-bsc", Addresses: bnb.Deployments["devnet-bsc"], Backend: n.backend, Native: nativeBNB})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*bnb.BNB)
}

// finalize steps the model until no request of owner is pending.
func (n *bscNet) finalize(p *bnb.BNB, owner common.Address) func(ctx context.Context) error {
	return devnettest.Finalize(n.stepper, p, owner)
}

// send judges the calls' Checks (as the wallet does) and sends them.
func (n *bscNet) send(ctx context.Context, t *testing.T, p protocol.Protocol, acct devkeys.Account, calls []protocol.Call) []*types.Receipt {
	t.Helper()
	_, rs := n.Send(ctx, t, p, acct.PrivateKey, calls)
	return rs
}

func op(n int) string { return bnbmodel.Operator(n).Hex() }

// TestContract runs the protocol contract suite against the BNB model on an
// in-process devnet-bsc chain, then what only BNB has.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	n := startNet(ctx, t)
	owner := n.Accounts[1]
	p := n.adapter(t)
	protocoltest.Run(t, protocoltest.Harness{
		Protocol: p,
		Native:   nativeBNB,
		Chain:    n.Client,
		Key:      owner.PrivateKey,
		Stake:    coins(10),
		Target:   op(1),
		Finalize: n.finalize(p, owner.Address),
		Events: map[string][]string{
			"stake":   {"Delegated", "Transfer"},
			"unstake": {"Undelegated", "Transfer"},
			"claim":   {"Claimed"},
		},
		// The suite replays its claim: the queue is empty now.
		WantRevert: "NoUnbondRequest",
		Timeout:    2 * time.Minute,
	})
	t.Run("validators", func(t *testing.T) { validators(ctx, t, n) })
	t.Run("stake limits", func(t *testing.T) { stakeLimits(ctx, t, n, n.Accounts[2]) })
	t.Run("unstake in BNB", func(t *testing.T) { unstakeBNB(ctx, t, n, n.Accounts[3]) })
	t.Run("claim order", func(t *testing.T) { claimOrder(ctx, t, n, n.Accounts[4]) })
	t.Run("round trips", func(t *testing.T) { roundTrips(ctx, t, n, n.Accounts[5]) })
	t.Run("delegations", func(t *testing.T) { delegations(ctx, t, n, n.Accounts[7]) })
}

// delegations: stakes with two validators are listed in the StakeHub's
// order, each worth what was delegated (within 1 wei: the share price
// rounds down), with no separate rewards; a named target lists only its
// own. Every validator: the listing (getValidators), then one batch; a named
// one with its credit known: the batch only.
func delegations(ctx context.Context, t *testing.T, n *bscNet, acct devkeys.Account) {
	p := n.adapter(t)
	none, err := p.Delegations(ctx, acct.Address, "")
	if err != nil || len(none) != 0 {
		t.Fatalf("Delegations before staking = %+v, %v; want none", none, err)
	}
	staked := map[string]*big.Int{op(3): coins(4), op(1): new(big.Int).Add(coins(2), big.NewInt(123456789))}
	for _, target := range []string{op(3), op(1)} {
		calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: staked[target], Target: target})
		if err != nil {
			t.Fatal(err)
		}
		n.send(ctx, t, p, acct, calls)
	}
	tests := []struct {
		name   string
		target string
		want   []string
		trips  int
	}{
		{"every validator", "", []string{op(1), op(3)}, 2},
		{"named", op(3), []string{op(3)}, 1},
		{"named without a stake", op(2), nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ds []protocol.Delegation
			trips := devnettest.Trips(n.backend, func() { ds, err = p.Delegations(ctx, acct.Address, tt.target) })
			if err != nil {
				t.Fatal(err)
			}
			if trips != tt.trips {
				t.Errorf("Delegations took %d round trips, want %d", trips, tt.trips)
			}
			if len(ds) != len(tt.want) {
				t.Fatalf("Delegations = %+v, want %v", ds, tt.want)
			}
			for i, d := range ds {
				diff := new(big.Int).Sub(staked[d.Target], d.Staked)
				if d.Target != tt.want[i] || diff.Sign() < 0 || diff.Cmp(big.NewInt(1)) > 0 {
					t.Errorf("delegation %d = %s %v, want %s %v (at most 1 wei less)", i, d.Target, d.Staked, tt.want[i], staked[tt.want[i]])
				}
				if d.Rewards != nil || d.Token != nativeBNB {
					t.Errorf("delegation %d: rewards %v in %+v, want nil (compounded) in BNB", i, d.Rewards, d.Token)
				}
			}
		})
	}
	if _, err := p.Delegations(ctx, acct.Address, "validator-1"); err == nil {
		t.Error("Delegations of a target that is no operator address: no error")
	}
}

// validators: the genesis validators with their monikers, commissions,
// stakes, statuses and credits, in one round trip (the lens).
func validators(ctx context.Context, t *testing.T, n *bscNet) {
	p := n.adapter(t)
	var vs []protocol.Validator
	var err error
	trips := devnettest.Trips(n.backend, func() { vs, err = p.Validators(ctx) })
	if err != nil {
		t.Fatal(err)
	}
	if trips != 1 {
		t.Errorf("Validators took %d round trips, want 1", trips)
	}
	if len(vs) != len(bnbmodel.Validators) {
		t.Fatalf("%d validators, want %d", len(vs), len(bnbmodel.Validators))
	}
	want := map[string]struct{ commission, status string }{
		"Alpha": {"5", "active"}, "Ankr": {"2.5", "active"}, "Binance": {"10", "active"},
		"Certik": {"7", "jailed"}, "Defibit": {"1", "inactive"},
	}
	for i, v := range vs {
		m := bnbmodel.Validators[i]
		w := want[m.Moniker]
		if v.ID != op(i+1) || v.Moniker != m.Moniker || v.Commission != w.commission || v.Status != w.status {
			t.Errorf("validator %d = %+v, want %s %s commission %s %s", i, v, op(i+1), m.Moniker, w.commission, w.status)
		}
		if v.TotalStake == nil || v.TotalStake.Cmp(coins(m.SelfStake)) < 0 {
			t.Errorf("%s: stake %v, want at least its self-delegation %s", m.Moniker, v.TotalStake, coins(m.SelfStake))
		}
		c := v.Credit
		if c == nil || c.Address != bnb.DevnetCredit(i+1) || c.Symbol != "st"+m.Moniker || c.Role != protocol.RoleCredit || !c.NotTransferable {
			t.Errorf("%s: credit %+v, want st%s at %s, RoleCredit, not transferable", m.Moniker, c, m.Moniker, bnb.DevnetCredit(i+1).Hex())
		}
	}
}

// stakeLimits: the Checks refuse what the StakeHub would revert, before
// anything is signed.
func stakeLimits(ctx context.Context, t *testing.T, n *bscNet, acct devkeys.Account) {
	p := n.adapter(t)
	half := new(big.Int).Div(coins(1), big.NewInt(2))
	tests := []struct {
		name   string
		target string
		amount *big.Int
		want   string
	}{
		{"below the minimum delegation", op(1), half, "at least 1 BNB"},
		{"jailed validator", op(4), coins(2), "jailed"},
		{"unknown operator", common.HexToAddress("0x1234").Hex(), coins(2), "not a BNB Chain validator"},
		{"not an address", "Alpha", coins(2), "operator address"},
		{"no validator", "", coins(2), "--validator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: tc.amount, Target: tc.target})
			if err == nil {
				_, err = protocol.RunChecks(ctx, n.Client, calls)
			}
			var le *protocol.LimitError
			if !errors.As(err, &le) || !strings.Contains(le.Reason, tc.want) {
				t.Fatalf("err = %v, want a LimitError saying %q", err, tc.want)
			}
			if len(calls) == 1 {
				// The contract agrees: the call reverts.
				c := calls[0]
				_, rerr := n.Client.CallContract(ctx, ethereum.CallMsg{From: acct.Address, To: &c.To, Value: c.Value, Data: c.Data}, nil)
				if rerr == nil {
					t.Errorf("the refused call does not revert on the chain")
				}
			}
		})
	}
}

// unstakeBNB: an amount of BNB is turned into shares; the request pays at
// most that amount; "more than delegated" is refused in BNB.
func unstakeBNB(ctx context.Context, t *testing.T, n *bscNet, acct devkeys.Account) {
	p := n.adapter(t)
	calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(5), Target: op(2)})
	if err != nil {
		t.Fatal(err)
	}
	n.send(ctx, t, p, acct, calls)
	if _, err := p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(6), Token: nativeBNB, Target: op(2)}); err == nil || !strings.Contains(err.Error(), "less than 6 BNB") {
		t.Errorf("unstake of more than delegated: %v", err)
	}
	calls, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(2), Token: nativeBNB, Target: op(2)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []protocol.RequestID
	for _, r := range n.send(ctx, t, p, acct, calls) {
		ids = append(ids, p.RequestIDs(r)...)
	}
	if len(ids) != 1 || string(ids[0]) != op(2)+"/0" {
		t.Fatalf("ids %v, want [%s/0]", ids, op(2))
	}
	ws, err := p.Withdrawals(ctx, acct.Address, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].Amount.Cmp(coins(2)) > 0 || new(big.Int).Sub(coins(2), ws[0].Amount).Cmp(big.NewInt(1e6)) > 0 {
		t.Errorf("request %+v: want about 2 BNB (rounded down by the share price)", ws)
	}
	if ws[0].Status != protocol.StatusPending || ws[0].ETA == nil || ws[0].Target != op(2) {
		t.Errorf("request %+v: want pending with an ETA, target %s", ws[0], op(2))
	}
}

// claimOrder: a later request unlocked before an earlier one cannot be
// claimed alone; its ETA is the earlier one's unlock; claiming the later one
// once both are unlocked claims both (in order).
func claimOrder(ctx context.Context, t *testing.T, n *bscNet, acct devkeys.Account) {
	p := n.adapter(t)
	hub, err := contracts.Load(bnbmodel.NameStakeHub)
	if err != nil {
		t.Fatal(err)
	}
	setPeriod := func(d time.Duration) {
		data, err := hub.ABI.Pack("updateParam", "unbondPeriod", common.BigToHash(big.NewInt(int64(d/time.Second))).Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Oracle.Send(ctx, &bnb.DevnetStakeHub, new(big.Int), data); err != nil {
			t.Fatal(err)
		}
	}
	calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(4), Target: op(3)})
	if err != nil {
		t.Fatal(err)
	}
	n.send(ctx, t, p, acct, calls)
	unstake := func() protocol.RequestID {
		calls, err := p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1), Token: nativeBNB, Target: op(3)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []protocol.RequestID
		for _, r := range n.send(ctx, t, p, acct, calls) {
			ids = append(ids, p.RequestIDs(r)...)
		}
		if len(ids) != 1 {
			t.Fatalf("ids %v", ids)
		}
		return ids[0]
	}
	setPeriod(8 * time.Second)
	first := unstake()
	setPeriod(time.Second)
	second := unstake()
	setPeriod(bondingPeriod)
	if first == second {
		t.Fatalf("two requests with one id %s", first)
	}
	// Blocks until the second is unlocked by the chain's time (each block
	// is at least a second after its parent); the first is still locked.
	data, _ := hub.ABI.Pack("isPaused")
	for i := 0; i < 2; i++ {
		if _, err := n.Oracle.Send(ctx, &bnb.DevnetStakeHub, new(big.Int), data); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := p.Withdrawals(ctx, acct.Address, []protocol.RequestID{first, second})
	if err != nil {
		t.Fatal(err)
	}
	if ws[0].Status != protocol.StatusPending || ws[1].Status != protocol.StatusPending {
		t.Fatalf("statuses %s, %s: want both pending (the second waits for the first)", ws[0].Status, ws[1].Status)
	}
	if ws[1].ETA == nil || ws[0].ClaimableAt == nil || !ws[1].ETA.Equal(*ws[0].ClaimableAt) {
		t.Errorf("second request's ETA %v, want the first's unlock %v", ws[1].ETA, ws[0].ClaimableAt)
	}
	_, err = p.Claim(ctx, acct.Address, []protocol.RequestID{second})
	var le *protocol.LimitError
	if !errors.As(err, &le) || !strings.Contains(le.Reason, string(first)) || !strings.Contains(le.Reason, "earlier") {
		t.Fatalf("claim of the later request: %v, want a refusal naming the earlier %s", err, first)
	}
	if err := n.finalize(p, acct.Address)(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err = p.Claim(ctx, acct.Address, []protocol.RequestID{second})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || !strings.Contains(calls[0].Description, string(first)) {
		t.Fatalf("claim calls %+v: want one claim that says it also claims %s", calls, first)
	}
	n.send(ctx, t, p, acct, calls)
	ws, err = p.Withdrawals(ctx, acct.Address, []protocol.RequestID{first, second})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.Status != protocol.StatusClaimed {
			t.Errorf("%s is %s after the claim, want claimed", w.ID, w.Status)
		}
	}
}

// roundTrips: what each operation reads, counted.
func roundTrips(ctx context.Context, t *testing.T, n *bscNet, acct devkeys.Account) {
	p := n.adapter(t)
	var err error
	if got := devnettest.Trips(n.backend, func() {
		_, err = p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(3), Target: op(1)})
	}); err != nil || got != 0 {
		t.Errorf("Stake: %d round trips (%v), want 0 (its rules are Checks)", got, err)
	}
	calls, _ := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(3), Target: op(1)})
	n.send(ctx, t, p, acct, calls)
	if got := devnettest.Trips(n.backend, func() {
		_, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1), Token: nativeBNB, Target: op(1)})
	}); err != nil || got != 2 {
		t.Errorf("Unstake on a fresh adapter: %d round trips (%v), want 2 (credits, then the shares)", got, err)
	}
	if got := devnettest.Trips(n.backend, func() {
		_, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1), Token: nativeBNB, Target: op(1)})
	}); err != nil || got != 1 {
		t.Errorf("Unstake once the credits are known: %d round trips (%v), want 1", got, err)
	}
	for i := 0; i < 6; i++ {
		calls, err := p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: big.NewInt(1e17), Token: nativeBNB, Target: op(1)})
		if err != nil {
			t.Fatal(err)
		}
		n.send(ctx, t, p, acct, calls)
	}
	fresh := n.adapter(t)
	var ws []protocol.Withdrawal
	got := devnettest.Trips(n.backend, func() { ws, err = fresh.Withdrawals(ctx, acct.Address, nil) })
	if err != nil || len(ws) != 6 {
		t.Fatalf("Withdrawals: %d requests, %v", len(ws), err)
	}
	t.Logf("Withdrawals of 6 requests on a fresh adapter: %d round trips", got)
	if got > 3 {
		t.Errorf("Withdrawals: %d round trips, want at most 3 (validators, queues, the rest of a queue longer than 4)", got)
	}
	got = devnettest.Trips(n.backend, func() { _, err = fresh.Withdrawals(ctx, acct.Address, []protocol.RequestID{ws[0].ID}) })
	if err != nil || got != 2 {
		t.Errorf("Withdrawals of one id of a queue of 6, credits known: %d round trips (%v), want 2", got, err)
	}
	other := n.Accounts[6]
	calls, _ = p.Stake(ctx, protocol.StakeRequest{From: other.Address, Amount: coins(2), Target: op(2)})
	n.send(ctx, t, p, other, calls)
	calls, _ = p.Unstake(ctx, protocol.UnstakeRequest{Owner: other.Address, Amount: coins(1), Token: nativeBNB, Target: op(2)})
	n.send(ctx, t, p, other, calls)
	got = devnettest.Trips(n.backend, func() { ws, err = fresh.Withdrawals(ctx, other.Address, nil) })
	if err != nil || len(ws) != 1 || got != 1 {
		t.Errorf("Withdrawals of a short queue, credits known: %d requests, %d round trips (%v), want 1 in 1", len(ws), got, err)
	}
}
