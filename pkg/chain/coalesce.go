package chain

import (
	"context"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// Multicall3 is the address of Multicall3 (github.com/mds1/multicall), the
// same on every chain that has it, and in every devnet genesis.
var Multicall3 = common.HexToAddress("0xcA11bde05977b3631167028862bE2a173976CA11")

// multicallABI is the part of Multicall3 the coalescer uses.
const multicallABI = `[
{"type":"function","name":"aggregate3","stateMutability":"payable","inputs":[{"name":"calls","type":"tuple[]","components":[{"name":"target","type":"address"},{"name":"allowFailure","type":"bool"},{"name":"callData","type":"bytes"}]}],"outputs":[{"name":"returnData","type":"tuple[]","components":[{"name":"success","type":"bool"},{"name":"returnData","type":"bytes"}]}]},
{"type":"function","name":"getEthBalance","stateMutability":"view","inputs":[{"name":"addr","type":"address"}],"outputs":[{"name":"balance","type":"uint256"}]}
]`

// MaxCoalesceWait bounds how long a read waits for the other workers to
// be waiting too before it goes out with whatever waits with it: a worker
// busy elsewhere (a log query, a lock another waiter holds) delays the
// others by at most this, and can never deadlock them.
const MaxCoalesceWait = 250 * time.Millisecond

// MaxAggregate is the most eth_calls packed into one aggregate3: a few
// thousand gas each, so a pack stays far below the 50M gas nodes allow an
// eth_call (geth's RPCGasCap) while 100 of them fill a batch.
const MaxAggregate = 300

var mcABI = func() *abi.ABI {
	a, err := abi.JSON(strings.NewReader(multicallABI))
	if err != nil {
		panic(err) // a constant; covered by every test of this file
	}
	return &a
}()

// EthBalanceCall is the eth_call of Multicall3's getEthBalance(addr): the
// native balance of addr as a read that packs with the others.
func EthBalanceCall(addr common.Address) ethereum.CallMsg {
	data, err := mcABI.Pack("getEthBalance", addr)
	if err != nil {
		panic(err) // an address always packs
	}
	to := Multicall3
	return ethereum.CallMsg{To: &to, Data: data}
}

// A Coalescer gathers the reads of concurrent workers into as few round
// trips as their dependencies allow. Run starts the workers; each read a
// worker makes through the Coalescer (CallContract, BatchCallContract,
// Batch) waits until every running worker is waiting too, and then all the
// reads waiting go out together as one Client.Batch. So N owners whose
// withdrawal lists each take two dependent reads cost two round trips, not
// 2N. Independent eth_calls at the latest block are packed into Multicall3
// aggregate3 calls (MaxAggregate per call, every one allowed to fail on
// its own, long reads left out), so that hundreds of reads fit in one
// batch under the providers' cap on batch elements; on a chain without Multicall3 (its
// answer is empty) they are sent as plain eth_calls from then on.
//
// It implements protocol.BatchBackend, so adapters can be bound to it.
// FilterLogs and HeaderByNumber go straight to the Client. A Coalescer is
// for one command: create it with Client.Coalesce.
type Coalescer struct {
	c *Client

	mu          sync.Mutex
	workers     int // running workers
	blocked     int // of which waiting for a flush
	queue       []*coalesced
	noMulticall bool
	flushes     int
}

// coalesced is the reads of one waiting call.
type coalesced struct {
	msgs []ethereum.CallMsg // eth_calls at the latest block
	outs [][]byte
	errs []error
	raw  []rpc.BatchElem // or any other read elements
	err  error           // the failure of raw's round trip
	done chan struct{}
}

// Coalesce returns a Coalescer over c.
func (c *Client) Coalesce() *Coalescer { return &Coalescer{c: c} }

// Flushes is the number of batches sent so far (each one round trip
// when under the batch cap).
func (co *Coalescer) Flushes() int {
	co.mu.Lock()
	defer co.mu.Unlock()
	return co.flushes
}

// Run runs fns concurrently as workers and returns their errors, aligned
// with fns. A worker must read through co from its own goroutine only.
func (co *Coalescer) Run(ctx context.Context, fns ...func(ctx context.Context) error) []error {
	errs := make([]error, len(fns))
	co.mu.Lock()
	co.workers += len(fns)
	co.mu.Unlock()
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer co.leave(ctx)
			errs[i] = fn(ctx)
		}()
	}
	wg.Wait()
	return errs
}

// leave ends a worker; if every other one is waiting, it sends their reads.
func (co *Coalescer) leave(ctx context.Context) {
	co.mu.Lock()
	co.workers--
	q := co.takeIfAllBlocked()
	co.mu.Unlock()
	if q != nil {
		co.flush(ctx, q)
	}
}

// takeIfAllBlocked returns the queue when every running worker waits in
// it (and empties it); nil otherwise. co.mu is held.
func (co *Coalescer) takeIfAllBlocked() []*coalesced {
	if len(co.queue) == 0 || co.blocked < co.workers {
		return nil
	}
	q := co.queue
	co.queue, co.blocked = nil, 0
	co.flushes++
	return q
}

// wait queues w and returns once it is answered.
func (co *Coalescer) wait(ctx context.Context, w *coalesced) {
	w.done = make(chan struct{})
	co.mu.Lock()
	if co.workers == 0 {
		// Not inside Run: nobody to wait for.
		co.queue = append(co.queue, w)
		q := co.queue
		co.queue, co.blocked = nil, 0
		co.flushes++
		co.mu.Unlock()
		co.flush(ctx, q)
		<-w.done
		return
	}
	co.queue = append(co.queue, w)
	co.blocked++
	q := co.takeIfAllBlocked()
	co.mu.Unlock()
	if q != nil {
		co.flush(ctx, q)
	}
	t := time.NewTimer(MaxCoalesceWait)
	defer t.Stop()
	select {
	case <-w.done:
		return
	case <-t.C:
	}
	// Some worker is busy elsewhere for long (a read that does not go
	// through the Coalescer, or a lock another waiter holds): send what
	// waits rather than wait for it.
	co.mu.Lock()
	if slices.Contains(co.queue, w) {
		q = co.queue
		co.queue, co.blocked = nil, 0
		co.flushes++
	} else {
		q = nil
	}
	co.mu.Unlock()
	if q != nil {
		co.flush(ctx, q)
	}
	<-w.done
}

// CallContract implements protocol.Backend. Only reads at the latest
// block are coalesced; others go straight to the Client.
func (co *Coalescer) CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error) {
	if blockNumber != nil {
		return co.c.CallContract(ctx, msg, blockNumber)
	}
	w := &coalesced{msgs: []ethereum.CallMsg{msg}}
	co.wait(ctx, w)
	return w.outs[0], w.errs[0]
}

// BatchCallContract implements protocol.BatchBackend.
func (co *Coalescer) BatchCallContract(ctx context.Context, msgs []ethereum.CallMsg, blockNumber *big.Int) ([][]byte, []error) {
	if blockNumber != nil {
		return co.c.BatchCallContract(ctx, msgs, blockNumber)
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	w := &coalesced{msgs: msgs}
	co.wait(ctx, w)
	return w.outs, w.errs
}

// Batch sends elems (any read methods, as Client.Batch) with the other
// workers' reads.
func (co *Coalescer) Batch(ctx context.Context, elems []rpc.BatchElem) error {
	if len(elems) == 0 {
		return nil
	}
	w := &coalesced{raw: elems}
	co.wait(ctx, w)
	return w.err
}

// FilterLogs implements protocol.Backend (not coalesced).
func (co *Coalescer) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	return co.c.FilterLogs(ctx, q)
}

// HeaderByNumber implements protocol.Backend (not coalesced).
func (co *Coalescer) HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error) {
	return co.c.HeaderByNumber(ctx, number)
}

// maxPackedCalldata bounds the calldata of a read packed into aggregate3:
// a few words (balanceOf, a request list, a rate). A read with long
// calldata (the status of 500 request ids) costs millions of gas on its
// own; it stays a batch element of its own, so that no aggregate3 comes
// near a node's gas cap for eth_call.
const maxPackedCalldata = 4 + 32*8

// packable reports whether msg means the same inside aggregate3, a plain
// read whose sender does not matter (Multicall3 becomes msg.sender), and
// is light enough to pack.
func packable(msg ethereum.CallMsg) bool {
	return msg.To != nil && len(msg.Data) <= maxPackedCalldata && msg.From == (common.Address{}) && (msg.Value == nil || msg.Value.Sign() == 0) &&
		msg.Gas == 0 && msg.GasPrice == nil && msg.GasFeeCap == nil && msg.GasTipCap == nil &&
		msg.AccessList == nil && msg.BlobHashes == nil && msg.AuthorizationList == nil
}

// slot is where one eth_call's answer goes.
type slot struct {
	w *coalesced
	i int
}

func (s slot) set(out []byte, err error) { s.w.outs[s.i], s.w.errs[s.i] = out, err }

// flush answers every read of q in one Client.Batch (two when Multicall3
// turns out to be missing), then releases the waiters.
func (co *Coalescer) flush(ctx context.Context, q []*coalesced) {
	defer func() {
		for _, w := range q {
			close(w.done)
		}
	}()
	var packed, plain []slot
	co.mu.Lock()
	noMulticall := co.noMulticall
	co.mu.Unlock()
	for _, w := range q {
		w.outs, w.errs = make([][]byte, len(w.msgs)), make([]error, len(w.msgs))
		for i, m := range w.msgs {
			if !noMulticall && packable(m) {
				packed = append(packed, slot{w, i})
			} else {
				plain = append(plain, slot{w, i})
			}
		}
	}
	if len(packed) == 1 {
		plain, packed = append(plain, packed...), nil
	}
	missing := co.send(ctx, q, packed, plain)
	if len(missing) > 0 {
		co.mu.Lock()
		co.noMulticall = true
		co.flushes++
		co.mu.Unlock()
		co.send(ctx, nil, nil, missing)
	}
}

// send makes one batch: the raw elements of ws, the packed reads in
// aggregate3 calls, the plain ones as eth_calls. It returns the packed
// reads that found no Multicall3, to send again as plain reads.
func (co *Coalescer) send(ctx context.Context, ws []*coalesced, packed, plain []slot) (missing []slot) {
	var elems []rpc.BatchElem
	type rawRef struct {
		w      *coalesced
		lo, hi int
	}
	var raws []rawRef
	for _, w := range ws {
		if len(w.raw) > 0 {
			raws = append(raws, rawRef{w, len(elems), len(elems) + len(w.raw)})
			elems = append(elems, w.raw...)
		}
	}
	type packRef struct {
		lo, hi int // into packed
		at     int // into elems
		out    *hexutil.Bytes
	}
	var packs []packRef
	for lo := 0; lo < len(packed); lo += MaxAggregate {
		hi := min(lo+MaxAggregate, len(packed))
		data, err := packAggregate3(packed[lo:hi])
		if err != nil {
			for _, s := range packed[lo:hi] {
				s.set(nil, err)
			}
			continue
		}
		out := new(hexutil.Bytes)
		to := Multicall3
		packs = append(packs, packRef{lo, hi, len(elems), out})
		elems = append(elems, rpc.BatchElem{Method: "eth_call", Args: []any{toCallArg(ethereum.CallMsg{To: &to, Data: data}), "latest"}, Result: out})
	}
	plainAt := len(elems)
	plainOut := make([]hexutil.Bytes, len(plain))
	for i, s := range plain {
		elems = append(elems, rpc.BatchElem{Method: "eth_call", Args: []any{toCallArg(s.w.msgs[s.i]), "latest"}, Result: &plainOut[i]})
	}
	if len(elems) == 0 {
		return nil
	}
	err := co.c.Batch(ctx, elems)
	for _, r := range raws {
		copy(r.w.raw, elems[r.lo:r.hi])
		r.w.err = err
	}
	for i, s := range plain {
		e := elems[plainAt+i]
		if e.Error != nil {
			s.set(nil, e.Error)
		} else {
			s.set(plainOut[i], nil)
		}
	}
	for _, p := range packs {
		e := elems[p.at]
		subs := packed[p.lo:p.hi]
		if e.Error != nil {
			for _, s := range subs {
				s.set(nil, e.Error)
			}
			continue
		}
		if len(*p.out) == 0 {
			// No code at the Multicall3 address.
			missing = append(missing, subs...)
			continue
		}
		results, err := unpackAggregate3(*p.out, len(subs))
		for i, s := range subs {
			switch {
			case err != nil:
				s.set(nil, err)
			case !results[i].Success:
				s.set(nil, &revertError{data: results[i].ReturnData})
			default:
				s.set(results[i].ReturnData, nil)
			}
		}
	}
	return missing
}

// call3 and result3 are Multicall3's Call3 and Result.
type call3 struct {
	Target       common.Address
	AllowFailure bool
	CallData     []byte
}

type result3 struct {
	Success    bool
	ReturnData []byte
}

func packAggregate3(subs []slot) ([]byte, error) {
	calls := make([]call3, len(subs))
	for i, s := range subs {
		m := s.w.msgs[s.i]
		calls[i] = call3{Target: *m.To, AllowFailure: true, CallData: m.Data}
	}
	return mcABI.Pack("aggregate3", calls)
}

func unpackAggregate3(ret []byte, n int) ([]result3, error) {
	vals, err := mcABI.Unpack("aggregate3", ret)
	if err != nil {
		return nil, markBadAnswer(badResponse("an aggregate3 answer that does not decode: %v", err))
	}
	var out []result3
	if err := mcABI.Methods["aggregate3"].Outputs.Copy(&out, vals); err != nil {
		return nil, badResponse("an aggregate3 answer that does not decode: %v", err)
	}
	if len(out) != n {
		return nil, badResponse("aggregate3 answered %d results for %d calls", len(out), n)
	}
	return out, nil
}

// revertError is a read that reverted inside aggregate3: it carries the
// revert data as a node's "execution reverted" error does (rpc.DataError),
// so revert decoding works on it unchanged.
type revertError struct{ data []byte }

func (e *revertError) Error() string {
	if reason, ok := revertReason(e.data); ok {
		return "execution reverted: " + reason
	}
	return "execution reverted"
}

// ErrorCode implements rpc.Error: geth's code for a revert.
func (e *revertError) ErrorCode() int { return 3 }

// ErrorData implements rpc.DataError: the revert data, hex.
func (e *revertError) ErrorData() any { return hexutil.Encode(e.data) }

// revertReason decodes Error(string).
func revertReason(data []byte) (string, bool) {
	reason, err := abi.UnpackRevert(data)
	if err != nil {
		return "", false
	}
	return reason, true
}

var (
	_ rpc.DataError = (*revertError)(nil)
	_ error         = (*revertError)(nil)
)
