package chain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
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
	// chainID is the endpoint's chain ID when this attempt asked for it
	// (its first use), so that ChainID need not ask twice.
	chainID *big.Int
}

// attemptInfoOf returns the attempt's info; outside an attempt, a
// throwaway one.
func attemptInfoOf(ctx interface{ Value(any) any }) *attemptInfo {
	if info, ok := ctx.Value(attemptInfoKey{}).(*attemptInfo); ok {
		return info
	}
	return new(attemptInfo)
}

func (a *attemptInfo) setChainID(id *big.Int) {
	a.mu.Lock()
	a.chainID = id
	a.mu.Unlock()
}

func (a *attemptInfo) getChainID() *big.Int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.chainID
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

// checkingTransport notes Retry-After, caps the size of every answer and,
// for JSON-RPC answers, checks that their ids are exactly those asked:
// go-ethereum's client ignores the id of a single HTTP answer and drops
// duplicated and foreign ids of a batch without a word, so a node could
// answer one call with the result of another.
type checkingTransport struct {
	base    http.RoundTripper
	maxBody int64
}

func (t checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if info, ok := req.Context().Value(attemptInfoKey{}).(*attemptInfo); ok {
			info.set(parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()))
		}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.maxBody, max: t.maxBody}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 || req.GetBody == nil {
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	asked, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	request, err := io.ReadAll(asked)
	if err != nil {
		return nil, err
	}
	if err := checkIDs(request, body); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// limitedBody fails a read past max bytes.
type limitedBody struct {
	rc        io.ReadCloser
	left, max int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more tells "exactly max" from "larger"
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, badResponse("an answer larger than %s, not read further", sizeString(b.max))
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

func sizeString(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// rpcID is the id (and whether there is an error) of one JSON-RPC message.
type rpcID struct {
	ID    json.RawMessage `json:"id"`
	Error json.RawMessage `json:"error"`
}

// parseIDs reads the ids of a single JSON-RPC message or a batch; ok is
// false when body is neither.
func parseIDs(body []byte) (msgs []rpcID, batch, ok bool) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		if json.Unmarshal(body, &msgs) != nil {
			return nil, true, false
		}
		return msgs, true, true
	}
	var one rpcID
	if json.Unmarshal(body, &one) != nil {
		return nil, false, false
	}
	return []rpcID{one}, false, true
}

func idKey(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// checkIDs verifies that answer answers request: each id asked answered
// exactly once, nothing else. Bodies that are not JSON-RPC pass (the
// client reports them), and so does a single error object for a batch
// (an endpoint without batches; BatchCallContract falls back) or an error
// with id null (a node that could not read the request).
func checkIDs(request, answer []byte) error {
	asked, askedBatch, ok := parseIDs(request)
	if !ok {
		return nil
	}
	got, gotBatch, ok := parseIDs(answer)
	if !ok {
		return nil
	}
	null := func(m rpcID) bool { k := idKey(m.ID); return (k == "null" || k == "") && len(m.Error) > 0 }
	allNull := true
	for _, m := range got {
		allNull = allNull && null(m)
	}
	if allNull {
		return nil // the node could not read the request and says so
	}
	switch {
	case askedBatch && !gotBatch:
		return badResponse("a single answer (id %s) to a batch of %d calls", idKey(got[0].ID), len(asked))
	case !askedBatch && gotBatch:
		return badResponse("a batch of %d answers to a single call", len(got))
	}
	want := make(map[string]bool, len(asked))
	for _, m := range asked {
		if len(m.ID) > 0 {
			want[idKey(m.ID)] = true
		}
	}
	seen := make(map[string]bool, len(got))
	for _, m := range got {
		k := idKey(m.ID)
		switch {
		case null(m):
			continue
		case !want[k]:
			return badResponse("an answer with id %s, which was not asked", k)
		case seen[k]:
			return badResponse("two answers with id %s", k)
		}
		seen[k] = true
	}
	for k := range want {
		if !seen[k] {
			return badResponse("no answer for the call with id %s", k)
		}
	}
	return nil
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
// state between clients) with the Retry-After hook and the answer checks.
// With a tracer, each round trip is reported to it.
func newHTTPClient(maxBody int64, trace *Tracer) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	var rt http.RoundTripper = checkingTransport{base: base, maxBody: maxBody}
	if trace != nil {
		rt = tracingTransport{base: rt, trace: trace}
	}
	return &http.Client{Transport: rt}
}
