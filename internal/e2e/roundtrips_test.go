package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// trips is what one command cost through the counting proxy.
type trips struct {
	requests int            // HTTP requests: round trips (a batch is one)
	calls    map[string]int // JSON-RPC calls by method
}

func (tr trips) String() string {
	keys := make([]string, 0, len(tr.calls))
	for k, n := range tr.calls {
		if !strings.Contains(k, ":") {
			keys = append(keys, fmt.Sprintf("%s=%d", k, n))
		}
	}
	sort.Strings(keys)
	return fmt.Sprintf("%d round trips (%s)", tr.requests, strings.Join(keys, " "))
}

// measure runs one command through proxy and returns its round trips.
func measure(t *testing.T, w *Wallet, proxy *rpcproxy.Proxy, args ...string) (map[string]any, trips) {
	t.Helper()
	proxy.Reset()
	out := w.MustJSON(append(args, "--rpc-url", proxy.URL())...)
	return out, trips{requests: proxy.Requests(), calls: proxy.Counts()}
}

// TestRoundTrips asserts the exact JSON-RPC round trips of every sending
// command on the devnet (geth, which serves eth_sendRawTransactionSync),
// counted by the proxy between the wallet and the node: one batch of
// reads before the first send, the send returning the receipt, a second
// batch only where a read depends on an earlier answer or a call on an
// earlier transaction.
func TestRoundTrips(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{BondingPeriod: 2 * time.Second})
	url := d.HTTPEndpoint()
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	alice, bob := testAccount(t, 0), testAccount(t, 1)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	proxy := rpcproxy.Start(t, url)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	direct, err := devtx.NewSender(ctx, d.Client(), alice.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	lidoABI := &contracts.Lido().ABI
	approve := func(spender common.Address) {
		t.Helper()
		data, err := lidoABI.Pack("approve", spender, eth("1000"))
		if err != nil {
			t.Fatal(err)
		}
		to := lido.DevnetStETH
		if _, err := direct.Send(ctx, &to, nil, data); err != nil {
			t.Fatal(err)
		}
	}
	var requestIDs []string
	tests := []struct {
		name   string
		before func()
		args   []string
		want   int
		check  func(out map[string]any)
	}{
		{name: "stake", args: []string{"stake", "1"}, want: 2, check: func(out map[string]any) {
			if !near(bigOf(t, field(t, out, "received", "amount")), eth("1"), 2) {
				t.Errorf("stake received %v", field(t, out, "received"))
			}
			if got, want := bigOf(t, field(t, out, "balance", "amount")), chain.tokenBalance(lido.DevnetStETH, alice.Address); got.Cmp(want) != 0 {
				t.Errorf("stake balance %s, on chain %s", got, want)
			}
		}},
		{name: "unstake, approve needed (--no-permit)", args: []string{"unstake", "0.3", "--no-permit"}, want: 4, check: func(out map[string]any) {
			for _, id := range field(t, out, "requestIds").([]any) {
				requestIDs = append(requestIDs, id.(string))
			}
		}},
		{name: "unstake, allowance enough", before: func() { approve(lido.DevnetWithdrawalQueue) }, args: []string{"unstake", "0.2"}, want: 2, check: func(out map[string]any) {
			for _, id := range field(t, out, "requestIds").([]any) {
				requestIDs = append(requestIDs, id.(string))
			}
		}},
		{name: "transfer", args: []string{"transfer", "0.1", "stETH", "--to", bob.Address.Hex()}, want: 2},
		{name: "wrap, allowance enough", before: func() { approve(lido.DevnetWstETH) }, args: []string{"wrap", "0.1"}, want: 2},
		{name: "unwrap", args: []string{"unwrap", "0.05"}, want: 2},
		// Lido's ABI chains three reads that each need the one before (the
		// ids → their statuses and checkpoint hints → the ETH each pays);
		// the queue's lens makes them in one eth_call. Then the batch
		// before the send (the calldata needs the hints) and the send.
		{name: "claim", before: func() {
			var ids []*big.Int
			for _, s := range requestIDs {
				id, _ := new(big.Int).SetString(s, 10)
				ids = append(ids, id)
			}
			chain.waitFinalized(time.Minute, ids...)
		}, args: []string{"claim"}, want: 3},
	}
	for _, tt := range tests {
		if tt.before != nil {
			tt.before()
		}
		out, got := measure(t, w, proxy, append(tt.args, sign...)...)
		t.Logf("%-26s %s", tt.name, got)
		if got.requests != tt.want {
			t.Errorf("%s: %s, want %d", tt.name, got, tt.want)
		}
		if tt.check != nil {
			tt.check(out)
		}
	}
}

// hasMethod reports whether request r holds a call of method (alone or in
// a batch).
func hasMethod(r rpcproxy.Request, method string) bool {
	for _, c := range r.Calls {
		if c.Method == method {
			return true
		}
	}
	return false
}

// rewriteAny lies with fn about the result of every call of any of methods.
func rewriteAny(fn func(json.RawMessage) json.RawMessage, methods ...string) rpcproxy.LieHook {
	return func(r rpcproxy.Request) rpcproxy.Lie {
		return rpcproxy.Lie{Result: func(c rpcproxy.Call, res json.RawMessage) json.RawMessage {
			if slices.Contains(methods, c.Method) {
				return fn(res)
			}
			return res
		}}
	}
}

// sends is how many transactions p was handed, by either send method.
func sends(p *rpcproxy.Proxy) int {
	return p.Count("eth_sendRawTransaction") + p.Count("eth_sendRawTransactionSync")
}

// TestSendFallbacks: a node without eth_sendRawTransactionSync still
// works, at the cost of the polled round trips, and is asked for it once
// per command; a sync send whose answer is lost is waited for by hash,
// never signed again.
func TestSendFallbacks(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{BondingPeriod: time.Hour})
	url := d.HTTPEndpoint()
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	proxy := rpcproxy.Start(t, url)

	noSync := func(r rpcproxy.Request) rpcproxy.Lie {
		if len(r.Calls) == 1 && r.Calls[0].Method == "eth_sendRawTransactionSync" {
			return rpcproxy.Lie{Body: fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"the method eth_sendRawTransactionSync does not exist/is not available"}}`, r.Calls[0].ID)}
		}
		return rpcproxy.Lie{}
	}
	t.Run("no eth_sendRawTransactionSync: broadcast and poll", func(t *testing.T) {
		proxy.SetLieHook(noSync)
		defer proxy.SetLieHook(nil)
		nonce := chain.nonce(alice.Address)
		out, got := measure(t, w, proxy, append([]string{"stake", "0.1"}, sign...)...)
		t.Logf("stake without sync send: %s", got)
		if field(t, out, "transactions", 0, "status") != "success" || chain.nonce(alice.Address) != nonce+1 {
			t.Fatalf("stake: %v, nonce %d → %d", out, nonce, chain.nonce(alice.Address))
		}
		polls := got.calls["eth_getTransactionReceipt"]
		// The batch, the refused sync send, the broadcast, and one round
		// trip per poll (receipt and head in one batch).
		if polls < 1 || got.requests != 3+polls || got.calls["eth_sendRawTransaction"] != 1 || got.calls["eth_sendRawTransactionSync"] != 1 {
			t.Errorf("%s: want 3 + %d polls, one sync attempt and one broadcast", got, polls)
		}
	})
	t.Run("no eth_sendRawTransactionSync: asked once per command", func(t *testing.T) {
		proxy.SetLieHook(noSync)
		defer proxy.SetLieHook(nil)
		out, got := measure(t, w, proxy, append([]string{"unstake", "0.05", "--no-permit"}, sign...)...)
		t.Logf("unstake (approve) without sync send: %s", got)
		if n := len(field(t, out, "transactions").([]any)); n != 2 {
			t.Fatalf("%d transactions, want the approve and the request", n)
		}
		polls := got.calls["eth_getTransactionReceipt"]
		// The batch, the refused sync send, the approve's broadcast, the
		// request's batch (simulation and estimate), its broadcast: 5, and
		// the polls.
		if got.calls["eth_sendRawTransactionSync"] != 1 || got.calls["eth_sendRawTransaction"] != 2 || got.requests != 5+polls {
			t.Errorf("%s: want one sync attempt, two broadcasts, 5 + %d polls round trips", got, polls)
		}
	})
	t.Run("lost answer of a sync send", func(t *testing.T) {
		var (
			mu     sync.Mutex
			lost   bool
			hashes = map[common.Hash]bool{}
		)
		proxy.SetLieHook(func(r rpcproxy.Request) rpcproxy.Lie {
			if len(r.Calls) != 1 || !strings.HasPrefix(r.Calls[0].Method, "eth_sendRawTransaction") {
				return rpcproxy.Lie{}
			}
			var raw hexutil.Bytes
			json.Unmarshal(r.Calls[0].Params[0], &raw)
			tx := new(types.Transaction)
			if err := tx.UnmarshalBinary(raw); err != nil {
				t.Errorf("proxy: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			hashes[tx.Hash()] = true
			if lost {
				return rpcproxy.Lie{}
			}
			lost = true
			// Forwarded (the node mines it), but the answer breaks off.
			return rpcproxy.Lie{Reply: func(b []byte) []byte { return b[:len(b)/2] }}
		})
		defer proxy.SetLieHook(nil)
		nonce := chain.nonce(alice.Address)
		before := len(w.journal(t))
		out, got := measure(t, w, proxy, append([]string{"stake", "0.1"}, sign...)...)
		t.Logf("stake with a lost answer: %s", got)
		if field(t, out, "transactions", 0, "status") != "success" {
			t.Fatalf("stake: %v", out)
		}
		if chain.nonce(alice.Address) != nonce+1 {
			t.Errorf("nonce %d → %d, want one transaction", nonce, chain.nonce(alice.Address))
		}
		mu.Lock()
		defer mu.Unlock()
		if len(hashes) != 1 || got.calls["eth_sendRawTransactionSync"] < 2 {
			t.Errorf("sent %d different transactions in %d sync sends: want the same bytes again", len(hashes), got.calls["eth_sendRawTransactionSync"])
		}
		if rows := w.journal(t); len(rows) != before+1 || rows[len(rows)-1].State != "included" {
			t.Errorf("journal %+v, want one more entry, included", rows)
		}
	})
}
