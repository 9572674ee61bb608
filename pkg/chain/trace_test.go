package chain

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// syncBuffer is a strings.Builder safe for the tracer's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// traceLine is the format of one round trip's line.
var traceLine = regexp.MustCompile(`^rpc #(\d+)  (.+?)  sent (\d+(?:\.\d)? [kM]?B)  received (\d+(?:\.\d)? [kM]?B)  (\d+(?:\.\d+)? (?:µs|ms|s))  (\S+)$`)

func TestTraceRoundTrips(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	callHandler := func(method string, _ []json.RawMessage) (any, *rpcError) {
		switch method {
		case "eth_call":
			return "0x" + strings.Repeat("00", 32), nil
		case "eth_getBalance", "eth_blockNumber":
			return "0x10", nil
		}
		return nil, nil
	}
	tests := []struct {
		name string
		// path is appended to the node's URL: a credential to redact.
		path string
		run  func(t *testing.T, c *Client)
		// lines are the wanted method lists, one per round trip.
		lines []string
		calls int
	}{
		{
			name: "single calls",
			run: func(t *testing.T, c *Client) {
				if _, err := c.BlockNumber(testCtx(t)); err != nil {
					t.Fatal(err)
				}
				if _, err := c.BalanceAt(testCtx(t), common.Address{1}, nil); err != nil {
					t.Fatal(err)
				}
			},
			lines: []string{"eth_chainId", "eth_blockNumber", "eth_getBalance"},
			calls: 3,
		},
		{
			name: "a batch is one round trip",
			path: "/v3/" + key,
			run: func(t *testing.T, c *Client) {
				msgs := make([]ethereum.CallMsg, 3)
				for i := range msgs {
					msgs[i] = ethereum.CallMsg{To: &common.Address{byte(i + 1)}, Data: []byte{1, 2, 3, 4}}
				}
				if _, errs := c.BatchCallContract(testCtx(t), msgs, nil); errs[0] != nil {
					t.Fatal(errs[0])
				}
			},
			lines: []string{"eth_chainId", "eth_call×3"},
			calls: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, 7)
			node.set(func(f *fakeNode) { f.handle = callHandler })
			var out syncBuffer
			tr := NewTracer(&out)
			opts := fastOpts
			opts.ChainID, opts.Trace = 7, tr
			c := dial(t, opts, node.URL()+tt.path)
			tt.run(t, c)

			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != len(tt.lines) {
				t.Fatalf("trace has %d lines, want %d:\n%s", len(lines), len(tt.lines), out.String())
			}
			requests, _ := node.counts()
			if requests != len(tt.lines) {
				t.Errorf("the node got %d HTTP requests, the trace shows %d", requests, len(tt.lines))
			}
			for i, l := range lines {
				m := traceLine.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("line %q does not match %s", l, traceLine)
				}
				if m[1] != fmt.Sprint(i+1) || m[2] != tt.lines[i] {
					t.Errorf("line %d = #%s %q, want #%d %q", i+1, m[1], m[2], i+1, tt.lines[i])
				}
				if want := Redact(node.URL() + tt.path); m[6] != want {
					t.Errorf("line %d endpoint %q, want %q", i+1, m[6], want)
				}
			}
			if tt.path != "" && strings.Contains(out.String(), key) {
				t.Errorf("the trace shows the key:\n%s", out.String())
			}
			st := tr.Stats()
			if st.RoundTrips != len(tt.lines) || st.Calls != tt.calls || st.Sent <= 0 || st.Received <= 0 || st.Time <= 0 {
				t.Errorf("stats %+v, want %d round trips and %d calls", st, len(tt.lines), tt.calls)
			}
			wantSummary := fmt.Sprintf("rpc: %d round trips, %d calls, %s sent, %s received, ", st.RoundTrips, st.Calls, byteSize(st.Sent), byteSize(st.Received))
			if s := tr.Summary(); !strings.HasPrefix(s, wantSummary) || !strings.HasSuffix(s, " in RPC") {
				t.Errorf("summary %q, want %q… in RPC", s, wantSummary)
			}
		})
	}
}

func TestTraceFailedRoundTrip(t *testing.T) {
	const secret = "t0psecret"
	node := newFakeNode(t, 7)
	node.set(func(f *fakeNode) {
		f.fault = func(n int) *httpFault { return &httpFault{status: 500, body: "boom"} }
	})
	var out syncBuffer
	opts := fastOpts
	opts.MaxRetries, opts.Trace = -1, NewTracer(&out)
	c := dial(t, opts, node.URL()+"/rpc?key="+secret)
	if _, err := c.BlockNumber(testCtx(t)); err == nil {
		t.Fatal("want an error")
	}
	got := out.String()
	if !strings.Contains(got, "rpc #1  eth_blockNumber  sent ") || !strings.Contains(got, "failed: 500 Internal Server Error") {
		t.Errorf("trace of a failed round trip:\n%s", got)
	}
	if strings.Contains(got, secret) || !strings.Contains(got, "/rpc?key=***") {
		t.Errorf("the trace shows the key or not the endpoint:\n%s", got)
	}
}

func TestMethodList(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, "(no JSON-RPC call)"},
		{[]string{"eth_chainId"}, "eth_chainId"},
		{[]string{"eth_chainId", "eth_getTransactionCount", "eth_call", "eth_call", "eth_call"}, "eth_chainId, eth_getTransactionCount, eth_call×3"},
		{[]string{"eth_call", "eth_getBalance", "eth_call"}, "eth_call×2, eth_getBalance"},
	}
	for _, tt := range tests {
		if got := methodList(tt.in); got != tt.want {
			t.Errorf("methodList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTraceSizesAndDurations(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {1450, "1.4 kB"}, {2_500_000, "2.5 MB"}}
	for _, tt := range tests {
		if got := byteSize(tt.n); got != tt.want {
			t.Errorf("byteSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	durs := []struct {
		d    time.Duration
		want string
	}{{850 * time.Microsecond, "850 µs"}, {3100 * time.Microsecond, "3.1 ms"}, {1250 * time.Millisecond, "1.25 s"}}
	for _, tt := range durs {
		if got := shortDuration(tt.d); got != tt.want {
			t.Errorf("shortDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// wsService answers eth_chainId and eth_blockNumber over websocket.
type wsService struct{}

func (wsService) ChainId() hexutil.Uint64     { return 7 }
func (wsService) BlockNumber() hexutil.Uint64 { return 5 }

// TestTraceWebsocket: a websocket endpoint has no HTTP round trip to hook;
// each attempt is a line with the operation and its time, no sizes, and
// the key in the URL masked.
func TestTraceWebsocket(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", wsService{}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.WebsocketHandler([]string{"*"}))
	t.Cleanup(hs.Close)
	t.Cleanup(srv.Stop)
	var out syncBuffer
	tr := NewTracer(&out)
	opts := fastOpts
	opts.Trace = tr
	c := dial(t, opts, "ws"+strings.TrimPrefix(hs.URL, "http")+"/v3/"+key)
	if n, err := c.BlockNumber(testCtx(t)); err != nil || n != 5 {
		t.Fatalf("BlockNumber = %d, %v", n, err)
	}
	line := regexp.MustCompile(`^rpc #1  eth_blockNumber  \S+ (µs|ms|s)  ws://127\.0\.0\.1:\d+/v3/\*\*\*\n$`)
	if !line.MatchString(out.String()) {
		t.Errorf("trace %q does not match %s", out.String(), line)
	}
	if st := tr.Stats(); st.RoundTrips != 1 || st.Calls != 1 || st.Sent != 0 {
		t.Errorf("stats %+v", st)
	}
}
