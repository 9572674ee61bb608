package polygon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
)

// lensReads are the functions the lens's interfaces declare, by contract:
// each must be in the adapter's ABI with this signature (so its selector is
// the real contract's), declared so in the .sol, and called by the
// artifact.
var lensReads = map[string][]string{
	"IStakeManager":   {"NFTCounter()", "getValidatorContract(uint256)", "epoch()", "withdrawalDelay()"},
	"IValidatorShare": {"unbondNonces(address)", "unbonds_new(address,uint256)", "withdrawExchangeRate()", "getTotalStake(address)", "getLiquidRewards(address)"},
	"IRootChain":      {"currentHeaderBlock()", "headerBlocks(uint256)"},
}

// TestLensSelectors: every read of the lens has the selector and the
// return types of the adapter's ABI (copied from the real contracts), the
// .sol declares exactly those, and the compiled artifact pushes each
// selector (protocoltest.CheckLensReads).
func TestLensSelectors(t *testing.T) {
	abis, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("lens/PolygonLens.sol")
	if err != nil {
		t.Fatal(err)
	}
	protocoltest.CheckLensReads(t, protocoltest.LensReads{
		Name: "PolygonLens", Source: src, Artifact: lensArtifact, Reads: lensReads,
		ABIs: map[string]*abi.ABI{"IStakeManager": abis.sm, "IValidatorShare": abis.share, "IRootChain": abis.root},
	})
}

// revertErr is a node's revert with data, as the JSON-RPC client returns it.
type revertErr struct{ data []byte }

func (e revertErr) Error() string          { return "execution reverted" }
func (e revertErr) ErrorData() interface{} { return hexutil.Encode(e.data) }

func b(v int64) *big.Int { return big.NewInt(v) }

var (
	owner1, owner2 = common.HexToAddress("0xa1"), common.HexToAddress("0xa2")
	share1, share2 = common.HexToAddress("0x51"), common.HexToAddress("0x52")
)

// goodAnswer answers the listing of owner1's and owner2's unbonds: owner1
// has two on validator 1, owner2 one on validator 2.
func goodAnswer() *lensAnswer {
	return &lensAnswer{
		State: lensState{Epoch: b(10), WithdrawalDelay: b(1), HeaderBlock: b(30_000), Timestamp: b(1000), Checkpoints: []*big.Int{b(900), b(800)}},
		Validators: []lensValidator{
			{Id: b(1), Share: share1, WithdrawRate: b(100)},
			{Id: b(2), Share: share2, WithdrawRate: b(100)},
		},
		Positions: []lensPosition{
			{Stake: b(5), Rewards: b(1), Nonces: b(2)}, {Stake: b(0), Rewards: b(0), Nonces: b(0)},
			{Stake: b(0), Rewards: b(0), Nonces: b(0)}, {Stake: b(7), Rewards: b(0), Nonces: b(1)},
		},
		Unbonds: []lensUnbond{
			{Owner: b(0), ValidatorId: b(1), Nonce: b(1), Shares: b(3), WithdrawEpoch: b(8)},
			{Owner: b(0), ValidatorId: b(1), Nonce: b(2), Shares: b(0), WithdrawEpoch: b(0)},
			{Owner: b(1), ValidatorId: b(2), Nonce: b(1), Shares: b(4), WithdrawEpoch: b(10)},
		},
	}
}

// TestLensAnswerDecodes: an answer reverted by the lens decodes into
// lensAnswer field by field (the names of PolygonState's components).
func TestLensAnswerDecodes(t *testing.T) {
	lens, err := newLens()
	if err != nil {
		t.Fatal(err)
	}
	var art struct {
		ABI json.RawMessage `json:"abi"`
	}
	if err := json.Unmarshal(lensArtifact, &art); err != nil {
		t.Fatal(err)
	}
	parsed, err := abi.JSON(bytes.NewReader(art.ABI))
	if err != nil {
		t.Fatal(err)
	}
	e := parsed.Errors["PolygonState"]
	want := goodAnswer()
	packed, err := e.Inputs.Pack(want.State, want.Validators, want.Positions, want.Unbonds)
	if err != nil {
		t.Fatal(err)
	}
	values, ok := lens.Answer(nil, revertErr{append(e.ID[:4:4], packed...)})
	if !ok {
		t.Fatal("the answer is not PolygonState")
	}
	got := new(lensAnswer)
	if err := lens.Copy(got, values); err != nil {
		t.Fatal(err)
	}
	// big.Int's words differ in capacity: compare the values.
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("decoded %s, want %s", g, w)
	}
	if _, ok := lens.Answer(nil, revertErr{[]byte{1, 2, 3, 4}}); ok {
		t.Error("another revert is an answer")
	}
	if _, ok := lens.Answer([]byte{1}, nil); ok {
		t.Error("a creation that returned is an answer")
	}
	// The constructor takes what lensMsg packs.
	a := &Polygon{lens: lens, sm: common.HexToAddress("0x02"), root: common.HexToAddress("0x03")}
	for _, q := range []lensQuery{
		{owners: []common.Address{owner1}, unbonds: true},
		{owners: []common.Address{owner1}, ids: []uint64{9, 1}, unbonds: true, reqs: []reqID{{9, 2}, {1, 1}}},
		{owners: []common.Address{owner1, owner2}, delegations: true},
	} {
		m, err := a.lensMsg(q)
		if err != nil || m.To != nil || len(m.Data) == 0 {
			t.Errorf("lensMsg(%+v) = %v, %v", q, m, err)
		}
	}
}

// TestLensAnswerValid: answers that do not hang together are no answer.
func TestLensAnswerValid(t *testing.T) {
	list := lensQuery{owners: []common.Address{owner1, owner2}, unbonds: true}
	named := lensQuery{owners: []common.Address{owner1, owner2}, ids: []uint64{1, 2}, unbonds: true}
	for _, tc := range []struct {
		name   string
		q      lensQuery
		mutate func(a *lensAnswer)
		want   bool
	}{
		{"listing", list, func(*lensAnswer) {}, true},
		{"the validators named", named, func(*lensAnswer) {}, true},
		{"validators other than named", lensQuery{owners: list.owners, ids: []uint64{2, 1}, unbonds: true}, func(*lensAnswer) {}, false},
		{"fewer validators than named", lensQuery{owners: list.owners, ids: []uint64{1, 2, 3}, unbonds: true}, func(*lensAnswer) {}, false},
		{"a listing out of order", list, func(a *lensAnswer) { a.Validators[0].Id = b(3) }, false},
		{"a listed validator without a share", list, func(a *lensAnswer) { a.Validators[1].Share = common.Address{} }, false},
		{"a named validator without a share", named, func(a *lensAnswer) {
			a.Validators[1].Share = common.Address{}
			a.Positions[3].Nonces, a.Unbonds = b(0), a.Unbonds[:2]
		}, true},
		{"a validator id 0", list, func(a *lensAnswer) { a.Validators[0].Id = b(0) }, false},
		{"a position missing", list, func(a *lensAnswer) { a.Positions = a.Positions[:3] }, false},
		{"a nil stake", list, func(a *lensAnswer) { a.Positions[0].Stake = nil }, false},
		{"absurd nonces", list, func(a *lensAnswer) { a.Positions[1].Nonces = new(big.Int).Lsh(b(1), 40) }, false},
		{"an unbond missing", list, func(a *lensAnswer) { a.Unbonds = a.Unbonds[:2] }, false},
		{"an unbond too many", list, func(a *lensAnswer) { a.Unbonds = append(a.Unbonds, a.Unbonds[2]) }, false},
		{"an unbond of another owner", list, func(a *lensAnswer) { a.Unbonds[2].Owner = b(0) }, false},
		{"an unbond of another validator", list, func(a *lensAnswer) { a.Unbonds[1].ValidatorId = b(2) }, false},
		{"unbonds out of order", list, func(a *lensAnswer) { a.Unbonds[0], a.Unbonds[1] = a.Unbonds[1], a.Unbonds[0] }, false},
		{"a nil withdraw epoch", list, func(a *lensAnswer) { a.Unbonds[0].WithdrawEpoch = nil }, false},
		{"no epoch", list, func(a *lensAnswer) { a.State.Epoch = nil }, false},
		{"an epoch beyond uint64", list, func(a *lensAnswer) { a.State.Epoch = new(big.Int).Lsh(b(1), 64) }, false},
		{"no checkpoint times after checkpoints", list, func(a *lensAnswer) { a.State.Checkpoints = nil }, false},
		{"checkpoint times before any", list, func(a *lensAnswer) { a.State.HeaderBlock = b(0) }, false},
		{"no checkpoint yet", list, func(a *lensAnswer) { a.State.HeaderBlock, a.State.Checkpoints = b(0), nil }, true},
		{"a checkpoint time beyond uint64", list, func(a *lensAnswer) { a.State.Checkpoints[1] = new(big.Int).Lsh(b(1), 64) }, false},
		{"unbonds asked for", lensQuery{owners: []common.Address{owner1}, ids: []uint64{1, 2}, unbonds: true, reqs: []reqID{{2, 1}, {1, 2}}}, func(a *lensAnswer) {
			a.Positions = a.Positions[:2]
			a.Unbonds = []lensUnbond{
				{Owner: b(0), ValidatorId: b(2), Nonce: b(1), Shares: b(0), WithdrawEpoch: b(0)},
				{Owner: b(0), ValidatorId: b(1), Nonce: b(2), Shares: b(0), WithdrawEpoch: b(0)},
			}
		}, true},
		{"other unbonds than asked for", lensQuery{owners: []common.Address{owner1}, ids: []uint64{1, 2}, unbonds: true, reqs: []reqID{{1, 2}, {2, 1}}}, func(a *lensAnswer) {
			a.Positions = a.Positions[:2]
			a.Unbonds = []lensUnbond{
				{Owner: b(0), ValidatorId: b(2), Nonce: b(1), Shares: b(0), WithdrawEpoch: b(0)},
				{Owner: b(0), ValidatorId: b(1), Nonce: b(2), Shares: b(0), WithdrawEpoch: b(0)},
			}
		}, false},
		{"delegations", lensQuery{owners: list.owners, delegations: true}, func(a *lensAnswer) {
			a.Unbonds, a.State = nil, lensState{}
		}, true},
		{"delegations with unbonds", lensQuery{owners: list.owners, delegations: true}, func(a *lensAnswer) {}, false},
	} {
		a := goodAnswer()
		tc.mutate(a)
		if got := a.valid(tc.q); got != tc.want {
			t.Errorf("%s: valid = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestLensWithdrawals: an answer becomes each owner's requests, as the
// reads without the lens make them; a request beyond the owner's nonces
// and a named validator without a ValidatorShare are refused alike.
func TestLensWithdrawals(t *testing.T) {
	a := &Polygon{pol: POLToken(common.HexToAddress("0x01")), sharesMap: map[uint64]common.Address{}}
	q := lensQuery{owners: []common.Address{owner1, owner2}, unbonds: true}
	ans := goodAnswer()
	st := &chainState{epoch: 10, delay: 1, header: 30_000, now: 1000}
	st.setCadence(2, [2]uint64{900, 800})
	for o, want := range [][]protocol.Withdrawal{
		{
			a.withdrawal(owner1, st, reqID{1, 1}, b(3), b(8), b(100)),
			a.withdrawal(owner1, st, reqID{1, 2}, b(0), b(0), b(100)),
		},
		{a.withdrawal(owner2, st, reqID{2, 1}, b(4), b(10), b(100))},
	} {
		got, err := a.lensWithdrawals(q, ans, o)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("owner %d: %+v, %v; want %+v", o, got, err, want)
		}
	}
	if !reflect.DeepEqual(a.listed, []uint64{1, 2}) || a.sharesMap[2] != share2 {
		t.Errorf("kept %v and %v, want the listing and its shares", a.listed, a.sharesMap)
	}
	// Named: nonce 3 of validator 1 was never issued.
	q = lensQuery{owners: []common.Address{owner1}, ids: []uint64{1}, unbonds: true, reqs: []reqID{{1, 3}}}
	ans = goodAnswer()
	ans.Validators, ans.Positions = ans.Validators[:1], ans.Positions[:1]
	ans.Unbonds = []lensUnbond{{Owner: b(0), ValidatorId: b(1), Nonce: b(3), Shares: b(0), WithdrawEpoch: b(0)}}
	if !ans.valid(q) {
		t.Fatal("the answer is not valid")
	}
	var le *protocol.LimitError
	if _, err := a.lensWithdrawals(q, ans, 0); !errors.As(err, &le) || !strings.Contains(le.Reason, "numbered 1 to 2") {
		t.Errorf("nonce 3 of 2: %v, want a LimitError", err)
	}
	ans.Validators[0].Share = common.Address{}
	if _, err := a.lensWithdrawals(q, ans, 0); !errors.As(err, &le) || le.Reason != noValidator(1).(*protocol.LimitError).Reason {
		t.Errorf("no ValidatorShare: %v, want %v", err, noValidator(1))
	}
}

// fakeBackend answers every read with its index in the batch and counts
// the batches.
type fakeBackend struct{ batches int }

func (f *fakeBackend) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errors.New("not batched")
}

func (f *fakeBackend) BatchCallContract(_ context.Context, msgs []ethereum.CallMsg, _ *big.Int) ([][]byte, []error) {
	f.batches++
	rets := make([][]byte, len(msgs))
	for i := range msgs {
		rets[i] = []byte{byte(i)}
	}
	return rets, make([]error, len(msgs))
}

func (f *fakeBackend) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, nil
}

func (f *fakeBackend) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, nil
}

// TestReaderPrimed: the reads that rode beside the lens answer the first
// batch when it is the same reads, once; any other goes to the node.
func TestReaderPrimed(t *testing.T) {
	to := common.HexToAddress("0x01")
	msgs := []ethereum.CallMsg{{To: &to, Data: []byte{1}}, {To: &to, Data: []byte{2}}}
	primed := [][]byte{{7}, {8}}
	for _, tc := range []struct {
		name    string
		first   []ethereum.CallMsg
		batches int
	}{
		{"the same reads", msgs, 0},
		{"other reads", msgs[:1], 1},
		{"other data", []ethereum.CallMsg{msgs[0], {To: &to, Data: []byte{3}}}, 1},
	} {
		f := &fakeBackend{}
		r := &reader{b: f}
		r.prime(msgs, primed, make([]error, 2))
		rets, _ := r.callAll(t.Context(), tc.first)
		if f.batches != tc.batches || tc.batches == 0 && !reflect.DeepEqual(rets, primed) {
			t.Errorf("%s: %d batches, %v", tc.name, f.batches, rets)
		}
		if r.callAll(t.Context(), msgs); f.batches != tc.batches+1 {
			t.Errorf("%s: the primed reads answered twice", tc.name)
		}
	}
	f := &fakeBackend{}
	r := &reader{b: f}
	r.prime(msgs, nil, nil) // nothing was sent
	if r.callAll(t.Context(), msgs); f.batches != 1 {
		t.Error("an unsent batch answered")
	}
}
