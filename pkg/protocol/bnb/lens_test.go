package bnb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"sync"
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
// the real contract's) and the same return types, declared so in the .sol,
// and called by the artifact.
var lensReads = map[string][]string{
	"IStakeHub": {
		"getValidators(uint256,uint256)", "maxElectedValidators()", "getValidatorDescription(address)",
		"getValidatorCommission(address)", "getValidatorBasicInfo(address)",
	},
	"IStakeCredit": {"totalPooledBNB()", "symbol()"},
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
	src, err := os.ReadFile("lens/BNBLens.sol")
	if err != nil {
		t.Fatal(err)
	}
	protocoltest.CheckLensReads(t, protocoltest.LensReads{
		Name: "BNBLens", Source: src, Artifact: lensArtifact, Reads: lensReads,
		ABIs: map[string]*abi.ABI{"IStakeHub": abis.hub, "IStakeCredit": abis.credit},
	})
}

// revertErr is a node's revert with data, as the JSON-RPC client returns it.
type revertErr struct{ data []byte }

func (e revertErr) Error() string          { return "execution reverted" }
func (e revertErr) ErrorData() interface{} { return hexutil.Encode(e.data) }

// lensError is the lens's answer error, from its artifact.
func lensError(t *testing.T) abi.Error {
	t.Helper()
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
	return parsed.Errors["BNBValidators"]
}

// fakeValidator is one validator of fakeHub.
type fakeValidator struct {
	op, credit common.Address
	moniker    string
	rate       uint64
	jailed     bool
	pooled     *big.Int
	symbol     string
}

// fakeHub is a node serving a StakeHub and its credits from a list (the
// lens is run by answer, a function of the list), counting round trips
// and the lens calls.
type fakeHub struct {
	t          *testing.T
	abis       *contractABIs
	hub        common.Address
	maxElected int64
	vs         []fakeValidator
	// answer answers a lens call (nil: from the list); getValidators, when
	// set, is the error getValidators fails with.
	answer        func(h *fakeHub) ([]byte, error)
	getValidators error
	// noCode is a credit address with no code (its reads return nothing).
	noCode common.Address

	mu           sync.Mutex
	trips, lenss int
}

func newFakeHub(t *testing.T) *fakeHub {
	abis, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	b := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }
	addr := func(n int) common.Address { return common.BigToAddress(big.NewInt(int64(n))) }
	return &fakeHub{
		t: t, abis: abis, hub: common.HexToAddress("0x2002"), maxElected: 2,
		vs: []fakeValidator{
			{addr(0xa1), addr(0xc1), "Alpha", 500, false, b(300), "stAlpha"},
			{addr(0xa2), addr(0xc2), "Ankr", 250, false, b(200), "stAnkr"},
			{addr(0xa3), addr(0xc3), "Certik", 700, true, b(900), "stCertik"},
			{addr(0xa4), addr(0xc4), "", 1, false, b(50), ""},
			{addr(0xa5), addr(0xc5), "Zed ∑", 10000, false, b(300), "stZed"},
		},
	}
}

// lensAnswer is the answer the lens gives on the list.
func (h *fakeHub) lensAnswer() *lensAnswer {
	ans := &lensAnswer{MaxElected: big.NewInt(h.maxElected)}
	for _, v := range h.vs {
		ans.Validators = append(ans.Validators, lensValidator{v.op, v.credit, v.moniker, v.rate, v.jailed, v.pooled, v.symbol})
	}
	return ans
}

// revert is ans as the lens reverts with it.
func (h *fakeHub) revert(ans *lensAnswer) error {
	e := lensError(h.t)
	packed, err := e.Inputs.Pack(ans.MaxElected, ans.Validators)
	if err != nil {
		h.t.Fatal(err)
	}
	return revertErr{append(e.ID[:4:4], packed...)}
}

func (h *fakeHub) out(a *abi.ABI, method string, values ...any) ([]byte, error) {
	ret, err := a.Methods[method].Outputs.Pack(values...)
	if err != nil {
		h.t.Fatalf("%s: %v", method, err)
	}
	return ret, nil
}

func (h *fakeHub) call(m ethereum.CallMsg) ([]byte, error) {
	if m.To == nil {
		h.lenss++
		if h.answer != nil {
			return h.answer(h)
		}
		return nil, h.revert(h.lensAnswer())
	}
	if len(m.Data) < 4 {
		return nil, errors.New("no selector")
	}
	if *m.To == h.hub {
		meth, err := h.abis.hub.MethodById(m.Data[:4])
		if err != nil {
			return nil, err
		}
		args, err := meth.Inputs.Unpack(m.Data[4:])
		if err != nil {
			return nil, err
		}
		find := func() (fakeValidator, error) {
			for _, v := range h.vs {
				if v.op == args[0].(common.Address) {
					return v, nil
				}
			}
			return fakeValidator{}, errors.New("ValidatorNotExisted")
		}
		switch meth.Name {
		case "getValidators":
			if h.getValidators != nil {
				return nil, h.getValidators
			}
			var ops, credits []common.Address
			for _, v := range h.vs {
				ops, credits = append(ops, v.op), append(credits, v.credit)
			}
			return h.out(h.abis.hub, meth.Name, ops, credits, big.NewInt(int64(len(ops))))
		case "maxElectedValidators":
			return h.out(h.abis.hub, meth.Name, big.NewInt(h.maxElected))
		case "getValidatorDescription":
			v, err := find()
			if err != nil {
				return nil, err
			}
			return h.out(h.abis.hub, meth.Name, struct{ Moniker, Identity, Website, Details string }{v.moniker, "id", "web", "details"})
		case "getValidatorCommission":
			v, err := find()
			if err != nil {
				return nil, err
			}
			return h.out(h.abis.hub, meth.Name, struct{ Rate, MaxRate, MaxChangeRate uint64 }{v.rate, 10000, 500})
		case "getValidatorBasicInfo":
			v, err := find()
			if err != nil {
				return nil, err
			}
			return h.out(h.abis.hub, meth.Name, big.NewInt(1), v.jailed, big.NewInt(0))
		}
		return nil, fmt.Errorf("hub: %s not served", meth.Name)
	}
	for _, v := range h.vs {
		if *m.To != v.credit || v.credit == h.noCode {
			continue
		}
		meth, err := h.abis.credit.MethodById(m.Data[:4])
		if err != nil {
			return nil, err
		}
		switch meth.Name {
		case "totalPooledBNB":
			return h.out(h.abis.credit, meth.Name, v.pooled)
		case "symbol":
			return h.out(h.abis.credit, meth.Name, v.symbol)
		}
		return nil, fmt.Errorf("credit: %s not served", meth.Name)
	}
	return nil, nil // no code
}

func (h *fakeHub) CallContract(_ context.Context, m ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.trips++
	return h.call(m)
}

func (h *fakeHub) BatchCallContract(_ context.Context, msgs []ethereum.CallMsg, _ *big.Int) ([][]byte, []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.trips++
	rets, errs := make([][]byte, len(msgs)), make([]error, len(msgs))
	for i, m := range msgs {
		rets[i], errs[i] = h.call(m)
	}
	return rets, errs
}

func (h *fakeHub) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, nil
}

func (h *fakeHub) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, nil
}

func (h *fakeHub) adapter(t *testing.T) *BNB {
	t.Helper()
	p, err := New(protocol.Env{Network: "test", Addresses: map[string]common.Address{RoleStakeHub: h.hub}, Backend: h,
		Native: protocol.Token{Symbol: "BNB", Decimals: 18}})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*BNB)
}

// canon renders a listing, every field (a *big.Int by its value, the
// credit token by value).
func canon(vs []protocol.Validator) string {
	var b strings.Builder
	for _, v := range vs {
		c := v
		c.Credit = nil
		fmt.Fprintf(&b, "%+v credit %+v\n", c, *v.Credit)
	}
	return b.String()
}

// TestLensAnswerDecodes: an answer reverted by the lens decodes into
// lensAnswer field by field (the names of BNBValidators' arguments and
// components); anything else is no answer; the constructor takes what
// lensValidators packs.
func TestLensAnswerDecodes(t *testing.T) {
	h := newFakeHub(t)
	a := h.adapter(t)
	want := h.lensAnswer()
	values, ok := a.lens.Answer(nil, h.revert(want))
	if !ok {
		t.Fatal("the answer is not BNBValidators")
	}
	got := new(lensAnswer)
	if err := a.lens.Copy(got, values); err != nil {
		t.Fatal(err)
	}
	// big.Int's words differ in capacity: compare the values.
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("decoded %s, want %s", g, w)
	}
	if _, ok := a.lens.Answer(nil, revertErr{[]byte{1, 2, 3, 4}}); ok {
		t.Error("another revert is an answer")
	}
	if _, ok := a.lens.Answer(nil, revertErr{nil}); ok {
		t.Error("a revert without data is an answer")
	}
	if _, ok := a.lens.Answer([]byte{1}, nil); ok {
		t.Error("a creation that returned is an answer")
	}
	e := lensError(t)
	if _, ok := a.lens.Answer(nil, revertErr{append(e.ID[:4:4], 1, 2, 3)}); ok {
		t.Error("a truncated answer is an answer")
	}
	m, err := a.lens.Msg(a.hub)
	if err != nil || m.To != nil || !bytes.HasSuffix(m.Data, common.LeftPadBytes(a.hub.Bytes(), 32)) {
		t.Errorf("lens.Msg(hub) = %x, %v; want the creation code and the hub", m.Data, err)
	}
}

// TestLensAnswerValid: answers that do not agree with getValidators' are
// no answer.
func TestLensAnswerValid(t *testing.T) {
	h := newFakeHub(t)
	var ops, credits []common.Address
	for _, v := range h.vs {
		ops, credits = append(ops, v.op), append(credits, v.credit)
	}
	for _, tc := range []struct {
		name   string
		mutate func(a *lensAnswer)
		want   bool
	}{
		{"as listed", func(*lensAnswer) {}, true},
		{"no maxElectedValidators", func(a *lensAnswer) { a.MaxElected = nil }, false},
		{"a validator missing", func(a *lensAnswer) { a.Validators = a.Validators[1:] }, false},
		{"a validator too many", func(a *lensAnswer) { a.Validators = append(a.Validators, a.Validators[0]) }, false},
		{"out of order", func(a *lensAnswer) { a.Validators[0], a.Validators[1] = a.Validators[1], a.Validators[0] }, false},
		{"another operator", func(a *lensAnswer) { a.Validators[2].Operator = common.HexToAddress("0xbad") }, false},
		{"another credit", func(a *lensAnswer) { a.Validators[4].Credit = common.HexToAddress("0xbad") }, false},
		{"no pooled BNB", func(a *lensAnswer) { a.Validators[3].TotalPooled = nil }, false},
		{"negative pooled BNB", func(a *lensAnswer) { a.Validators[3].TotalPooled = big.NewInt(-1) }, false},
	} {
		a := h.lensAnswer()
		tc.mutate(a)
		if got := a.valid(ops, credits); got != tc.want {
			t.Errorf("%s: valid = %v, want %v", tc.name, got, tc.want)
		}
	}
	if (&lensAnswer{MaxElected: big.NewInt(1)}).valid(nil, nil) != true {
		t.Error("no validators, as listed: not valid")
	}
	if h.lensAnswer().valid(ops, credits[1:]) {
		t.Error("getValidators with fewer credits than operators: valid")
	}
}

// TestValidatorsLens: through the lens Validators lists exactly what it
// lists without it, in one round trip (the lens with getValidators beside
// it); a refused, undecodable or disagreeing answer costs no round trip of
// its own (the way without the lens goes on from getValidators' answer)
// and turns the lens off for the adapter; getValidators failing beside a
// good answer is the same error either way, and keeps the lens on.
func TestValidatorsLens(t *testing.T) {
	ctx := t.Context()
	h := newFakeHub(t)
	h.answer = func(*fakeHub) ([]byte, error) { return nil, errors.New("creation refused") }
	plain := h.adapter(t)
	want, err := plain.Validators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.trips != 2 || h.lenss != 1 || !plain.lensOff.Load() {
		t.Fatalf("refused lens: %d round trips, %d lens calls, off %v; want 2, 1, true", h.trips, h.lenss, plain.lensOff.Load())
	}
	statuses := []string{StatusActive, StatusInactive, StatusJailed, StatusInactive, StatusActive}
	for i, v := range want {
		if v.Status != statuses[i] {
			t.Errorf("validator %d: %s, want %s", i, v.Status, statuses[i])
		}
	}
	if want[3].Credit.Symbol != "st?" || want[4].Commission != "100" || want[4].Moniker != "Zed ∑" {
		t.Errorf("listing %s", canon(want))
	}
	h.trips, h.lenss = 0, 0
	if again, err := plain.Validators(ctx); err != nil || canon(again) != canon(want) || h.trips != 2 || h.lenss != 0 {
		t.Errorf("again without the lens: %d round trips, %d lens calls (%v); want 2, 0", h.trips, h.lenss, err)
	}

	for _, tc := range []struct {
		name   string
		answer func(h *fakeHub) ([]byte, error)
		trips  int
		off    bool
	}{
		{"the lens", nil, 1, false},
		{"a revert of the hub", func(*fakeHub) ([]byte, error) { return nil, revertErr{[]byte{0x05, 0x6e, 0x88, 0x11}} }, 2, true},
		{"a creation that returned", func(*fakeHub) ([]byte, error) { return []byte{0x60}, nil }, 2, true},
		{"an undecodable answer", func(h *fakeHub) ([]byte, error) {
			e := lensError(h.t)
			return nil, revertErr{append(e.ID[:4:4], make([]byte, 31)...)}
		}, 2, true},
		{"another operator", func(h *fakeHub) ([]byte, error) {
			ans := h.lensAnswer()
			ans.Validators[1].Operator = common.HexToAddress("0xbad")
			return nil, h.revert(ans)
		}, 2, true},
		{"a validator missing", func(h *fakeHub) ([]byte, error) {
			ans := h.lensAnswer()
			ans.Validators = ans.Validators[:4]
			return nil, h.revert(ans)
		}, 2, true},
	} {
		h.answer, h.trips, h.lenss = tc.answer, 0, 0
		a := h.adapter(t)
		got, err := a.Validators(ctx)
		if err != nil || canon(got) != canon(want) {
			t.Errorf("%s: %v\n%s; want\n%s", tc.name, err, canon(got), canon(want))
		}
		if h.trips != tc.trips || h.lenss != 1 || a.lensOff.Load() != tc.off {
			t.Errorf("%s: %d round trips, %d lens calls, lens off %v; want %d, 1, %v", tc.name, h.trips, h.lenss, a.lensOff.Load(), tc.trips, tc.off)
		}
		if a.credits[h.vs[2].op] != h.vs[2].credit || len(a.listed) != len(h.vs) {
			t.Errorf("%s: the credits are not kept: %v", tc.name, a.credits)
		}
		// Again: the lens once more, or, off, not at all.
		wantLens := 1
		if tc.off {
			wantLens = 0
		}
		h.trips, h.lenss = 0, 0
		if again, err := a.Validators(ctx); err != nil || canon(again) != canon(want) || h.trips != tc.trips || h.lenss != wantLens {
			t.Errorf("%s, again: %d round trips, %d lens calls (%v); want %d, %d", tc.name, h.trips, h.lenss, err, tc.trips, wantLens)
		}
	}

	// getValidators fails beside a good answer: its error, either way.
	h.answer = nil
	h.getValidators = errors.New("getValidators failed")
	lens := h.adapter(t)
	_, lerr := lens.Validators(ctx)
	h.answer = func(*fakeHub) ([]byte, error) { return nil, errors.New("creation refused") }
	_, perr := h.adapter(t).Validators(ctx)
	if lerr == nil || fmt.Sprint(lerr) != fmt.Sprint(perr) || lens.lensOff.Load() {
		t.Errorf("getValidators failing: through the lens %v (off %v), without %v", lerr, lens.lensOff.Load(), perr)
	}
	// A validator read that fails: the lens reverts with the hub's error
	// and the way without it words it.
	h.getValidators = nil
	h.noCode = h.vs[1].credit
	h.answer = func(*fakeHub) ([]byte, error) { return nil, revertErr{nil} }
	_, lerr = h.adapter(t).Validators(ctx)
	if lerr == nil || !strings.Contains(lerr.Error(), "totalPooledBNB returned nothing") {
		t.Errorf("a credit without code: %v, want the adapter's error", lerr)
	}
}
