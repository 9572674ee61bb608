package chain

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnreachable is wrapped by every error that means "no endpoint answered":
// connection failures, timeouts, HTTP 5xx/429 after the retries ran out. The
// CLI maps it to exit code 3 (RPC or network error before broadcast).
var ErrUnreachable = errors.New("RPC unreachable")

// ErrInvalidURL is wrapped when an --rpc-url cannot be used at all (bad
// syntax, unsupported scheme); it is a usage error, not a network one.
var ErrInvalidURL = errors.New("invalid RPC URL")

// ErrMaybeSent is wrapped, instead of ErrUnreachable, when sending a signed
// transaction failed in a way that leaves open whether a node got it (a
// timeout or dropped connection after the request went out, a 5xx from a
// proxy). Sending a new transaction then could pay twice: the caller must
// look the hash up (tx status) before trying anything else.
var ErrMaybeSent = errors.New("the transaction may have been sent")

// ErrBadResponse is wrapped when an endpoint answered, but with something
// no honest node sends: a body larger than Options.MaxResponseSize, a batch
// answer whose ids are not the ones asked, an answer of the wrong JSON
// type, the receipt of another transaction, a chain ID that changed. The
// next endpoint is tried, this one never again in the same call; the CLI
// maps it to exit 3. Whatever was asked of such an endpoint is not used.
var ErrBadResponse = errors.New("invalid answer from the RPC")

// badResponseError is one endpoint's bad answer.
type badResponseError struct {
	reason string
	err    error // the decoding error behind it, if any
}

func (e *badResponseError) Error() string { return e.reason }

func (e *badResponseError) Unwrap() []error {
	if e.err == nil {
		return []error{ErrBadResponse}
	}
	return []error{ErrBadResponse, e.err}
}

func badResponse(format string, args ...any) error {
	return &badResponseError{reason: fmt.Sprintf(format, args...)}
}

// ErrNeedWebsocket is returned by subscriptions when no ws:// or wss://
// endpoint is configured: plain HTTP cannot push notifications.
var ErrNeedWebsocket = errors.New("subscriptions need a ws:// or wss:// --rpc-url")

// UnreachableError lists, per endpoint tried, the last transport-level error.
// errors.Is(err, ErrUnreachable) is true, and errors.As still finds the
// underlying errors (rpc.HTTPError, *net.OpError, …).
type UnreachableError struct {
	// Method is the JSON-RPC method (or a short description) that failed.
	Method string
	// Endpoints are the redacted URLs tried, in order.
	Endpoints []string
	// Errs holds the last error of each endpoint, aligned with Endpoints.
	Errs []error

	msg     string   // built once with credentials scrubbed
	details []string // scrubbed describe(Errs[i])
}

func (e *UnreachableError) Error() string { return e.msg }

// Unwrap exposes the sentinel and the underlying errors.
func (e *UnreachableError) Unwrap() []error {
	out := make([]error, 0, len(e.Errs)+1)
	out = append(out, ErrUnreachable)
	for _, err := range e.Errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// hint is what the user should do about an unreachable endpoint.
const hint = "check --rpc-url / ETH_RPC_URL or that the node is running"

// badHint is what the user should do about an endpoint that answers
// nonsense.
const badHint = "the endpoint is broken or not to be trusted: use another --rpc-url"

// newFailedError reports a call every endpoint failed: unreachable, or,
// when each one that was tried answered something invalid, a bad answer.
func newFailedError(method string, eps []*endpoint, errs []error) error {
	for _, err := range errs {
		if err != nil && !errors.Is(err, ErrBadResponse) {
			return newUnreachableError(method, eps, errs)
		}
	}
	var parts []string
	keep := []error{ErrBadResponse}
	for i, ep := range eps {
		if errs[i] != nil {
			parts = append(parts, fmt.Sprintf("%s (%s)", ep.shown, ep.scrub(describe(errs[i]))))
			keep = append(keep, errs[i])
		}
	}
	return &scrubbedError{
		msg:  fmt.Sprintf("%s: %s: %s: %s", ErrBadResponse, method, strings.Join(parts, ", "), badHint),
		errs: keep,
	}
}

func newUnreachableError(method string, eps []*endpoint, errs []error) *UnreachableError {
	e := &UnreachableError{Method: method}
	var parts []string
	for i, ep := range eps {
		if errs[i] == nil {
			continue
		}
		e.Endpoints = append(e.Endpoints, ep.shown)
		e.Errs = append(e.Errs, errs[i])
		e.details = append(e.details, ep.scrub(describe(errs[i])))
		parts = append(parts, fmt.Sprintf("%s (%s)", ep.shown, e.details[len(e.details)-1]))
	}
	e.msg = fmt.Sprintf("%s: %s: tried %s: %s", ErrUnreachable, method, strings.Join(parts, ", "), hint)
	return e
}

// WrongChainError says the endpoint serves another chain than the network
// selected: signing or reading there would be wrong, so it is never retried.
type WrongChainError struct {
	Want, Got uint64
	// URL is the redacted endpoint.
	URL string
	// Network is the selected network's name, when known.
	Network string
	// Before, when not 0, is the chain ID the endpoint gave earlier: it
	// changed its answer while the command ran.
	Before uint64
}

func (e *WrongChainError) Error() string {
	if e.Before != 0 {
		return fmt.Sprintf("RPC %s said it is on chain %d, and now says chain %d: an endpoint that changes its chain is not to be trusted; "+
			"nothing more is read or signed through it: check --rpc-url", e.URL, e.Before, e.Got)
	}
	if e.Network != "" {
		return fmt.Sprintf("RPC %s is on chain %d, but network %s is chain %d: use --network or --rpc-url that match",
			e.URL, e.Got, e.Network, e.Want)
	}
	return fmt.Sprintf("RPC %s is on chain %d, but chain %d is expected: use --network or --rpc-url that match",
		e.URL, e.Got, e.Want)
}

// scrubbedError keeps the chain of err for errors.Is/As but prints a message
// with the endpoint's credentials removed: Go's net/http and the websocket
// dialer quote the full URL (API key in the path included) in their errors.
type scrubbedError struct {
	msg  string
	errs []error
}

func (e *scrubbedError) Error() string   { return e.msg }
func (e *scrubbedError) Unwrap() []error { return e.errs }

// dialError marks a failure to connect at all (websocket handshake): the
// request never left, which matters for ErrMaybeSent.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }
