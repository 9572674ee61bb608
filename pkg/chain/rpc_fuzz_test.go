package chain_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/pkg/chain"
)

// The fuzzed node sits behind a URL with an API key in its path and its
// query, as Infura's and Alchemy's do: no error may show either.
const (
	fuzzPathKey  = "0123456789abcdef0123456789abcdef"
	fuzzQueryKey = "s3cretQueryValue42"
)

// fuzzNode answers every JSON-RPC request with the bytes under test and
// records what was asked. One per fuzz target, shared by its runs (which
// run one at a time in each fuzzing process).
type fuzzNode struct {
	srv *httptest.Server

	mu       sync.Mutex
	status   int
	body     []byte
	requests [][]byte
}

func newFuzzNode(f *testing.F) *fuzzNode {
	n := &fuzzNode{}
	n.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := io.ReadAll(r.Body)
		n.mu.Lock()
		n.requests = append(n.requests, req)
		status, body := n.status, n.body
		n.mu.Unlock()
		// A fresh client per run: do not leave a connection per run behind.
		w.Header().Set("Connection", "close")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	f.Cleanup(n.srv.Close)
	return n
}

// serve sets the next answer and dials a fresh client (so that no state
// carries from one run to the next), without retries.
func (n *fuzzNode) serve(t *testing.T, status int, body []byte) *chain.Client {
	n.mu.Lock()
	n.status, n.body, n.requests = status, body, nil
	n.mu.Unlock()
	url := n.srv.URL + "/v3/" + fuzzPathKey + "?apikey=" + fuzzQueryKey
	c, err := chain.Dial(context.Background(), []string{url}, chain.Options{CallTimeout: 2 * time.Second, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func (n *fuzzNode) asked() [][]byte {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([][]byte(nil), n.requests...)
}

// statusOf maps a fuzzed byte to the statuses nodes and proxies send.
func statusOf(b uint8) int {
	statuses := []int{200, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503}
	if int(b) >= 2*len(statuses) {
		return 200 // most answers are 200s
	}
	return statuses[int(b)%len(statuses)]
}

// checkFuzzError asserts what every RPC error must be: free of the URL's
// credentials, and of a kind the CLI maps to an exit code.
func checkFuzzError(t *testing.T, what string, err error) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, fuzzPathKey) || strings.Contains(msg, fuzzQueryKey) {
		t.Fatalf("%s: error shows the URL's key: %v", what, err)
	}
	var rpcErr rpc.Error
	var wrongChain *chain.WrongChainError
	switch {
	case errors.Is(err, chain.ErrUnreachable), errors.Is(err, chain.ErrBadResponse), errors.Is(err, chain.ErrMaybeSent),
		errors.Is(err, ethereum.NotFound), errors.As(err, &rpcErr), errors.As(err, &wrongChain):
	default:
		t.Fatalf("%s: error of no known kind (%T): %v", what, err, err)
	}
}

// answer is a JSON-RPC response as go-ethereum's client reads it.
type answer struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// resultOf decodes the result of a single answer into v, as an oracle
// independent of the client: false when the body is no such answer.
func resultOf(body []byte, v any) bool {
	var a answer
	// Like the client, read the first JSON value and ignore what follows.
	if json.NewDecoder(bytes.NewReader(body)).Decode(&a) != nil || len(a.Result) == 0 || (len(a.Error) > 0 && string(a.Error) != "null") {
		return false
	}
	return json.Unmarshal(a.Result, v) == nil
}

// FuzzRPCResponse answers one call of each kind the CLI makes with
// arbitrary bytes and HTTP status. Whatever comes back: a call returns a
// value or an error, never a panic or a hang; an error never shows the
// URL's credentials and is of a kind the CLI classifies; and a value the
// client returns is the one the answer holds (a non-200 status, an error
// object or a malformed answer never yield one).
func FuzzRPCResponse(f *testing.F) {
	node := newFuzzNode(f)
	hash := common.HexToHash("0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b")
	receipt := `{"jsonrpc":"2.0","id":1,"result":{"type":"0x2","root":"0x","status":"0x1","cumulativeGasUsed":"0x5208","logsBloom":"0x` + strings.Repeat("00", 256) +
		`","logs":[],"transactionHash":"` + hash.Hex() + `","contractAddress":null,"gasUsed":"0x5208","effectiveGasPrice":"0x1","blockHash":"0x` + strings.Repeat("11", 32) +
		`","blockNumber":"0x10","transactionIndex":"0x0"}}`
	for _, s := range []struct {
		method uint8
		status uint8
		body   string
	}{
		{0, 255, `{"jsonrpc":"2.0","id":1,"result":"0x539"}`},
		{1, 255, `{"jsonrpc":"2.0","id":1,"result":"0x10"}`},
		{2, 255, `{"jsonrpc":"2.0","id":1,"result":"0xde0b6b3a7640000"}`},
		{3, 255, `{"jsonrpc":"2.0","id":1,"result":"0x0000000000000000000000000000000000000000000000000000000000000001"}`},
		{4, 255, receipt},
		{4, 255, `{"jsonrpc":"2.0","id":1,"result":null}`},
		{5, 255, `{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}`},
		{6, 255, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low"}}`},
		{6, 255, `{"jsonrpc":"2.0","id":1,"result":"` + hash.Hex() + `"}`},
		{7, 255, `{"jsonrpc":"2.0","id":1,"result":{"oldestBlock":"0x1","baseFeePerGas":["0x1","0x2"],"gasUsedRatio":[0.5],"reward":[["0x1"]]}}`},
		{0, 9, `<html>502 Bad Gateway</html>`},
		{1, 2, `{"error":"invalid api key ` + fuzzPathKey + `"}`},
		{2, 255, `{"jsonrpc":"2.0","id":1,"result":"-0x1"}`},
		{1, 255, `[{"jsonrpc":"2.0","id":1,"result":"0x1"}]`},
		{0, 255, `{"jsonrpc":"2.0","id":1,"result":"0x1"}{"jsonrpc":"2.0","id":1,"result":"0x2"}`},
	} {
		f.Add(s.method, s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, method, status uint8, body []byte) {
		code := statusOf(status)
		c := node.serve(t, code, body)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		to := common.HexToAddress("0x1100000000000000000000000000000000000001")
		var (
			got  any    // what the client returned
			want any    // what the answer holds, decoded independently
			err  error  //
			name string //
		)
		switch method % 8 {
		case 0:
			name = "ChainID"
			var id *big.Int
			id, err = c.ChainID(ctx)
			var h hexutil.Big
			if err == nil && (id == nil || id.Sign() < 0) {
				t.Fatalf("ChainID = %v", id)
			}
			got, want = bigString(id), decoded(resultOf(body, &h), func() string { return (*big.Int)(&h).String() })
		case 1:
			name = "BlockNumber"
			var n uint64
			n, err = c.BlockNumber(ctx)
			var h hexutil.Uint64
			got, want = n, decodedU64(resultOf(body, &h), uint64(h))
		case 2:
			name = "BalanceAt"
			var b *big.Int
			b, err = c.BalanceAt(ctx, to, nil)
			var h hexutil.Big
			if err == nil && (b == nil || b.Sign() < 0 || b.BitLen() > 256) {
				t.Fatalf("BalanceAt = %v", b)
			}
			got, want = bigString(b), decoded(resultOf(body, &h), func() string { return (*big.Int)(&h).String() })
		case 3:
			name = "CallContract"
			var out []byte
			out, err = c.CallContract(ctx, ethereum.CallMsg{To: &to, Data: []byte{1, 2, 3, 4}}, nil)
			var h hexutil.Bytes
			got, want = hexutil.Encode(out), decoded(resultOf(body, &h), func() string { return hexutil.Encode(h) })
		case 4:
			name = "TransactionReceipt"
			var r *types.Receipt
			r, err = c.TransactionReceipt(ctx, hash)
			if err == nil && (r == nil || r.TxHash != hash || r.BlockNumber == nil) {
				t.Fatalf("TransactionReceipt(%s) = %+v: not the receipt asked for", hash.Hex(), r)
			}
		case 5:
			name = "EstimateGas"
			var g uint64
			g, err = c.EstimateGas(ctx, ethereum.CallMsg{To: &to})
			var h hexutil.Uint64
			got, want = g, decodedU64(resultOf(body, &h), uint64(h))
		case 6:
			name = "SendTransaction"
			tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Nonce: 1, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21000, To: &to})
			err = c.SendTransaction(ctx, tx)
		case 7:
			name = "FeeHistory"
			var fh *ethereum.FeeHistory
			fh, err = c.FeeHistory(ctx, 1, nil, []float64{50})
			if err == nil && fh == nil {
				t.Fatal("FeeHistory returned neither a history nor an error")
			}
		}
		if err != nil {
			checkFuzzError(t, name, err)
			return
		}
		if code != http.StatusOK {
			t.Fatalf("%s succeeded on an HTTP %d answer", name, code)
		}
		if want != nil && got != want {
			t.Fatalf("%s = %v, but the answer holds %v", name, got, want)
		}
	})
}

func bigString(b *big.Int) any {
	if b == nil {
		return nil
	}
	return b.String()
}

func decoded(ok bool, v func() string) any {
	if !ok {
		return "<no valid result>"
	}
	return v()
}

func decodedU64(ok bool, v uint64) any {
	if !ok {
		return "<no valid result>"
	}
	return v
}

// FuzzBatchResponse answers a batch of three eth_calls with arbitrary bytes
// and HTTP status. Results stay aligned with the calls: each call gets a
// result or an error, never both or neither; a result is the one the
// answer gives for that call's own id (or, when the node does not do
// batches, the answer to that call alone), never another call's; and
// errors never show the URL's credentials.
func FuzzBatchResponse(f *testing.F) {
	node := newFuzzNode(f)
	word := func(b byte) string { return `"0x` + strings.Repeat("00", 31) + hexutil.Encode([]byte{b})[2:] + `"` }
	for _, s := range []struct {
		status uint8
		body   string
	}{
		{255, `[{"jsonrpc":"2.0","id":1,"result":` + word(1) + `},{"jsonrpc":"2.0","id":2,"result":` + word(2) + `},{"jsonrpc":"2.0","id":3,"result":` + word(3) + `}]`},
		{255, `[{"jsonrpc":"2.0","id":3,"result":` + word(3) + `},{"jsonrpc":"2.0","id":1,"result":` + word(1) + `},{"jsonrpc":"2.0","id":2,"result":` + word(2) + `}]`},
		{255, `[{"jsonrpc":"2.0","id":1,"result":` + word(1) + `},{"jsonrpc":"2.0","id":2,"error":{"code":3,"message":"execution reverted","data":"0x"}}]`},
		{255, `[{"jsonrpc":"2.0","id":1,"result":` + word(1) + `},{"jsonrpc":"2.0","id":1,"result":` + word(9) + `},{"jsonrpc":"2.0","id":7,"result":` + word(7) + `}]`},
		{255, `[{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"rate limited"}}]`},
		{255, `{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"batch not supported"}}`},
		{255, `{"jsonrpc":"2.0","id":1,"result":` + word(5) + `}`},
		{255, `[]`}, {255, `null`}, {255, `[null,null,null]`},
		{7, `[{"jsonrpc":"2.0","id":1,"result":"0x01"}]`},
	} {
		f.Add(s.status, []byte(s.body))
	}
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	msgs := []ethereum.CallMsg{{To: &to, Data: []byte{1}}, {To: &to, Data: []byte{2}}, {To: &to, Data: []byte{3}}}
	f.Fuzz(func(t *testing.T, status uint8, body []byte) {
		code := statusOf(status)
		c := node.serve(t, code, body)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		results, errs := c.BatchCallContract(ctx, msgs, nil)
		if len(results) != len(msgs) || len(errs) != len(msgs) {
			t.Fatalf("%d results and %d errors for %d calls", len(results), len(errs), len(msgs))
		}
		// The ids of each call, in every request the node saw: the batch,
		// then the calls one by one if the node answered it with an object.
		ids := make([][]string, len(msgs))
		singles := false
		for _, req := range node.asked() {
			var batch []struct {
				ID json.RawMessage `json:"id"`
			}
			if json.Unmarshal(req, &batch) == nil {
				for i, e := range batch {
					if i < len(ids) {
						ids[i] = append(ids[i], string(e.ID))
					}
				}
			} else {
				singles = true
			}
		}
		var answers []answer
		_ = json.NewDecoder(bytes.NewReader(body)).Decode(&answers)
		for i := range msgs {
			if (results[i] == nil) == (errs[i] == nil) {
				t.Fatalf("call %d: result %x and error %v: want exactly one", i, results[i], errs[i])
			}
			if errs[i] != nil {
				checkFuzzError(t, "BatchCallContract", errs[i])
				continue
			}
			if code != http.StatusOK {
				t.Fatalf("call %d succeeded on an HTTP %d answer", i, code)
			}
			// The result must be the one the answer gives for this call.
			var single hexutil.Bytes
			if singles && resultOf(body, &single) && bytes.Equal(single, results[i]) {
				continue
			}
			found := false
			for _, a := range answers {
				var r hexutil.Bytes
				if len(a.Error) > 0 && string(a.Error) != "null" || json.Unmarshal(a.Result, &r) != nil {
					continue
				}
				for _, id := range ids[i] {
					if jsonEqual(a.ID, id) && bytes.Equal(r, results[i]) {
						found = true
					}
				}
			}
			if !found {
				t.Fatalf("call %d (ids %v) got %x, which no answer gives it\nanswer: %s", i, ids[i], results[i], body)
			}
		}
	})
}

// jsonEqual compares two JSON ids as values (1 and 1.0 differ as text).
func jsonEqual(a json.RawMessage, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return x == y
}
