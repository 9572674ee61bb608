package chain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

var _ protocol.Backend = (*Client)(nil)

// fastOpts keep backoffs short so that retry tests run in milliseconds.
var fastOpts = Options{
	CallTimeout: 2 * time.Second,
	BackoffBase: time.Millisecond,
	MaxBackoff:  5 * time.Millisecond,
}

func dial(t *testing.T, opts Options, urls ...string) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, urls, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFailoverToNextEndpoint(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		first func(t *testing.T) (url string, requests func() int)
	}{
		{"connection refused", fastOpts, func(t *testing.T) (string, func() int) {
			return closedURL(t), nil
		}},
		{"HTTP 500", fastOpts, func(t *testing.T) (string, func() int) {
			f := newFakeNode(t, 1)
			f.fault = func(int) *httpFault { return &httpFault{status: 500, body: "oops"} }
			return f.URL(), func() int { n, _ := f.counts(); return n }
		}},
		{"HTTP 429", fastOpts, func(t *testing.T) (string, func() int) {
			f := newFakeNode(t, 1)
			f.fault = func(int) *httpFault { return &httpFault{status: 429} }
			return f.URL(), func() int { n, _ := f.counts(); return n }
		}},
		{"HTTP 401", fastOpts, func(t *testing.T) (string, func() int) {
			f := newFakeNode(t, 1)
			f.fault = func(int) *httpFault { return &httpFault{status: 401, body: "bad key"} }
			return f.URL(), func() int { n, _ := f.counts(); return n }
		}},
		{"connection dropped", fastOpts, func(t *testing.T) (string, func() int) {
			f := newFakeNode(t, 1)
			f.fault = func(int) *httpFault { return &httpFault{drop: true} }
			return f.URL(), func() int { n, _ := f.counts(); return n }
		}},
		{"timeout", Options{CallTimeout: 200 * time.Millisecond, BackoffBase: time.Millisecond}, func(t *testing.T) (string, func() int) {
			f := newFakeNode(t, 1)
			f.delay = 5 * time.Second
			return f.URL(), func() int { n, _ := f.counts(); return n }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			firstURL, firstRequests := tt.first(t)
			second := newFakeNode(t, 1)
			second.handle = blockNumberHandler(42)
			c := dial(t, tt.opts, firstURL, second.URL())

			for i := range 3 {
				n, err := c.BlockNumber(testCtx(t))
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				if n != 42 {
					t.Fatalf("call %d: block %d, want 42", i, n)
				}
			}
			// The first endpoint was tried once; then the client stuck to the
			// one that works.
			if firstRequests != nil {
				if got := firstRequests(); got != 1 {
					t.Errorf("first endpoint got %d requests, want 1", got)
				}
			}
			if _, calls := second.counts(); calls["eth_blockNumber"] != 3 {
				t.Errorf("second endpoint got %d eth_blockNumber, want 3", calls["eth_blockNumber"])
			}
			if c.Endpoint() != second.URL() {
				t.Errorf("Endpoint() = %s, want %s", c.Endpoint(), second.URL())
			}
		})
	}
}

func TestRetriesTransientHTTPErrors(t *testing.T) {
	tests := []struct {
		name         string
		failures     int
		fault        httpFault
		maxRetries   int
		wantErr      bool
		wantRequests int
	}{
		{"two 500s then success", 2, httpFault{status: 500}, 3, false, 3},
		{"502 then success", 1, httpFault{status: 502}, 3, false, 2},
		{"retries exhausted", 10, httpFault{status: 503}, 2, true, 3},
		{"no retries", 10, httpFault{status: 500}, -1, true, 1},
		{"404 is not retried", 10, httpFault{status: 404}, 3, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNode(t, 1)
			f.handle = blockNumberHandler(7)
			f.fault = func(n int) *httpFault {
				if n <= tt.failures {
					return &tt.fault
				}
				return nil
			}
			opts := fastOpts
			opts.MaxRetries = tt.maxRetries
			c := dial(t, opts, f.URL())
			_, err := c.BlockNumber(testCtx(t))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrUnreachable) {
					t.Errorf("error %v does not wrap ErrUnreachable", err)
				}
				var httpErr rpc.HTTPError
				if !errors.As(err, &httpErr) || httpErr.StatusCode != tt.fault.status {
					t.Errorf("error %v does not carry HTTP status %d", err, tt.fault.status)
				}
			}
			if n, _ := f.counts(); n != tt.wantRequests {
				t.Errorf("%d requests, want %d", n, tt.wantRequests)
			}
		})
	}
}

func TestHonoursRetryAfter(t *testing.T) {
	f := newFakeNode(t, 1)
	f.handle = blockNumberHandler(9)
	f.fault = func(n int) *httpFault {
		if n == 1 {
			return &httpFault{status: 429, retryAfter: "1"}
		}
		return nil
	}
	c := dial(t, fastOpts, f.URL())
	start := time.Now()
	if _, err := c.BlockNumber(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 950*time.Millisecond || el > 5*time.Second {
		t.Errorf("took %v, want about the 1 s of Retry-After", el)
	}
	if n, _ := f.counts(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestRetryAfterBeyondLimitFailsAtOnce(t *testing.T) {
	f := newFakeNode(t, 1)
	f.fault = func(int) *httpFault { return &httpFault{status: 429, retryAfter: "120"} }
	c := dial(t, fastOpts, f.URL())
	start := time.Now()
	_, err := c.BlockNumber(testCtx(t))
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v, want an immediate failure", el)
	}
	if n, _ := f.counts(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"1", time.Second},
		{" 30 ", 30 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestJSONRPCErrorsAreNotRetried(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		call     func(ctx context.Context, c *Client) error
		rpcErr   rpcError
		wantCode int
	}{
		{"revert", "eth_call", func(ctx context.Context, c *Client) error {
			_, err := c.CallContract(ctx, ethereum.CallMsg{To: &common.Address{1}, Data: []byte{1, 2, 3, 4}}, nil)
			return err
		}, rpcError{Code: 3, Message: "execution reverted", Data: "0x08c379a0"}, 3},
		{"nonce too low", "eth_sendRawTransaction", func(ctx context.Context, c *Client) error {
			return c.SendTransaction(ctx, types.NewTx(&types.LegacyTx{Nonce: 1, V: big.NewInt(27), R: big.NewInt(1), S: big.NewInt(1)}))
		}, rpcError{Code: -32000, Message: "nonce too low"}, -32000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := newFakeNode(t, 1)
			first.handle = func(method string, _ []json.RawMessage) (any, *rpcError) {
				if method == tt.method {
					return nil, &tt.rpcErr
				}
				return nil, nil
			}
			second := newFakeNode(t, 1)
			c := dial(t, fastOpts, first.URL(), second.URL())
			err := tt.call(testCtx(t), c)
			var rerr rpc.Error
			if !errors.As(err, &rerr) || rerr.ErrorCode() != tt.wantCode {
				t.Fatalf("err = %v, want JSON-RPC error code %d", err, tt.wantCode)
			}
			if errors.Is(err, ErrUnreachable) {
				t.Errorf("application error %v wraps ErrUnreachable", err)
			}
			if n, _ := first.counts(); n != 1 {
				t.Errorf("first endpoint got %d requests, want 1", n)
			}
			if n, _ := second.counts(); n != 0 {
				t.Errorf("second endpoint got %d requests, want 0", n)
			}
		})
	}
}

func TestSendTransactionRetryThatFindsItKnown(t *testing.T) {
	f := newFakeNode(t, 1)
	f.fault = func(n int) *httpFault {
		if n == 1 {
			return &httpFault{drop: true} // the node may have taken it
		}
		return nil
	}
	f.handle = func(method string, _ []json.RawMessage) (any, *rpcError) {
		if method == "eth_sendRawTransaction" {
			return nil, &rpcError{Code: -32000, Message: "already known"}
		}
		return nil, nil
	}
	c := dial(t, fastOpts, f.URL())
	tx := types.NewTx(&types.LegacyTx{Nonce: 1, V: big.NewInt(27), R: big.NewInt(1), S: big.NewInt(1)})
	if err := c.SendTransaction(testCtx(t), tx); err != nil {
		t.Fatalf("SendTransaction: %v", err)
	}
	if _, calls := f.counts(); calls["eth_sendRawTransaction"] != 1 {
		t.Errorf("eth_sendRawTransaction answered %d times, want 1", calls["eth_sendRawTransaction"])
	}
}

func TestUnreachableError(t *testing.T) {
	a, b := closedURL(t), newFakeNode(t, 1)
	b.fault = func(int) *httpFault { return &httpFault{status: 503, body: "<html>maintenance</html>"} }
	opts := fastOpts
	opts.MaxRetries = 2
	c := dial(t, opts, a, b.URL())
	_, err := c.BlockNumber(testCtx(t))
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("err %T is not *UnreachableError", err)
	}
	if len(ue.Endpoints) != 2 || ue.Endpoints[0] != a || ue.Endpoints[1] != b.URL() {
		t.Errorf("Endpoints = %v, want [%s %s]", ue.Endpoints, a, b.URL())
	}
	msg := err.Error()
	for _, want := range []string{"eth_blockNumber", a, b.URL(), "connection refused", "503 Service Unavailable",
		"check --rpc-url / ETH_RPC_URL or that the node is running"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "<html>") {
		t.Errorf("message %q contains the HTML body", msg)
	}
	if n, _ := b.counts(); n != 3 {
		t.Errorf("503 endpoint got %d requests, want 3 (1 + 2 retries)", n)
	}
}

func TestCallerDeadlineWins(t *testing.T) {
	f := newFakeNode(t, 1)
	f.delay = 3 * time.Second
	c := dial(t, Options{}, f.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.BlockNumber(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v, want the caller's 150ms", el)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8545", "http://127.0.0.1:8545"},
		{"https://eth.llamarpc.com/", "https://eth.llamarpc.com/"},
		{"https://user:pass@node.example/rpc", "https://***@node.example/rpc"},
		{"https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef", "https://mainnet.infura.io/v3/***"},
		{"wss://eth-mainnet.g.alchemy.com/v2/AbCdEf_12-3", "wss://eth-mainnet.g.alchemy.com/v2/***"},
		{"https://x.quiknode.pro/deadbeefcafe/", "https://x.quiknode.pro/***/"},
		{"https://rpc.example/eth-sepolia?apikey=s3cret&x=1", "https://rpc.example/eth-sepolia?apikey=***&x=***"},
		{"http://[::1]:8545/ext/bc/C/rpc#frag", "http://[::1]:8545/ext/bc/C/rpc"},
		{"not a url", "<unparseable URL>"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorsNeverShowCredentials(t *testing.T) {
	closed := strings.TrimPrefix(closedURL(t), "http://")
	secrets := []string{"alice", "hunter22", "0123456789abcdef0123456789abcdef", "t0psecret"}
	tests := []struct{ name, url string }{
		{"http", "http://alice:hunter22@" + closed + "/v3/0123456789abcdef0123456789abcdef?key=t0psecret"},
		{"ws", "ws://alice:hunter22@" + closed + "/v3/0123456789abcdef0123456789abcdef?key=t0psecret"},
		{"bad scheme", "ftp://alice:hunter22@" + closed + "/0123456789abcdef0123456789abcdef"},
		{"unparseable", "http://alice:hunter22@[bad/0123456789abcdef0123456789abcdef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fastOpts
			opts.MaxRetries = -1
			c, err := Dial(testCtx(t), []string{tt.url}, opts)
			if err == nil {
				defer c.Close()
				if ep := c.Endpoint(); strings.Contains(ep, "hunter22") {
					t.Errorf("Endpoint() = %q shows the password", ep)
				}
				_, err = c.BlockNumber(testCtx(t))
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q shows %q", err, s)
				}
			}
		})
	}
}

func TestDialRejectsBadURLs(t *testing.T) {
	tests := []struct {
		name string
		urls []string
	}{
		{"none", nil},
		{"scheme", []string{"http://127.0.0.1:1", "ipc:///tmp/geth.ipc"}},
		{"no host", []string{"http://"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Dial(testCtx(t), tt.urls, Options{})
			if !errors.Is(err, ErrInvalidURL) {
				t.Errorf("err = %v, want ErrInvalidURL", err)
			}
		})
	}
}

func TestChainIDMismatch(t *testing.T) {
	anvilLike := newFakeNode(t, 31337)

	t.Run("VerifyChainID", func(t *testing.T) {
		c := dial(t, fastOpts, anvilLike.URL())
		err := c.VerifyChainID(testCtx(t), 1337)
		var wc *WrongChainError
		if !errors.As(err, &wc) {
			t.Fatalf("err = %v, want *WrongChainError", err)
		}
		if wc.Want != 1337 || wc.Got != 31337 || wc.URL != anvilLike.URL() {
			t.Errorf("got %+v", wc)
		}
		want := "RPC " + anvilLike.URL() + " is on chain 31337, but chain 1337 is expected: use --network or --rpc-url that match"
		if err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		if err := c.VerifyChainID(testCtx(t), 31337); err != nil {
			t.Errorf("VerifyChainID(31337) = %v", err)
		}
	})

	t.Run("Dial with network", func(t *testing.T) {
		_, err := Dial(testCtx(t), []string{anvilLike.URL()}, Options{ChainID: 1337, Network: "devnet"})
		want := "RPC " + anvilLike.URL() + " is on chain 31337, but network devnet is chain 1337: use --network or --rpc-url that match"
		if err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	})

	t.Run("failover checks the next endpoint", func(t *testing.T) {
		good := newFakeNode(t, 1337)
		good.handle = blockNumberHandler(5)
		c := dial(t, Options{ChainID: 1337, Network: "devnet", BackoffBase: time.Millisecond}, good.URL(), anvilLike.URL())
		good.set(func(f *fakeNode) {
			f.fault = func(int) *httpFault { return &httpFault{status: 502} }
		})
		_, err := c.BlockNumber(testCtx(t))
		var wc *WrongChainError
		if !errors.As(err, &wc) {
			t.Fatalf("err = %v, want *WrongChainError rather than an answer from chain 31337", err)
		}
		if _, calls := anvilLike.counts(); calls["eth_blockNumber"] != 0 {
			t.Errorf("the wrong chain answered eth_blockNumber %d times", calls["eth_blockNumber"])
		}
	})
}

// TestChainIDIsCheckedOnceAndAskedAgain: calls through an endpoint are
// checked against its first chain ID without asking again, while ChainID
// itself asks every time (it is the check right before signing).
func TestChainIDIsCheckedOnceAndAskedAgain(t *testing.T) {
	f := newFakeNode(t, 560048)
	f.handle = blockNumberHandler(5)
	c := dial(t, Options{ChainID: 560048}, f.URL())
	if _, calls := f.counts(); calls["eth_chainId"] != 1 {
		t.Errorf("Dial asked eth_chainId %d times, want 1", calls["eth_chainId"])
	}
	for range 3 {
		if _, err := c.BlockNumber(testCtx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if _, calls := f.counts(); calls["eth_chainId"] != 1 {
		t.Errorf("eth_chainId called %d times for 3 calls, want 1 (the first answer is kept)", calls["eth_chainId"])
	}
	for range 2 {
		id, err := c.ChainID(testCtx(t))
		if err != nil || id.Uint64() != 560048 {
			t.Fatalf("ChainID = %v, %v", id, err)
		}
	}
	if _, calls := f.counts(); calls["eth_chainId"] != 3 {
		t.Errorf("eth_chainId called %d times, want 3: ChainID must ask again", calls["eth_chainId"])
	}
}

// TestChainIDThatChanges: an endpoint that answers another chain ID later
// is refused at once, by ChainID and by every call after it, with or
// without a network to check against.
func TestChainIDThatChanges(t *testing.T) {
	for _, want := range []uint64{1337, 0} {
		t.Run(fmt.Sprintf("checked against %d", want), func(t *testing.T) {
			f := newFakeNode(t, 1337)
			f.handle = blockNumberHandler(5)
			c := dial(t, Options{ChainID: want, Network: "devnet"}, f.URL())
			if _, err := c.ChainID(testCtx(t)); err != nil {
				t.Fatal(err)
			}
			f.set(func(f *fakeNode) { f.chainID = 1 })
			_, err := c.ChainID(testCtx(t))
			var wc *WrongChainError
			if !errors.As(err, &wc) || wc.Before != 1337 || wc.Got != 1 {
				t.Fatalf("err = %v, want a WrongChainError from 1337 to 1", err)
			}
			if !strings.Contains(err.Error(), "said it is on chain 1337, and now says chain 1") {
				t.Errorf("message %q does not say what changed", err)
			}
			if classify(err) != classApp {
				t.Errorf("a changed chain must not fail over silently")
			}
			_, err = c.BlockNumber(testCtx(t))
			if want != 0 && !errors.As(err, &wc) {
				t.Errorf("BlockNumber after the change: %v, want *WrongChainError", err)
			}
			if want == 0 && err != nil {
				t.Errorf("BlockNumber without a chain to check: %v", err)
			}
		})
	}
}

func TestBatchCallContract(t *testing.T) {
	echo := func(method string, params []json.RawMessage) (any, *rpcError) {
		if method != "eth_call" {
			return nil, &rpcError{Code: -32601, Message: "method not found"}
		}
		var arg struct {
			Input string `json:"input"`
		}
		if err := json.Unmarshal(params[0], &arg); err != nil {
			return nil, &rpcError{Code: -32602, Message: err.Error()}
		}
		if arg.Input == "0xdead" {
			return nil, &rpcError{Code: 3, Message: "execution reverted"}
		}
		return arg.Input, nil // echo the calldata back
	}
	msgs := make([]ethereum.CallMsg, 5)
	for i := range msgs {
		msgs[i] = ethereum.CallMsg{To: &common.Address{byte(i)}, Data: []byte{byte(i), 0xaa}}
	}
	msgs[3].Data = []byte{0xde, 0xad}

	tests := []struct {
		name         string
		batchSize    int
		noBatch      bool
		wantRequests int
	}{
		{"one request", 0, false, 1},
		{"chunks of two", 2, false, 3},
		{"endpoint without batches", 0, true, 1 + 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNode(t, 1)
			f.handle, f.noBatch = echo, tt.noBatch
			opts := fastOpts
			opts.BatchSize = tt.batchSize
			c := dial(t, opts, f.URL())
			res, errs := c.BatchCallContract(testCtx(t), msgs, nil)
			for i := range msgs {
				if i == 3 {
					var rerr rpc.Error
					if !errors.As(errs[i], &rerr) || rerr.ErrorCode() != 3 {
						t.Errorf("call %d: err = %v, want the revert", i, errs[i])
					}
					continue
				}
				if errs[i] != nil || string(res[i]) != string(msgs[i].Data) {
					t.Errorf("call %d: %x, %v; want %x", i, res[i], errs[i], msgs[i].Data)
				}
			}
			n, calls := f.counts()
			if n != tt.wantRequests {
				t.Errorf("%d HTTP requests, want %d", n, tt.wantRequests)
			}
			if calls["eth_call"] != len(msgs) {
				t.Errorf("%d eth_calls answered, want %d", calls["eth_call"], len(msgs))
			}
		})
	}
}

func TestBatchCallContractUnreachable(t *testing.T) {
	opts := fastOpts
	opts.MaxRetries, opts.BatchSize = -1, 2
	c := dial(t, opts, closedURL(t))
	msgs := make([]ethereum.CallMsg, 5)
	_, errs := c.BatchCallContract(testCtx(t), msgs, big.NewInt(3))
	for i, err := range errs {
		if !errors.Is(err, ErrUnreachable) {
			t.Errorf("call %d: err = %v, want ErrUnreachable", i, err)
		}
	}
}

func TestSubscribeNeedsWebsocket(t *testing.T) {
	c := dial(t, fastOpts, newFakeNode(t, 1).URL())
	_, err := c.SubscribeNewHead(testCtx(t), make(chan *types.Header))
	if !errors.Is(err, ErrNeedWebsocket) {
		t.Fatalf("err = %v, want ErrNeedWebsocket", err)
	}
	if !strings.Contains(err.Error(), "ws://") {
		t.Errorf("message %q does not say what to use", err)
	}
}

func TestSendTransactionThatMayHaveBeenSent(t *testing.T) {
	tx := types.NewTx(&types.LegacyTx{Nonce: 1, V: big.NewInt(27), R: big.NewInt(1), S: big.NewInt(1)})
	tests := []struct {
		name          string
		url           func(t *testing.T) string
		timeout       time.Duration
		wantMaybeSent bool
	}{
		{"connection refused: not sent", closedURL, 0, false},
		{"429: not sent", func(t *testing.T) string {
			f := newFakeNode(t, 1)
			f.fault = func(int) *httpFault { return &httpFault{status: 429} }
			return f.URL()
		}, 0, false},
		{"dropped after the request went out", func(t *testing.T) string {
			f := newFakeNode(t, 1)
			f.fault = func(int) *httpFault { return &httpFault{drop: true} }
			return f.URL()
		}, 0, true},
		{"502 from a proxy", func(t *testing.T) string {
			f := newFakeNode(t, 1)
			f.fault = func(int) *httpFault { return &httpFault{status: 502} }
			return f.URL()
		}, 0, true},
		{"caller's deadline while the node works", func(t *testing.T) string {
			f := newFakeNode(t, 1)
			f.delay = 2 * time.Second
			return f.URL()
		}, 100 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fastOpts
			opts.MaxRetries = 1
			c := dial(t, opts, tt.url(t))
			ctx := testCtx(t)
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			err := c.SendTransaction(ctx, tx)
			if err == nil {
				t.Fatal("want an error")
			}
			if got := errors.Is(err, ErrMaybeSent); got != tt.wantMaybeSent {
				t.Fatalf("errors.Is(%v, ErrMaybeSent) = %v, want %v", err, got, tt.wantMaybeSent)
			}
			// "Safe to retry" (ErrUnreachable) and "maybe sent" exclude each other.
			if errors.Is(err, ErrUnreachable) == tt.wantMaybeSent {
				t.Errorf("errors.Is(%v, ErrUnreachable) = %v", err, !tt.wantMaybeSent)
			}
			if tt.wantMaybeSent && !strings.Contains(err.Error(), "tx status "+tx.Hash().Hex()) {
				t.Errorf("message %q does not say how to check the transaction", err)
			}
		})
	}
}
