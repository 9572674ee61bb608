package txflow

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// Batcher is a Backend that reads in JSON-RPC batches and sends with
// eth_sendRawTransactionSync: *chain.Client. With it a plan costs one
// round trip of reads before the first send, and the send returns the
// receipt; without it (a plain Backend) each read is a round trip.
type Batcher interface {
	// Batch answers read calls of any methods in one round trip
	// (chain.Client.Batch): each element's Error is its own failure; the
	// error returned is one that kept the batch from being answered.
	Batch(ctx context.Context, elems []rpc.BatchElem) error
	// SendTransactionSync sends and returns the receipt; a nil receipt
	// with a nil error means the node has the transaction and its receipt
	// must be polled (chain.Client.SendTransactionSync).
	SendTransactionSync(ctx context.Context, tx *types.Transaction, wait time.Duration) (*types.Receipt, error)
}

var _ Batcher = (*chain.Client)(nil)

// errNoBatch is the Error of a caller's extra read on a backend that does
// not batch.
var errNoBatch = errors.New("txflow: the backend does not batch reads")

// batched is what Prepare learnt in its batch that Execute uses without
// asking again.
type batched struct {
	// pending is the node's pending nonce of the account, and marks the
	// journal's entries of the account when it was read: if the journal
	// holds the same entries (plus this run's own) once the account is
	// locked, no other run of ours sent in between and pending still holds.
	pending uint64
	marks   int
	own     int // entries this run recorded
	next    uint64
	chained bool // next is set: the nonce after this run's last step
}

// prepareBatched is Prepare on a batching backend: the chain ID, pending
// nonce, latest block (base fee, gas limit), priority fee, balance, the
// protocol's checks and conditions, the simulation and the gas estimates
// in ONE round trip. Simulations are asked for every call that may turn
// out to be the first needed one (each up to and including the first call
// without a Condition), since which it is is known only from the answers.
func (f *Flow) prepareBatched(ctx context.Context, b Batcher, from common.Address, calls []protocol.Call, extra []rpc.BatchElem) (*Plan, error) {
	marks, err := f.journalMarks(from)
	if err != nil {
		return nil, err
	}
	var (
		chainID  hexutil.Big
		pending  hexutil.Uint64
		head     *types.Header
		tip      hexutil.Big
		balance  hexutil.Big
		elems    []rpc.BatchElem
		readOuts []hexutil.Bytes
	)
	add := func(method string, result any, args ...any) int {
		elems = append(elems, rpc.BatchElem{Method: method, Args: args, Result: result})
		return len(elems) - 1
	}
	iChain := add("eth_chainId", &chainID)
	iNonce := -1
	if f.opts.Nonce == nil {
		iNonce = add("eth_getTransactionCount", &pending, from, "pending")
	}
	iHead := add("eth_getBlockByNumber", &head, "latest", false)
	iTip := -1
	if f.opts.PriorityFee == nil {
		iTip = add("eth_maxPriorityFeePerGas", &tip)
	}
	iBal := add("eth_getBalance", &balance, from, "latest")
	reads := protocol.Reads(calls)
	readOuts = make([]hexutil.Bytes, len(reads))
	iReads := len(elems)
	for i, m := range reads {
		add("eth_call", &readOuts[i], callArg(m), "latest")
	}
	// The reads of permit offers (nonce, domain).
	offers := permitOffers(calls)
	// A permit's deadline counts from the block it will be mined in: the
	// pending block's timestamp (a chain whose clock was moved ahead has
	// it far past the latest block's).
	var pendingHead *types.Header
	iPending := -1
	if len(offers) > 0 && f.opts.Permits {
		iPending = add("eth_getBlockByNumber", &pendingHead, "pending", false)
	}
	for _, o := range offers {
		if !f.opts.Permits {
			break // no reads: permitStep says why without them
		}
		o.readsAt = len(elems)
		for k, m := range calls[o.call].Permit.Reads {
			add("eth_call", &o.reads[k], callArg(m), "latest")
		}
	}
	// Simulation of each candidate first call, and a gas estimate of every
	// call (later ones may fail until an earlier one is mined: their
	// GasHint stands in until then).
	candidates := 0
	for i, c := range calls {
		candidates = i + 1
		if c.Only == nil {
			break
		}
	}
	sims := make([]hexutil.Bytes, candidates)
	iSims := len(elems)
	for i := 0; i < candidates; i++ {
		add("eth_call", &sims[i], callArg(callMsg(from, calls[i])), "latest")
	}
	gas := make([]hexutil.Uint64, len(calls))
	iGas := -1
	if f.opts.GasLimit == 0 {
		iGas = len(elems)
		for i := range calls {
			add("eth_estimateGas", &gas[i], callArg(callMsg(from, calls[i])))
		}
	}
	iExtra := len(elems)
	elems = append(elems, extra...)

	berr := b.Batch(ctx, elems)
	copy(extra, elems[iExtra:])
	if berr != nil {
		return nil, f.batchError(berr)
	}

	// The chain first: nothing else matters on the wrong one.
	if err := elems[iChain].Error; err != nil {
		return nil, f.batchError(fmt.Errorf("read chain ID: %w", err))
	}
	if got := (*big.Int)(&chainID); got.Cmp(f.opts.ChainID) != 0 {
		return nil, fmt.Errorf("%w: the RPC is on chain %s, but network %s is chain %s; use a matching --network or --rpc-url", ErrWrongChain, got, f.opts.Network, f.opts.ChainID)
	}
	if err := elems[iHead].Error; err != nil {
		return nil, fmt.Errorf("read latest block: %w", err)
	}
	if head == nil || head.Number == nil {
		return nil, fmt.Errorf("read latest block: %w: no block", chain.ErrBadResponse)
	}
	if head.BaseFee == nil {
		return nil, errors.New("the chain has no EIP-1559 base fee; legacy transactions are not supported")
	}
	tipWei := f.opts.PriorityFee
	if iTip >= 0 {
		if err := elems[iTip].Error; err != nil {
			return nil, fmt.Errorf("read priority fee: %w", err)
		}
		tipWei = (*big.Int)(&tip)
	}
	tipWei, maxFee, err := f.feesFrom(head.BaseFee, tipWei)
	if err != nil {
		return nil, err
	}
	var nonce uint64
	bt := &batched{marks: marks}
	if f.opts.Nonce != nil {
		nonce = *f.opts.Nonce
	} else {
		if err := elems[iNonce].Error; err != nil {
			return nil, fmt.Errorf("read nonce: %w", err)
		}
		bt.pending = uint64(pending)
		if nonce, _, err = f.nonceAfter(from, bt.pending); err != nil {
			return nil, err
		}
	}
	// The protocol's rules, and which calls are needed.
	readErrs := make([]error, len(reads))
	readRes := make([][]byte, len(reads))
	for i := range reads {
		readErrs[i] = elems[iReads+i].Error
		readRes[i] = readOuts[i]
	}
	kept, err := protocol.Judge(calls, readRes, readErrs)
	if err != nil {
		return nil, err
	}
	if len(kept) == 0 {
		return nil, errors.New("nothing to do: every call of the plan is already done")
	}
	// Where each kept call sits in calls (for its simulation and estimate).
	at := make([]int, 0, len(kept))
	for i, j := 0, 0; i < len(calls) && j < len(kept); i++ {
		if sameCall(calls[i], kept[j]) {
			at = append(at, i)
			j++
		}
	}
	plan := &Plan{From: from, Network: f.opts.Network, ChainID: f.opts.ChainID, BaseFee: head.BaseFee, blockGasLimit: head.GasLimit, batch: bt}
	// Permits: a needed approve followed by a call that offers a permit
	// becomes that call alone, with the permit signed later.
	permits := map[int]*PermitStep{} // by index in kept of the call with the permit
	for _, o := range offers {
		k := -1
		for i := range at {
			if at[i] == o.call {
				k = i
			}
		}
		if k < 1 || at[k-1] != o.call-1 {
			continue // the approve is not needed: the allowance covers it
		}
		errsOf := make([]error, len(o.reads))
		for r := range o.reads {
			errsOf[r] = elems[o.readsAt+r].Error
		}
		p, why := f.permitStep(o, calls[o.call], errsOf, permitClock(head, pendingHead, iPending >= 0 && elems[iPending].Error == nil))
		if p == nil {
			plan.PermitNote = why
			continue
		}
		c, err := withPermit(kept[k], p)
		if err != nil {
			return nil, err
		}
		kept[k] = c
		permits[k] = p
	}
	if len(permits) > 0 {
		// Leave out each approve a permit replaces.
		var keptP []protocol.Call
		var atP []int
		shifted := map[int]*PermitStep{}
		for i, c := range kept {
			if permits[i+1] != nil {
				continue
			}
			if p := permits[i]; p != nil {
				shifted[len(keptP)] = p
			}
			keptP = append(keptP, c)
			atP = append(atP, at[i])
		}
		kept, at, permits = keptP, atP, shifted
	}
	hinted := true
	for i, c := range kept {
		step := &Step{Call: c, Nonce: nonce + uint64(i), Tip: tipWei, MaxFee: maxFee, GasLimit: c.GasHint, Permit: permits[i]}
		if f.opts.GasLimit != 0 {
			step.GasLimit = f.opts.GasLimit
		}
		hinted = hinted && step.GasLimit != 0
		plan.Steps = append(plan.Steps, step)
	}
	// The balance comes before the simulation, as in Prepare.
	if err := elems[iBal].Error; err != nil {
		return nil, fmt.Errorf("read balance: %w", err)
	}
	have := new(big.Int).Set((*big.Int)(&balance))
	if have.Cmp(plan.Value()) < 0 {
		var fees *big.Int
		if hinted {
			fees = plan.MaxCost()
		}
		return nil, f.insufficient(from, have, plan.Value(), fees)
	}
	if sim := at[0]; sim < candidates && plan.Steps[0].Permit == nil {
		// (A call with a permit cannot be simulated before it is signed.)
		if err := elems[iSims+sim].Error; err != nil {
			return nil, f.revertError(kept[0], err)
		}
	}
	for i, step := range plan.Steps {
		c := step.Call
		if f.opts.GasLimit != 0 {
			step.GasLimit, step.Estimated = f.opts.GasLimit, true
			continue
		}
		if step.Permit != nil {
			// Its gas is the hint: without the signature the estimate
			// reverts (no allowance), and with it would cost a round trip.
			step.Estimated = true
			continue
		}
		g, err := f.checkEstimate(c, uint64(gas[at[i]]), elems[iGas+at[i]].Error, plan.blockGasLimit)
		switch {
		case err == nil:
			step.GasLimit, step.Estimated = g, true
		case i == 0, errors.Is(err, chain.ErrBadResponse), c.GasHint == 0:
			return nil, err
		}
	}
	need := new(big.Int).Add(plan.Value(), plan.MaxCost())
	if have.Cmp(need) < 0 {
		return nil, f.insufficient(from, have, plan.Value(), plan.MaxCost())
	}
	if err := f.checkFeeRatio(plan); err != nil {
		return nil, err
	}
	return plan, nil
}

// batchError words a batch that could not be answered at all.
func (f *Flow) batchError(err error) error {
	var wc *chain.WrongChainError
	if errors.As(err, &wc) {
		return err
	}
	return fmt.Errorf("read the chain: %w", err)
}

// sameCall reports whether a and b are the same call (Judge keeps calls by
// value, in order).
func sameCall(a, b protocol.Call) bool {
	return a.To == b.To && a.Action == b.Action && string(a.Data) == string(b.Data) &&
		(a.Value == nil) == (b.Value == nil) && (a.Value == nil || a.Value.Cmp(b.Value) == 0)
}

// estimateBatched fills a later step once the earlier ones are mined: its
// simulation and gas estimate in one round trip.
func (f *Flow) estimateBatched(ctx context.Context, b Batcher, from common.Address, step *Step, blockLimit uint64) error {
	var (
		sim hexutil.Bytes
		gas hexutil.Uint64
	)
	arg := callArg(callMsg(from, step.Call))
	elems := []rpc.BatchElem{
		{Method: "eth_call", Args: []any{arg, "latest"}, Result: &sim},
		{Method: "eth_estimateGas", Args: []any{arg}, Result: &gas},
	}
	if err := b.Batch(ctx, elems); err != nil {
		return fmt.Errorf("simulate %s: %w", step.Call.Action, err)
	}
	if err := elems[0].Error; err != nil {
		return f.revertError(step.Call, err)
	}
	g, err := f.checkEstimate(step.Call, uint64(gas), elems[1].Error, blockLimit)
	if err != nil {
		return err
	}
	step.GasLimit, step.Estimated = g, true
	return nil
}

// journalMarks counts the journal's entries of from on this chain.
func (f *Flow) journalMarks(from common.Address) (int, error) {
	if f.journal == nil {
		return 0, nil
	}
	all, err := f.journal.List(f.opts.ChainID.Uint64())
	if err != nil {
		return 0, fmt.Errorf("read the journal: %w", err)
	}
	n := 0
	for _, e := range all {
		if e.From == from {
			n++
		}
	}
	return n, nil
}

// knownNonce is the nonce of step i from what this run knows, without
// asking the node: the pending nonce read in Prepare's batch (for the
// first step) or the one after this run's previous step, as long as no
// other run of ours journaled a transaction for the account since.
// ok is false when the node must be asked again.
func (f *Flow) knownNonce(plan *Plan) (nonce uint64, gap []*journal.Entry, ok bool, err error) {
	bt := plan.batch
	if bt == nil {
		return 0, nil, false, nil
	}
	marks, err := f.journalMarks(plan.From)
	if err != nil {
		return 0, nil, false, err
	}
	if marks != bt.marks+bt.own {
		return 0, nil, false, nil
	}
	pending := bt.pending
	if bt.chained {
		pending = bt.next
	}
	nonce, gap, err = f.nonceAfter(plan.From, pending)
	return nonce, gap, err == nil, err
}

// callArg encodes a call as eth_call and eth_estimateGas take it.
func callArg(m ethereum.CallMsg) map[string]any {
	arg := map[string]any{"from": m.From, "to": m.To}
	if len(m.Data) > 0 {
		arg["input"] = hexutil.Bytes(m.Data)
	}
	if m.Value != nil {
		arg["value"] = (*hexutil.Big)(m.Value)
	}
	if m.Gas != 0 {
		arg["gas"] = hexutil.Uint64(m.Gas)
	}
	return arg
}
