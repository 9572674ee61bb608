package e2e

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

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
		{name: "unstake, approve needed", args: []string{"unstake", "0.3"}, want: 4, check: func(out map[string]any) {
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
		{name: "claim", before: func() {
			deadline := time.Now().Add(time.Minute)
			for _, s := range requestIDs {
				id, _ := new(big.Int).SetString(s, 10)
				for {
					if fin, _, _ := chain.requestState(lido.DevnetWithdrawalQueue, id); fin {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("request %s not finalized in a minute", s)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
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
