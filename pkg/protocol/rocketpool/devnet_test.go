package rocketpool_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	rpmodel "github.com/stakewallet/stakewallet/internal/devnet/models/rocketpool"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

func milliether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e15)) }

var nativeETH = protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}

func bind(t *testing.T, b protocol.Backend) *rocketpool.RocketPool {
	t.Helper()
	p, err := rocketpool.New(protocol.Env{Network: "devnet", Addresses: rocketpool.Deployments["devnet"], Backend: b, Native: nativeETH})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*rocketpool.RocketPool)
}

// TestContract runs the protocol contract suite against the Rocket Pool
// model in the "devnet" genesis (at the built-in addresses), then what only
// Rocket Pool has: the preview's numbers, round trips, the stake rules and
// the collateral rule, each refused before signing and, when forced, by
// the contract with a decoded revert string. Each part uses its own
// account.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	n := devnettest.Start(ctx, t, "")
	counter := protocoltest.NewCounter(n.Wallet)
	p := bind(t, counter)

	protocoltest.Run(t, protocoltest.Harness{
		Protocol: p,
		// Stake: RocketStorage's addresses (once) with the fee and the
		// balances for the preview; Unstake: getEthValue for the preview
		// and the collateral Check. Rules are Checks.
		Reads:        counter.Reads,
		StakeReads:   1,
		UnstakeReads: 1,
		Native:       nativeETH,
		Chain:        n.Client,
		Key:          n.Accounts[1].PrivateKey,
		Stake:        ether(10),
		Events: map[string][]string{
			"stake": {"DepositReceived", "TokensMinted", "Transfer"},
			"burn":  {"TokensBurned", "Transfer"},
		},
		Reverting: func(ctx context.Context, owner common.Address) (protocol.Call, error) {
			calls, err := p.Stake(ctx, protocol.StakeRequest{From: owner, Amount: milliether(1)})
			if err != nil {
				return protocol.Call{}, err
			}
			return calls[0], nil
		},
		WantRevert: "The deposited amount is less than the minimum deposit size",
	})
	t.Run("preview and round trips", func(t *testing.T) { previewAndRoundTrips(ctx, t, n, n.Accounts[2]) })
	t.Run("stake rules", func(t *testing.T) { stakeRules(ctx, t, n, n.Accounts[3]) })
	t.Run("collateral", func(t *testing.T) { collateral(ctx, t, n, n.Accounts[4]) })
	t.Run("misconfigured", func(t *testing.T) { misconfigured(ctx, t, n) })
}

// misconfigured: a network entry whose RocketStorage is not Rocket Pool's,
// or whose rETH is not the one RocketStorage names, builds nothing, and
// says which address to fix (not a LimitError: the user's amount is fine).
func misconfigured(ctx context.Context, t *testing.T, n *devnettest.Net) {
	other := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	tests := []struct {
		name  string
		addrs protocol.Addresses
		says  string
	}{
		{"storage without contracts", protocol.Addresses{rocketpool.RoleStorage: other, rocketpool.RoleRETH: rocketpool.DevnetRETH}, "returned nothing"},
		{"storage is another contract", protocol.Addresses{rocketpool.RoleStorage: rocketpool.DevnetRETH, rocketpool.RoleRETH: rocketpool.DevnetRETH}, rocketpool.DevnetRETH.Hex()},
		{"rETH is not the storage's", protocol.Addresses{rocketpool.RoleStorage: rocketpool.DevnetStorage, rocketpool.RoleRETH: other}, "names rETH " + rocketpool.DevnetRETH.Hex()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := rocketpool.New(protocol.Env{Network: "devnet", Addresses: tt.addrs, Backend: n.Client, Native: nativeETH})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Stake(ctx, protocol.StakeRequest{From: n.Accounts[5].Address, Amount: ether(1)})
			var le *protocol.LimitError
			if err == nil || errors.As(err, &le) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Stake: %v, want an error (not a LimitError) saying %q", err, tt.says)
			}
		})
	}
	if _, err := rocketpool.New(protocol.Env{Network: "devnet", Addresses: protocol.Addresses{rocketpool.RoleStorage: rocketpool.DevnetStorage}, Backend: n.Client, Native: nativeETH}); err == nil {
		t.Error("New without a reth address: accepted")
	}
}

// reader reads through the adapter's ABI.
type reader struct {
	t      *testing.T
	ctx    context.Context
	client *ethclient.Client
	p      *rocketpool.RocketPool
}

func (r reader) uint(to common.Address, method string, args ...any) *big.Int {
	r.t.Helper()
	data, err := r.p.ABI().Pack(method, args...)
	if err != nil {
		r.t.Fatal(err)
	}
	out, err := r.client.CallContract(r.ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		r.t.Fatalf("%s: %v", method, err)
	}
	vals, err := r.p.ABI().Unpack(method, out)
	if err != nil {
		r.t.Fatalf("%s: %v", method, err)
	}
	return vals[0].(*big.Int)
}

// previewAndRoundTrips: the stake preview's rETH is what deposit() mints,
// its fee is the deposit fee; the burn preview's ETH is what burn pays.
// Stake reads once (the addresses, resolved once per adapter, with the
// fee and the balances); unstake once.
func previewAndRoundTrips(ctx context.Context, t *testing.T, n *devnettest.Net, acct devkeys.Account) {
	cb := protocoltest.NewCounter(n.Wallet)
	p := bind(t, cb)
	last := 0
	take := func() int {
		n := cb.Reads() - last
		last = cb.Reads()
		return n
	}
	r := reader{t: t, ctx: ctx, client: n.Client, p: p}
	sender := protocoltest.NewSender(n.Client, acct.PrivateKey, p)
	owner := acct.Address

	stakeAmt := ether(3)
	calls, err := p.Stake(ctx, protocol.StakeRequest{From: owner, Amount: stakeAmt})
	if err != nil {
		t.Fatal(err)
	}
	if got := take(); got != 1 {
		t.Errorf("first Stake: %d round trips, want 1 (addresses, fee and balances in one batch)", got)
	}
	if _, err := p.Stake(ctx, protocol.StakeRequest{From: owner, Amount: stakeAmt}); err != nil {
		t.Fatal(err)
	}
	if got := take(); got != 1 {
		t.Errorf("second Stake: %d round trips, want 1 (addresses cached)", got)
	}
	if len(calls) != 1 || len(calls[0].Checks) != 3 || calls[0].To != rocketpool.DevnetDepositPool || calls[0].Value.Cmp(stakeAmt) != 0 {
		t.Fatalf("stake calls %+v: want one deposit() of 3 ETH to the deposit pool with 3 checks", calls)
	}
	if kept, err := protocol.RunChecks(ctx, n.Client, calls); err != nil || len(kept) != 1 {
		t.Fatalf("checks of a 3 ETH stake: %v, %d calls", err, len(kept))
	}
	fee := new(big.Int).Mul(stakeAmt, r.uint(rocketpool.DevnetSettingsDeposit, "getDepositFee"))
	fee.Div(fee, big.NewInt(1e18))
	net := new(big.Int).Sub(stakeAmt, fee)
	wantReth := r.uint(rocketpool.DevnetRETH, "getRethValue", net)
	before := r.uint(rocketpool.DevnetRETH, "balanceOf", owner)
	if _, err := sender.Send(ctx, calls); err != nil {
		t.Fatal(err)
	}
	minted := new(big.Int).Sub(r.uint(rocketpool.DevnetRETH, "balanceOf", owner), before)
	if minted.Cmp(wantReth) != 0 {
		t.Errorf("minted %s rETH, getRethValue(net) = %s", minted, wantReth)
	}
	for _, want := range []string{"~" + amount.FormatUnits(minted, 18, "rETH"), "deposit fee " + amount.FormatUnits(fee, 18, "ETH"), "0.05%"} {
		if !strings.Contains(calls[0].Description, want) {
			t.Errorf("stake preview %q does not say %q", calls[0].Description, want)
		}
	}

	burnAmt := new(big.Int).Div(minted, big.NewInt(3))
	calls, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: owner, Amount: burnAmt, Token: p.Tokens()[0]})
	if err != nil {
		t.Fatal(err)
	}
	if got := take(); got != 1 {
		t.Errorf("Unstake: %d round trips, want 1", got)
	}
	wantEth := r.uint(rocketpool.DevnetRETH, "getEthValue", burnAmt)
	if !strings.Contains(calls[0].Description, amount.FormatUnits(wantEth, 18, "ETH")) {
		t.Errorf("burn preview %q does not say %s", calls[0].Description, amount.FormatUnits(wantEth, 18, "ETH"))
	}
	if _, err := protocol.RunChecks(ctx, n.Client, calls); err != nil {
		t.Fatal(err)
	}
	nb, err := n.Client.BalanceAt(ctx, owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := sender.Send(ctx, calls)
	if err != nil {
		t.Fatal(err)
	}
	na, err := n.Client.BalanceAt(ctx, owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := new(big.Int).Sub(na, nb); got.Add(got, protocoltest.Fees(rs)).Cmp(wantEth) != 0 {
		t.Errorf("burn paid %s wei, getEthValue said %s", got, wantEth)
	}
	var burned any
	for _, ev := range abidecode.DecodeLogs(rs[0].Logs, p.ABI()) {
		if ev.Name == "TokensBurned" {
			burned = ev.Args["ethAmount"]
		}
	}
	if burned != wantEth.String() {
		t.Errorf("TokensBurned.ethAmount = %v, want %s", burned, wantEth)
	}

	msg, decode := p.RateCall()
	out, err := n.Client.CallContract(ctx, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	rate, err := decode(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := r.uint(rocketpool.DevnetRETH, "getEthValue", ether(1)); rate.Cmp(want) != 0 || rate.Cmp(milliether(1100)) != 0 {
		t.Errorf("rate %s, want getEthValue(1 rETH) = %s = the model's initial 1.1", rate, want)
	}
	if got := take(); got != 0 {
		t.Errorf("RateCall made %d round trips, want 0 (it is a read for the wallet's batch)", got)
	}
}

// forced sends calls[0] as an eth_call from owner, past its Checks, and
// returns the revert reason the adapter's ABI decodes, and its hint.
func forced(ctx context.Context, t *testing.T, n *devnettest.Net, p *rocketpool.RocketPool, owner common.Address, c protocol.Call) (reason, hint string) {
	t.Helper()
	to := c.To
	_, err := n.Client.CallContract(ctx, ethereum.CallMsg{From: owner, To: &to, Value: c.Value, Data: c.Data}, nil)
	if err == nil {
		t.Fatalf("forced %s did not revert", c.Action)
	}
	r, ok := abidecode.FromError(err, p.ABI())
	if !ok {
		t.Fatalf("forced %s: no revert data in %v", c.Action, err)
	}
	return r.Reason(), abidecode.Hint(r, p.RevertHints())
}

// wantRefusal runs calls' Checks and wants a *protocol.LimitError whose
// reason says every one of says.
func wantRefusal(ctx context.Context, t *testing.T, n *devnettest.Net, calls []protocol.Call, says ...string) {
	t.Helper()
	_, err := protocol.RunChecks(ctx, n.Client, calls)
	var le *protocol.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("checks: %v (%T), want a *protocol.LimitError", err, err)
	}
	t.Logf("refused: %s", le.Reason)
	for _, s := range says {
		if !strings.Contains(le.Reason, s) {
			t.Errorf("refusal %q does not say %q", le.Reason, s)
		}
	}
}

// setting sets a deposit setting as the guardian (model-only access).
func setting(ctx context.Context, t *testing.T, n *devnettest.Net, method, path string, v any) {
	t.Helper()
	a, err := contracts.Load(rpmodel.NameSettingsDeposit)
	if err != nil {
		t.Fatal(err)
	}
	data, err := a.ABI.Pack(method, path, v)
	if err != nil {
		t.Fatal(err)
	}
	to := rocketpool.DevnetSettingsDeposit
	if _, err := n.Oracle.Send(ctx, &to, nil, data); err != nil {
		t.Fatalf("%s(%s): %v", method, path, err)
	}
}

// stakeRules: below the minimum, above the pool's capacity, and with
// deposits disabled, the checks refuse in words (exit 2); forced past
// them, deposit() reverts with the real string, which decodes with a hint.
func stakeRules(ctx context.Context, t *testing.T, n *devnettest.Net, acct devkeys.Account) {
	p := bind(t, n.Client)
	r := reader{t: t, ctx: ctx, client: n.Client, p: p}
	owner := acct.Address
	room := r.uint(rocketpool.DevnetDepositPool, "getMaximumDepositAmount")
	over := new(big.Int).Add(room, ether(1))
	tests := []struct {
		name       string
		amount     *big.Int
		disable    bool
		says       []string
		wantRevert string
	}{
		{"below the minimum", milliether(9), false,
			[]string{"0.009 ETH", "minimum deposit of 0.01 ETH"},
			"The deposited amount is less than the minimum deposit size"},
		{"above the pool's capacity", over, false,
			[]string{amount.FormatUnits(over, 18, "ETH"), "takes right now, " + amount.FormatUnits(room, 18, "ETH")},
			"The deposit pool size after depositing exceeds the maximum size"},
		{"deposits disabled", ether(1), true,
			[]string{"deposits are disabled"},
			"Deposits into Rocket Pool are currently disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.disable {
				setting(ctx, t, n, "setSettingBool", "deposit.enabled", false)
				defer setting(ctx, t, n, "setSettingBool", "deposit.enabled", true)
			}
			calls, err := p.Stake(ctx, protocol.StakeRequest{From: owner, Amount: tt.amount})
			if err != nil {
				t.Fatal(err)
			}
			wantRefusal(ctx, t, n, calls, tt.says...)
			reason, hint := forced(ctx, t, n, p, owner, calls[0])
			if reason != tt.wantRevert || hint == "" {
				t.Errorf("forced deposit reverts %q (hint %q), want %q with a hint", reason, hint, tt.wantRevert)
			}
		})
	}
	// The v1.3.1 capacity string decodes too (staking-systems.md §0.4).
	if h := p.RevertHints()["The deposit pool size after depositing (and matching with minipools) exceeds the maximum size"]; h == "" {
		t.Error("no hint for the v1.3.1 capacity revert string")
	}
}

// collateral: a burn worth more ETH than rETH can pay now (its own ETH
// plus the deposit pool's excess) is refused before signing, naming the
// ETH available and the rETH that buys; forced, burn reverts with
// "Insufficient ETH balance for exchange". Burning what the refusal named
// works. The model's stepper makes the shortage as Rocket Pool does:
// deposits beyond rETH's collateral target go to validators in 32 ETH
// lots; it also reports a higher rate.
func collateral(ctx context.Context, t *testing.T, n *devnettest.Net, acct devkeys.Account) {
	p := bind(t, n.Client)
	r := reader{t: t, ctx: ctx, client: n.Client, p: p}
	owner := acct.Address
	sender := protocoltest.NewSender(n.Client, acct.PrivateKey, p)
	rate0 := r.uint(rocketpool.DevnetRETH, "getExchangeRate")

	calls, err := p.Stake(ctx, protocol.StakeRequest{From: owner, Amount: ether(100)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sender.Send(ctx, calls); err != nil {
		t.Fatal(err)
	}
	stepper, err := rpmodel.Model.NewStepper(ctx, model.StepEnv{Sender: n.Oracle, Addresses: rocketpool.Deployments["devnet"], APR: 4, WallClock: true})
	if err != nil {
		t.Fatal(err)
	}
	excess := r.uint(rocketpool.DevnetDepositPool, "getExcessBalance")
	if err := stepper.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if after := r.uint(rocketpool.DevnetDepositPool, "getExcessBalance"); new(big.Int).Sub(excess, after).Cmp(ether(32)) < 0 {
		t.Fatalf("the step assigned %s → %s of the pool's excess, want whole 32 ETH lots", excess, after)
	}
	rate1 := r.uint(rocketpool.DevnetRETH, "getExchangeRate")
	if rate1.Cmp(rate0) <= 0 {
		t.Errorf("the step's report left the rate at %s (was %s), want higher at 4%% APR", rate1, rate0)
	}

	held := r.uint(rocketpool.DevnetRETH, "balanceOf", owner)
	calls, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: owner, Amount: held, Token: p.Tokens()[0]})
	if err != nil {
		t.Fatal(err)
	}
	avail := r.uint(rocketpool.DevnetRETH, "getTotalCollateral")
	need := r.uint(rocketpool.DevnetRETH, "getEthValue", held)
	if avail.Cmp(need) >= 0 {
		t.Fatalf("collateral %s covers the burn (%s): the test needs a shortage", avail, need)
	}
	// The rETH the refusal names: the most whose ETH value fits.
	most := new(big.Int).Sub(avail, big.NewInt(1))
	most.Mul(most, held).Div(most, need)
	wantRefusal(ctx, t, n, calls, "can pay only "+amount.FormatUnits(avail, 18, "ETH"),
		"not the "+amount.FormatUnits(need, 18, "ETH"), "burn at most "+amount.FormatUnits(most, 18, "rETH"))
	if reason, hint := forced(ctx, t, n, p, owner, calls[0]); reason != "Insufficient ETH balance for exchange" || hint == "" {
		t.Errorf("forced burn reverts %q (hint %q), want the collateral revert with a hint", reason, hint)
	}

	// What the refusal named is burnable, and the checks pass for it.
	calls, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: owner, Amount: most, Token: p.Tokens()[0]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := protocol.RunChecks(ctx, n.Client, calls); err != nil {
		t.Fatalf("burning the %s rETH the refusal named: %v", most, err)
	}
	if _, err := sender.Send(ctx, calls); err != nil {
		t.Fatal(err)
	}

	// More than the owner holds: the balance check refuses first.
	calls, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: owner, Amount: ether(1000), Token: p.Tokens()[0]})
	if err != nil {
		t.Fatal(err)
	}
	wantRefusal(ctx, t, n, calls, "less than the 1000 rETH to burn")
}
