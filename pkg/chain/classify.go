package chain

import (
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/rpc"
)

type errClass int

const (
	// classTransient: try the next endpoint, and retry after a backoff.
	classTransient errClass = iota
	// classEndpoint: this endpoint refuses us (401, 403, 404…): try the
	// next one but do not retry it.
	classEndpoint
	// classApp: the node answered and the request itself failed (revert,
	// nonce too low, not found): return it, trying elsewhere cannot help.
	classApp
)

// limitExceeded is EIP-1474's "request exceeds defined limit", which
// providers use for rate limiting inside a 200 response.
const limitExceeded = -32005

func classify(err error) errClass {
	var wrongChain *WrongChainError
	var httpErr rpc.HTTPError
	var rpcErr rpc.Error
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &wrongChain):
		return classApp
	case errors.Is(err, ErrBadResponse), errors.Is(err, rpc.ErrMissingBatchResponse):
		// This endpoint answers nonsense: try the next, never this one again.
		return classEndpoint
	case errors.As(err, &httpErr):
		switch {
		case httpErr.StatusCode == 429, httpErr.StatusCode == 408, httpErr.StatusCode >= 500:
			return classTransient
		default:
			return classEndpoint
		}
	case errors.As(err, &rpcErr):
		if rpcErr.ErrorCode() == limitExceeded {
			return classTransient
		}
		return classApp
	case errors.Is(err, ethereum.NotFound), errors.Is(err, rpc.ErrNoResult),
		errors.Is(err, rpc.ErrClientQuit), errors.Is(err, ErrNeedWebsocket):
		return classApp
	case errors.As(err, &typeErr):
		// A well-formed JSON answer of an unexpected shape: asking again
		// returns the same. (Client.do marks these bad answers first.)
		return classApp
	}
	// Connection refused/reset, EOF, TLS and DNS failures, our per-attempt
	// timeout, a proxy's HTML error page (JSON syntax error), websocket
	// closes: all say "this endpoint, now", not "this request".
	return classTransient
}

// describe is the short form of a transport error for messages: net/http's
// *url.Error repeats the method and the URL, which the message already names.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	var httpErr rpc.HTTPError
	if errors.As(err, &httpErr) {
		// The body of a 5xx is often a whole HTML page.
		s = httpErr.Status
		if body := strings.TrimSpace(string(httpErr.Body)); body != "" && len(body) <= 200 && !strings.HasPrefix(body, "<") {
			s += ": " + body
		}
	}
	return s
}

// neverSent reports whether a transient failure certainly happened before
// the node could act on the request: no connection, or a refusal by status.
func neverSent(err error) bool {
	var de *dialError
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var httpErr rpc.HTTPError
	switch {
	case errors.As(err, &de), errors.As(err, &dnsErr), errors.Is(err, syscall.ECONNREFUSED):
		return true
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return true
	case errors.As(err, &httpErr):
		// 429 and 503 are refusals; 4xx never reach the JSON-RPC handler.
		// 500, 502, 504 may come after a proxy forwarded the request.
		s := httpErr.StatusCode
		return s == 429 || s == 503 || (s >= 400 && s < 500)
	}
	return false
}

// markBadAnswer turns a JSON answer of the wrong type (a string where a
// quantity belongs, an object for bytes), or one with neither a result nor
// an error, into a bad answer: no honest node sends one, and what it says
// must not be used.
func markBadAnswer(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil, errors.Is(err, ErrBadResponse):
		return err
	case errors.As(err, &typeErr):
		return &badResponseError{reason: "an answer of the wrong type: " + err.Error(), err: err}
	case errors.Is(err, rpc.ErrNoResult):
		return &badResponseError{reason: "an answer with neither a result nor an error", err: err}
	}
	return err
}
