// Package rpcproxy is a counting, fault-injecting HTTP JSON-RPC proxy for
// tests: put it between a client and a node (anvil, the devnet, a fake) to
// assert how many calls a command makes — polling budgets, "one batch, not N
// calls" — and to see how the client copes with dropped connections, 5xx
// and 429, and with answers that lie (SetLieHook): a result rewritten, a
// whole answer made up, a batch with the wrong ids, a huge body.
package rpcproxy

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mode is what the proxy does with one HTTP request.
type Mode int

const (
	// Pass forwards the request upstream and relays the answer.
	Pass Mode = iota
	// Drop closes the connection without answering.
	Drop
	// HTTP500 answers 500 Internal Server Error without forwarding.
	HTTP500
	// HTTP429 answers 429 Too Many Requests with "Retry-After: 1" without
	// forwarding.
	HTTP429
)

func (m Mode) String() string {
	switch m {
	case Pass:
		return "pass"
	case Drop:
		return "drop"
	case HTTP500:
		return "http500"
	case HTTP429:
		return "http429"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Call is one JSON-RPC call of a request.
type Call struct {
	Method string
	// Selector is "0x" and the first 4 bytes of an eth_call's data/input,
	// lower-case; empty for other methods or shorter data.
	Selector string
	// ID and Params are the call's, as sent (compact JSON).
	ID     json.RawMessage
	Params []json.RawMessage
}

// Request is one HTTP request as the hook sees it.
type Request struct {
	// N numbers the HTTP requests received since Start, from 1 (Reset does
	// not restart it, so hooks can be written against absolute positions).
	N     int
	Batch bool
	Calls []Call
}

// Hook decides the fate of each request that no FailNext applies to.
type Hook func(Request) Mode

// Lie is what a LieHook makes of one request: a Mode, as a Hook returns,
// and for Pass the ways to answer falsely. The zero Lie forwards the
// request and relays the answer unchanged.
type Lie struct {
	Mode Mode
	// Body, when not nil, is the answer (HTTP 200, JSON) and the request
	// is not forwarded: a made-up answer.
	Body []byte
	// Result rewrites upstream's answer to each call, matched by id: it
	// gets the call and the result upstream sent and returns the result
	// to relay (return it unchanged to keep it). Answers that carry an
	// error instead of a result are relayed as they are.
	Result func(c Call, result json.RawMessage) json.RawMessage
	// Reply rewrites the whole answer, after Result: batches with
	// missing, duplicated or foreign ids, a truncated body, …
	Reply func(body []byte) []byte
	// Pad sends this many bytes of JSON whitespace before the answer: an
	// answer that stays valid JSON but is as large as the test wants,
	// streamed rather than held in memory.
	Pad int64
}

// LieHook decides the fate of each request that no FailNext applies to,
// like Hook, and may rewrite its answer.
type LieHook func(Request) Lie

// Proxy is a running proxy, closed when the test that started it ends.
type Proxy struct {
	srv      *httptest.Server
	upstream string
	client   *http.Client

	mu       sync.Mutex
	n        int            // HTTP requests since Start
	requests int            // HTTP requests since Reset
	counts   map[string]int // calls since Reset, by method and eth_call selector
	pending  []Mode         // queued by FailNext, consumed first
	hook     LieHook
}

// Start runs a proxy on 127.0.0.1 (free port) in front of the HTTP JSON-RPC
// endpoint upstreamURL.
func Start(tb testing.TB, upstreamURL string) *Proxy {
	tb.Helper()
	p := &Proxy{
		upstream: upstreamURL,
		// The client's own context bounds each forward; this is a backstop
		// so a wedged upstream cannot hang the test binary.
		client: &http.Client{Timeout: 30 * time.Second},
		counts: map[string]int{},
	}
	p.srv = httptest.NewServer(p) // listens on 127.0.0.1, free port
	tb.Cleanup(p.srv.Close)
	return p
}

// URL is the proxy's endpoint, to give the client instead of upstream's.
func (p *Proxy) URL() string { return p.srv.URL }

// Counts returns the calls received since the last Reset, faulted ones
// included: by method ("eth_call": 3) and, for eth_call, also by selector
// ("eth_call:0x70a08231": 2). A batch of N calls adds N.
func (p *Proxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}

// Count returns one entry of Counts.
func (p *Proxy) Count(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[key]
}

// Requests returns the HTTP requests received since the last Reset (a batch
// is one).
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

// Reset zeroes the counters and cancels pending FailNext faults; the hook
// stays.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = 0
	p.counts = map[string]int{}
	p.pending = nil
}

// FailNext makes the next n HTTP requests fail with mode (queued after any
// earlier FailNext).
func (p *Proxy) FailNext(n int, mode Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range n {
		p.pending = append(p.pending, mode)
	}
}

// SetHook installs h to decide requests not taken by FailNext; nil removes
// it. It replaces any LieHook.
func (p *Proxy) SetHook(h Hook) {
	if h == nil {
		p.SetLieHook(nil)
		return
	}
	p.SetLieHook(func(r Request) Lie { return Lie{Mode: h(r)} })
}

// SetLieHook installs h to decide, and perhaps falsify, the answers to
// requests not taken by FailNext; nil removes it. It replaces any Hook.
func (p *Proxy) SetLieHook(h LieHook) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hook = h
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "rpcproxy: reading request: "+err.Error(), http.StatusBadRequest)
		return
	}
	req := parse(body)

	p.mu.Lock()
	p.n++
	p.requests++
	req.N = p.n
	for _, c := range req.Calls {
		p.counts[c.Method]++
		if c.Selector != "" {
			p.counts[c.Method+":"+c.Selector]++
		}
	}
	var lie Lie
	switch {
	case len(p.pending) > 0:
		lie.Mode, p.pending = p.pending[0], p.pending[1:]
	case p.hook != nil:
		hook := p.hook
		p.mu.Unlock() // the hook may call Counts, FailNext, …
		lie = hook(req)
		p.mu.Lock()
	}
	p.mu.Unlock()

	switch lie.Mode {
	case Drop:
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	case HTTP500:
		http.Error(w, "rpcproxy: injected failure", http.StatusInternalServerError)
	case HTTP429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "rpcproxy: injected rate limit", http.StatusTooManyRequests)
	default:
		if lie.Body != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			if pad(w, lie.Pad) == nil {
				w.Write(lie.Body)
			}
			return
		}
		p.forward(w, r, body, req, lie)
	}
}

// pad writes n bytes of JSON whitespace, in chunks, and stops when the
// client hangs up (as a client with a size limit does).
func pad(w io.Writer, n int64) error {
	chunk := bytes.Repeat([]byte{' '}, 64<<10)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, body []byte, req Request, lie Lie) {
	up, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream, bytes.NewReader(body))
	if err != nil {
		http.Error(w, "rpcproxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	for _, h := range []string{"Content-Type", "Accept", "Authorization"} {
		if v := r.Header.Get(h); v != "" {
			up.Header.Set(h, v)
		}
	}
	resp, err := p.client.Do(up)
	if err != nil {
		http.Error(w, "rpcproxy: upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	lies := lie.Result != nil || lie.Reply != nil || lie.Pad > 0
	for k, vs := range resp.Header {
		if lies && k == "Content-Length" {
			continue // the answer changes length
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if !lies {
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		return
	}
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return // upstream broke off: so does the answer
	}
	if lie.Result != nil && resp.StatusCode == http.StatusOK {
		answer = rewriteResults(answer, req.Calls, lie.Result)
	}
	if lie.Reply != nil {
		answer = lie.Reply(answer)
	}
	w.WriteHeader(resp.StatusCode)
	if pad(w, lie.Pad) == nil {
		w.Write(answer)
	}
}

// rewriteResults applies rewrite to the result of each answer of body (a
// single answer or a batch) whose id is one of calls'. A body that is not
// JSON-RPC is returned as it is.
func rewriteResults(body []byte, calls []Call, rewrite func(Call, json.RawMessage) json.RawMessage) []byte {
	trimmed := bytes.TrimSpace(body)
	batch := len(trimmed) > 0 && trimmed[0] == '['
	var msgs []map[string]json.RawMessage
	if batch {
		if json.Unmarshal(trimmed, &msgs) != nil {
			return body
		}
	} else {
		var m map[string]json.RawMessage
		if json.Unmarshal(trimmed, &m) != nil {
			return body
		}
		msgs = []map[string]json.RawMessage{m}
	}
	for _, m := range msgs {
		result, ok := m["result"]
		if !ok {
			continue
		}
		for _, c := range calls {
			if bytes.Equal(compact(m["id"]), c.ID) {
				m["result"] = rewrite(c, result)
				break
			}
		}
	}
	var out []byte
	var err error
	if batch {
		out, err = json.Marshal(msgs)
	} else {
		out, err = json.Marshal(msgs[0])
	}
	if err != nil {
		return body
	}
	return out
}

func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// Quantity is n as a JSON-RPC quantity ("0x1a"), for Result rewrites.
func Quantity(n *big.Int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`"0x%x"`, n))
}

// ParseQuantity reads a JSON-RPC quantity result ("0x1a"); ok is false
// for anything else.
func ParseQuantity(result json.RawMessage) (n *big.Int, ok bool) {
	var s string
	if json.Unmarshal(result, &s) != nil || !strings.HasPrefix(s, "0x") {
		return nil, false
	}
	return new(big.Int).SetString(s[2:], 16)
}

type message struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

// parse reads the calls of a single or batch request; bodies that are not
// JSON-RPC yield no calls (and are forwarded as they are).
func parse(body []byte) Request {
	body = bytes.TrimSpace(body)
	var msgs []message
	var req Request
	if len(body) > 0 && body[0] == '[' {
		req.Batch = true
		if json.Unmarshal(body, &msgs) != nil {
			return req
		}
	} else {
		var m message
		if json.Unmarshal(body, &m) != nil {
			return req
		}
		msgs = []message{m}
	}
	for _, m := range msgs {
		c := Call{Method: m.Method, ID: compact(m.ID)}
		for _, p := range m.Params {
			c.Params = append(c.Params, compact(p))
		}
		if m.Method == "eth_call" && len(m.Params) > 0 {
			c.Selector = selector(m.Params[0])
		}
		req.Calls = append(req.Calls, c)
	}
	return req
}

func selector(callArg json.RawMessage) string {
	var arg struct {
		Data  string `json:"data"`
		Input string `json:"input"`
	}
	if json.Unmarshal(callArg, &arg) != nil {
		return ""
	}
	data := arg.Input // what geth prefers when both are set
	if data == "" {
		data = arg.Data
	}
	raw, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(data, "0x"), "0X"))
	if err != nil || len(raw) < 4 {
		return ""
	}
	return "0x" + hex.EncodeToString(raw[:4])
}
