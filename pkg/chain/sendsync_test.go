package chain

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
)

// syncSetup is a fake node (chain 1) with a funded key, behind a counting
// proxy, and a client dialled to the proxy.
func syncSetup(t *testing.T, opts Options) (*chaintest.Node, *rpcproxy.Proxy, *Client, *ecdsa.PrivateKey) {
	t.Helper()
	node := chaintest.New(t, 1)
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	node.SetBalance(crypto.PubkeyToAddress(key.PublicKey), new(big.Int).Mul(big.NewInt(10), big.NewInt(1e18)))
	proxy := rpcproxy.Start(t, node.URL())
	if opts.BackoffBase == 0 {
		opts.BackoffBase, opts.MaxBackoff = time.Millisecond, 5*time.Millisecond
	}
	c, err := Dial(context.Background(), []string{proxy.URL()}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return node, proxy, c, key
}

// transfer signs a transfer of 1 wei with nonce n.
func transfer(t *testing.T, key *ecdsa.PrivateKey, n uint64) *types.Transaction {
	t.Helper()
	to := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(1)), &types.DynamicFeeTx{
		ChainID: big.NewInt(1), Nonce: n, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9), Gas: 21_000, To: &to, Value: big.NewInt(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func onlySync(h func(r rpcproxy.Request) rpcproxy.Lie) rpcproxy.LieHook {
	return func(r rpcproxy.Request) rpcproxy.Lie {
		if len(r.Calls) == 1 && r.Calls[0].Method == "eth_sendRawTransactionSync" {
			return h(r)
		}
		return rpcproxy.Lie{}
	}
}

// TestSendTransactionSync: the send answered with the receipt in one round
// trip; every way it falls back to "sent, poll for the receipt"; what is
// remembered per endpoint; and that a transaction that may be out is never
// reported as safe to sign again.
func TestSendTransactionSync(t *testing.T) {
	ctx := context.Background()
	errorBody := func(code int, msg string) func(rpcproxy.Request) rpcproxy.Lie {
		return func(r rpcproxy.Request) rpcproxy.Lie {
			return rpcproxy.Lie{Body: fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":{"code":%d,"message":%q}}`, r.Calls[0].ID, code, msg)}
		}
	}
	tests := []struct {
		name        string
		noSync      bool // the node answers -32601
		hook        rpcproxy.LieHook
		nonce       uint64
		wantReceipt bool
		wantErr     string
		maybeSent   bool
		wantTrips   int  // HTTP requests of the first send
		mined       bool // the node has the transaction
		remembered  bool // a second send goes to eth_sendRawTransaction at once
	}{
		{name: "receipt in one round trip", wantReceipt: true, wantTrips: 1, mined: true},
		{name: "method not found: broadcast on the same attempt", noSync: true, wantTrips: 2, mined: true, remembered: true},
		{name: "not mined within the wait (EIP-7966 error 4)",
			hook:      onlySync(errorBody(codeSyncTimeout, "The transaction was added to the transaction pool but wasn't processed in 2s")),
			wantTrips: 1, remembered: true},
		{name: "receipt of another transaction is not believed", hook: onlySync(func(rpcproxy.Request) rpcproxy.Lie {
			return rpcproxy.Lie{Result: func(_ rpcproxy.Call, res json.RawMessage) json.RawMessage {
				return json.RawMessage(strings.Replace(string(res), `"transactionHash":"0x`, `"transactionHash":"0xbad`, 1))
			}}
		}), wantTrips: 1, mined: true},
		{name: "the node's refusal of a first attempt", nonce: 7, wantErr: "nonce too high", wantTrips: 1},
		{name: "answer lost after the node had it: the same bytes again, found", hook: func() rpcproxy.LieHook {
			lost := false
			return onlySync(func(rpcproxy.Request) rpcproxy.Lie {
				if lost {
					return rpcproxy.Lie{}
				}
				lost = true
				return rpcproxy.Lie{Reply: func(b []byte) []byte { return b[:len(b)/2] }}
			})
		}(), wantTrips: 3, mined: true},
		{name: "every attempt lost: may be sent, never safe to retry", hook: onlySync(func(rpcproxy.Request) rpcproxy.Lie {
			return rpcproxy.Lie{Reply: func(b []byte) []byte { return b[:len(b)/2] }}
		}), wantErr: "may have been sent", maybeSent: true, wantTrips: 4, mined: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node, proxy, c, key := syncSetup(t, Options{})
			node.SetSendSync(!tt.noSync)
			proxy.SetLieHook(tt.hook)
			tx := transfer(t, key, tt.nonce)
			proxy.Reset()
			r, err := c.SendTransactionSync(ctx, tx, time.Second)
			if got := proxy.Requests(); got != tt.wantTrips {
				t.Errorf("%d round trips, want %d (%v)", got, tt.wantTrips, proxy.Counts())
			}
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if got := errors.Is(err, ErrMaybeSent); got != tt.maybeSent {
					t.Errorf("ErrMaybeSent %v, want %v", got, tt.maybeSent)
				}
				if errors.Is(err, ErrUnreachable) {
					t.Errorf("ErrUnreachable (safe to retry) for a send: %v", err)
				}
			case err != nil:
				t.Fatal(err)
			case tt.wantReceipt && (r == nil || r.TxHash != tx.Hash() || r.BlockNumber == nil):
				t.Errorf("receipt %+v, want that of %s", r, tx.Hash())
			case !tt.wantReceipt && r != nil:
				t.Errorf("receipt %+v believed", r)
			}
			sent := node.Sent()
			if got := len(sent) == 1 && sent[0].Hash() == tx.Hash(); got != tt.mined {
				t.Errorf("the node has the transaction: %v, want %v (%d sent)", got, tt.mined, len(sent))
			}
			if tt.remembered {
				proxy.SetLieHook(nil)
				node.SetSendSync(true)
				proxy.Reset()
				next := transfer(t, key, uint64(len(node.Sent())))
				r, err := c.SendTransactionSync(ctx, next, time.Second)
				if err != nil || r != nil || proxy.Count("eth_sendRawTransactionSync") != 0 || proxy.Count("eth_sendRawTransaction") != 1 {
					t.Errorf("second send: receipt %v, err %v, calls %v: want eth_sendRawTransaction at once", r, err, proxy.Counts())
				}
			}
		})
	}
}

// TestBatchFoldsChainID: with a required chain ID, a Batch on an endpoint
// not checked yet carries eth_chainId in the same round trip (Dial with
// LazyChainID asks nothing); a wrong chain refuses every answer; a batch's
// own eth_chainId is the check, and an answer that changes is refused.
func TestBatchFoldsChainID(t *testing.T) {
	ctx := context.Background()
	node := chaintest.New(t, 1)
	who := common.HexToAddress("0x00000000000000000000000000000000000000cc")
	node.SetBalance(who, big.NewInt(42))
	batch := func(c *Client, withID bool) ([]rpc.BatchElem, *hexutil.Big, error) {
		var bal, id hexutil.Big
		var n hexutil.Uint64
		elems := []rpc.BatchElem{
			{Method: "eth_getBalance", Args: []any{who, "latest"}, Result: &bal},
			{Method: "eth_blockNumber", Result: &n},
		}
		if withID {
			elems = append(elems, rpc.BatchElem{Method: "eth_chainId", Result: &id})
		}
		return elems, &bal, c.Batch(ctx, elems)
	}
	dial := func(t *testing.T, p *rpcproxy.Proxy, want uint64) *Client {
		c, err := Dial(ctx, []string{p.URL()}, Options{ChainID: want, LazyChainID: true, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		if p.Requests() != 0 {
			t.Fatalf("Dial with LazyChainID made %d requests", p.Requests())
		}
		return c
	}

	t.Run("folded into the first batch", func(t *testing.T) {
		p := rpcproxy.Start(t, node.URL())
		c := dial(t, p, 1)
		elems, bal, err := batch(c, false)
		if err != nil || elems[0].Error != nil || (*big.Int)(bal).Int64() != 42 {
			t.Fatalf("err %v, elems %+v, balance %v", err, elems, bal)
		}
		if p.Requests() != 1 || p.Count("eth_chainId") != 1 {
			t.Errorf("%d requests, calls %v: want one, with eth_chainId", p.Requests(), p.Counts())
		}
		if _, _, err := batch(c, false); err != nil || p.Requests() != 2 || p.Count("eth_chainId") != 1 {
			t.Errorf("second batch: err %v, %d requests, calls %v: the chain ID is known now", err, p.Requests(), p.Counts())
		}
	})
	t.Run("the batch's own eth_chainId is the check", func(t *testing.T) {
		p := rpcproxy.Start(t, node.URL())
		c := dial(t, p, 1)
		if _, _, err := batch(c, true); err != nil || p.Count("eth_chainId") != 1 || p.Requests() != 1 {
			t.Errorf("err %v, calls %v", err, p.Counts())
		}
	})
	t.Run("wrong chain refuses every answer", func(t *testing.T) {
		p := rpcproxy.Start(t, node.URL())
		c := dial(t, p, 5)
		elems, _, err := batch(c, false)
		var wc *WrongChainError
		if !errors.As(err, &wc) || wc.Got != 1 || wc.Want != 5 {
			t.Fatalf("error %v, want a WrongChainError 1 ≠ 5", err)
		}
		for i, e := range elems {
			if !errors.As(e.Error, &wc) {
				t.Errorf("element %d: error %v, want the wrong chain", i, e.Error)
			}
		}
		if p.Requests() != 1 {
			t.Errorf("%d requests, want 1", p.Requests())
		}
	})
	t.Run("a chain ID that changes is refused", func(t *testing.T) {
		p := rpcproxy.Start(t, node.URL())
		c := dial(t, p, 1)
		if _, _, err := batch(c, true); err != nil {
			t.Fatal(err)
		}
		p.SetLieHook(func(rpcproxy.Request) rpcproxy.Lie {
			return rpcproxy.Lie{Result: func(c rpcproxy.Call, res json.RawMessage) json.RawMessage {
				if c.Method == "eth_chainId" {
					return json.RawMessage(`"0x2"`)
				}
				return res
			}}
		})
		_, _, err := batch(c, true)
		var wc *WrongChainError
		if !errors.As(err, &wc) || wc.Before != 1 || wc.Got != 2 {
			t.Fatalf("error %v, want a WrongChainError 1 → 2", err)
		}
		// Refused from then on, even where the batch does not ask.
		p.SetLieHook(nil)
		if _, _, err := batch(c, false); !errors.As(err, &wc) {
			t.Errorf("later batch: %v, want the endpoint refused", err)
		}
	})
	t.Run("lookups that find nothing", func(t *testing.T) {
		p := rpcproxy.Start(t, node.URL())
		c := dial(t, p, 1)
		var r *types.Receipt
		elems := []rpc.BatchElem{
			{Method: "eth_getTransactionReceipt", Args: []any{common.Hash{1}}, Result: &r},
			{Method: "eth_call", Args: []any{map[string]any{"to": who}, "latest"}, Result: new(hexutil.Bytes)},
		}
		if err := c.Batch(ctx, elems); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(elems[0].Error, ethereum.NotFound) || r != nil {
			t.Errorf("receipt of an unknown hash: %v, %v; want ethereum.NotFound", r, elems[0].Error)
		}
		if elems[1].Error != nil {
			t.Errorf("eth_call to an account without code: %v", elems[1].Error)
		}
	})
}

// TestBatchRefusedPerElement: a provider that answers a batch with an
// "invalid request" error for every element takes no batches: the calls
// go one at a time, and later batches skip the attempt.
func TestBatchRefusedPerElement(t *testing.T) {
	ctx := context.Background()
	node := chaintest.New(t, 1)
	who := common.HexToAddress("0x00000000000000000000000000000000000000dd")
	node.SetBalance(who, big.NewInt(7))
	p := rpcproxy.Start(t, node.URL())
	p.SetLieHook(func(r rpcproxy.Request) rpcproxy.Lie {
		if !r.Batch {
			return rpcproxy.Lie{}
		}
		var parts []string
		for _, c := range r.Calls {
			parts = append(parts, fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"error":{"code":-32600,"message":"batch requests are not supported on this plan"}}`, c.ID))
		}
		return rpcproxy.Lie{Body: []byte("[" + strings.Join(parts, ",") + "]")}
	})
	c, err := Dial(ctx, []string{p.URL()}, Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	read := func() {
		t.Helper()
		var bal hexutil.Big
		var n hexutil.Uint64
		var id hexutil.Big
		elems := []rpc.BatchElem{
			{Method: "eth_getBalance", Args: []any{who, "latest"}, Result: &bal},
			{Method: "eth_blockNumber", Result: &n},
			{Method: "eth_chainId", Result: &id},
		}
		if err := c.Batch(ctx, elems); err != nil {
			t.Fatal(err)
		}
		for i, e := range elems {
			if e.Error != nil {
				t.Errorf("element %d: %v", i, e.Error)
			}
		}
		if (*big.Int)(&bal).Int64() != 7 || (*big.Int)(&id).Int64() != 1 {
			t.Errorf("balance %v, chain %v", &bal, &id)
		}
	}
	read()
	if p.Requests() != 4 {
		t.Errorf("first batch: %d requests, want the refused batch and 3 single calls", p.Requests())
	}
	p.Reset()
	read()
	if p.Requests() != 3 {
		t.Errorf("second batch: %d requests, want 3 single calls (the refusal remembered)", p.Requests())
	}
}
