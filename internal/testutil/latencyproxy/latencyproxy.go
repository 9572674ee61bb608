// Package latencyproxy is an HTTP JSON-RPC proxy for benchmarks: it adds a
// fixed delay to every HTTP request (one round trip to a remote provider,
// however many calls a batch carries) and counts requests and calls, so
// that `make bench` can compare wallets under the latency of a hosted node.
// It is a test tool: scripts/latencyproxy runs it, no shipped binary does.
package latencyproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Stats are the proxy's counters since the last reset.
type Stats struct {
	Requests int `json:"requests"` // HTTP requests: round trips
	Calls    int `json:"calls"`    // JSON-RPC calls (a batch of n is n)
}

// Proxy forwards to Upstream after Delay.
type Proxy struct {
	Upstream string
	Delay    time.Duration
	client   *http.Client

	mu    sync.Mutex
	stats Stats
}

// New returns a proxy to upstream adding delay per request.
func New(upstream string, delay time.Duration) *Proxy {
	return &Proxy{Upstream: upstream, Delay: delay, client: &http.Client{Timeout: 5 * time.Minute}}
}

// Stats returns the counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Reset zeroes the counters.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats = Stats{}
}

// ServeHTTP forwards JSON-RPC POSTs; GET /stats returns the counters as
// JSON and POST /reset zeroes them (control paths for the bench script).
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/stats" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p.Stats())
		return
	case r.URL.Path == "/reset" && r.Method == http.MethodPost:
		p.Reset()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "latencyproxy: "+err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.stats.Requests++
	p.stats.Calls += calls(body)
	p.mu.Unlock()
	if p.Delay > 0 {
		select {
		case <-time.After(p.Delay):
		case <-r.Context().Done():
			return
		}
	}
	up, err := http.NewRequestWithContext(r.Context(), http.MethodPost, p.Upstream, bytes.NewReader(body))
	if err != nil {
		http.Error(w, "latencyproxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	up.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(up)
	if err != nil {
		http.Error(w, "latencyproxy: upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// calls counts the JSON-RPC calls of a request body.
func calls(body []byte) int {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var msgs []json.RawMessage
		if json.Unmarshal(body, &msgs) == nil {
			return len(msgs)
		}
	}
	return 1
}

// String describes the proxy for logs.
func (p *Proxy) String() string {
	return fmt.Sprintf("latencyproxy → %s (+%s per round trip)", p.Upstream, p.Delay)
}
