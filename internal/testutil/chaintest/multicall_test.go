package chaintest_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
)

// TestMulticall3: every node has Multicall3; aggregate3 runs each call on
// its target's handler, a revert or a missing handler failing that call
// alone when it allows failure and the whole aggregate when it does not;
// getEthBalance reads the fixture's balances.
func TestMulticall3(t *testing.T) {
	node := chaintest.New(t, 1337)
	target := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	a := mustABI(`[{"type":"function","name":"double","stateMutability":"view","inputs":[{"name":"x","type":"uint256"}],"outputs":[{"name":"","type":"uint256"}]}]`)
	node.Handle(target, a, "double", func(c *chaintest.Ctx, args []any) ([]any, error) {
		if c.From != chaintest.Multicall3Address {
			t.Errorf("sender %s, want Multicall3", c.From.Hex())
		}
		x := args[0].(*big.Int)
		if x.Sign() == 0 {
			return nil, chaintest.RevertString("zero")
		}
		return []any{new(big.Int).Lsh(x, 1)}, nil
	})
	holder := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	node.SetBalance(holder, big.NewInt(1234))
	ec, err := ethclient.Dial(node.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	mc := chaintest.Multicall3ABI()
	type call3 struct {
		Target       common.Address
		AllowFailure bool
		CallData     []byte
	}
	type result struct {
		Success    bool
		ReturnData []byte
	}
	pack := func(method string, args ...any) []byte {
		data, err := a.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	aggregate := func(calls []call3) ([]result, error) {
		data, err := mc.Pack("aggregate3", calls)
		if err != nil {
			t.Fatal(err)
		}
		to := chaintest.Multicall3Address
		out, err := ec.CallContract(context.Background(), ethereum.CallMsg{To: &to, Data: data}, nil)
		if err != nil {
			return nil, err
		}
		vals, err := mc.Unpack("aggregate3", out)
		if err != nil {
			t.Fatal(err)
		}
		return *abi.ConvertType(vals[0], new([]result)).(*[]result), nil
	}
	unknown := common.HexToAddress("0x00000000000000000000000000000000000000cc")
	got, err := aggregate([]call3{
		{target, true, pack("double", big.NewInt(21))},
		{target, true, pack("double", big.NewInt(0))},
		{unknown, true, pack("double", big.NewInt(1))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !got[0].Success || new(big.Int).SetBytes(got[0].ReturnData).Int64() != 42 {
		t.Fatalf("results %+v", got)
	}
	for i, want := range []string{"zero", "chaintest: no handler"} {
		r := got[i+1]
		reason, err := abi.UnpackRevert(r.ReturnData)
		if r.Success || err != nil || len(reason) < len(want) || reason[:len(want)] != want {
			t.Errorf("call %d: %+v (%q), want a failure %q", i+1, r, reason, want)
		}
	}
	if _, err := aggregate([]call3{{target, false, pack("double", big.NewInt(0))}}); err == nil {
		t.Error("a failing call that does not allow failure: the aggregate succeeded")
	}
	data, err := mc.Pack("getEthBalance", holder)
	if err != nil {
		t.Fatal(err)
	}
	to := chaintest.Multicall3Address
	out, err := ec.CallContract(context.Background(), ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil || new(big.Int).SetBytes(out).Int64() != 1234 {
		t.Errorf("getEthBalance = %x, %v; want 1234", out, err)
	}
}
