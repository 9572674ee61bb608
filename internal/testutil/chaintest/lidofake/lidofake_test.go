package lidofake_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/lidofake"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

const chainID = 1337

var (
	addrs = lidofake.DevnetAddresses()
	bob   = common.HexToAddress("0xb0b0000000000000000000000000000000000b0b")
)

// eth is n/10 ether, so that tests can say 5.5 ETH as eth(55).
func eth(tenths int64) *big.Int {
	return new(big.Int).Mul(big.NewInt(tenths), big.NewInt(params.Ether/10))
}

type env struct {
	t      *testing.T
	ctx    context.Context
	node   *chaintest.Node
	fake   *lidofake.Lido
	client *chain.Client
	p      protocol.Protocol
	key    *ecdsa.PrivateKey
	alice  common.Address
}

func setup(t *testing.T) *env {
	t.Helper()
	node := chaintest.New(t, chainID)
	fake := lidofake.Install(node, addrs)
	client, err := chain.Dial(context.Background(), []string{node.URL()}, chain.Options{ChainID: chainID, Network: "devnet", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	p, err := lido.New(protocol.Env{Network: "devnet", Addresses: addrs.Protocol(), Backend: client,
		Native: protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	alice := crypto.PubkeyToAddress(key.PublicKey)
	node.SetBalance(alice, eth(1000))
	return &env{t: t, ctx: context.Background(), node: node, fake: fake, client: client, p: p, key: key, alice: alice}
}

func (e *env) requests() protocol.Requests {
	e.t.Helper()
	r, ok := e.p.(protocol.Requests)
	if !ok {
		e.t.Fatal("the Lido adapter does not implement protocol.Requests")
	}
	return r
}

func (e *env) token(role protocol.Role) protocol.Token {
	e.t.Helper()
	tok, ok := e.p.Tokens().ByRole(role)
	if !ok {
		e.t.Fatalf("no %s token", role)
	}
	return tok
}

// send signs and sends calls from alice one after the other, as txflow
// would (estimating each after the previous is mined), and requires
// success.
func (e *env) send(calls []protocol.Call, err error) []*types.Receipt {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	var rs []*types.Receipt
	for _, c := range calls {
		msg := ethereum.CallMsg{From: e.alice, To: &c.To, Value: c.Value, Data: c.Data}
		gas, err := e.client.EstimateGas(e.ctx, msg)
		if err != nil {
			e.t.Fatalf("%s: estimate: %v", c.Action, err)
		}
		nonce, err := e.client.PendingNonceAt(e.ctx, e.alice)
		if err != nil {
			e.t.Fatal(err)
		}
		head, err := e.client.HeaderByNumber(e.ctx, nil)
		if err != nil {
			e.t.Fatal(err)
		}
		tip := big.NewInt(params.GWei)
		tx, err := types.SignNewTx(e.key, types.LatestSignerForChainID(big.NewInt(chainID)), &types.DynamicFeeTx{
			Nonce: nonce, GasTipCap: tip, GasFeeCap: new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip),
			Gas: gas, To: &c.To, Value: c.Value, Data: c.Data,
		})
		if err != nil {
			e.t.Fatal(err)
		}
		if err := e.client.SendTransaction(e.ctx, tx); err != nil {
			e.t.Fatalf("%s: send: %v", c.Action, err)
		}
		r, err := e.client.WaitForReceipt(e.ctx, tx.Hash(), 1, 5*time.Millisecond)
		if err != nil || r.Status != types.ReceiptStatusSuccessful {
			e.t.Fatalf("%s: receipt %+v, %v", c.Action, r, err)
		}
		rs = append(rs, r)
	}
	return rs
}

func fees(rs []*types.Receipt) *big.Int {
	sum := new(big.Int)
	for _, r := range rs {
		sum.Add(sum, new(big.Int).Mul(r.EffectiveGasPrice, new(big.Int).SetUint64(r.GasUsed)))
	}
	return sum
}

func actions(calls []protocol.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Action)
	}
	return out
}

func wantLimit(t *testing.T, what string, err error) {
	t.Helper()
	var le *protocol.LimitError
	if !errors.As(err, &le) {
		t.Errorf("%s: %v, want a LimitError", what, err)
	}
}

func TestStakeUnstakeClaim(t *testing.T) {
	e := setup(t)
	req := e.requests()
	stETH := e.token(protocol.RoleStaked)

	rs := e.send(e.p.Stake(e.ctx, protocol.StakeRequest{From: e.alice, Amount: eth(100)}))
	if got := e.fake.StETHBalance(e.alice); got.Cmp(eth(100)) != 0 {
		t.Errorf("stETH after staking 10 ETH: %v", got)
	}
	if got := erc20.Transferred(rs, addrs.StETH, common.Address{}, e.alice); got.Cmp(eth(100)) != 0 {
		t.Errorf("minted stETH in the receipt: %v", got)
	}
	wantNative := new(big.Int).Sub(new(big.Int).Sub(eth(1000), eth(100)), fees(rs))
	if got := e.node.Balance(e.alice); got.Cmp(wantNative) != 0 {
		t.Errorf("ETH after staking: %v, want %v", got, wantNative)
	}

	calls, err := e.p.Unstake(e.ctx, protocol.UnstakeRequest{Owner: e.alice, Amount: eth(40), Token: stETH})
	if got := actions(calls); !slices.Equal(got, []string{"approve", "requestWithdrawals"}) {
		t.Fatalf("unstake calls: %v", got)
	}
	rs = e.send(calls, err)
	ids := req.RequestIDs(rs[1])
	if !slices.Equal(ids, []protocol.RequestID{"1"}) {
		t.Fatalf("RequestIDs = %v, want [1]", ids)
	}
	ws, err := req.Withdrawals(e.ctx, e.alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].ID != "1" || ws[0].Status != protocol.StatusPending || ws[0].Amount.Cmp(eth(40)) != 0 ||
		ws[0].Owner != e.alice || !ws[0].RequestedAt.Equal(e.node.Time()) {
		t.Fatalf("Withdrawals = %+v", ws)
	}
	est, ok := e.p.(protocol.Estimating)
	if !ok {
		t.Fatal("the Lido adapter does not estimate")
	}
	if got, err := est.Estimator().Estimate(e.ctx, ws); err != nil || len(got) != 1 {
		t.Errorf("Estimate = %v, %v; want one estimate", got, err)
	}
	_, err = req.Claim(e.ctx, e.alice, ids)
	wantLimit(t, "claim of a pending request", err)

	e.fake.Finalize(1)
	ws, err = req.Withdrawals(e.ctx, e.alice, ids)
	if err != nil || ws[0].Status != protocol.StatusClaimable || ws[0].Claimable.Cmp(eth(40)) != 0 {
		t.Fatalf("after finalization: %+v, %v", ws, err)
	}
	before := e.node.Balance(e.alice)
	rs = e.send(req.Claim(e.ctx, e.alice, nil))
	want := new(big.Int).Sub(new(big.Int).Add(before, eth(40)), fees(rs))
	if got := e.node.Balance(e.alice); got.Cmp(want) != 0 {
		t.Errorf("ETH after claiming: %v, want %v", got, want)
	}
	ws, err = req.Withdrawals(e.ctx, e.alice, ids)
	if err != nil || ws[0].Status != protocol.StatusClaimed {
		t.Errorf("after claiming: %+v, %v", ws, err)
	}
	if ws, err := req.Withdrawals(e.ctx, e.alice, nil); err != nil || len(ws) != 0 {
		t.Errorf("alice's open requests after claiming: %+v, %v", ws, err)
	}
	_, err = req.Claim(e.ctx, e.alice, ids)
	wantLimit(t, "second claim", err)
	if got := e.fake.StETHBalance(e.alice); got.Cmp(eth(60)) != 0 {
		t.Errorf("stETH left: %v, want 6 ETH", got)
	}
}

func TestWrapUnwrapTransfer(t *testing.T) {
	e := setup(t)
	w, ok := e.p.(protocol.Wrapper)
	if !ok {
		t.Fatal("the Lido adapter does not wrap")
	}
	// 1 ETH bootstrap + 10 ETH, then 10% rewards: 1 share = 1.1 stETH.
	e.fake.Mint(e.alice, eth(100))
	e.fake.Reward(eth(11))
	if got := e.fake.StETHBalance(e.alice); got.Cmp(eth(110)) != 0 {
		t.Fatalf("stETH after the reward: %v, want 11 ETH", got)
	}

	e.send(w.Wrap(e.ctx, e.alice, eth(55)))
	if st, wst := e.fake.StETHBalance(e.alice), e.fake.WstETHBalance(e.alice); st.Cmp(eth(55)) != 0 || wst.Cmp(eth(50)) != 0 {
		t.Errorf("after wrapping 5.5 stETH: %v stETH, %v wstETH; want 5.5, 5", st, wst)
	}
	e.send(w.Unwrap(e.ctx, e.alice, eth(20)))
	if st, wst := e.fake.StETHBalance(e.alice), e.fake.WstETHBalance(e.alice); st.Cmp(eth(77)) != 0 || wst.Cmp(eth(30)) != 0 {
		t.Errorf("after unwrapping 2 wstETH: %v stETH, %v wstETH; want 7.7, 3", st, wst)
	}

	// stETH moves as shares: at 1.1 the recipient gets a wei less.
	l, ok := e.p.(*lido.Lido)
	if !ok {
		t.Fatalf("lido.New returned %T", e.p)
	}
	e.send(l.Transfer(e.ctx, e.alice, bob, eth(10), e.token(protocol.RoleStaked)))
	if got, want := e.fake.StETHBalance(bob), new(big.Int).Sub(eth(10), big.NewInt(1)); got.Cmp(want) != 0 {
		t.Errorf("bob's stETH: %v, want %v", got, want)
	}

	// A wstETH request records the unwrapped stETH.
	rs := e.send(e.p.Unstake(e.ctx, protocol.UnstakeRequest{Owner: e.alice, Amount: eth(10), Token: e.token(protocol.RoleWrapped)}))
	ids := e.requests().RequestIDs(rs[len(rs)-1])
	ws, err := e.requests().Withdrawals(e.ctx, e.alice, ids)
	if err != nil || len(ws) != 1 || ws[0].Amount.Cmp(eth(11)) != 0 {
		t.Errorf("wstETH request: %+v, %v; want 1.1 stETH", ws, err)
	}
}

func TestClaimAcrossCheckpoints(t *testing.T) {
	e := setup(t)
	req := e.requests()
	e.fake.AddRequest(e.alice, eth(10), true) // checkpoint 1, rate 1
	e.fake.AddRequest(e.alice, eth(20), false)
	e.fake.AddRequest(e.alice, eth(30), false)
	// Pool: 1 ETH bootstrap + 2 + 3; a 0.6 ETH penalty drops the rate to
	// 0.9, so requests 2 and 3 are paid 10% less (the discount rule).
	e.fake.Reward(new(big.Int).Neg(eth(6)))
	e.fake.Finalize(3) // checkpoint 2

	ws, err := req.Withdrawals(e.ctx, e.alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []*big.Int
	for _, w := range ws {
		got = append(got, w.Claimable)
	}
	want := []*big.Int{eth(10), eth(18), eth(27)}
	if !slices.EqualFunc(got, want, func(a, b *big.Int) bool { return a != nil && a.Cmp(b) == 0 }) {
		t.Fatalf("claimable = %v, want %v", got, want)
	}
	before := e.node.Balance(e.alice)
	rs := e.send(req.Claim(e.ctx, e.alice, nil)) // the fake rejects wrong hints with InvalidHint
	paid := new(big.Int).Add(new(big.Int).Sub(e.node.Balance(e.alice), before), fees(rs))
	if paid.Cmp(eth(55)) != 0 {
		t.Errorf("claims paid %v, want 5.5 ETH", paid)
	}
	for id := uint64(1); id <= 3; id++ {
		if r, ok := e.fake.Request(id); !ok || !r.Claimed {
			t.Errorf("request %d: %+v, %v; want claimed", id, r, ok)
		}
	}
}

func TestETAFromFinalizationHistory(t *testing.T) {
	e := setup(t)
	start := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	for day := range 3 {
		e.node.SetTime(start.Add(time.Duration(day) * 24 * time.Hour))
		e.fake.AddRequest(bob, eth(10), true)
	}
	id := e.fake.AddRequest(e.alice, eth(10), false)
	ws, err := e.requests().Withdrawals(e.ctx, e.alice, nil)
	if err != nil || len(ws) != 1 {
		t.Fatalf("Withdrawals = %+v, %v", ws, err)
	}
	est, err := e.p.(protocol.Estimating).Estimator().Estimate(e.ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	got := est[ws[0].ID]
	lastReport := start.Add(48*time.Hour + chaintest.BlockTime)
	if got.ETA == nil || !got.ETA.After(lastReport) || got.RequestsAhead == nil || *got.RequestsAhead != 0 {
		t.Errorf("estimate for request %d: %+v (ETA %v), want an ETA after %v with none ahead", id, got, got.ETA, lastReport)
	}
}

func TestReverts(t *testing.T) {
	lidoABI, err := lido.ABI()
	if err != nil {
		t.Fatal(err)
	}
	pack := func(method string, args ...any) []byte {
		data, err := lidoABI.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	one := func(v *big.Int) []*big.Int { return []*big.Int{v} }
	tests := []struct {
		name  string
		setup func(e *env)
		to    common.Address
		value *big.Int
		data  func(e *env) []byte
		want  string
	}{
		{"zero deposit", nil, addrs.StETH, nil, func(*env) []byte { return pack("submit", common.Address{}) }, "ZERO_DEPOSIT"},
		{"staking paused", func(e *env) { e.fake.SetStakingPaused(true) }, addrs.StETH, eth(10),
			func(*env) []byte { return pack("submit", common.Address{}) }, "STAKING_PAUSED"},
		{"stake limit", func(e *env) { e.fake.SetStakeLimit(eth(10)) }, addrs.StETH, eth(20),
			func(*env) []byte { return pack("submit", common.Address{}) }, "STAKE_LIMIT"},
		{"transfer to stETH", func(e *env) { e.fake.Mint(e.alice, eth(10)) }, addrs.StETH, nil,
			func(*env) []byte { return pack("transfer", addrs.StETH, eth(1)) }, "TRANSFER_TO_STETH_CONTRACT"},
		{"request below 100 wei", func(e *env) { e.fake.Mint(e.alice, eth(10)) }, addrs.Queue, nil,
			func(e *env) []byte { return pack("requestWithdrawals", one(big.NewInt(99)), e.alice) }, "RequestAmountTooSmall"},
		{"request above 1000 stETH", nil, addrs.Queue, nil,
			func(e *env) []byte { return pack("requestWithdrawals", one(eth(10_010)), e.alice) }, "RequestAmountTooLarge"},
		{"request without allowance", func(e *env) { e.fake.Mint(e.alice, eth(10)) }, addrs.Queue, nil,
			func(e *env) []byte { return pack("requestWithdrawals", one(eth(10)), e.alice) }, "ALLOWANCE_EXCEEDED"},
		{"queue paused", func(e *env) { e.fake.SetQueuePaused(true) }, addrs.Queue, nil,
			func(e *env) []byte { return pack("requestWithdrawals", one(eth(10)), e.alice) }, "ResumedExpected"},
		{"claim before finalization", func(e *env) { e.fake.AddRequest(e.alice, eth(10), false) }, addrs.Queue, nil,
			func(*env) []byte { return pack("claimWithdrawals", one(big.NewInt(1)), one(big.NewInt(1))) }, "RequestNotFoundOrNotFinalized"},
		{"claim of another's request", func(e *env) { e.fake.AddRequest(bob, eth(10), true) }, addrs.Queue, nil,
			func(*env) []byte { return pack("claimWithdrawals", one(big.NewInt(1)), one(big.NewInt(1))) }, "NotOwner"},
		{"stale hint", func(e *env) { e.fake.AddRequest(e.alice, eth(10), true); e.fake.AddRequest(e.alice, eth(10), true) }, addrs.Queue, nil,
			func(*env) []byte { return pack("claimWithdrawals", one(big.NewInt(1)), one(big.NewInt(2))) }, "InvalidHint"},
		{"unknown request", nil, addrs.Queue, nil,
			func(*env) []byte { return pack("getWithdrawalStatus", one(big.NewInt(7))) }, "InvalidRequestId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			_, err := e.client.CallContract(e.ctx, ethereum.CallMsg{From: e.alice, To: &tt.to, Value: tt.value, Data: tt.data(e)}, nil)
			if got := revertName(t, lidoABI, err); got != tt.want {
				t.Errorf("revert %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// revertName is the Error(string) reason or the custom error's name of a
// revert error.
func revertName(t *testing.T, a *abi.ABI, err error) string {
	t.Helper()
	var de rpc.DataError
	if !errors.As(err, &de) {
		t.Fatalf("not a revert with data: %v", err)
	}
	s, _ := de.ErrorData().(string)
	data, decErr := hexutil.Decode(s)
	if decErr != nil || len(data) < 4 {
		t.Fatalf("revert data %q: %v", s, decErr)
	}
	if reason, err := abi.UnpackRevert(data); err == nil {
		return reason
	}
	for name, e := range a.Errors {
		if bytes.Equal(e.ID[:4], data[:4]) {
			return name
		}
	}
	return hexutil.Encode(data)
}

func TestStakeLimits(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *lidofake.Lido)
		stake *big.Int
		ok    bool
	}{
		{"no limit", nil, eth(500), true},
		{"under the limit", func(f *lidofake.Lido) { f.SetStakeLimit(eth(20)) }, eth(20), true},
		{"over the limit", func(f *lidofake.Lido) { f.SetStakeLimit(eth(20)) }, eth(21), false},
		{"paused", func(f *lidofake.Lido) { f.SetStakingPaused(true) }, eth(1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			if tt.setup != nil {
				tt.setup(e.fake)
			}
			// The limits are Checks on the call, judged in the wallet's batch.
			calls, err := e.p.Stake(e.ctx, protocol.StakeRequest{From: e.alice, Amount: tt.stake})
			if err == nil {
				calls, err = protocol.RunChecks(e.ctx, e.client, calls)
			}
			if !tt.ok {
				wantLimit(t, "stake", err)
				return
			}
			e.send(calls, err)
			if got := e.fake.StETHBalance(e.alice); got.Cmp(tt.stake) != 0 {
				t.Errorf("stETH = %v, want %v", got, tt.stake)
			}
		})
	}
}
