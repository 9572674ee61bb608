package chain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// Batch sends elems, of any read methods, as JSON-RPC batches of at most
// Options.BatchSize elements: one round trip per chunk. It is for reads
// only (an endpoint that refuses batches is served one call at a time, and
// a chunk may be asked again elsewhere), never for eth_sendRawTransaction.
//
// Semantics, as BatchCallContract:
//   - each chunk goes through the failover and retries of every call: an
//     endpoint fault redoes the whole chunk on the next endpoint or later.
//     Endpoint faults are a transport failure, a rate limit in any element
//     (-32005), an element left out of the answer, an answer of the wrong
//     JSON type, and a null or missing result for a method whose result
//     cannot be null;
//   - an endpoint that refuses batches (answers a batch with a single
//     object, with HTTP 400/405/413/501, or refuses every element as an
//     invalid request or with words about batches) is served one call at
//     a time, and is remembered as such for the life of the Client;
//   - a call's own failure (a revert, "nonce too low", any JSON-RPC error
//     object other than a rate limit) stays with its element, in
//     elems[i].Error, credentials masked; the other elements are answered;
//   - a null result of a lookup that may legitimately find nothing
//     (eth_getTransactionReceipt, eth_getTransactionByHash,
//     eth_getBlockByNumber, eth_getBlockByHash, …) is ethereum.NotFound in
//     that element's Error, as ethclient returns it.
//
// Results are decoded into elems[i].Result (a pointer) only when Error is
// nil. The returned error is nil when every element got an answer of its
// own; otherwise it is the failure that kept a chunk unanswered (ErrUnreachable,
// a context error, …), also set as the Error of each unanswered element.
func (c *Client) Batch(ctx context.Context, elems []rpc.BatchElem) error {
	ctx = context.WithValue(ctx, chainCheckKey{}, true)
	for lo := 0; lo < len(elems); lo += c.opts.BatchSize {
		hi := min(lo+c.opts.BatchSize, len(elems))
		chunk := elems[lo:hi]
		err := c.do(ctx, batchName(chunk), func(ctx context.Context, ep *endpoint, rc *rpc.Client) error {
			return c.batchAttempt(ctx, ep, rc, chunk)
		})
		if err == nil {
			continue
		}
		// The chunks that follow would fail the same way after the same
		// wait: they are not tried.
		for i := lo; i < len(elems); i++ {
			elems[i].Error = err
		}
		return err
	}
	return nil
}

// batchAttempt answers chunk on one endpoint: nil when every element has an
// answer of its own (decoded into its Result, or its own error), else the
// endpoint fault that sends the whole chunk elsewhere.
func (c *Client) batchAttempt(ctx context.Context, ep *endpoint, rc *rpc.Client, chunk []rpc.BatchElem) error {
	c.mu.Lock()
	want := c.want
	c.mu.Unlock()
	// With a required chain ID, the batch's own eth_chainId (or one added
	// when the endpoint's is not known yet) is checked before any answer
	// is used: the check costs no round trip of its own.
	idAt := -1
	for i := range chunk {
		if chunk[i].Method == "eth_chainId" {
			idAt = i
			break
		}
	}
	calls := chunk
	if want != 0 && idAt < 0 && !ep.knowsChainID() {
		calls = append([]rpc.BatchElem{{Method: "eth_chainId"}}, chunk...)
		idAt = 0
	}
	raws := make([]json.RawMessage, len(calls))
	sub := make([]rpc.BatchElem, len(calls))
	for i := range calls {
		sub[i] = rpc.BatchElem{Method: calls[i].Method, Args: calls[i].Args, Result: &raws[i]}
	}
	if len(sub) == 1 || ep.noBatch.Load() {
		if err := oneAtATime(ctx, rc, sub); err != nil {
			return err
		}
	} else {
		err := rc.BatchCallContext(ctx, sub)
		if refusesBatches(err) || err == nil && refusedEach(sub) {
			ep.noBatch.Store(true)
			for i := range sub {
				raws[i], sub[i].Error = nil, nil
			}
			err = oneAtATime(ctx, rc, sub)
		}
		if err != nil {
			return err
		}
	}
	if want != 0 && idAt >= 0 {
		if err := c.checkBatchChainID(ep, want, sub[idAt].Error, raws[idAt]); err != nil {
			return err
		}
	}
	extra := len(calls) - len(chunk) // the eth_chainId added in front
	sub, raws = sub[extra:], raws[extra:]
	// Every element is judged before any Result is written, so a fault in
	// the last one leaves the caller's results untouched.
	notFound := make([]bool, len(chunk))
	for i := range sub {
		e := &sub[i]
		switch {
		case e.Error != nil:
			if err := markBadAnswer(e.Error); classify(err) != classApp || errors.Is(err, rpc.ErrNoResult) {
				return err
			}
		case isNull(raws[i]) && mayBeNull(e.Method):
			notFound[i] = true
		case isNull(raws[i]):
			return badResponse("a %s in a batch was answered without a result", e.Method)
		}
	}
	for i := range chunk {
		switch {
		case sub[i].Error != nil:
			chunk[i].Error = scrubNodeError(ep, sub[i].Error)
		case notFound[i]:
			chunk[i].Error = ethereum.NotFound
		case chunk[i].Result == nil:
			chunk[i].Error = nil
		default:
			if err := json.Unmarshal(raws[i], chunk[i].Result); err != nil {
				return markBadAnswer(fmt.Errorf("%s: %w", chunk[i].Method, err))
			}
			chunk[i].Error = nil
		}
	}
	return nil
}

// oneAtATime serves a batch as single calls on an endpoint without batches.
// A transport failure or rate limit in any call fails the whole attempt.
func oneAtATime(ctx context.Context, rc *rpc.Client, sub []rpc.BatchElem) error {
	for i := range sub {
		e := &sub[i]
		e.Error = rc.CallContext(ctx, e.Result, e.Method, e.Args...)
		if e.Error != nil && classify(markBadAnswer(e.Error)) != classApp {
			return e.Error
		}
	}
	return nil
}

// refusesBatches reports an answer to a batch that says the endpoint does
// not take batches: a single JSON object where an array belongs (go-ethereum
// fails to decode it), or an HTTP status some providers give batches.
func refusesBatches(err error) bool {
	var typeErr *json.UnmarshalTypeError
	var httpErr rpc.HTTPError
	switch {
	case errors.As(err, &typeErr):
		return true
	case errors.As(err, &httpErr):
		switch httpErr.StatusCode {
		case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge, http.StatusNotImplemented:
			return true
		}
	}
	return false
}

// refusedEach reports a batch whose every element was refused as an
// invalid request (-32600) or with words about batches: a provider that
// takes no batches (or none this large) and says so per element.
func refusedEach(sub []rpc.BatchElem) bool {
	for _, e := range sub {
		if e.Error == nil {
			return false
		}
		msg := strings.ToLower(e.Error.Error())
		if rpcCode(e.Error) != -32600 && !strings.Contains(msg, "batch") {
			return false
		}
	}
	return len(sub) > 0
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// mayBeNull reports methods whose null result means "no such thing (yet)".
func mayBeNull(method string) bool {
	switch method {
	case "eth_getTransactionReceipt", "eth_getTransactionByHash",
		"eth_getBlockByNumber", "eth_getBlockByHash",
		"eth_getTransactionByBlockNumberAndIndex", "eth_getTransactionByBlockHashAndIndex",
		"eth_getUncleByBlockNumberAndIndex", "eth_getUncleByBlockHashAndIndex",
		"eth_getBlockReceipts", "eth_getTransactionBySenderAndNonce":
		return true
	}
	return false
}

// batchName names a chunk in error messages: "batch of 3 (eth_call×2, eth_chainId)".
func batchName(chunk []rpc.BatchElem) string {
	if len(chunk) == 1 {
		return chunk[0].Method
	}
	counts := map[string]int{}
	for _, e := range chunk {
		counts[e.Method]++
	}
	names := make([]string, 0, len(counts))
	for m, n := range counts {
		if n > 1 {
			m = fmt.Sprintf("%s×%d", m, n)
		}
		names = append(names, m)
	}
	sort.Strings(names)
	return fmt.Sprintf("batch of %d (%s)", len(chunk), strings.Join(names, ", "))
}

// chainCheckKey marks the context of a Batch: its attempts check the chain
// ID in their own round trip (Client.run skips its separate question).
type chainCheckKey struct{}

func checksChainID(ctx context.Context) bool {
	ok, _ := ctx.Value(chainCheckKey{}).(bool)
	return ok
}

func (ep *endpoint) knowsChainID() bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.chainID != nil
}

// checkBatchChainID judges the eth_chainId answer of a batch on ep against
// want, as Client.run and Client.ChainID do for single calls: the first
// answer of an endpoint is kept; a later one that differs refuses the
// endpoint from then on (*WrongChainError with Before).
func (c *Client) checkBatchChainID(ep *endpoint, want uint64, callErr error, raw json.RawMessage) error {
	if callErr != nil {
		if err := markBadAnswer(callErr); classify(err) != classApp {
			return err
		}
		return badResponse("eth_chainId failed in a batch: %v", callErr)
	}
	var id hexutil.Big
	if isNull(raw) || json.Unmarshal(raw, &id) != nil {
		return badResponse("eth_chainId answered %s, not a quantity", string(raw))
	}
	got := (*big.Int)(&id)
	ep.mu.Lock()
	first := ep.chainID
	if first == nil || first.Cmp(got) != 0 {
		ep.chainID = new(big.Int).Set(got)
	}
	ep.mu.Unlock()
	switch {
	case first != nil && first.Cmp(got) != 0:
		return &WrongChainError{Want: want, Got: got.Uint64(), URL: ep.shown, Network: c.opts.Network, Before: first.Uint64()}
	case !got.IsUint64() || got.Uint64() != want:
		return &WrongChainError{Want: want, Got: got.Uint64(), URL: ep.shown, Network: c.opts.Network}
	}
	return nil
}
