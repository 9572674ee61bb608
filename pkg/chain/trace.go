package chain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Tracer reports every JSON-RPC round trip of a Client (Options.Trace):
// one line per HTTP request as it completes, with its methods, the bytes
// sent and received, its duration and the endpoint (credentials
// redacted), and a summary at the end (Summary). A batch is one round trip
// however many calls it carries. It is what `--trace-rpc` prints on stderr.
//
// A line looks like
//
//	rpc #2  eth_chainId, eth_getBalance, eth_call×3  sent 812 B  received 1.4 kB  3.1 ms  https://eth.example/v2/***
//
// and the summary like
//
//	rpc: 2 round trips, 6 calls, 1.1 kB sent, 1.9 kB received, 5.2 ms in RPC
//
// Websocket endpoints are traced per attempt (go-ethereum multiplexes the
// connection), with the operation's name and no sizes.
type Tracer struct {
	w io.Writer

	mu    sync.Mutex
	stats TraceStats
}

// TraceStats are a Tracer's totals.
type TraceStats struct {
	RoundTrips int
	Calls      int
	Sent       int64
	Received   int64
	// Time is the sum of the round trips' durations (concurrent round trips
	// count each).
	Time time.Duration
}

// NewTracer returns a tracer writing to w (stderr for --trace-rpc).
func NewTracer(w io.Writer) *Tracer { return &Tracer{w: w} }

// Stats returns the totals so far.
func (t *Tracer) Stats() TraceStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// Summary is the closing line: round trips, calls, bytes and time in RPC.
func (t *Tracer) Summary() string {
	s := t.Stats()
	return fmt.Sprintf("rpc: %d round %s, %d %s, %s sent, %s received, %s in RPC",
		s.RoundTrips, plural(s.RoundTrips, "trip", "trips"), s.Calls, plural(s.Calls, "call", "calls"),
		byteSize(s.Sent), byteSize(s.Received), shortDuration(s.Time))
}

// trip is one round trip to report.
type trip struct {
	endpoint       string // redacted
	methods        []string
	sent, received int64
	sizes          bool // sent and received are known
	took           time.Duration
	err            string // scrubbed; "" on success
}

func (t *Tracer) record(r trip) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.RoundTrips++
	t.stats.Calls += len(r.methods)
	t.stats.Sent += r.sent
	t.stats.Received += r.received
	t.stats.Time += r.took
	var b strings.Builder
	fmt.Fprintf(&b, "rpc #%d  %s", t.stats.RoundTrips, methodList(r.methods))
	if r.sizes {
		fmt.Fprintf(&b, "  sent %s", byteSize(r.sent))
		if r.err == "" {
			fmt.Fprintf(&b, "  received %s", byteSize(r.received))
		}
	}
	fmt.Fprintf(&b, "  %s  %s", shortDuration(r.took), r.endpoint)
	if r.err != "" {
		fmt.Fprintf(&b, "  failed: %s", r.err)
	}
	b.WriteByte('\n')
	// A trace line that cannot be written is not worth failing the command.
	_, _ = io.WriteString(t.w, b.String())
}

// methodList groups methods in first-seen order: "eth_chainId, eth_call×3".
func methodList(methods []string) string {
	if len(methods) == 0 {
		return "(no JSON-RPC call)"
	}
	var order []string
	n := map[string]int{}
	for _, m := range methods {
		if n[m] == 0 {
			order = append(order, m)
		}
		n[m]++
	}
	parts := make([]string, len(order))
	for i, m := range order {
		parts[i] = m
		if n[m] > 1 {
			parts[i] = fmt.Sprintf("%s×%d", m, n[m])
		}
	}
	return strings.Join(parts, ", ")
}

// methodsOf reads the method names of a JSON-RPC request body: one for a
// single call, one per element for a batch.
func methodsOf(body []byte) []string {
	type msg struct {
		Method string `json:"method"`
	}
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var msgs []msg
		if json.Unmarshal(body, &msgs) != nil {
			return []string{"(unreadable batch)"}
		}
		out := make([]string, len(msgs))
		for i, m := range msgs {
			out[i] = m.Method
		}
		return out
	}
	var m msg
	if json.Unmarshal(body, &m) != nil {
		return []string{"(unreadable request)"}
	}
	return []string{m.Method}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// byteSize is "812 B", "1.4 kB", "3.2 MB" (powers of 1000).
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

// shortDuration is "850 µs", "3.1 ms", "1.25 s".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// tracingTransport reports each HTTP round trip to a Tracer. It sits
// outside checkingTransport, so a round trip's time includes reading the
// whole answer, and an answer refused by the checks is reported as failed.
type tracingTransport struct {
	base  http.RoundTripper
	trace *Tracer
}

func (t tracingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var request []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			request, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	raw := req.URL.String()
	shown := Redact(raw)
	r := trip{endpoint: shown, methods: methodsOf(request), sent: int64(len(request)), sizes: true}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		r.took = time.Since(start)
		r.err = scrubString(err.Error(), raw, shown, secretsOf(raw))
		t.trace.record(r)
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.took = time.Since(start)
	r.received = int64(len(body))
	switch {
	case rerr != nil:
		r.err = scrubString(rerr.Error(), raw, shown, secretsOf(raw))
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		r.err = resp.Status
	}
	t.trace.record(r)
	if rerr != nil {
		return nil, rerr
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// traceAttempt reports one attempt on a websocket endpoint, which has no
// HTTP round trip to hook: the operation's name and its duration.
func (c *Client) traceAttempt(ep *endpoint, method string, took time.Duration, err error) {
	if c.opts.Trace == nil || !ep.ws {
		return
	}
	r := trip{endpoint: ep.shown, methods: []string{method}, took: took}
	if err != nil {
		r.err = ep.scrub(describe(err))
	}
	c.opts.Trace.record(r)
}
