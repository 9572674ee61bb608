package e2e

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/amount"
)

// journalRow is what a journal entry says of a transaction.
type journalRow struct {
	Hash  string `json:"txHash"`
	Nonce uint64 `json:"nonce"`
	State string `json:"state"`
}

// journal reads the wallet's journal files directly, sorted by nonce then
// hash: what a later command would find.
func (w *Wallet) journal(t *testing.T) []journalRow {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(w.Home, "stakewallet", "journal", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []journalRow
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r journalRow
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("journal file %s: %v", f, err)
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Nonce != rows[j].Nonce {
			return rows[i].Nonce < rows[j].Nonce
		}
		return rows[i].Hash < rows[j].Hash
	})
	return rows
}

// rewrite lies about the result of every call of method.
func rewrite(method string, fn func(result json.RawMessage) json.RawMessage) rpcproxy.LieHook {
	return func(r rpcproxy.Request) rpcproxy.Lie {
		for _, c := range r.Calls {
			if c.Method == method {
				return rpcproxy.Lie{Result: func(c rpcproxy.Call, res json.RawMessage) json.RawMessage {
					if c.Method != method {
						return res
					}
					return fn(res)
				}}
			}
		}
		return rpcproxy.Lie{}
	}
}

// constant answers every call of method with result.
func constant(method, result string) rpcproxy.LieHook {
	return rewrite(method, func(json.RawMessage) json.RawMessage { return json.RawMessage(result) })
}

// after lies with h only once a call of method went through honestly: the
// node tells the truth until the preview is built, then changes its story.
func after(method string, h rpcproxy.LieHook) rpcproxy.LieHook {
	var armed atomic.Bool
	return func(r rpcproxy.Request) rpcproxy.Lie {
		if armed.Load() {
			return h(r)
		}
		for _, c := range r.Calls {
			if c.Method == method {
				armed.Store(true)
			}
		}
		return rpcproxy.Lie{}
	}
}

// setField rewrites one field of an object result.
func setField(key, value string) func(json.RawMessage) json.RawMessage {
	return func(res json.RawMessage) json.RawMessage {
		var m map[string]json.RawMessage
		if json.Unmarshal(res, &m) != nil || m == nil {
			return res // null (not mined yet) stays null
		}
		m[key] = json.RawMessage(value)
		out, _ := json.Marshal(m)
		return out
	}
}

func gweiHex(n int64) string {
	return fmt.Sprintf(`"0x%x"`, new(big.Int).Mul(big.NewInt(n), big.NewInt(1e9)))
}

// TestLiesBeforeSigning: for each lie of the RPC (and each bad input next to
// one), the command stops with a clear error and its exit code, signs and
// sends nothing (the node saw no eth_sendRawTransaction, the account's
// nonce is unchanged) and leaves the journal as it was.
func TestLiesBeforeSigning(t *testing.T) {
	url := startDevnet(t, time.Hour)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	alice, bob := testAccount(t, 0), testAccount(t, 1)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes", "--json"}

	// One honest stake: stETH to transfer, and a mined journal entry
	// (nonce 0) for the node-behind case.
	staked := w.MustJSON(append([]string{"stake", "1", "--rpc-url", url}, sign[:len(sign)-1]...)...)
	stakeHash := field(t, staked, "transactions", 0, "txHash").(string)

	proxy := rpcproxy.Start(t, url)
	other := rpcproxy.Start(t, url) // a second endpoint, for failover
	other.SetLieHook(constant("eth_chainId", `"0x1"`))
	drop := func(rpcproxy.Request) rpcproxy.Lie { return rpcproxy.Lie{Mode: rpcproxy.Drop} }
	balance := amount.FormatUnits(chain.balance(alice.Address), 18, "ETH")
	garbage := strings.Repeat("ff", 7) // 7 bytes: no ABI value is 7 bytes long

	tests := []struct {
		name  string
		args  []string
		hook  rpcproxy.LieHook
		other bool // a second --rpc-url (failover)
		code  int
		kind  string
		msg   []string
	}{
		// The chain ID is asked in the batch right before signing (the
		// re-ask of before): a large wstETH unstake reads the wstETH rate
		// first to split it (learning the endpoint's chain ID in that round
		// trip), so the batch before signing hears it change.
		{name: "chain ID changes after the first read", args: []string{"unstake", "600", "--token", "wstETH"},
			hook: after("eth_call", constant("eth_chainId", `"0x1"`)), code: 3, kind: "wrong_chain",
			msg: []string{"said it is on chain 1337, and now says chain 1", "not to be trusted"}},
		{name: "failover to an endpoint of another chain", args: []string{"stake", "0.5"},
			hook: drop, other: true, code: 3, kind: "wrong_chain",
			msg: []string{other.URL() + " is on chain 1, but network devnet is chain 1337"}},
		{name: "pending nonce below a mined journal entry", args: []string{"stake", "0.5"},
			hook: constant("eth_getTransactionCount", `"0x0"`), code: 3, kind: "bad_rpc_answer",
			msg: []string{"the node says the next nonce of " + alice.Address.Hex() + " is 0, but the journal has transaction " + stakeHash + " with nonce 0 included in block",
				"behind the chain or not telling the truth"}},
		{name: "base fee of 10,000 gwei", args: []string{"stake", "0.5"},
			hook: rewrite("eth_getBlockByNumber", setField("baseFeePerGas", gweiHex(10_000))), code: 3, kind: "fee_too_high",
			msg: []string{"(2 × base fee 10000 gwei + priority fee", "is above the devnet fee cap of 1000 gwei", "--max-fee"}},
		{name: "priority fee of 5,000 gwei", args: []string{"stake", "0.5"},
			hook: constant("eth_maxPriorityFeePerGas", gweiHex(5000)), code: 3, kind: "fee_too_high",
			msg: []string{"priority fee 5000 gwei) is above the devnet fee cap of 1000 gwei"}},
		{name: "priority fee above --max-fee", args: []string{"stake", "0.5", "--max-fee", "10"},
			hook: constant("eth_maxPriorityFeePerGas", gweiHex(5000)), code: 3, kind: "fee_too_high",
			msg: []string{"the node suggests a priority fee of 5000 gwei per gas, above --max-fee 10 gwei"}},
		{name: "--max-fee below --priority-fee", args: []string{"stake", "0.5", "--max-fee", "1", "--priority-fee", "2"},
			code: 2, kind: "fee_too_high", msg: []string{"--max-fee 1 gwei is below --priority-fee 2 gwei"}},
		// 0.000001 ETH: far below 1/10 of any fee the devnet's base fee
		// (which decays block by block) can come to.
		{name: "fee more than 10 × the value", args: []string{"stake", "0.000001"}, code: 2, kind: "fee_too_high",
			msg: []string{"is more than 10 × the 0.000001 ETH this moves: pass --yes-high-fee"}},
		{name: "fee more than 10 × the tokens moved", args: []string{"transfer", "0.000001", "stETH", "--to", bob.Address.Hex()}, code: 2, kind: "fee_too_high",
			msg: []string{"is more than 10 × the 0.000001 stETH this moves"}},
		{name: "gas estimate above the block gas limit", args: []string{"stake", "0.5"},
			hook: constant("eth_estimateGas", `"0x3b9aca00"`), code: 3, kind: "bad_rpc_answer",
			msg: []string{"the node estimates 1000000000 gas for stake, more than a whole block holds"}},
		{name: "gas estimate far above the gas hint", args: []string{"stake", "0.5"},
			hook: constant("eth_estimateGas", `"0x4c4b40"`), code: 3, kind: "bad_rpc_answer",
			msg: []string{"the node estimates 5000000 gas for stake, more than 10 × the 120000 it takes"}},
		{name: "eth_call results of the wrong length", args: []string{"stake", "0.5"},
			hook: constant("eth_call", `"0x`+garbage+`"`), code: 3, kind: "bad_rpc_answer",
			msg: []string{"lido: the answer of a contract read does not decode: isStakingPaused on"}},
		{name: "token balance of the wrong length", args: []string{"transfer", "0.1", "stETH", "--to", bob.Address.Hex()},
			hook: constant("eth_call", `"0x`+garbage+`"`), code: 3, kind: "bad_rpc_answer",
			msg: []string{"does not decode"}},
		{name: "eth_call result that is not hex", args: []string{"stake", "0.5"},
			hook: constant("eth_call", `"0xnothex"`), code: 3, kind: "bad_rpc_answer",
			msg: []string{"invalid answer from the RPC", "eth_call", "an answer of the wrong type", "use another --rpc-url"}},
		{name: "answer with a foreign id", args: []string{"stake", "0.5"},
			hook: func(r rpcproxy.Request) rpcproxy.Lie {
				if hasMethod(r, "eth_getBalance") {
					return rpcproxy.Lie{Reply: func(b []byte) []byte { return []byte(strings.Replace(string(b), `"id":`, `"id":4242`, 1)) }}
				}
				return rpcproxy.Lie{}
			}, code: 3, kind: "bad_rpc_answer", msg: []string{"eth_getBalance", "which was not asked"}},
		{name: "100 MB answer", args: []string{"stake", "0.5"},
			hook: func(r rpcproxy.Request) rpcproxy.Lie {
				if hasMethod(r, "eth_getBalance") {
					return rpcproxy.Lie{Pad: 100 << 20}
				}
				return rpcproxy.Lie{}
			}, code: 3, kind: "bad_rpc_answer", msg: []string{"eth_getBalance", "an answer larger than 32 MiB"}},
		{name: "more than the balance", args: []string{"stake", "100000"}, code: 2, kind: "insufficient_funds",
			msg: []string{"insufficient ETH: have " + balance + ", need 100000 ETH plus up to ", " ETH in fees"}},
	}
	journalBefore := w.journal(t)
	if len(journalBefore) != 1 || journalBefore[0].State != "included" {
		t.Fatalf("journal after the honest stake: %+v", journalBefore)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy.SetLieHook(tt.hook)
			defer proxy.SetLieHook(nil)
			proxy.Reset()
			other.Reset()
			nonce := chain.nonce(alice.Address)
			args := append(append([]string{}, tt.args...), "--rpc-url", proxy.URL())
			if tt.other {
				args = append(args, "--rpc-url", other.URL())
			}
			r := w.Run("", append(args, sign...)...)
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.Code, tt.code, r.Stdout, r.Stderr)
			}
			doc := r.JSON(t)
			msg, _ := field(t, doc, "error", "message").(string)
			t.Logf("exit %d: %s", r.Code, msg)
			if kind := field(t, doc, "error", "code"); kind != tt.kind {
				t.Errorf("error code %v, want %s (%s)", kind, tt.kind, msg)
			}
			for _, part := range tt.msg {
				if !strings.Contains(msg, part) {
					t.Errorf("message %q\nlacks %q", msg, part)
				}
			}
			if n := sends(proxy) + sends(other); n != 0 {
				t.Errorf("the node was sent %d transactions", n)
			}
			if got := chain.nonce(alice.Address); got != nonce {
				t.Errorf("nonce %d → %d: something was sent", nonce, got)
			}
			if got := w.journal(t); fmt.Sprint(got) != fmt.Sprint(journalBefore) {
				t.Errorf("journal changed: %+v → %+v", journalBefore, got)
			}
		})
	}

	// The neighbours of the lies pass: --max-fee overrides the cap, and
	// --yes-high-fee the 10× rule (dry runs: nothing is sent either way).
	for _, ok := range []struct {
		name string
		args []string
		hook rpcproxy.LieHook
	}{
		{"--max-fee overrides the cap", []string{"stake", "1", "--max-fee", "25000"}, rewrite("eth_getBlockByNumber", setField("baseFeePerGas", gweiHex(10_000)))},
		{"--yes-high-fee", []string{"stake", "0.00001", "--yes-high-fee"}, nil},
	} {
		t.Run(ok.name, func(t *testing.T) {
			proxy.SetLieHook(ok.hook)
			defer proxy.SetLieHook(nil)
			w.MustJSON(append(append(ok.args, "--dry-run", "--rpc-url", proxy.URL()), sign[:len(sign)-1]...)...)
		})
	}
}

// TestLiesAfterBroadcast: lies told once a transaction is out. The wallet
// never reports an outcome it was lied to about: it exits 5 ("broadcast,
// do not resubmit") with the hash and the lie named, the journal holds the
// transaction as broadcast, and an honest node later settles it; nor does
// it reuse the nonce of a transaction the node lost.
func TestLiesAfterBroadcast(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{BondingPeriod: time.Hour})
	url := d.HTTPEndpoint()
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	proxy := rpcproxy.Start(t, url)
	via := func(u string, args ...string) []string { return append(append(args, "--rpc-url", u), sign...) }
	// Blocks keep coming, so that honest confirmations do arrive.
	mineEvery(t, d, testAccount(t, 5), 300*time.Millisecond)

	settled := func(t *testing.T, hash string) {
		t.Helper()
		st := w.MustJSON("tx", "status", hash, "--rpc-url", url)
		if field(t, st, "status") != "success" || field(t, st, "journal", "state") != "included" {
			t.Errorf("tx status %s through an honest node: %v", hash, st)
		}
	}

	t.Run("receipt of another transaction", func(t *testing.T) {
		other := `"0x` + strings.Repeat("0", 61) + `bad"`
		// Both where a receipt comes from: the synchronous send's answer
		// and the receipt polls that follow a receipt not believed.
		proxy.SetLieHook(rewriteAny(setField("transactionHash", other), "eth_sendRawTransactionSync", "eth_getTransactionReceipt"))
		defer proxy.SetLieHook(nil)
		nonce := chain.nonce(alice.Address)
		r := w.Run("", append(via(proxy.URL(), "stake", "0.1", "--timeout", "4s"), "--json")...)
		if r.Code != 5 {
			t.Fatalf("exit %d, want 5\nstdout: %s\nstderr: %s", r.Code, r.Stdout, r.Stderr)
		}
		msg := field(t, r.JSON(t), "error", "message").(string)
		t.Logf("exit 5: %s", msg)
		h := hashRE.FindString(msg)
		if !strings.Contains(msg, "asked for the receipt of "+h+", got that of 0x"+strings.Repeat("0", 61)+"bad") || !strings.Contains(msg, "do not resubmit") {
			t.Errorf("message %q does not name the lie", msg)
		}
		rows := w.journal(t)
		if last := rows[len(rows)-1]; last.Hash != h || last.State != "broadcast" || last.Nonce != nonce {
			t.Errorf("journal %+v, want %s broadcast at nonce %d", rows, h, nonce)
		}
		settled(t, h)
	})

	t.Run("block number going back", func(t *testing.T) {
		// Honest first: three confirmations come within seconds.
		w.MustJSON(append(via(proxy.URL(), "stake", "0.1", "--confirmations", "3", "--timeout", "30s"), "--json")...)
		var (
			mu   sync.Mutex
			sent bool
			base *big.Int
			k    int64
		)
		proxy.SetLieHook(func(r rpcproxy.Request) rpcproxy.Lie {
			mu.Lock()
			defer mu.Unlock()
			for _, c := range r.Calls {
				sent = sent || strings.HasPrefix(c.Method, "eth_sendRawTransaction")
			}
			if !sent {
				return rpcproxy.Lie{}
			}
			return rpcproxy.Lie{Result: func(c rpcproxy.Call, res json.RawMessage) json.RawMessage {
				n, ok := rpcproxy.ParseQuantity(res)
				if c.Method != "eth_blockNumber" || !ok {
					return res
				}
				mu.Lock()
				defer mu.Unlock()
				if base == nil {
					base = n // the first head after the send is true
					return res
				}
				k++
				return rpcproxy.Quantity(new(big.Int).Sub(base, big.NewInt(k)))
			}}
		})
		defer proxy.SetLieHook(nil)
		r := w.Run("", append(via(proxy.URL(), "stake", "0.1", "--confirmations", "3", "--timeout", "5s"), "--json")...)
		if r.Code != 5 {
			t.Fatalf("exit %d, want 5\nstdout: %s\nstderr: %s", r.Code, r.Stdout, r.Stderr)
		}
		msg := field(t, r.JSON(t), "error", "message").(string)
		t.Logf("exit 5: %s", msg)
		if !strings.Contains(msg, "went back from") || !strings.Contains(msg, "confirmations are not counted against it") || !strings.Contains(msg, "do not resubmit") {
			t.Errorf("message %q does not say why it waited on", msg)
		}
		settled(t, hashRE.FindString(msg))
	})

	t.Run("a node that loses a transaction", func(t *testing.T) {
		// The proxy says "accepted" and keeps the transaction to itself:
		// to eth_sendRawTransactionSync, with EIP-7966's timeout ("in the
		// pool, not mined in time"), which sends the wallet polling.
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
			if r.Calls[0].Method == "eth_sendRawTransactionSync" {
				return rpcproxy.Lie{Body: fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":{"code":4,"message":"The transaction was added to the transaction pool but wasn't processed in 2s","data":"%s"}}`, r.Calls[0].ID, tx.Hash().Hex())}
			}
			return rpcproxy.Lie{Body: fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"result":"%s"}`, r.Calls[0].ID, tx.Hash().Hex())}
		})
		nonce := chain.nonce(alice.Address)
		lost := timedOut(t, w, via(proxy.URL(), "stake", "0.1", "--timeout", "2s")...)
		proxy.SetLieHook(nil)
		if got := chain.nonce(alice.Address); got != nonce {
			t.Fatalf("nonce %d → %d: the lost transaction reached the chain", nonce, got)
		}
		// The next stake does not take the lost one's nonce: it goes after
		// it, says so, and waits behind it.
		r := w.Run("", append(via(url, "stake", "0.1", "--timeout", "2s"), "--json")...)
		wantNote := fmt.Sprintf("note: nonce %d follows 1 open transaction(s) in the journal that the node does not have (first: nonce %d, %s)", nonce+1, nonce, lost)
		t.Logf("exit %d, stderr: %s", r.Code, r.Stderr)
		if r.Code != 5 || !strings.Contains(r.Stderr, wantNote) {
			t.Fatalf("exit %d, want 5 and %q\nstdout: %s\nstderr: %s", r.Code, wantNote, r.Stdout, r.Stderr)
		}
		behind := hashRE.FindString(field(t, r.JSON(t), "error", "message").(string))
		// Re-broadcast the lost one through an honest node: both are mined.
		w.MustJSON("tx", "send", filepath.Join(w.Home, "stakewallet", "journal", "1337-"+lost+".json"), "--rpc-url", url, "--yes")
		settled(t, lost)
		settled(t, behind)
		if got := chain.nonce(alice.Address); got != nonce+2 {
			t.Errorf("nonce %d, want %d", got, nonce+2)
		}
		for _, e := range w.journal(t) {
			if e.State != "included" {
				t.Errorf("journal entry %+v is not settled", e)
			}
		}
	})
}
