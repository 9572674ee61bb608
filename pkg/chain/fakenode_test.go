package chain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeNode is a JSON-RPC server on loopback whose answers and failures the
// test scripts.
type fakeNode struct {
	srv *httptest.Server

	mu       sync.Mutex
	chainID  uint64
	requests int            // HTTP requests received (a batch is one)
	calls    map[string]int // JSON-RPC calls by method (a batch counts each)
	// fault decides, for the n-th HTTP request (1-based), to fail it at the
	// HTTP level; nil or a nil result means answer it.
	fault func(n int) *httpFault
	// handle answers one call; nil result and nil error mean JSON null.
	handle func(method string, params []json.RawMessage) (any, *rpcError)
	// noBatch makes the node answer batches with one error object, as some
	// providers do.
	noBatch bool
	delay   time.Duration
}

type httpFault struct {
	status     int
	retryAfter string
	body       string
	drop       bool // close the connection without an answer
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

type rpcRequest struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

type rpcResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

func newFakeNode(t *testing.T, chainID uint64) *fakeNode {
	t.Helper()
	f := &fakeNode{chainID: chainID, calls: map[string]int{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNode) URL() string { return f.srv.URL }

func (f *fakeNode) counts() (requests int, calls map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := make(map[string]int, len(f.calls))
	for k, v := range f.calls {
		cp[k] = v
	}
	return f.requests, cp
}

func (f *fakeNode) set(fn func(f *fakeNode)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests++
	n := f.requests
	fault, handle, delay, noBatch, chainID := f.fault, f.handle, f.delay, f.noBatch, f.chainID
	f.mu.Unlock()

	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if fault != nil {
		if fl := fault(n); fl != nil {
			if fl.drop {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
				return
			}
			if fl.retryAfter != "" {
				w.Header().Set("Retry-After", fl.retryAfter)
			}
			w.WriteHeader(fl.status)
			io.WriteString(w, fl.body)
			return
		}
	}

	body = bytes.TrimSpace(body)
	batch := len(body) > 0 && body[0] == '['
	var reqs []rpcRequest
	if batch {
		err = json.Unmarshal(body, &reqs)
	} else {
		var one rpcRequest
		err = json.Unmarshal(body, &one)
		reqs = []rpcRequest{one}
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if batch && noBatch {
		json.NewEncoder(w).Encode(rpcResponse{JSONRPC: "2.0", ID: json.RawMessage("null"),
			Error: &rpcError{Code: -32600, Message: "batch requests are not supported"}})
		return
	}
	resps := make([]rpcResponse, len(reqs))
	for i, req := range reqs {
		f.mu.Lock()
		f.calls[req.Method]++
		f.mu.Unlock()
		resps[i] = rpcResponse{JSONRPC: "2.0", ID: req.ID}
		var res any
		var rerr *rpcError
		if handle != nil {
			res, rerr = handle(req.Method, req.Params)
		}
		if res == nil && rerr == nil && req.Method == "eth_chainId" {
			res = "0x" + strconv.FormatUint(chainID, 16)
		}
		if rerr != nil {
			resps[i].Error = rerr
		} else if res == nil {
			resps[i].Result = json.RawMessage("null")
		} else {
			resps[i].Result = res
		}
	}
	if batch {
		json.NewEncoder(w).Encode(resps)
	} else {
		json.NewEncoder(w).Encode(resps[0])
	}
}

// closedURL is a loopback URL nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

// blockNumberHandler answers eth_blockNumber with n.
func blockNumberHandler(n uint64) func(string, []json.RawMessage) (any, *rpcError) {
	return func(method string, _ []json.RawMessage) (any, *rpcError) {
		switch method {
		case "eth_blockNumber":
			return fmt.Sprintf("0x%x", n), nil
		case "eth_chainId":
			return nil, nil // the node's default
		}
		return nil, &rpcError{Code: -32601, Message: "method not found"}
	}
}
