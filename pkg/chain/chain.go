// Package chain is the JSON-RPC client every stakewallet command uses. It
// wraps go-ethereum's rpc and ethclient packages with what a CLI talking to
// public providers needs: failover over several endpoints, per-call
// timeouts, bounded retries with backoff on transient failures (honouring
// Retry-After), JSON-RPC batching, chain-ID checks, and error messages that
// say what to do without ever showing URL credentials.
package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// Defaults of Options.
const (
	DefaultCallTimeout   = 15 * time.Second
	DefaultMaxRetries    = 3
	DefaultBackoffBase   = 250 * time.Millisecond
	DefaultMaxBackoff    = 5 * time.Second
	DefaultMaxRetryAfter = 30 * time.Second
	DefaultBatchSize     = 100
	// DefaultMaxResponseSize bounds one HTTP answer: far above any honest
	// answer stakewallet asks for (a log query of thousands of events),
	// far below what would exhaust memory.
	DefaultMaxResponseSize = 32 << 20
)

// Options tune a Client. The zero value gives the defaults above.
type Options struct {
	// CallTimeout bounds one attempt on one endpoint, unless the caller's
	// context has an earlier deadline. It is per attempt, not per call, so
	// that a hanging first endpoint still leaves time for the next one.
	CallTimeout time.Duration
	// MaxRetries is how many more rounds over the endpoints follow a round
	// in which every endpoint failed transiently. Negative means none.
	MaxRetries int
	// BackoffBase is the delay before the first retry round; it doubles
	// each round, with jitter, up to MaxBackoff.
	BackoffBase, MaxBackoff time.Duration
	// MaxRetryAfter caps how long a server's Retry-After is honoured; a
	// longer demand fails the call at once rather than hang the CLI.
	MaxRetryAfter time.Duration
	// ChainID, when non-zero, is checked on every endpoint before its first
	// use (Dial checks the first one), so a failover never lands on another
	// chain.
	ChainID uint64
	// Network names the selected network in WrongChainError messages.
	Network string
	// BatchSize caps the eth_calls sent in one batch request; providers
	// reject or throttle big batches.
	BatchSize int
	// Header is sent with every HTTP request and websocket handshake (for
	// providers that authenticate by header).
	Header http.Header
	// MaxResponseSize caps the bytes of one HTTP answer; a larger one is
	// a bad answer (ErrBadResponse). It caps websocket messages as well
	// (go-ethereum closes the connection).
	MaxResponseSize int64
	// Trace, when set, reports every round trip (--trace-rpc).
	Trace *Tracer
	// LazyChainID makes Dial do no network I/O even with ChainID set: each
	// endpoint's chain ID is checked at its first use instead, inside the
	// same round trip when that use is a Batch, so a command pays no round
	// trip of its own for the check.
	LazyChainID bool
}

func (o Options) withDefaults() Options {
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = DefaultBackoffBase
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxResponseSize <= 0 {
		o.MaxResponseSize = DefaultMaxResponseSize
	}
	return o
}

// Client is a failover JSON-RPC client. It is safe for concurrent use.
type Client struct {
	opts Options
	eps  []*endpoint
	hc   *http.Client

	mu   sync.Mutex
	cur  int    // endpoint that answered last; calls start there
	want uint64 // required chain ID, 0 = none
}

// endpoint is one --rpc-url. Its rpc.Client is created on first use, so a
// dead websocket endpoint costs nothing until failover reaches it.
type endpoint struct {
	raw     string // as given, with credentials: never printed
	shown   string // redacted
	ws      bool
	secrets []string

	mu sync.Mutex
	rc *rpc.Client
	// chainID is the endpoint's first answer, against which every call
	// through it is checked: a node's chain never changes, and one that
	// says otherwise later (ChainID reads it again) is refused.
	chainID *big.Int

	// noBatch: the endpoint refused a batch; later batches go one call at
	// a time (Batch). noSync: it does not serve eth_sendRawTransactionSync
	// (or let it time out); later sends broadcast and poll (SendSync).
	noBatch, noSync atomic.Bool
}

func (ep *endpoint) scrub(s string) string { return scrubString(s, ep.raw, ep.shown, ep.secrets) }

func newEndpoint(raw string) (*endpoint, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the input, which may hold a key: do not wrap it.
		return nil, fmt.Errorf("%w: cannot parse it", ErrInvalidURL)
	}
	ep := &endpoint{raw: raw, shown: Redact(raw), secrets: secretsOf(raw)}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "ws", "wss":
		ep.ws = true
	default:
		return nil, fmt.Errorf("%w %s: the scheme must be http, https, ws or wss", ErrInvalidURL, ep.shown)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%w %s: no host", ErrInvalidURL, ep.shown)
	}
	return ep, nil
}

// Dial returns a client for urls, tried in order. It does no network I/O
// unless opts.ChainID is set, in which case it checks the chain ID of the
// first endpoint that answers (returning *WrongChainError or an
// ErrUnreachable error early, before any command work).
func Dial(ctx context.Context, urls []string, opts Options) (*Client, error) {
	if len(urls) == 0 {
		return nil, fmt.Errorf("%w: none given: set --rpc-url or ETH_RPC_URL", ErrInvalidURL)
	}
	opts = opts.withDefaults()
	c := &Client{opts: opts, want: opts.ChainID, hc: newHTTPClient(opts.MaxResponseSize, opts.Trace)}
	for i, raw := range urls {
		ep, err := newEndpoint(raw)
		if err != nil {
			return nil, fmt.Errorf("--rpc-url #%d: %w", i+1, err)
		}
		c.eps = append(c.eps, ep)
	}
	if c.want != 0 && !opts.LazyChainID {
		if _, err := c.ChainID(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Close closes every connection.
func (c *Client) Close() {
	for _, ep := range c.eps {
		ep.mu.Lock()
		if ep.rc != nil {
			ep.rc.Close()
			ep.rc = nil
		}
		ep.mu.Unlock()
	}
}

// Endpoint returns the redacted URL calls go to first: the one that
// answered last, or the first configured.
func (c *Client) Endpoint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eps[c.cur].shown
}

// Endpoints returns every configured URL, redacted, in failover order.
func (c *Client) Endpoints() []string {
	out := make([]string, len(c.eps))
	for i, ep := range c.eps {
		out[i] = ep.shown
	}
	return out
}

// VerifyChainID checks that the endpoint in use serves chain want, and makes
// every later failover check its endpoint too. A mismatch is a
// *WrongChainError.
func (c *Client) VerifyChainID(ctx context.Context, want uint64) error {
	if want == 0 {
		return errors.New("chain: VerifyChainID needs a non-zero chain ID")
	}
	c.mu.Lock()
	c.want = want
	c.mu.Unlock()
	_, err := c.ChainID(ctx)
	return err
}

// rpcCall is one attempt of an operation on one endpoint.
type rpcCall func(ctx context.Context, ep *endpoint, rc *rpc.Client) error

// do runs fn with failover and retries. Application errors (JSON-RPC error
// objects such as reverts) come back unchanged, so errors.As to rpc.Error
// and comparisons with ethereum.NotFound work as with ethclient.
func (c *Client) do(ctx context.Context, method string, fn rpcCall) error {
	n := len(c.eps)
	c.mu.Lock()
	start := c.cur
	c.mu.Unlock()

	lastErrs := make([]error, n) // last transient error per endpoint
	dead := make([]bool, n)      // answered with a non-retryable HTTP status
	var lastEp *endpoint
	for round := 0; ; round++ {
		var retryAfter time.Duration
		tried := false
		for k := 0; k < n; k++ {
			i := (start + k) % n
			if dead[i] {
				continue
			}
			tried = true
			ep := c.eps[i]
			lastEp = ep
			began := time.Now()
			ra, err := c.attempt(ctx, ep, fn)
			c.traceAttempt(ep, method, time.Since(began), err)
			if err == nil {
				c.setCurrent(i)
				return nil
			}
			if ctx.Err() != nil {
				return c.contextError(ctx, method, ep, lastErrs)
			}
			err = markBadAnswer(err)
			switch classify(err) {
			case classApp:
				// The endpoint works; the request itself failed.
				c.setCurrent(i)
				return scrubNodeError(ep, err)
			case classEndpoint:
				dead[i] = true
			}
			lastErrs[i] = err
			retryAfter = max(retryAfter, ra)
		}
		if !tried || round >= c.opts.MaxRetries {
			break
		}
		if retryAfter > c.opts.MaxRetryAfter {
			break // the server asks for more patience than a CLI has
		}
		delay := max(c.backoff(round), retryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
			break // sleeping would only end in the caller's timeout
		}
		if err := sleep(ctx, delay); err != nil {
			return c.contextError(ctx, method, lastEp, lastErrs)
		}
	}
	return newFailedError(method, c.eps, lastErrs)
}

// attempt runs fn once on ep and reports any Retry-After the server sent.
func (c *Client) attempt(ctx context.Context, ep *endpoint, fn rpcCall) (time.Duration, error) {
	actx, cancel := c.attemptContext(ctx)
	defer cancel()
	info := new(attemptInfo)
	actx = context.WithValue(actx, attemptInfoKey{}, info)

	err := c.run(actx, ep, fn)
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		// Our per-attempt timeout, not the caller's: a transient failure.
		// Do not wrap DeadlineExceeded, or callers would take it for theirs.
		err = fmt.Errorf("no answer within %s", c.opts.CallTimeout)
	}
	return info.get(), err
}

func (c *Client) attemptContext(ctx context.Context) (context.Context, context.CancelFunc) {
	limit := c.opts.CallTimeout + attemptExtra(ctx) // a sync send waits for its block
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= limit {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, limit)
}

func (c *Client) run(ctx context.Context, ep *endpoint, fn rpcCall) error {
	rc, err := c.connect(ctx, ep)
	if err != nil {
		return err
	}
	c.mu.Lock()
	want := c.want
	c.mu.Unlock()
	if want != 0 && !(checksChainID(ctx) && !ep.knowsChainID()) {
		// (A Batch on an endpoint of unknown chain ID asks eth_chainId in
		// its own round trip and checks it before using any answer.)
		got, fetched, err := c.endpointChainID(ctx, ep, rc)
		if err != nil {
			return err
		}
		if fetched {
			attemptInfoOf(ctx).setChainID(got)
		}
		if !got.IsUint64() || got.Uint64() != want {
			return &WrongChainError{Want: want, Got: got.Uint64(), URL: ep.shown, Network: c.opts.Network}
		}
	}
	return fn(ctx, ep, rc)
}

// connect returns ep's rpc.Client, dialing it on first use (a websocket
// handshake; HTTP dials lazily inside net/http).
func (c *Client) connect(ctx context.Context, ep *endpoint) (*rpc.Client, error) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.rc != nil {
		return ep.rc, nil
	}
	var opts []rpc.ClientOption
	if !ep.ws {
		opts = append(opts, rpc.WithHTTPClient(c.hc))
	} else {
		// The HTTP client caps answers itself; go-ethereum caps messages.
		opts = append(opts, rpc.WithWebsocketMessageSizeLimit(c.opts.MaxResponseSize))
	}
	if len(c.opts.Header) > 0 {
		opts = append(opts, rpc.WithHeaders(c.opts.Header))
	}
	rc, err := rpc.DialOptions(ctx, ep.raw, opts...)
	if err != nil {
		return nil, &dialError{err}
	}
	ep.rc = rc
	return rc, nil
}

// endpointChainID returns the chain ID ep gave first, asking it if it has
// not answered yet (fetched).
func (c *Client) endpointChainID(ctx context.Context, ep *endpoint, rc *rpc.Client) (id *big.Int, fetched bool, err error) {
	ep.mu.Lock()
	id = ep.chainID
	ep.mu.Unlock()
	if id != nil {
		return new(big.Int).Set(id), false, nil
	}
	var res hexutil.Big
	if err := rc.CallContext(ctx, &res, "eth_chainId"); err != nil {
		return nil, false, err
	}
	id = (*big.Int)(&res)
	ep.mu.Lock()
	if ep.chainID == nil {
		ep.chainID = id
	}
	id = ep.chainID
	ep.mu.Unlock()
	return new(big.Int).Set(id), true, nil
}

func (c *Client) setCurrent(i int) {
	c.mu.Lock()
	c.cur = i
	c.mu.Unlock()
}

// backoff is the delay before retry round+1: exponential with "equal
// jitter" (half fixed, half random) so that many clients do not retry in
// lockstep yet each still waits a predictable minimum.
func (c *Client) backoff(round int) time.Duration {
	d := c.opts.BackoffBase << min(round, 30)
	if d <= 0 || d > c.opts.MaxBackoff {
		d = c.opts.MaxBackoff
	}
	half := d / 2
	return half + rand.N(half+1)
}

// contextError reports that the caller's context ended. It wraps ctx.Err()
// and, if endpoints had failed before, ErrUnreachable too.
func (c *Client) contextError(ctx context.Context, method string, ep *endpoint, lastErrs []error) error {
	errs := []error{ctx.Err()}
	var details []string
	for i, err := range lastErrs {
		if err != nil {
			errs = append(errs, ErrUnreachable, err)
			details = append(details, fmt.Sprintf("%s (%s)", c.eps[i].shown, c.eps[i].scrub(describe(err))))
		}
	}
	msg := fmt.Sprintf("%s via %s: %v", method, ep.shown, ctx.Err())
	if len(details) > 0 {
		msg += "; earlier failures: " + strings.Join(details, ", ") + ": " + hint
	}
	return &scrubbedError{msg: msg, errs: errs}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
