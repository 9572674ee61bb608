package savax_test

import (
	"context"
	"encoding/hex"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
	"github.com/stakewallet/stakewallet/pkg/protocol/savax"
)

func avax(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

var nativeAVAX = protocol.Token{Symbol: "AVAX", Decimals: 18, Role: protocol.RoleNative}

// avaxDevnet is an in-process "devnet-avalanche" with the StakedAvax model
// in its genesis, the adapter bound to it, and the model's admin (the
// oracle account) driven by hand, so that time is the test's to move.
type avaxDevnet struct {
	*devnettest.Net
	p   *savax.SAvax
	abi *abi.ABI
	// cooldown and redeem are the periods last set, in seconds.
	cooldown, redeem uint64
}

func startAvalanche(ctx context.Context, t *testing.T) *avaxDevnet {
	t.Helper()
	dn := devnettest.Start(ctx, t, "devnet-avalanche")
	addrs := dn.Devnet.Deployment("savax")
	if addrs[savax.RoleStakedAvax] != savax.DevnetStakedAvax {
		t.Fatalf("genesis placed sAVAX at %v, want %s", addrs, savax.DevnetStakedAvax.Hex())
	}
	p, err := savax.New(protocol.Env{Network: "devnet-avalanche", Addresses: addrs, Backend: dn.Client, Native: nativeAVAX})
	if err != nil {
		t.Fatal(err)
	}
	// The model's ABI: the real StakedAvax's, admin functions included.
	art, err := contracts.Load("StakedAvax")
	if err != nil {
		t.Fatal(err)
	}
	return &avaxDevnet{Net: dn, p: p.(*savax.SAvax), abi: &art.ABI}
}

// call sends an admin call as the oracle account (the model's admin).
func (n *avaxDevnet) call(ctx context.Context, t *testing.T, value *big.Int, method string, args ...any) {
	t.Helper()
	data, err := n.abi.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	to := savax.DevnetStakedAvax
	if _, err := n.Oracle.Send(ctx, &to, value, data); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

func (n *avaxDevnet) setPeriods(ctx context.Context, t *testing.T, cooldown, redeem uint64) {
	t.Helper()
	n.call(ctx, t, nil, "setCooldownPeriod", new(big.Int).SetUint64(cooldown))
	n.call(ctx, t, nil, "setRedeemPeriod", new(big.Int).SetUint64(redeem))
	n.cooldown, n.redeem = cooldown, redeem
}

// mineUntil makes blocks (accrueRewards(0), as the model's oracle does at a
// boundary) until the latest block's time is at least at.
func (n *avaxDevnet) mineUntil(ctx context.Context, t *testing.T, at uint64) {
	t.Helper()
	for {
		h, err := n.Client.HeaderByNumber(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if h.Time >= at {
			return
		}
		n.call(ctx, t, nil, "accrueRewards", new(big.Int))
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// finalize makes every open request of owner claimable: a block after the
// newest one's cooldown.
func (n *avaxDevnet) finalize(ctx context.Context, t *testing.T, owner common.Address) {
	t.Helper()
	ws, err := n.p.Withdrawals(ctx, owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	for _, w := range ws {
		last = max(last, uint64(w.RequestedAt.Unix()))
	}
	n.mineUntil(ctx, t, last+n.cooldown+1)
}

func (n *avaxDevnet) sAVAXBalance(ctx context.Context, t *testing.T, who common.Address) *big.Int {
	t.Helper()
	v, err := devtx.CallBig(ctx, n.Client, n.abi, savax.DevnetStakedAvax, "balanceOf", who)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (n *avaxDevnet) native(ctx context.Context, t *testing.T, who common.Address) *big.Int {
	t.Helper()
	v, err := n.Client.BalanceAt(ctx, who, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type user struct {
	n      *avaxDevnet
	t      *testing.T
	ctx    context.Context
	addr   common.Address
	sender *protocoltest.Sender
}

func (n *avaxDevnet) user(ctx context.Context, t *testing.T, i int) *user {
	a := n.Accounts[i]
	return &user{n: n, t: t, ctx: ctx, addr: a.Address, sender: protocoltest.NewSender(n.Client, a.PrivateKey, n.p)}
}

func (u *user) send(calls []protocol.Call, err error) []*types.Receipt {
	u.t.Helper()
	if err != nil {
		u.t.Fatal(err)
	}
	// The wallet judges the Checks in its batch; so does the test.
	if calls, err = protocol.RunChecks(u.ctx, u.n.Client, calls); err != nil {
		u.t.Fatal(err)
	}
	rs, err := u.sender.Send(u.ctx, calls)
	if err != nil {
		u.t.Fatal(err)
	}
	return rs
}

// request unstakes amount sAVAX and returns the request's id.
func (u *user) request(amount *big.Int) protocol.RequestID {
	u.t.Helper()
	rs := u.send(u.n.p.Unstake(u.ctx, protocol.UnstakeRequest{Owner: u.addr, Amount: amount, Token: u.n.p.Tokens()[0]}))
	ids := u.n.p.RequestIDs(rs[len(rs)-1])
	if len(ids) != 1 {
		u.t.Fatalf("request ids %v, want one", ids)
	}
	return ids[0]
}

func (u *user) withdrawals(ids ...protocol.RequestID) map[protocol.RequestID]protocol.Withdrawal {
	u.t.Helper()
	ws, err := u.n.p.Withdrawals(u.ctx, u.addr, ids)
	if err != nil {
		u.t.Fatal(err)
	}
	out := map[protocol.RequestID]protocol.Withdrawal{}
	for _, w := range ws {
		out[w.ID] = w
	}
	return out
}

// TestContract runs the protocol contract suite on the sAVAX model of
// devnet-avalanche, then what only sAVAX has: shifting indices, the redeem
// window and expiry, the stake and unstake rules, round trips. Each part
// uses its own account; they run in order on one chain because the periods
// are the contract's.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	n := startAvalanche(ctx, t)
	// A long cooldown while the suite checks that fresh requests are
	// pending (a 1 s one can pass between two blocks on a loaded machine);
	// Finalize shortens it, as the contract reads it at redeem time.
	n.setPeriods(ctx, t, 600, 3600)

	owner := n.Accounts[1]
	protocoltest.Run(t, protocoltest.Harness{
		Protocol: n.p,
		Native:   nativeAVAX,
		Chain:    n.Client,
		Key:      owner.PrivateKey,
		Stake:    avax(10),
		Finalize: func(ctx context.Context) error {
			n.setPeriods(ctx, t, 1, 3600)
			n.finalize(ctx, t, owner.Address)
			return nil
		},
		Events: map[string][]string{
			"stake":         {"Submitted", "Transfer"},
			"requestUnlock": {"UnlockRequested", "Transfer"},
			"redeem":        {"Redeem"},
		},
		// The suite replays its redeem(0): the request is gone.
		WantRevert: "Invalid unlock request index",
		Timeout:    2 * time.Minute,
	})

	t.Run("index shift", func(t *testing.T) { indexShift(ctx, t, n.user(ctx, t, 2)) })
	t.Run("window", func(t *testing.T) { window(ctx, t, n.user(ctx, t, 3)) })
	t.Run("round trips", func(t *testing.T) { roundTrips(ctx, t, n, n.user(ctx, t, 5)) })
	t.Run("rules", func(t *testing.T) { rules(ctx, t, n.user(ctx, t, 4)) })
}

// indexShift: claiming a request moves the last one into its slot; the
// ids still name the right requests, alone or several at once.
func indexShift(ctx context.Context, t *testing.T, u *user) {
	n, p := u.n, u.n.p
	u.send(p.Stake(ctx, protocol.StakeRequest{From: u.addr, Amount: avax(20)}))
	a := u.request(avax(1))
	b := u.request(avax(2))
	n.finalize(ctx, t, u.addr)
	ws := u.withdrawals()
	if len(ws) != 2 || ws[a].Status != protocol.StatusClaimable || ws[b].Status != protocol.StatusClaimable {
		t.Fatalf("after the cooldown: %+v, want %s and %s claimable", ws, a, b)
	}
	claimAndCheck := func(id protocol.RequestID, wantIndex int64, want *big.Int) {
		t.Helper()
		calls, err := p.Claim(ctx, u.addr, []protocol.RequestID{id})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) != 1 || calls[0].Action != "redeem" || new(big.Int).SetBytes(calls[0].Data[4:]).Int64() != wantIndex {
			t.Fatalf("claim %s: %+v, want redeem(%d)", id, calls, wantIndex)
		}
		before := n.native(ctx, t, u.addr)
		rs := u.send(calls, nil)
		got := new(big.Int).Sub(n.native(ctx, t, u.addr), before)
		got.Add(got, protocoltest.Fees(rs))
		if got.Cmp(want) != 0 {
			t.Errorf("claim %s paid %s, want %s", id, got, want)
		}
		var redeemed any
		for _, ev := range abidecode.DecodeLogs(rs[0].Logs, p.ABI()) {
			if ev.Name == "Redeem" {
				redeemed = ev.Args["shareAmount"]
			}
		}
		if redeemed != ws[id].Amount.String() {
			t.Errorf("claim %s redeemed %v shares, want the request's %s", id, redeemed, ws[id].Amount)
		}
	}
	// a is at index 0 and b at 1; redeeming a moves b to 0.
	claimAndCheck(a, 0, ws[a].Claimable)
	after := u.withdrawals(a, b)
	if after[a].Status != protocol.StatusClaimed || after[b].Status != protocol.StatusClaimable {
		t.Fatalf("after claiming %s: %+v", a, after)
	}
	claimAndCheck(b, 0, ws[b].Claimable)

	// Three more; claim the first and the last together: redeem(2) then
	// redeem(0), and the middle one stays, still named by its id.
	c := u.request(big.NewInt(3e17))
	d := u.request(big.NewInt(4e17))
	e := u.request(big.NewInt(5e17))
	n.finalize(ctx, t, u.addr)
	ws = u.withdrawals(c, d, e)
	calls, err := p.Claim(ctx, u.addr, []protocol.RequestID{c, e})
	if err != nil {
		t.Fatal(err)
	}
	var idx []int64
	for _, call := range calls {
		idx = append(idx, new(big.Int).SetBytes(call.Data[4:]).Int64())
	}
	if !slices.Equal(idx, []int64{2, 0}) {
		t.Fatalf("claiming the first and last of three: indices %v, want [2 0]", idx)
	}
	before := n.native(ctx, t, u.addr)
	rs := u.send(calls, nil)
	got := new(big.Int).Sub(n.native(ctx, t, u.addr), before)
	got.Add(got, protocoltest.Fees(rs))
	if want := new(big.Int).Add(ws[c].Claimable, ws[e].Claimable); got.Cmp(want) != 0 {
		t.Errorf("the two claims paid %s, want %s", got, want)
	}
	left := u.withdrawals()
	if len(left) != 1 || left[d].Status != protocol.StatusClaimable || left[d].Amount.Cmp(big.NewInt(4e17)) != 0 {
		t.Fatalf("left: %+v, want only %s (0.4 sAVAX) claimable", left, d)
	}
	claimAndCheck(d, 0, ws[d].Claimable)
}

// window: a request left past its redeem window expires; claiming it
// returns its sAVAX with redeemOverdueShares, and redeem refuses it.
func window(ctx context.Context, t *testing.T, u *user) {
	n, p := u.n, u.n.p
	defer n.setPeriods(ctx, t, 1, 3600)
	n.setPeriods(ctx, t, 1, 2)
	u.send(p.Stake(ctx, protocol.StakeRequest{From: u.addr, Amount: avax(5)}))
	balance := n.sAVAXBalance(ctx, t, u.addr)
	id := u.request(avax(2))
	w := u.withdrawals(id)[id]
	start := uint64(w.RequestedAt.Unix())
	if w.ClaimableAt.Unix() != int64(start+2) || w.ClaimBy.Unix() != int64(start+3) || w.Status != protocol.StatusPending {
		t.Fatalf("fresh request %+v: want pending, claimable at S+2, claim by S+3", w)
	}
	n.mineUntil(ctx, t, start+1+2+1)
	w = u.withdrawals(id)[id]
	if w.Status != protocol.StatusExpired || w.Claimable != nil {
		t.Fatalf("after the window: %+v, want expired", w)
	}
	// redeem(0) is refused by the contract; the hint says what to do.
	var data []byte
	for _, m := range n.abi.Methods {
		if m.Sig == "redeem(uint256)" {
			args, err := m.Inputs.Pack(big.NewInt(0))
			if err != nil {
				t.Fatal(err)
			}
			data = append(m.ID, args...)
		}
	}
	to := savax.DevnetStakedAvax
	_, err := n.Client.CallContract(ctx, ethereum.CallMsg{From: u.addr, To: &to, Data: data}, nil)
	r, ok := abidecode.FromError(err, p.ABI())
	if !ok || r.Reason() != "Unlock request is not redeemable" || abidecode.Hint(r, p.RevertHints()) == "" {
		t.Errorf("redeem of an expired request: %v (%+v), want \"Unlock request is not redeemable\" with a hint", err, r)
	}

	calls, err := p.Claim(ctx, u.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].Action != "redeemOverdueShares" || hex.EncodeToString(calls[0].Data[:4]) != "0f7e2048" {
		t.Fatalf("claim of the expired request: %+v, want redeemOverdueShares(uint256)", calls)
	}
	rs := u.send(calls, nil)
	if got := n.sAVAXBalance(ctx, t, u.addr); got.Cmp(balance) != 0 {
		t.Errorf("sAVAX after the overdue return: %s, want all of it back: %s", got, balance)
	}
	names := map[string]bool{}
	for _, ev := range abidecode.DecodeLogs(rs[0].Logs, p.ABI()) {
		names[ev.Name] = true
	}
	if !names["RedeemOverdueShares"] || !names["Transfer"] {
		t.Errorf("overdue receipt events %v, want RedeemOverdueShares and Transfer", names)
	}
	if w := u.withdrawals(id)[id]; w.Status != protocol.StatusClaimed {
		t.Errorf("after the return: %+v, want it gone (claimed)", w)
	}
	var le *protocol.LimitError
	if _, err := p.Claim(ctx, u.addr, []protocol.RequestID{id}); !errors.As(err, &le) || !strings.Contains(le.Reason, "no longer open") {
		t.Errorf("claiming it again: %v, want a LimitError saying it is no longer open", err)
	}

	// Claimed in time with the same short window.
	id = u.request(avax(1))
	w = u.withdrawals(id)[id]
	n.mineUntil(ctx, t, uint64(w.RequestedAt.Unix())+2)
	w = u.withdrawals(id)[id]
	if w.Status != protocol.StatusClaimable {
		t.Fatalf("inside the window: %+v", w)
	}
	before := n.native(ctx, t, u.addr)
	rs = u.send(p.Claim(ctx, u.addr, []protocol.RequestID{id}))
	got := new(big.Int).Sub(n.native(ctx, t, u.addr), before)
	if got.Add(got, protocoltest.Fees(rs)).Cmp(w.Claimable) != 0 {
		t.Errorf("claim in the window paid %s, want %s", got, w.Claimable)
	}
}

// rules: the Checks refuse what the contract would revert, before
// anything is signed.
func rules(ctx context.Context, t *testing.T, u *user) {
	n, p := u.n, u.n.p
	u.send(p.Stake(ctx, protocol.StakeRequest{From: u.addr, Amount: avax(3)}))
	wantRefused := func(what string, calls []protocol.Call, err error, reason string) {
		t.Helper()
		if err == nil {
			_, err = protocol.RunChecks(ctx, n.Client, calls)
		}
		var le *protocol.LimitError
		if !errors.As(err, &le) || !strings.Contains(le.Reason, reason) {
			t.Errorf("%s: %v, want a LimitError about %q", what, err, reason)
		}
		// The contract agrees: simulated, the call reverts.
		for _, c := range calls {
			to := c.To
			if _, err := n.Client.CallContract(ctx, ethereum.CallMsg{From: u.addr, To: &to, Value: c.Value, Data: c.Data}, nil); err == nil {
				t.Errorf("%s: the contract accepts what the check refused", what)
			}
		}
	}
	stake := func(amt *big.Int) ([]protocol.Call, error) {
		return p.Stake(ctx, protocol.StakeRequest{From: u.addr, Amount: amt})
	}
	unstake := func(amt *big.Int) ([]protocol.Call, error) {
		return p.Unstake(ctx, protocol.UnstakeRequest{Owner: u.addr, Amount: amt})
	}

	calls, err := unstake(avax(1000))
	wantRefused("unstake above the balance", calls, err, "insufficient sAVAX")

	claimID := u.request(avax(1))
	n.finalize(ctx, t, u.addr)
	n.call(ctx, t, nil, "pause")
	calls, err = p.Claim(ctx, u.addr, []protocol.RequestID{claimID})
	wantRefused("claim while paused", calls, err, "paused")
	calls, err = stake(avax(1))
	wantRefused("stake while paused", calls, err, "paused")
	calls, err = unstake(avax(1))
	wantRefused("unstake while paused", calls, err, "paused")
	n.call(ctx, t, nil, "resume")

	n.call(ctx, t, nil, "pauseMinting")
	calls, err = stake(avax(1))
	wantRefused("stake while minting is paused", calls, err, "minting")
	n.call(ctx, t, nil, "resumeMinting")

	pooled, err := devtx.CallBig(ctx, n.Client, n.abi, savax.DevnetStakedAvax, "totalPooledAvax")
	if err != nil {
		t.Fatal(err)
	}
	n.call(ctx, t, nil, "setTotalPooledAvaxCap", new(big.Int).Add(pooled, avax(1)))
	calls, err = stake(avax(2))
	wantRefused("stake over the cap", calls, err, "capped")
	if calls, err := stake(avax(1)); err != nil {
		t.Error(err)
	} else if _, err := protocol.RunChecks(ctx, n.Client, calls); err != nil {
		t.Errorf("stake up to the cap: %v", err)
	}
	n.call(ctx, t, nil, "setTotalPooledAvaxCap", new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)))

	// Double the rate (rewards of the whole pool, paid in): one wei no
	// longer mints a share, and the rate read says 2 AVAX.
	n.call(ctx, t, pooled, "deposit")
	n.call(ctx, t, nil, "accrueRewards", pooled)
	calls, err = stake(big.NewInt(1))
	wantRefused("stake of one wei at a rate of 2", calls, err, "one share")
	msg, decode := p.RateCall()
	ret, err := n.Client.CallContract(ctx, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	rate, err := decode(ret)
	if err != nil {
		t.Fatal(err)
	}
	want, err := devtx.CallBig(ctx, n.Client, n.abi, savax.DevnetStakedAvax, "getPooledAvaxByShares", big.NewInt(1e18))
	if err != nil {
		t.Fatal(err)
	}
	if rate.Cmp(want) != 0 || rate.Cmp(avax(2)) < 0 {
		t.Errorf("rate %s, want getPooledAvaxByShares(1e18) = %s, about 2 AVAX", rate, want)
	}
}

// roundTrips: Withdrawals and Claim read in one round trip whatever the
// number of requests; Stake and Unstake read nothing (their rules are
// Checks, read in the wallet's batch).
func roundTrips(ctx context.Context, t *testing.T, n *avaxDevnet, u *user) {
	proxy := rpcproxy.Start(t, n.Devnet.HTTPEndpoint())
	c, err := chain.Dial(ctx, []string{proxy.URL()}, chain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pp, err := savax.New(protocol.Env{Network: "devnet-avalanche", Addresses: savax.Deployments["devnet-avalanche"], Backend: c, Native: nativeAVAX})
	if err != nil {
		t.Fatal(err)
	}
	p := pp.(*savax.SAvax)
	u.send(n.p.Stake(ctx, protocol.StakeRequest{From: u.addr, Amount: avax(10)}))
	for range 5 {
		u.request(big.NewInt(1e17))
	}
	n.finalize(ctx, t, u.addr)
	ids := []protocol.RequestID{}
	for id := range u.withdrawals() {
		ids = append(ids, id)
	}
	for _, c := range []struct {
		name string
		max  int
		run  func() error
	}{
		{"Withdrawals (all)", 1, func() error { _, err := p.Withdrawals(ctx, u.addr, nil); return err }},
		{"Withdrawals (ids)", 1, func() error { _, err := p.Withdrawals(ctx, u.addr, ids); return err }},
		{"Claim (all)", 1, func() error { _, err := p.Claim(ctx, u.addr, nil); return err }},
		{"Stake", 0, func() error { _, err := p.Stake(ctx, protocol.StakeRequest{From: u.addr, Amount: avax(1)}); return err }},
		{"Unstake", 0, func() error {
			_, err := p.Unstake(ctx, protocol.UnstakeRequest{Owner: u.addr, Amount: avax(1)})
			return err
		}},
	} {
		proxy.Reset()
		if err := c.run(); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := proxy.Requests(); got > c.max {
			t.Errorf("%s: %d round trips (%v), want at most %d", c.name, got, proxy.Counts(), c.max)
		} else {
			t.Logf("%s: %d round trip(s) for %d requests", c.name, got, len(ids))
		}
	}
}
