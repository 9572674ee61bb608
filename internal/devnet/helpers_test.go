package devnet_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
)

// testTimeout bounds each integration test.
const testTimeout = 45 * time.Second

// chain drives one deployment of the model over JSON-RPC.
type chain struct {
	t      *testing.T
	ctx    context.Context
	client *ethclient.Client
	rpc    *rpc.Client
	dep    contracts.Deployment
}

// startDevnet starts an in-process devnet and connects to its HTTP endpoint.
func startDevnet(t *testing.T, cfg devnet.Config) (*devnet.Devnet, *chain) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	d, err := devnet.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start devnet: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close devnet: %v", err)
		}
	})
	return d, dialChain(t, ctx, d.HTTPEndpoint(), d.Contracts())
}

func dialChain(t *testing.T, ctx context.Context, url string, dep contracts.Deployment) *chain {
	t.Helper()
	rc, err := rpc.DialContext(ctx, url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(rc.Close)
	return &chain{t: t, ctx: ctx, client: ethclient.NewClient(rc), rpc: rc, dep: dep}
}

// ether converts n ether to wei exactly, through its shortest decimal form
// (1.1 is 1100000000000000000, not the nearest binary float).
func ether(n float64) *big.Int {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(n, 'f', -1, 64))
	if !ok {
		panic(fmt.Sprintf("ether(%v)", n))
	}
	r.Mul(r, new(big.Rat).SetInt64(params.Ether))
	if !r.IsInt() {
		panic(fmt.Sprintf("ether(%v) is not a whole number of wei", n))
	}
	return new(big.Int).Set(r.Num())
}

func account(t *testing.T, i int) devkeys.Account {
	t.Helper()
	acc, err := devkeys.TestAccount(i)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

func pack(t *testing.T, a *contracts.Artifact, method string, args ...any) []byte {
	t.Helper()
	data, err := a.ABI.Pack(method, args...)
	if err != nil {
		t.Fatalf("pack %s.%s: %v", a.Name, method, err)
	}
	return data
}

// send sends a transaction that must succeed.
func (c *chain) send(from devkeys.Account, to common.Address, value *big.Int, a *contracts.Artifact, method string, args ...any) *types.Receipt {
	c.t.Helper()
	var data []byte
	if a != nil {
		data = pack(c.t, a, method, args...)
	}
	return c.sendRaw(from, to, value, data)
}

func (c *chain) sendRaw(from devkeys.Account, to common.Address, value *big.Int, data []byte) *types.Receipt {
	c.t.Helper()
	s, err := devtx.NewSender(c.ctx, c.client, from.PrivateKey)
	if err != nil {
		c.t.Fatal(err)
	}
	r, err := s.Send(c.ctx, &to, value, data)
	if err != nil {
		c.t.Fatalf("send to %s: %v", to, err)
	}
	return r
}

func (c *chain) call(a *contracts.Artifact, addr common.Address, method string, args ...any) []any {
	c.t.Helper()
	out, err := devtx.Call(c.ctx, c.client, &a.ABI, addr, method, args...)
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

func (c *chain) callBig(a *contracts.Artifact, addr common.Address, method string, args ...any) *big.Int {
	c.t.Helper()
	out := c.call(a, addr, method, args...)
	v, ok := out[0].(*big.Int)
	if !ok {
		c.t.Fatalf("%s.%s returned %T", a.Name, method, out[0])
	}
	return v
}

func (c *chain) callBigs(a *contracts.Artifact, addr common.Address, method string, args ...any) []*big.Int {
	c.t.Helper()
	out := c.call(a, addr, method, args...)
	v, ok := out[0].([]*big.Int)
	if !ok {
		c.t.Fatalf("%s.%s returned %T", a.Name, method, out[0])
	}
	return v
}

// revertData runs the call with eth_call, requires it to revert, and
// returns the revert data.
func (c *chain) revertData(from common.Address, to common.Address, value *big.Int, data []byte) []byte {
	c.t.Helper()
	_, err := c.client.CallContract(c.ctx, ethereum.CallMsg{From: from, To: &to, Value: value, Data: data}, nil)
	if err == nil {
		c.t.Fatalf("call to %s did not revert", to)
	}
	var de rpc.DataError
	if !errors.As(err, &de) {
		c.t.Fatalf("revert without data: %v", err)
	}
	s, ok := de.ErrorData().(string)
	if !ok {
		c.t.Fatalf("revert data %T", de.ErrorData())
	}
	out, err := hexutil.Decode(s)
	if err != nil {
		c.t.Fatalf("revert data %q: %v", s, err)
	}
	return out
}

// wantRevert checks revert data: a custom error of a with args, or, when
// errName is "", an Error(string) with reason.
func wantRevert(t *testing.T, data []byte, a *contracts.Artifact, errName string, args ...any) {
	t.Helper()
	if a == nil {
		reason, err := abi.UnpackRevert(data)
		if err != nil {
			t.Fatalf("not an Error(string) revert: %x", data)
		}
		if want := args[0].(string); reason != want {
			t.Fatalf("revert reason %q, want %q", reason, want)
		}
		return
	}
	e, ok := a.ABI.Errors[errName]
	if !ok {
		t.Fatalf("%s has no error %s", a.Name, errName)
	}
	if len(data) < 4 || !reflect.DeepEqual(data[:4], e.ID[:4]) {
		if reason, err := abi.UnpackRevert(data); err == nil {
			t.Fatalf("reverted with %q, want %s", reason, errName)
		}
		t.Fatalf("revert selector %x, want %s (%x)", data, errName, e.ID[:4])
	}
	got, err := e.Inputs.Unpack(data[4:])
	if err != nil {
		t.Fatalf("decode %s: %v", errName, err)
	}
	if len(args) != len(got) {
		t.Fatalf("%s args %v, want %v", errName, got, args)
	}
	for i := range args {
		if !equalArg(got[i], args[i]) {
			t.Errorf("%s arg %d = %v, want %v", errName, i, got[i], args[i])
		}
	}
}

func equalArg(got, want any) bool {
	if g, ok := got.(*big.Int); ok {
		switch w := want.(type) {
		case *big.Int:
			return g.Cmp(w) == 0
		case int:
			return g.Cmp(big.NewInt(int64(w))) == 0
		}
	}
	return reflect.DeepEqual(got, want)
}

// event is a decoded log: indexed and non-indexed arguments by name.
type event map[string]any

// events decodes the receipt's logs of name emitted by addr.
func events(t *testing.T, logs []*types.Log, a *contracts.Artifact, addr common.Address, name string) []event {
	t.Helper()
	ev, ok := a.ABI.Events[name]
	if !ok {
		t.Fatalf("%s has no event %s", a.Name, name)
	}
	var indexed abi.Arguments
	for _, in := range ev.Inputs {
		if in.Indexed {
			indexed = append(indexed, in)
		}
	}
	var out []event
	for _, l := range logs {
		if l.Address != addr || len(l.Topics) != len(indexed)+1 || l.Topics[0] != ev.ID {
			continue
		}
		e := event{}
		if err := ev.Inputs.UnpackIntoMap(e, l.Data); err != nil {
			t.Fatalf("decode %s data: %v", name, err)
		}
		if err := abi.ParseTopicsIntoMap(e, indexed, l.Topics[1:]); err != nil {
			t.Fatalf("decode %s topics: %v", name, err)
		}
		out = append(out, e)
	}
	return out
}

// wantEvent requires exactly one event and checks the given fields.
func wantEvent(t *testing.T, logs []*types.Log, a *contracts.Artifact, addr common.Address, name string, fields event) event {
	t.Helper()
	evs := events(t, logs, a, addr, name)
	if len(evs) != 1 {
		t.Fatalf("%d %s events, want 1", len(evs), name)
	}
	for k, want := range fields {
		if !equalArg(evs[0][k], want) {
			t.Errorf("%s.%s = %v, want %v", name, k, evs[0][k], want)
		}
	}
	return evs[0]
}

func (c *chain) balance(addr common.Address) *big.Int {
	c.t.Helper()
	b, err := c.client.BalanceAt(c.ctx, addr, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// fee is what a receipt's transaction paid for gas.
func fee(r *types.Receipt) *big.Int {
	return new(big.Int).Mul(new(big.Int).SetUint64(r.GasUsed), r.EffectiveGasPrice)
}

func ids(n ...int64) []*big.Int {
	out := make([]*big.Int, len(n))
	for i, v := range n {
		out[i] = big.NewInt(v)
	}
	return out
}

func wantBigs(t *testing.T, what string, got []*big.Int, want ...*big.Int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range want {
		if got[i].Cmp(want[i]) != 0 {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}

// withdrawalStatus is the decoded getWithdrawalStatus tuple.
type withdrawalStatus = struct {
	AmountOfStETH  *big.Int       `json:"amountOfStETH"`
	AmountOfShares *big.Int       `json:"amountOfShares"`
	Owner          common.Address `json:"owner"`
	Timestamp      *big.Int       `json:"timestamp"`
	IsFinalized    bool           `json:"isFinalized"`
	IsClaimed      bool           `json:"isClaimed"`
}

func (c *chain) statuses(requestIDs ...int64) []withdrawalStatus {
	c.t.Helper()
	out := c.call(contracts.WithdrawalQueue(), c.dep.WithdrawalQueue, "getWithdrawalStatus", ids(requestIDs...))
	st, ok := out[0].([]withdrawalStatus)
	if !ok {
		c.t.Fatalf("getWithdrawalStatus returned %T", out[0])
	}
	return st
}
