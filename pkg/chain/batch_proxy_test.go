package chain

import (
	"encoding/json"
	"errors"
	"math/big"
	"sync/atomic"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
)

// batchNode is a fake node whose accounts 1..n hold i wei, and whose
// registry contract answers square(x), reverting TooBig for x%7 == 3.
func batchNode(t *testing.T, n int) (*chaintest.Node, common.Address) {
	t.Helper()
	node := chaintest.New(t, 1)
	reg := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	node.Handle(reg, registryABI, "square", func(c *chaintest.Ctx, args []any) ([]any, error) {
		x := args[0].(*big.Int)
		if x.Int64()%7 == 3 {
			return nil, chaintest.RevertCustom(registryABI, "TooBig", x)
		}
		return []any{new(big.Int).Mul(x, x)}, nil
	})
	for i := 1; i <= n; i++ {
		node.SetBalance(account(i), big.NewInt(int64(i)))
	}
	return node, reg
}

func account(i int) common.Address { return common.BigToAddress(big.NewInt(int64(i))) }

// mixedBatch is n eth_getBalance and n eth_call (square) elements, interleaved.
func mixedBatch(t *testing.T, reg common.Address, n int) ([]rpc.BatchElem, []*hexutil.Big, []*hexutil.Bytes) {
	t.Helper()
	var elems []rpc.BatchElem
	bals := make([]*hexutil.Big, n)
	outs := make([]*hexutil.Bytes, n)
	for i := 1; i <= n; i++ {
		bals[i-1], outs[i-1] = new(hexutil.Big), new(hexutil.Bytes)
		call := registryCall(t, reg, "square", big.NewInt(int64(i)))
		elems = append(elems,
			rpc.BatchElem{Method: "eth_getBalance", Args: []any{account(i), "latest"}, Result: bals[i-1]},
			rpc.BatchElem{Method: "eth_call", Args: []any{toCallArg(call), "latest"}, Result: outs[i-1]})
	}
	return elems, bals, outs
}

// checkMixed checks every element's own answer: balances, squares, and the
// TooBig reverts, each on its own element.
func checkMixed(t *testing.T, elems []rpc.BatchElem, bals []*hexutil.Big, outs []*hexutil.Bytes) {
	t.Helper()
	for i := 1; i <= len(bals); i++ {
		be, ce := elems[2*(i-1)], elems[2*(i-1)+1]
		if be.Error != nil || (*big.Int)(bals[i-1]).Int64() != int64(i) {
			t.Errorf("balance of account %d: %v, %v", i, (*big.Int)(bals[i-1]), be.Error)
		}
		if i%7 == 3 {
			r, ok := abidecode.FromError(ce.Error, registryABI)
			if !ok || r.Name != "TooBig" {
				t.Errorf("square(%d): %v, want its own TooBig revert", i, ce.Error)
			}
			continue
		}
		if ce.Error != nil || new(big.Int).SetBytes(*outs[i-1]).Int64() != int64(i*i) {
			t.Errorf("square(%d) = %x, %v", i, []byte(*outs[i-1]), ce.Error)
		}
	}
}

// TestBatchThroughFaultyProxy runs a mixed batch (eth_getBalance and
// eth_call, some of which revert) through the fault-injecting proxy and
// counts the HTTP requests it costs.
func TestBatchThroughFaultyProxy(t *testing.T) {
	refuseBatches := func(r rpcproxy.Request) rpcproxy.Lie {
		if r.Batch {
			return rpcproxy.Lie{Body: []byte(`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch requests are not supported"}}`)}
		}
		return rpcproxy.Lie{}
	}
	// rateLimitOnce answers the first batch with a rate limit in one
	// element: the whole chunk is asked again.
	rateLimitOnce := func() rpcproxy.LieHook {
		var done atomic.Bool
		return func(r rpcproxy.Request) rpcproxy.Lie {
			if !r.Batch || done.Swap(true) {
				return rpcproxy.Lie{}
			}
			return rpcproxy.Lie{Reply: batchReply(func(msgs []map[string]json.RawMessage) []map[string]json.RawMessage {
				delete(msgs[1], "result")
				msgs[1]["error"] = json.RawMessage(`{"code":-32005,"message":"rate limit exceeded"}`)
				return msgs
			})}
		}
	}
	tests := []struct {
		name      string
		pairs     int // 2 elements each
		batchSize int
		hook      func() rpcproxy.LieHook
		fail      []rpcproxy.Mode // FailNext, in order
		want      int             // HTTP requests through the proxy
	}{
		{name: "one batch, some elements revert", pairs: 20, want: 1},
		{name: "larger than the cap: split", pairs: 60, batchSize: 50, want: 3},
		{name: "default cap of 100", pairs: 120, want: 3},
		{name: "refused batch: single calls", pairs: 5, hook: func() rpcproxy.LieHook { return refuseBatches }, want: 1 + 10},
		{name: "HTTP 500 then retried", pairs: 10, fail: []rpcproxy.Mode{rpcproxy.HTTP500}, want: 2},
		{name: "dropped connection then retried", pairs: 10, fail: []rpcproxy.Mode{rpcproxy.Drop}, want: 2},
		{name: "rate limit in one element: chunk retried", pairs: 10, hook: rateLimitOnce, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node, reg := batchNode(t, tt.pairs)
			proxy := rpcproxy.Start(t, node.URL())
			opts := fastOpts
			opts.ChainID, opts.BatchSize = 1, tt.batchSize
			c := dial(t, opts, proxy.URL())
			proxy.Reset()
			if tt.hook != nil {
				proxy.SetLieHook(tt.hook())
			}
			for _, m := range tt.fail {
				proxy.FailNext(1, m)
			}
			elems, bals, outs := mixedBatch(t, reg, tt.pairs)
			if err := c.Batch(testCtx(t), elems); err != nil {
				t.Fatalf("Batch: %v", err)
			}
			checkMixed(t, elems, bals, outs)
			if got := proxy.Requests(); got != tt.want {
				t.Errorf("%d HTTP requests, want %d (calls %v)", got, tt.want, proxy.Counts())
			}
		})
	}
}

// TestBatchFailsOverPerChunk: an endpoint that fails every request sends
// each chunk to the next endpoint, and the answers are the same.
func TestBatchFailsOverPerChunk(t *testing.T) {
	node, reg := batchNode(t, 30)
	bad := rpcproxy.Start(t, node.URL())
	good := rpcproxy.Start(t, node.URL())
	opts := fastOpts
	opts.ChainID, opts.BatchSize = 1, 20
	c := dial(t, opts, bad.URL(), good.URL())
	bad.Reset()
	good.Reset()
	bad.SetHook(func(rpcproxy.Request) rpcproxy.Mode { return rpcproxy.HTTP500 })
	elems, bals, outs := mixedBatch(t, reg, 30)
	if err := c.Batch(testCtx(t), elems); err != nil {
		t.Fatalf("Batch: %v", err)
	}
	checkMixed(t, elems, bals, outs)
	// 60 elements in chunks of 20: the first chunk tries the bad endpoint
	// then the good one, which later chunks start on.
	if b, g := bad.Requests(), good.Requests(); b != 1 || g < 3 {
		t.Errorf("bad endpoint %d requests, good %d; want 1 and 3 (+1 chain-ID check)", b, g)
	}
}

// TestBatchUnreachableFailsEveryElement: when no endpoint answers, every
// element carries the error and nothing is decoded.
func TestBatchUnreachableFailsEveryElement(t *testing.T) {
	node, reg := batchNode(t, 3)
	proxy := rpcproxy.Start(t, node.URL())
	opts := fastOpts
	opts.ChainID, opts.MaxRetries = 1, 1
	c := dial(t, opts, proxy.URL())
	proxy.SetHook(func(rpcproxy.Request) rpcproxy.Mode { return rpcproxy.HTTP500 })
	elems, _, _ := mixedBatch(t, reg, 3)
	err := c.Batch(testCtx(t), elems)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Batch: %v, want ErrUnreachable", err)
	}
	for i, e := range elems {
		if !errors.Is(e.Error, ErrUnreachable) {
			t.Errorf("element %d: %v, want ErrUnreachable", i, e.Error)
		}
	}
}
