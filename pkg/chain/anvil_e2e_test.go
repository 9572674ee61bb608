package chain

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
)

var (
	// echoCode returns its calldata: CALLDATASIZE 0 0 CALLDATACOPY CALLDATASIZE 0 RETURN.
	echoCode = hexutil.MustDecode("0x366000600037366000f3")
	// revertCode reverts with no data: 0 0 REVERT.
	revertCode = hexutil.MustDecode("0x60006000fd")
	echoAddr   = common.HexToAddress("0x000000000000000000000000000000000000ec40")
	revertAddr = common.HexToAddress("0x000000000000000000000000000000000000dead")
)

// sendTransfer signs and sends 1 gwei from anvil's first account, filling
// fees the way txflow does (tip + 2 × next base fee).
func sendTransfer(t *testing.T, ctx context.Context, c *Client) *types.Transaction {
	t.Helper()
	from := anvil.DefaultAccount
	to := common.HexToAddress("0x00000000000000000000000000000000000000b0")
	nonce, err := c.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatalf("PendingNonceAt: %v", err)
	}
	tip, err := c.SuggestGasTipCap(ctx)
	if err != nil {
		t.Fatalf("SuggestGasTipCap: %v", err)
	}
	fh, err := c.FeeHistory(ctx, 1, nil, nil)
	if err != nil || len(fh.BaseFee) == 0 {
		t.Fatalf("FeeHistory: %v, %+v", err, fh)
	}
	next := fh.BaseFee[len(fh.BaseFee)-1]
	gas, err := c.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Value: big.NewInt(1e9)})
	if err != nil {
		t.Fatalf("EstimateGas: %v", err)
	}
	id, err := c.ChainID(ctx)
	if err != nil {
		t.Fatalf("ChainID: %v", err)
	}
	tx, err := types.SignNewTx(anvil.DefaultKey(), types.LatestSignerForChainID(id), &types.DynamicFeeTx{
		ChainID: id, Nonce: nonce, GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(next, big.NewInt(2))),
		Gas: gas, To: &to, Value: big.NewInt(1e9),
	})
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	if err := c.SendTransaction(ctx, tx); err != nil {
		t.Fatalf("SendTransaction: %v", err)
	}
	return tx
}

func TestAgainstAnvil(t *testing.T) {
	node := anvil.Start(t)
	node.Call(t, nil, "anvil_setCode", echoAddr, hexutil.Bytes(echoCode))
	node.Call(t, nil, "anvil_setCode", revertAddr, hexutil.Bytes(revertCode))
	proxy := rpcproxy.Start(t, node.URL())
	ctx := testCtx(t)
	c := dial(t, Options{ChainID: anvil.DefaultChainID, Network: "anvil", BackoffBase: time.Millisecond}, proxy.URL())

	t.Run("batch is one request", func(t *testing.T) {
		proxy.Reset()
		msgs := make([]ethereum.CallMsg, 10)
		for i := range msgs {
			msgs[i] = ethereum.CallMsg{To: &echoAddr, Data: []byte{0x70, 0xa0, 0x82, 0x31, byte(i)}}
		}
		msgs[7].To = &revertAddr
		res, errs := c.BatchCallContract(ctx, msgs, nil)
		for i := range msgs {
			if i == 7 {
				var de rpc.DataError
				if !errors.As(errs[i], &de) {
					t.Errorf("call 7: err = %v, want the revert", errs[i])
				}
				continue
			}
			if errs[i] != nil || !bytes.Equal(res[i], msgs[i].Data) {
				t.Errorf("call %d: %x, %v; want %x", i, res[i], errs[i], msgs[i].Data)
			}
		}
		if proxy.Requests() != 1 || proxy.Count("eth_call:0x70a08231") != 10 {
			t.Errorf("%d HTTP requests, counts %v; want 1 request of 10 eth_calls", proxy.Requests(), proxy.Counts())
		}
	})

	t.Run("reads", func(t *testing.T) {
		code, err := c.CodeAt(ctx, echoAddr, nil)
		if err != nil || !bytes.Equal(code, echoCode) {
			t.Errorf("CodeAt = %x, %v", code, err)
		}
		bal, err := c.BalanceAt(ctx, anvil.DefaultAccount, nil)
		if err != nil || bal.Sign() <= 0 {
			t.Errorf("BalanceAt = %v, %v", bal, err)
		}
		h, err := c.HeaderByNumber(ctx, nil)
		if err != nil || h.BaseFee == nil {
			t.Errorf("HeaderByNumber = %+v, %v", h, err)
		}
		out, err := c.CallContract(ctx, ethereum.CallMsg{To: &echoAddr, Data: []byte{1, 2, 3, 4}}, nil)
		if err != nil || !bytes.Equal(out, []byte{1, 2, 3, 4}) {
			t.Errorf("CallContract = %x, %v", out, err)
		}
		if _, err := c.TransactionReceipt(ctx, common.Hash{1}); !errors.Is(err, ethereum.NotFound) {
			t.Errorf("TransactionReceipt(unknown) err = %v, want ethereum.NotFound", err)
		}
	})

	t.Run("send and wait", func(t *testing.T) {
		tx := sendTransfer(t, ctx, c)
		// anvil mines on arrival, but under load not always before the
		// next request: wait at the node itself (around the proxy) so the
		// budget below measures WaitForReceipt alone.
		for {
			var rc *types.Receipt
			node.Call(t, &rc, "eth_getTransactionReceipt", tx.Hash())
			if rc != nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		proxy.Reset()
		r, err := c.WaitForReceipt(ctx, tx.Hash(), 1, 50*time.Millisecond)
		if err != nil {
			t.Fatalf("WaitForReceipt: %v", err)
		}
		// anvil mined it on arrival: one lookup is the whole budget.
		if got := proxy.Counts(); len(got) != 1 || got["eth_getTransactionReceipt"] != 1 {
			t.Errorf("WaitForReceipt made calls %v, want one eth_getTransactionReceipt", got)
		}
		if r.Status != types.ReceiptStatusSuccessful || r.TxHash != tx.Hash() {
			t.Errorf("receipt %+v", r)
		}
		got, pending, err := c.TransactionByHash(ctx, tx.Hash())
		if err != nil || pending || got.Hash() != tx.Hash() {
			t.Errorf("TransactionByHash = %v, %v, %v", got, pending, err)
		}
		nonce, err := c.NonceAt(ctx, anvil.DefaultAccount, nil)
		if err != nil || nonce != tx.Nonce()+1 {
			t.Errorf("NonceAt = %d, %v; want %d", nonce, err, tx.Nonce()+1)
		}
		logs, err := c.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: r.BlockNumber, ToBlock: r.BlockNumber})
		if err != nil || len(logs) != 0 {
			t.Errorf("FilterLogs = %v, %v; a transfer logs nothing", logs, err)
		}
	})

	t.Run("rides out injected faults", func(t *testing.T) {
		for _, mode := range []rpcproxy.Mode{rpcproxy.HTTP500, rpcproxy.Drop} {
			proxy.Reset()
			proxy.FailNext(2, mode)
			if _, err := c.BlockNumber(ctx); err != nil {
				t.Errorf("%v: BlockNumber: %v", mode, err)
			}
			if proxy.Count("eth_blockNumber") != 3 {
				t.Errorf("%v: %d eth_blockNumber, want 3", mode, proxy.Count("eth_blockNumber"))
			}
		}
	})
}

func TestWaitForReceiptFollowsHeadsOverWebsocket(t *testing.T) {
	node := anvil.Start(t, anvil.WithBlockTime(time.Second))
	ctx := testCtx(t)
	c := dial(t, Options{ChainID: anvil.DefaultChainID}, node.WSURL())

	heads := make(chan *types.Header, 4)
	sub, err := c.SubscribeNewHead(ctx, heads)
	if err != nil {
		t.Fatalf("SubscribeNewHead: %v", err)
	}
	select {
	case h := <-heads:
		if h.Number == nil {
			t.Error("head without a number")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no head within 5 s with 1 s blocks")
	}
	sub.Unsubscribe()

	tx := sendTransfer(t, ctx, c)
	start := time.Now()
	// A poll interval far beyond the test's budget: only new heads can get
	// the wait done in time.
	r, err := c.WaitForReceipt(ctx, tx.Hash(), 3, time.Minute)
	if err != nil {
		t.Fatalf("WaitForReceipt: %v", err)
	}
	head, err := c.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if depth := head - r.BlockNumber.Uint64() + 1; depth < 3 {
		t.Errorf("returned at depth %d, want 3", depth)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v for 3 one-second blocks", el)
	}
}
