package chain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
)

// registryABI is a toy contract with a read whose answer the next read
// needs, as a withdrawal list's ids feed its status read.
var registryABI = func() *abi.ABI {
	a, err := abi.JSON(strings.NewReader(`[
{"type":"function","name":"count","stateMutability":"view","inputs":[{"name":"owner","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},
{"type":"function","name":"square","stateMutability":"view","inputs":[{"name":"x","type":"uint256"}],"outputs":[{"name":"","type":"uint256"}]},
{"type":"function","name":"sum","stateMutability":"view","inputs":[{"name":"xs","type":"uint256[]"}],"outputs":[{"name":"","type":"uint256"}]},
{"type":"error","name":"TooBig","inputs":[{"name":"x","type":"uint256"}]}
]`))
	if err != nil {
		panic(err)
	}
	return &a
}()

func registryCall(t *testing.T, to common.Address, method string, args ...any) ethereum.CallMsg {
	t.Helper()
	data, err := registryABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	return ethereum.CallMsg{To: &to, Data: data}
}

func decodeWord(t *testing.T, ret []byte) *big.Int {
	t.Helper()
	if len(ret) != 32 {
		t.Fatalf("answer of %d bytes", len(ret))
	}
	return new(big.Int).SetBytes(ret)
}

// TestCoalescerRoundTrips: N workers with two dependent reads each cost two
// round trips, whatever N; each read gets its own answer or revert.
func TestCoalescerRoundTrips(t *testing.T) {
	reg := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	tests := []struct {
		name    string
		workers int
	}{{"one worker", 1}, {"ten workers", 10}, {"700 workers: three aggregate3 packs", 700}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := chaintest.New(t, 1)
			node.Handle(reg, registryABI, "count", func(c *chaintest.Ctx, args []any) ([]any, error) {
				return []any{new(big.Int).SetBytes(args[0].(common.Address).Bytes()[18:])}, nil
			})
			node.Handle(reg, registryABI, "square", func(c *chaintest.Ctx, args []any) ([]any, error) {
				x := args[0].(*big.Int)
				if x.Int64()%7 == 3 {
					return nil, chaintest.RevertCustom(registryABI, "TooBig", x)
				}
				return []any{new(big.Int).Mul(x, x)}, nil
			})
			for i := range tt.workers {
				node.SetBalance(common.BigToAddress(big.NewInt(int64(i+1))), big.NewInt(int64(1000+i)))
			}
			c := dial(t, Options{ChainID: 1}, node.URL())
			node.ResetCounters()
			co := c.Coalesce()
			fns := make([]func(ctx context.Context) error, tt.workers)
			for i := range fns {
				owner := common.BigToAddress(big.NewInt(int64(i + 1)))
				fns[i] = func(ctx context.Context) error {
					msgs := []ethereum.CallMsg{registryCall(t, reg, "count", owner), EthBalanceCall(owner)}
					outs, errs := co.BatchCallContract(ctx, msgs, nil)
					if errs[0] != nil || errs[1] != nil {
						return errors.Join(errs...)
					}
					n := decodeWord(t, outs[0])
					if bal := decodeWord(t, outs[1]); bal.Int64() != int64(1000+i) {
						return fmt.Errorf("balance %s, want %d", bal, 1000+i)
					}
					out, err := co.CallContract(ctx, registryCall(t, reg, "square", n), nil)
					if n.Int64()%7 == 3 {
						r, ok := abidecode.FromError(err, registryABI)
						if !ok || r.Name != "TooBig" {
							return fmt.Errorf("square(%s): %v, want the TooBig revert", n, err)
						}
						return nil
					}
					if err != nil {
						return err
					}
					if got := decodeWord(t, out); got.Cmp(new(big.Int).Mul(n, n)) != 0 {
						return fmt.Errorf("square(%s) = %s", n, got)
					}
					return nil
				}
			}
			for i, err := range co.Run(testCtx(t), fns...) {
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
				}
			}
			if got := node.Requests(); got != 2 {
				t.Errorf("%d round trips, want 2", got)
			}
			if got := co.Flushes(); got != 2 {
				t.Errorf("%d flushes, want 2", got)
			}
		})
	}
}

// TestCoalescerWithoutMulticall3: on a chain where Multicall3 has no code
// (eth_call answers "0x"), the packed reads go again as plain eth_calls,
// once; later reads are plain from the start.
func TestCoalescerWithoutMulticall3(t *testing.T) {
	node := newFakeNode(t, 1)
	word := "0x" + strings.Repeat("00", 31) + "2a"
	node.set(func(f *fakeNode) {
		f.handle = func(method string, params []json.RawMessage) (any, *rpcError) {
			if method != "eth_call" {
				return nil, nil
			}
			var arg struct {
				To common.Address `json:"to"`
			}
			if err := json.Unmarshal(params[0], &arg); err != nil {
				return nil, &rpcError{Code: -32602, Message: err.Error()}
			}
			if arg.To == Multicall3 {
				return "0x", nil
			}
			return word, nil
		}
	})
	c := dial(t, fastOpts, node.URL())
	co := c.Coalesce()
	to := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	read := func(ctx context.Context) error {
		msgs := []ethereum.CallMsg{{To: &to, Data: []byte{1, 2, 3, 4}}, {To: &to, Data: []byte{5, 6, 7, 8}}}
		for round := range 2 {
			outs, errs := co.BatchCallContract(ctx, msgs, nil)
			for i := range msgs {
				if errs[i] != nil || len(outs[i]) != 32 || outs[i][31] != 0x2a {
					return fmt.Errorf("round %d read %d: %x, %v", round, i, outs[i], errs[i])
				}
			}
		}
		return nil
	}
	for _, err := range co.Run(testCtx(t), read, read) {
		if err != nil {
			t.Fatal(err)
		}
	}
	requests, calls := node.counts()
	// Round 1: aggregate3 (empty), then 4 plain eth_calls; round 2: 4 plain.
	if requests != 3 || calls["eth_call"] != 9 {
		t.Errorf("%d requests, %d eth_calls; want 3 and 9", requests, calls["eth_call"])
	}
}

// TestCoalescerPacking: light reads share one aggregate3; a read with long
// calldata (an array of 50 ids) is a batch element of its own; a read
// whose sender matters is never packed. All in one round trip.
func TestCoalescerPacking(t *testing.T) {
	reg := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	node := chaintest.New(t, 1)
	node.Handle(reg, registryABI, "square", func(c *chaintest.Ctx, args []any) ([]any, error) {
		x := args[0].(*big.Int)
		return []any{new(big.Int).Mul(x, x)}, nil
	})
	node.Handle(reg, registryABI, "sum", func(c *chaintest.Ctx, args []any) ([]any, error) {
		total := new(big.Int)
		for _, x := range args[0].([]*big.Int) {
			total.Add(total, x)
		}
		return []any{total}, nil
	})
	proxy := rpcproxy.Start(t, node.URL())
	c := dial(t, Options{ChainID: 1}, proxy.URL())
	proxy.Reset()
	co := c.Coalesce()
	xs := make([]*big.Int, 50)
	for i := range xs {
		xs[i] = big.NewInt(int64(i + 1))
	}
	from := registryCall(t, reg, "square", big.NewInt(9))
	from.From = common.HexToAddress("0x00000000000000000000000000000000000000f1")
	msgs := []ethereum.CallMsg{
		registryCall(t, reg, "square", big.NewInt(2)), registryCall(t, reg, "square", big.NewInt(3)),
		registryCall(t, reg, "sum", xs), from,
	}
	want := []int64{4, 9, 1275, 81}
	outs, errs := co.BatchCallContract(testCtx(t), msgs, nil)
	for i := range msgs {
		if errs[i] != nil || len(outs[i]) != 32 || new(big.Int).SetBytes(outs[i]).Int64() != want[i] {
			t.Errorf("read %d: %x, %v; want %d", i, outs[i], errs[i], want[i])
		}
	}
	aggregate := "eth_call:0x" + common.Bytes2Hex(mcABI.Methods["aggregate3"].ID)
	if proxy.Requests() != 1 || proxy.Count("eth_call") != 3 || proxy.Count(aggregate) != 1 {
		t.Errorf("%d requests, calls %v; want 1 request of 3 eth_calls, one an aggregate3", proxy.Requests(), proxy.Counts())
	}
}

// TestCoalescerNeverDeadlocks: a worker that holds a lock while it reads
// (as an adapter caching what it resolved may) and a worker waiting for
// that lock outside the Coalescer: after MaxCoalesceWait the read goes out
// alone, and both finish.
func TestCoalescerNeverDeadlocks(t *testing.T) {
	reg := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	node := chaintest.New(t, 1)
	node.Handle(reg, registryABI, "square", func(c *chaintest.Ctx, args []any) ([]any, error) {
		x := args[0].(*big.Int)
		return []any{new(big.Int).Mul(x, x)}, nil
	})
	c := dial(t, Options{ChainID: 1}, node.URL())
	node.ResetCounters()
	co := c.Coalesce()
	var mu sync.Mutex
	locked := make(chan struct{})
	read := func(ctx context.Context, x int64) error {
		out, err := co.CallContract(ctx, registryCall(t, reg, "square", big.NewInt(x)), nil)
		if err == nil && new(big.Int).SetBytes(out).Int64() != x*x {
			err = fmt.Errorf("square(%d) = %x", x, out)
		}
		return err
	}
	errs := co.Run(testCtx(t),
		func(ctx context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			close(locked)
			return read(ctx, 2)
		},
		func(ctx context.Context) error {
			<-locked
			mu.Lock() // waits outside the Coalescer for the first worker
			defer mu.Unlock()
			return read(ctx, 3)
		})
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}
	if n := node.Requests(); n != 2 {
		t.Errorf("%d round trips, want 2 (one read each)", n)
	}
}

// TestMulticall3Selectors: the ABI the Coalescer packs with is Multicall3's
// (mds1/multicall, Multicall3.sol): aggregate3((address,bool,bytes)[]) is
// 0x82ad56cb and getEthBalance(address) 0x4d2301cc, as deployed at
// 0xcA11bde05977b3631167028862bE2a173976CA11.
func TestMulticall3Selectors(t *testing.T) {
	for name, want := range map[string]string{"aggregate3": "82ad56cb", "getEthBalance": "4d2301cc"} {
		if got := common.Bytes2Hex(mcABI.Methods[name].ID); got != want {
			t.Errorf("%s selector 0x%s, want 0x%s", name, got, want)
		}
	}
	if Multicall3.Hex() != "0xcA11bde05977b3631167028862bE2a173976CA11" {
		t.Errorf("Multicall3 at %s", Multicall3.Hex())
	}
}
