package chain

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rpc.HTTPError carries the status and body of a failed response but not its
// headers, so Retry-After is caught on the way in: the round tripper writes it
// into an attemptInfo that the attempt put in the request's context (the rpc
// package passes our context through to http.NewRequestWithContext).
type attemptInfoKey struct{}

type attemptInfo struct {
	mu         sync.Mutex
	retryAfter time.Duration
}

func (a *attemptInfo) set(d time.Duration) {
	a.mu.Lock()
	a.retryAfter = max(a.retryAfter, d)
	a.mu.Unlock()
}

func (a *attemptInfo) get() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.retryAfter
}

type retryAfterTransport struct{ base http.RoundTripper }

func (t retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if info, ok := req.Context().Value(attemptInfoKey{}).(*attemptInfo); ok {
			info.set(parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()))
		}
	}
	return resp, nil
}

// parseRetryAfter reads delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// newHTTPClient gives each Client its own transport (no shared mutable
// state between clients) with the Retry-After hook.
func newHTTPClient() *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Transport: retryAfterTransport{base: base}}
}
