package lido

import (
	"context"
	"encoding/hex"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func TestNew(t *testing.T) {
	f := newFake(t)
	full := Deployments["devnet"]
	without := func(role string) protocol.Addresses {
		a := protocol.Addresses{}
		for k, v := range full {
			if k != role {
				a[k] = v
			}
		}
		return a
	}
	tests := []struct {
		name    string
		addrs   protocol.Addresses
		backend protocol.Backend
		native  protocol.Token
		wantErr string
	}{
		{"all roles", full, f, nativeETH, ""},
		{"locator is optional", without(RoleLocator), f, nativeETH, ""},
		{"no stETH", without(RoleStETH), f, nativeETH, `"steth"`},
		{"no wstETH", without(RoleWstETH), f, nativeETH, `"wsteth"`},
		{"no queue", without(RoleWithdrawalQueue), f, nativeETH, `"withdrawalQueue"`},
		{"zero address", protocol.Addresses{RoleStETH: {}, RoleWstETH: DevnetWstETH, RoleWithdrawalQueue: DevnetWithdrawalQueue}, f, nativeETH, `"steth"`},
		{"nil backend", full, nil, nativeETH, "nil backend"},
		{"no native coin", full, f, protocol.Token{}, "no native coin"},
		{"native without decimals", full, f, protocol.Token{Symbol: "ETH"}, "no native coin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Descriptor.New(protocol.Env{Network: "devnet", Addresses: tt.addrs, Backend: tt.backend, Native: tt.native})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			toks := p.Tokens()
			if len(toks) != 2 || toks[0] != (protocol.Token{Symbol: "stETH", Address: DevnetStETH, Decimals: 18, Role: protocol.RoleStaked}) ||
				toks[1] != (protocol.Token{Symbol: "wstETH", Address: DevnetWstETH, Decimals: 18, Role: protocol.RoleWrapped}) {
				t.Errorf("Tokens() = %+v", toks)
			}
			if p.Unstaking() != protocol.UnstakeQueued || p.Targets() != protocol.TargetNone {
				t.Errorf("Unstaking %q Targets %q, want queued and none", p.Unstaking(), p.Targets())
			}
			if p.Name() != "lido" || p.DisplayName() != "Lido" || p.ABI() == nil {
				t.Errorf("Name %q DisplayName %q", p.Name(), p.DisplayName())
			}
			if _, ok := p.(protocol.Wrapper); !ok {
				t.Error("not a protocol.Wrapper")
			}
			if _, ok := p.(protocol.Hinter); !ok {
				t.Error("not a protocol.Hinter")
			}
		})
	}
	if Descriptor.Name != "lido" || len(Descriptor.Deployments) == 0 || len(Descriptor.Roles) != 4 {
		t.Errorf("Descriptor = %+v", Descriptor)
	}
}

func TestStake(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(*fakeChain)
		amount    *big.Int
		wantErr   string
		wantCalls []string // contract reads, in order
	}{
		{"ok, one round trip", nil, eth(32), "", []string{"isStakingPaused", "getCurrentStakeLimit"}},
		{"ok, exactly the limit", func(f *fakeChain) { f.stakeLimit = eth(32) }, eth(32), "", nil},
		{"no limit set", func(f *fakeChain) { f.stakeLimit = math.MaxBig256 }, eth(10_000_000), "", nil},
		{"without getStakeLimitFullInfo", func(f *fakeChain) { f.noFullInfo = true }, eth(1),
			"", []string{"isStakingPaused", "getCurrentStakeLimit"}},
		{"paused", func(f *fakeChain) { f.stakingPaused = true }, eth(1), "Lido staking is paused", nil},
		{"paused, fallback", func(f *fakeChain) { f.stakingPaused, f.noFullInfo = true, true }, eth(1), "Lido staking is paused", nil},
		{"over the limit", func(f *fakeChain) { f.stakeLimit = new(big.Int).Add(eth(150), big.NewInt(5e17)) }, eth(200),
			"amount exceeds Lido's current stake limit of 150.5 ETH", nil},
		{"zero", nil, new(big.Int), "greater than zero", []string{}},
		{"nil", nil, nil, "greater than zero", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			calls, err := f.adapter(t).Stake(context.Background(), protocol.StakeRequest{From: alice, Amount: tt.amount, Referral: bob})
			if err == nil {
				// The rules are Checks, read by the wallet in its batch.
				calls, err = protocol.RunChecks(context.Background(), f, calls)
			}
			if tt.wantCalls != nil && strings.Join(f.calls, ",") != strings.Join(tt.wantCalls, ",") {
				t.Errorf("reads = %v, want %v", f.calls, tt.wantCalls)
			}
			if tt.wantErr != "" {
				wantLimit(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != 1 {
				t.Fatalf("got %d calls", len(calls))
			}
			c := calls[0]
			checkCalldata(t, c, "a1903eab"+wordAddr(bob))
			if c.To != DevnetStETH || c.Value.Cmp(tt.amount) != 0 || c.Amount.Cmp(tt.amount) != 0 || !c.Token.IsNative() || c.Action != "stake" || c.GasHint == 0 {
				t.Errorf("call = %+v", c)
			}
		})
	}
}

// TestStakeNative: the coin Stake takes, names and limits in is the
// network's (Env.Native), so the adapter works on any chain whose coin
// Lido stakes without an "ETH" literal leaking into the preview.
func TestStakeNative(t *testing.T) {
	tests := []struct {
		name      string
		native    protocol.Token
		wantDesc  string
		wantLimit string
	}{
		{"devnet ETH", nativeETH, "Stake 1.5 ETH with Lido for stETH", "current stake limit of 1 ETH"},
		{"another symbol, role and address normalized", protocol.Token{Symbol: "tETH", Decimals: 18, Address: bob},
			"Stake 1.5 tETH with Lido for stETH", "current stake limit of 1 tETH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			env := devnetEnv(f)
			env.Native = tt.native
			p, err := New(env)
			if err != nil {
				t.Fatal(err)
			}
			calls, err := p.Stake(context.Background(), protocol.StakeRequest{From: alice, Amount: big.NewInt(15e17)})
			if err != nil {
				t.Fatal(err)
			}
			if got := calls[0].Description; got != tt.wantDesc {
				t.Errorf("Description = %q, want %q", got, tt.wantDesc)
			}
			wantTok := protocol.Token{Symbol: tt.native.Symbol, Decimals: tt.native.Decimals, Role: protocol.RoleNative}
			if calls[0].Token != wantTok {
				t.Errorf("Token = %+v, want %+v", calls[0].Token, wantTok)
			}
			checkCalldata(t, calls[0], "a1903eab"+word(0)) // zero referral

			f.stakeLimit = eth(1)
			calls, err = p.Stake(context.Background(), protocol.StakeRequest{From: alice, Amount: big.NewInt(15e17)})
			if err == nil {
				_, err = protocol.RunChecks(context.Background(), f, calls)
			}
			wantLimit(t, err, tt.wantLimit)
		})
	}
}

// TestTargetRefused: Lido pools the stake (TargetNone), so a validator
// named for stake or unstake is the user's mistake, refused before any
// chain read.
func TestTargetRefused(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		run     func(*Lido) ([]protocol.Call, error)
		wantErr string
	}{
		{"stake", func(l *Lido) ([]protocol.Call, error) {
			return l.Stake(ctx, protocol.StakeRequest{From: alice, Amount: eth(1), Target: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"})
		}, "--validator is not taken"},
		{"stake, zero amount too", func(l *Lido) ([]protocol.Call, error) {
			return l.Stake(ctx, protocol.StakeRequest{From: alice, Amount: new(big.Int), Target: "7"})
		}, "--validator is not taken"},
		{"unstake stETH", func(l *Lido) ([]protocol.Call, error) {
			return l.Unstake(ctx, protocol.UnstakeRequest{Owner: alice, Amount: eth(1), Token: l.stETHToken(), Target: "node-operator-1"})
		}, "--validator is not taken"},
		{"unstake wstETH", func(l *Lido) ([]protocol.Call, error) {
			return l.Unstake(ctx, protocol.UnstakeRequest{Owner: alice, Amount: eth(1), Token: l.wstETHToken(), Target: "1"})
		}, "--validator is not taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			calls, err := tt.run(f.adapter(t))
			wantLimit(t, err, tt.wantErr)
			if calls != nil {
				t.Errorf("calls %+v returned with the error", calls)
			}
			if len(f.calls) != 0 {
				t.Errorf("read the chain (%v) before refusing", f.calls)
			}
		})
	}
}

func TestUnstake(t *testing.T) {
	queue := DevnetWithdrawalQueue
	stETH := protocol.Token{Symbol: "stETH", Address: DevnetStETH, Decimals: 18}
	wstETH := protocol.Token{Symbol: "wstETH", Address: DevnetWstETH, Decimals: 18}
	// At 1.2 stETH per wstETH, 1000 stETH = 833.333… wstETH, less the 10 bp
	// rebase margin: 832.5 wstETH per request.
	wstMax, _ := new(big.Int).SetString("832500000000000000000", 10)
	type want struct {
		action, data string
		to           common.Address
		amount       *big.Int
	}
	req := func(sel string, owner common.Address, parts ...*big.Int) string {
		return sel + word(0x40) + wordAddr(owner) + wordsArray(parts...)
	}
	tests := []struct {
		name    string
		setup   func(*fakeChain)
		amount  *big.Int
		token   protocol.Token
		wantErr string
		want    []want
		desc    string // of the last call
	}{
		{
			name: "stETH split 2500 → 1000+1000+500 with approve", amount: eth(2500), token: stETH,
			want: []want{
				{"approve", "095ea7b3" + wordAddr(queue) + wordBig(eth(2500)), DevnetStETH, eth(2500)},
				{"requestWithdrawals", req("d6681042", alice, eth(1000), eth(1000), eth(500)), queue, eth(2500)},
			},
			desc: "Request withdrawal of 2500 stETH from Lido (3 requests: 1000 + 1000 + 500)",
		},
		{
			name: "stETH single, allowance enough: no approve", amount: big.NewInt(15e17), token: stETH,
			setup: func(f *fakeChain) { f.setAllowance(DevnetStETH, alice, queue, eth(2)) },
			want:  []want{{"requestWithdrawals", req("d6681042", alice, big.NewInt(15e17)), queue, big.NewInt(15e17)}},
			desc:  "Request withdrawal of 1.5 stETH from Lido",
		},
		{
			name: "allowance one wei short: approve", amount: eth(1), token: stETH,
			setup: func(f *fakeChain) { f.setAllowance(DevnetStETH, alice, queue, new(big.Int).Sub(eth(1), big.NewInt(1))) },
			want: []want{
				{"approve", "095ea7b3" + wordAddr(queue) + wordBig(eth(1)), DevnetStETH, eth(1)},
				{"requestWithdrawals", req("d6681042", alice, eth(1)), queue, eth(1)},
			},
		},
		{
			name: "remainder below 100 wei borrows from the previous request", amount: new(big.Int).Add(eth(2000), big.NewInt(50)), token: stETH,
			setup: func(f *fakeChain) { f.setAllowance(DevnetStETH, alice, queue, eth(3000)) },
			want: []want{{"requestWithdrawals",
				req("d6681042", alice, eth(1000), new(big.Int).Sub(eth(1000), big.NewInt(50)), big.NewInt(100)), queue, new(big.Int).Add(eth(2000), big.NewInt(50))}},
		},
		{
			name: "exactly 100 wei", amount: big.NewInt(100), token: stETH,
			setup: func(f *fakeChain) { f.setAllowance(DevnetStETH, alice, queue, eth(1)) },
			want:  []want{{"requestWithdrawals", req("d6681042", alice, big.NewInt(100)), queue, big.NewInt(100)}},
		},
		{
			name: "zero token means stETH", amount: eth(1), token: protocol.Token{},
			setup: func(f *fakeChain) { f.setAllowance(DevnetStETH, alice, queue, eth(1)) },
			want:  []want{{"requestWithdrawals", req("d6681042", alice, eth(1)), queue, eth(1)}},
		},
		{
			name: "wstETH split on the unwrapped value", amount: eth(2000), token: wstETH,
			want: []want{
				{"approve", "095ea7b3" + wordAddr(queue) + wordBig(eth(2000)), DevnetWstETH, eth(2000)},
				{"requestWithdrawals", req("19aa6257", alice, wstMax, wstMax, eth(335)), queue, eth(2000)},
			},
			desc: "Request withdrawal of 2000 wstETH from Lido (3 requests: 832.5 + 832.5 + 335)",
		},
		{
			name: "wstETH by symbol", amount: eth(10), token: protocol.Token{Symbol: "WSTETH"},
			setup: func(f *fakeChain) { f.setAllowance(DevnetWstETH, alice, queue, eth(10)) },
			want:  []want{{"requestWithdrawals", req("19aa6257", alice, eth(10)), queue, eth(10)}},
		},
		{name: "below 100 wei", amount: big.NewInt(99), token: stETH, wantErr: "below Lido's minimum of 100 wei"},
		{name: "wstETH worth below 100 wei", amount: big.NewInt(83), token: wstETH, wantErr: "below Lido's minimum"},
		{name: "zero", amount: new(big.Int), token: stETH, wantErr: "greater than zero"},
		{name: "insufficient balance", amount: eth(2), token: stETH, setup: func(f *fakeChain) { f.balances[DevnetStETH][alice] = eth(1) },
			wantErr: "insufficient stETH balance: have 1, need 2"},
		{name: "insufficient wstETH balance", amount: big.NewInt(15e17), token: wstETH, setup: func(f *fakeChain) { f.balances[DevnetWstETH][alice] = big.NewInt(5e17) },
			wantErr: "insufficient wstETH balance: have 0.5, need 1.5"},
		{name: "queue paused", amount: eth(1), token: stETH, setup: func(f *fakeChain) { f.queuePaused = true }, wantErr: "withdrawal queue is paused"},
		{name: "other token", amount: eth(1), token: protocol.Token{Symbol: "rETH", Address: common.HexToAddress("0xae78736Cd615f374D3085123A210448E74Fc6393")}, wantErr: "not rETH"},
		{name: "native ETH", amount: eth(1), token: protocol.Token{Symbol: "ETH"}, wantErr: "not ETH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			calls, err := f.adapter(t).Unstake(context.Background(), protocol.UnstakeRequest{Owner: alice, Amount: tt.amount, Token: tt.token})
			if err == nil {
				calls, err = protocol.RunChecks(context.Background(), f, calls)
			}
			if tt.wantErr != "" {
				wantLimit(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != len(tt.want) {
				t.Fatalf("got %d calls (%+v), want %d", len(calls), calls, len(tt.want))
			}
			for i, w := range tt.want {
				c := calls[i]
				if c.Action != w.action || c.To != w.to || c.Amount.Cmp(w.amount) != 0 || c.Value != nil || c.GasHint == 0 {
					t.Errorf("call %d = %s to %s amount %s, want %s to %s amount %s", i, c.Action, c.To.Hex(), c.Amount, w.action, w.to.Hex(), w.amount)
				}
				checkCalldata(t, c, w.data)
			}
			if tt.desc != "" {
				if got := calls[len(calls)-1].Description; got != tt.desc {
					t.Errorf("Description = %q, want %q", got, tt.desc)
				}
			}
		})
	}
}

// TestUnstakeChunks: 250 requests go out as 100 + 100 + 50 per
// transaction, after one approve of the total.
func TestUnstakeChunks(t *testing.T) {
	f := newFake(t)
	calls, err := f.adapter(t).Unstake(context.Background(), protocol.UnstakeRequest{Owner: alice, Amount: eth(250_000)})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action string
		amount *big.Int
	}{{"approve", eth(250_000)}, {"requestWithdrawals", eth(100_000)}, {"requestWithdrawals", eth(100_000)}, {"requestWithdrawals", eth(50_000)}}
	if len(calls) != len(want) {
		t.Fatalf("got %d calls", len(calls))
	}
	for i, w := range want {
		if calls[i].Action != w.action || calls[i].Amount.Cmp(w.amount) != 0 {
			t.Errorf("call %d = %s %s, want %s %s", i, calls[i].Action, calls[i].Amount, w.action, w.amount)
		}
	}
	if calls[1].GasHint <= calls[3].GasHint {
		t.Errorf("gas hint of 100 requests (%d) not above that of 50 (%d)", calls[1].GasHint, calls[3].GasHint)
	}
	if got := calls[1].Description; got != "Request withdrawal of 100000 stETH from Lido (100 requests)" {
		t.Errorf("Description = %q", got)
	}
}

func TestSplitAmount(t *testing.T) {
	n := func(v int64) *big.Int { return big.NewInt(v) }
	tests := []struct {
		name       string
		total, max int64
		want       []int64
	}{
		{"under max", 500, 1000, []int64{500}},
		{"exactly max", 1000, 1000, []int64{1000}},
		{"greedy", 2500, 1000, []int64{1000, 1000, 500}},
		{"multiple of max", 3000, 1000, []int64{1000, 1000, 1000}},
		{"small remainder borrows", 2050, 1000, []int64{1000, 950, 100}},
		{"remainder exactly min", 1100, 1000, []int64{1000, 100}},
		{"remainder of 1", 1001, 1000, []int64{901, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitAmount(n(tt.total), n(tt.max), n(100))
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			sum := new(big.Int)
			for i := range got {
				sum.Add(sum, got[i])
				if got[i].Int64() != tt.want[i] {
					t.Errorf("part %d = %s, want %d", i, got[i], tt.want[i])
				}
			}
			if sum.Int64() != tt.total {
				t.Errorf("parts sum to %s, want %d", sum, tt.total)
			}
		})
	}
}

func TestRequestIDs(t *testing.T) {
	f := newFake(t)
	l := f.adapter(t)
	requested := common.HexToHash("0xf0cb471f23fb74ea44b8252eb1881a2dca546288d9f6e90d1a0e82fe0ed342ab")
	transfer := common.HexToHash("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
	id := func(v int64) common.Hash { return common.BigToHash(big.NewInt(v)) }
	addr := func(a common.Address) common.Hash { return common.BytesToHash(a.Bytes()) }
	receipt := &types.Receipt{Logs: []*types.Log{
		{Address: DevnetStETH, Topics: []common.Hash{transfer, addr(alice), addr(DevnetWithdrawalQueue)}},
		{Address: DevnetWithdrawalQueue, Topics: []common.Hash{requested, id(41), addr(alice), addr(alice)}},
		{Address: DevnetWithdrawalQueue, Topics: []common.Hash{transfer, addr(common.Address{}), addr(alice), id(41)}},
		nil,
		// A look-alike event from another contract must be ignored.
		{Address: bob, Topics: []common.Hash{requested, id(99), addr(alice), addr(alice)}},
		{Address: DevnetWithdrawalQueue, Topics: []common.Hash{requested, id(42), addr(alice), addr(bob)}},
		{Address: DevnetWithdrawalQueue, Topics: []common.Hash{requested}}, // malformed
	}}
	got := l.RequestIDs(receipt)
	if !slices.Equal(got, rids(41, 42)) {
		t.Errorf("RequestIDs = %v, want [41 42]", got)
	}
	if got := l.RequestIDs(nil); got != nil {
		t.Errorf("RequestIDs(nil) = %v", got)
	}
}

func TestWithdrawals(t *testing.T) {
	f := newFake(t)
	f.addRequest(3, alice, eth(5), "claimed")
	f.addRequest(1, alice, eth(1), "claimable")
	f.addRequest(2, alice, eth(2), "claimable")
	f.addRequest(4, alice, eth(1000), "pending")
	f.addRequest(5, bob, eth(7), "claimable")
	l := f.adapter(t)

	got, err := l.Withdrawals(context.Background(), alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id        int64 // formatted in decimal by the adapter
		status    protocol.Status
		amount    *big.Int
		claimable *big.Int
	}{
		{1, protocol.StatusClaimable, eth(1), new(big.Int).Sub(eth(1), big.NewInt(1))},
		{2, protocol.StatusClaimable, eth(2), new(big.Int).Sub(eth(2), big.NewInt(1))},
		{3, protocol.StatusClaimed, eth(5), nil},
		{4, protocol.StatusPending, eth(1000), nil},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d withdrawals, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.ID != rids(w.id)[0] || g.Status != w.status || g.Amount.Cmp(w.amount) != 0 || g.Owner != alice || g.Protocol != "lido" || g.Token.Symbol != "stETH" {
			t.Errorf("withdrawal %d = %+v", i, g)
		}
		if (g.Claimable == nil) != (w.claimable == nil) || (g.Claimable != nil && g.Claimable.Cmp(w.claimable) != 0) {
			t.Errorf("withdrawal %d claimable = %v, want %v", w.id, g.Claimable, w.claimable)
		}
		if !g.RequestedAt.Equal(time.Unix(1_700_000_000+w.id, 0)) || g.ETA != nil {
			t.Errorf("withdrawal %d RequestedAt %v ETA %v", w.id, g.RequestedAt, g.ETA)
		}
	}
	for method, n := range map[string]int{"getWithdrawalRequests": 1, "getWithdrawalStatus": 1, "getLastCheckpointIndex": 1, "findCheckpointHints": 1, "getClaimableEther": 1} {
		if f.count(method) != n {
			t.Errorf("%s called %d times, want %d (calls %v)", method, f.count(method), n, f.calls)
		}
	}

	t.Run("given ids, unsorted and repeated", func(t *testing.T) {
		got, err := l.Withdrawals(context.Background(), alice, rids(5, 4, 5))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "4" || got[1].ID != "5" || got[1].Owner != bob {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		_, err := l.Withdrawals(context.Background(), alice, rids(99))
		wantLimit(t, err, "request 99 does not exist")
	})
	t.Run("no requests", func(t *testing.T) {
		f := newFake(t)
		got, err := f.adapter(t).Withdrawals(context.Background(), bob, nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v", got, err)
		}
		if f.count("getWithdrawalStatus") != 0 {
			t.Errorf("status read for no ids: %v", f.calls)
		}
	})
}

// TestWithdrawalsChunks: 1200 ids are read 500 at a time.
func TestWithdrawalsChunks(t *testing.T) {
	f := newFake(t)
	for id := uint64(1); id <= 1200; id++ {
		status := "pending"
		if id <= 700 {
			status = "claimable"
		}
		f.addRequest(id, alice, eth(1), status)
	}
	got, err := f.adapter(t).Withdrawals(context.Background(), alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1200 || got[699].Status != protocol.StatusClaimable || got[700].Status != protocol.StatusPending || got[699].Claimable == nil {
		t.Fatalf("got %d withdrawals", len(got))
	}
	// Hints are asked in the round trip of the statuses, so they cannot
	// wait for them: for every id up to the last finalized one, which
	// comes with the list (on the real queue an id after a NOT_FOUND
	// reverts findCheckpointHints).
	if f.count("getWithdrawalStatus") != 3 || f.count("findCheckpointHints") != 2 || f.count("getClaimableEther") != 2 {
		t.Errorf("calls: status %d, hints %d, claimable %d", f.count("getWithdrawalStatus"), f.count("findCheckpointHints"), f.count("getClaimableEther"))
	}
}

func TestClaim(t *testing.T) {
	setup := func(t *testing.T) *fakeChain {
		f := newFake(t)
		f.addRequest(1, alice, eth(5), "claimed")
		f.addRequest(12, alice, eth(1), "claimable") // checkpoint 2
		f.addRequest(23, alice, eth(2), "claimable") // checkpoint 3
		// Pending after every finalized one, as a queue finalizes in order.
		f.addRequest(40, alice, big.NewInt(1e17), "pending")
		f.addRequest(30, bob, eth(7), "claimable")
		return f
	}
	bigs := func(vs ...int64) []*big.Int {
		out := make([]*big.Int, len(vs))
		for i, v := range vs {
			out[i] = big.NewInt(v)
		}
		return out
	}
	ids := rids
	claimData := "e3afe0a3" + word(0x40) + word(0x40+32*3) + wordsArray(bigs(12, 23)...) + wordsArray(bigs(2, 3)...)
	total := new(big.Int).Sub(eth(3), big.NewInt(2))
	tests := []struct {
		name     string
		owner    common.Address
		ids      []protocol.RequestID
		wantErr  string
		wantData string
		wantDesc string
		setup    func(*fakeChain)
	}{
		{"sorted with hints", alice, ids(23, 12), "", claimData, "Claim 2.999999999999999998 ETH from 2 Lido withdrawal requests (#12, #23)", nil},
		{"all claimable by default", alice, nil, "", claimData, "", nil},
		{"pending", alice, ids(40), "request 40 is still pending", "", "", nil},
		{"claimed", alice, ids(1), "request 1 was already claimed", "", "", nil},
		{"every problem named", alice, ids(12, 1, 40), "cannot claim: request 1 was already claimed; request 40 is still pending", "", "", nil},
		{"someone else's", alice, ids(30), "request 30 belongs to " + bob.Hex(), "", "", nil},
		{"unknown id", alice, ids(99), "request 99 does not exist", "", "", nil},
		{"nothing claimable", bob, nil, "no claimable Lido withdrawal requests", "", "", func(f *fakeChain) {
			f.requests[30] = requestStatus{AmountOfStETH: eth(7), AmountOfShares: eth(7), Owner: bob, Timestamp: big.NewInt(1)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			calls, err := f.adapter(t).Claim(context.Background(), tt.owner, tt.ids)
			if tt.wantErr != "" {
				wantLimit(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != 1 {
				t.Fatalf("got %d calls", len(calls))
			}
			c := calls[0]
			checkCalldata(t, c, tt.wantData)
			if c.Action != "claimWithdrawals" || c.To != DevnetWithdrawalQueue || c.Amount.Cmp(total) != 0 || !c.Token.IsNative() || c.Value != nil {
				t.Errorf("call = %+v", c)
			}
			if tt.wantDesc != "" && c.Description != tt.wantDesc {
				t.Errorf("Description = %q, want %q", c.Description, tt.wantDesc)
			}
		})
	}
}

// TestClaimChunks: 250 claimable ids go out as 100 + 100 + 50 per
// transaction, hints searched from the previous chunk's last checkpoint.
func TestClaimChunks(t *testing.T) {
	f := newFake(t)
	for id := uint64(1); id <= 250; id++ {
		f.addRequest(id, alice, eth(1), "claimable")
	}
	calls, err := f.adapter(t).Claim(context.Background(), alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int64{100, 100, 50}
	if len(calls) != len(sizes) {
		t.Fatalf("got %d calls", len(calls))
	}
	for i, n := range sizes {
		want := new(big.Int).Sub(eth(n), big.NewInt(n))
		if calls[i].Amount.Cmp(want) != 0 {
			t.Errorf("call %d amount %s, want %s", i, calls[i].Amount, want)
		}
		// ids array length sits in the word after the two offsets.
		if got := new(big.Int).SetBytes(calls[i].Data[4+64 : 4+96]).Int64(); got != n {
			t.Errorf("call %d claims %d ids, want %d", i, got, n)
		}
	}
	if !strings.HasSuffix(calls[0].Description, "from 100 Lido withdrawal requests") {
		t.Errorf("Description = %q", calls[0].Description)
	}
}

func TestWrapUnwrapTransfer(t *testing.T) {
	ctx := context.Background()
	amt := big.NewInt(25e17)
	tests := []struct {
		name    string
		setup   func(*fakeChain)
		run     func(*Lido) ([]protocol.Call, error)
		wantErr string
		want    []string // action:calldata
		to      []common.Address
	}{
		{
			name: "wrap with approve",
			run:  func(l *Lido) ([]protocol.Call, error) { return l.Wrap(ctx, alice, amt) },
			want: []string{"approve:095ea7b3" + wordAddr(DevnetWstETH) + wordBig(amt), "wrap:ea598cb0" + wordBig(amt)},
			to:   []common.Address{DevnetStETH, DevnetWstETH},
		},
		{
			name:  "wrap, allowance enough",
			setup: func(f *fakeChain) { f.setAllowance(DevnetStETH, alice, DevnetWstETH, amt) },
			run:   func(l *Lido) ([]protocol.Call, error) { return l.Wrap(ctx, alice, amt) },
			want:  []string{"wrap:ea598cb0" + wordBig(amt)},
			to:    []common.Address{DevnetWstETH},
		},
		{
			name:    "wrap, balance short",
			setup:   func(f *fakeChain) { f.balances[DevnetStETH][alice] = eth(1) },
			run:     func(l *Lido) ([]protocol.Call, error) { return l.Wrap(ctx, alice, amt) },
			wantErr: "insufficient stETH balance: have 1, need 2.5",
		},
		{name: "wrap zero", run: func(l *Lido) ([]protocol.Call, error) { return l.Wrap(ctx, alice, new(big.Int)) }, wantErr: "greater than zero"},
		{
			name: "unwrap",
			run:  func(l *Lido) ([]protocol.Call, error) { return l.Unwrap(ctx, alice, amt) },
			want: []string{"unwrap:de0e9a3e" + wordBig(amt)},
			to:   []common.Address{DevnetWstETH},
		},
		{
			name:    "unwrap, balance short",
			run:     func(l *Lido) ([]protocol.Call, error) { return l.Unwrap(ctx, bob, amt) },
			wantErr: "insufficient wstETH balance: have 0, need 2.5",
		},
		{
			name: "transfer stETH",
			run: func(l *Lido) ([]protocol.Call, error) {
				return l.Transfer(ctx, alice, bob, amt, protocol.Token{Symbol: "stETH", Address: DevnetStETH, Decimals: 18})
			},
			want: []string{"transfer:a9059cbb" + wordAddr(bob) + wordBig(amt)},
			to:   []common.Address{DevnetStETH},
		},
		{
			name: "transfer wstETH",
			run: func(l *Lido) ([]protocol.Call, error) {
				return l.Transfer(ctx, alice, bob, amt, protocol.Token{Symbol: "wstETH", Address: DevnetWstETH, Decimals: 18})
			},
			want: []string{"transfer:a9059cbb" + wordAddr(bob) + wordBig(amt)},
			to:   []common.Address{DevnetWstETH},
		},
		{
			name: "transfer to the token contract",
			run: func(l *Lido) ([]protocol.Call, error) {
				return l.Transfer(ctx, alice, DevnetStETH, amt, protocol.Token{})
			},
			wantErr: "cannot transfer stETH to the stETH contract itself",
		},
		{
			name: "transfer to zero",
			run: func(l *Lido) ([]protocol.Call, error) {
				return l.Transfer(ctx, alice, common.Address{}, amt, protocol.Token{})
			},
			wantErr: "zero address",
		},
		{
			name:    "transfer, balance short",
			run:     func(l *Lido) ([]protocol.Call, error) { return l.Transfer(ctx, bob, alice, amt, protocol.Token{}) },
			wantErr: "insufficient stETH balance",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			calls, err := tt.run(f.adapter(t))
			if err == nil {
				calls, err = protocol.RunChecks(ctx, f, calls)
			}
			if tt.wantErr != "" {
				wantLimit(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != len(tt.want) {
				t.Fatalf("got %d calls, want %d", len(calls), len(tt.want))
			}
			for i, w := range tt.want {
				action, data, _ := strings.Cut(w, ":")
				if calls[i].Action != action || calls[i].To != tt.to[i] || calls[i].Amount.Cmp(amt) != 0 {
					t.Errorf("call %d = %s to %s amount %s", i, calls[i].Action, calls[i].To.Hex(), calls[i].Amount)
				}
				checkCalldata(t, calls[i], data)
			}
		})
	}
}

func TestRevertHints(t *testing.T) {
	f := newFake(t)
	l := f.adapter(t)
	tests := []struct {
		data string
		want string
	}{
		{"08c379a0" + word(32) + word(18) + "414c4c4f57414e43455f4558434545444544" + strings.Repeat("0", 28), "ALLOWANCE_EXCEEDED (the spender is not allowed that much of your stETH: approve first)"},
		{"4ae50228" + word(7), "RequestNotFoundOrNotFinalized(requestId=7) (not claimable yet: run `stakewallet withdrawals wait`)"},
		{"b89b87c8" + word(50), "RequestAmountTooSmall(amountOfStETH=50) (each withdrawal request must be at least 100 wei of stETH)"},
	}
	for _, tt := range tests {
		data, err := hex.DecodeString(tt.data)
		if err != nil {
			t.Fatal(err)
		}
		if got := abidecode.Human(abidecode.DecodeRevert(data, l.ABI()), l.RevertHints()); got != tt.want {
			t.Errorf("Human = %q, want %q", got, tt.want)
		}
	}
	for _, key := range []string{"STAKING_PAUSED", "STAKE_LIMIT", "BALANCE_EXCEEDED", "ALLOWANCE_EXCEEDED", "RequestNotFoundOrNotFinalized"} {
		if RevertHints()[key] == "" {
			t.Errorf("no hint for %s", key)
		}
	}
}

func TestResolveAddresses(t *testing.T) {
	f := newFake(t)
	got, err := ResolveAddresses(context.Background(), f, DevnetLocator)
	if err != nil {
		t.Fatal(err)
	}
	for role, want := range Deployments["devnet"] {
		if got[role] != want {
			t.Errorf("%s = %s, want %s", role, got[role].Hex(), want.Hex())
		}
	}
	if _, err := ResolveAddresses(context.Background(), f, bob); err == nil || !strings.Contains(err.Error(), "returned nothing") {
		t.Errorf("locator without code: err = %v", err)
	}
}
