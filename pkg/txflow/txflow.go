// Package txflow turns protocol calls into mined transactions:
// fill (nonce, EIP-1559 fees, gas) → simulate → preview → sign → journal
// → broadcast → wait for the receipt and confirmations.
//
// It is the only code that sends transactions, so every safety rule of the
// wallet lives here: the chain ID is checked before signing, every signed
// transaction is fsynced to the journal before broadcast, and a transaction
// that was broadcast is never reported as failed-and-safe-to-retry.
//
// Round trips are the cost of a remote node. On a Batcher (*chain.Client)
// everything read before the first send — chain ID, pending nonce, latest
// block, priority fee, balance, the protocol's Checks and Conditions, the
// simulation and the gas estimates — is one JSON-RPC batch, and the send
// (eth_sendRawTransactionSync) answers with the receipt: a stake is two
// round trips. A call that needs an earlier one mined (after an approve)
// costs one more batch (its simulation and estimate) and its send.
package txflow

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// Backend is the chain access the pipeline needs; *chain.Client and
// *ethclient.Client satisfy it.
type Backend interface {
	ChainID(ctx context.Context) (*big.Int, error)
	BlockNumber(ctx context.Context) (uint64, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// Errors the CLI maps to exit codes.
var (
	// ErrWrongChain: the RPC's chain ID is not the network's (exit 3).
	ErrWrongChain = errors.New("wrong chain")
	// ErrSimulation: the call reverts in simulation; nothing was signed (exit 2).
	ErrSimulation = errors.New("transaction would revert")
	// ErrInsufficientFunds: the account cannot pay value + max fee (exit 2).
	ErrInsufficientFunds = errors.New("insufficient funds")
	// ErrReverted: included but reverted (exit 4).
	ErrReverted = errors.New("transaction reverted")
	// ErrTimeout: broadcast, but not mined in time; do not resubmit (exit 5).
	ErrTimeout = errors.New("timed out waiting for the transaction")
	// ErrBroadcast: the node refused the signed transaction; it was not sent (exit 3).
	ErrBroadcast = errors.New("broadcast failed")
	// ErrFeeTooHigh: the max fee is above the network's cap, or out of
	// proportion to what the plan moves; nothing was signed (*FeeError
	// says whether the node's fee data or the user's input is at fault).
	ErrFeeTooHigh = errors.New("fee too high")
)

// HighFeeFactor: a plan whose max fee is more than this many times the
// value it moves is refused unless Options.HighFeeOK (--yes-high-fee).
const HighFeeFactor = 10

// GasHintFactor: a gas estimate more than this many times the call's
// protocol.Call.GasHint is not believed.
const GasHintFactor = 10

// Options tune filling and waiting. Zero values mean "estimate" / defaults.
type Options struct {
	Network string
	ChainID *big.Int
	// MaxFee and PriorityFee override the fee estimate (wei per gas).
	MaxFee, PriorityFee *big.Int
	// GasLimit overrides the estimate for every transaction.
	GasLimit uint64
	// Nonce overrides the first transaction's nonce.
	Nonce *uint64
	// GasMarginPercent is added to gas estimates (default 20).
	GasMarginPercent uint64
	// Confirmations to wait for after inclusion (default 1 = included).
	Confirmations uint64
	// Timeout for each transaction's inclusion (default 5m).
	Timeout time.Duration
	// PollInterval for receipts (default 1s).
	PollInterval time.Duration
	// DecodeRevert turns revert data into a readable reason; may be nil.
	DecodeRevert func(data []byte) string
	// RevertData extracts revert data from an RPC error; may be nil.
	RevertData func(err error) ([]byte, bool)
	// LockWait bounds the wait for another process that holds the
	// account's lock (default 3m: a person may be approving on a Ledger).
	LockWait time.Duration
	// Command describes this run in the lock, for the message of runs
	// that wait for it ("stakewallet stake 0.01").
	Command string
	// MaxFeeCap (wei per gas) refuses a max fee above it, unless MaxFee
	// was given: fee data far above what the chain has paid recently (a
	// lying or broken node) is not signed on trust. nil = no cap.
	MaxFeeCap *big.Int
	// HighFeeOK allows a plan whose max fee is more than HighFeeFactor
	// times the value it moves (--yes-high-fee).
	HighFeeOK bool
	// NativeSymbol and NativeDecimals name the native coin in messages
	// (default ETH, 18).
	NativeSymbol   string
	NativeDecimals uint8
	// Permits lets a plan replace an approve and the call after it with
	// one call carrying a signed EIP-2612 permit (protocol.PermitRequest),
	// when the approve is needed: set it when the signer signs typed data
	// and the user did not ask for --no-permit. Only a batching backend
	// (Batcher) uses permits.
	Permits bool
	// NoPermitReason says why Permits is off, for Plan.PermitNote.
	NoPermitReason string
	// PermitValidity is how long a permit stays valid after the latest
	// block (default PermitValidity; longer for documents signed offline).
	PermitValidity time.Duration
}

// FeeError is a fee refused before signing. Input says the user's amount
// or flags are at fault (exit 2); otherwise the node's fee data is (exit 3).
type FeeError struct {
	Msg   string
	Input bool
}

func (e *FeeError) Error() string { return e.Msg }

func (e *FeeError) Unwrap() error { return ErrFeeTooHigh }

// InsufficientFundsError: the account holds less than the plan's value
// plus its max fee.
type InsufficientFundsError struct {
	From                 common.Address
	Have, Value, MaxFees *big.Int // MaxFees nil: not known yet
	Symbol               string
	Decimals             uint8
}

func (e *InsufficientFundsError) Error() string {
	coin := func(v *big.Int) string { return amount.FormatUnits(v, e.Decimals, e.Symbol) }
	fees := "plus fees"
	if e.MaxFees != nil {
		fees = "plus up to " + coin(e.MaxFees) + " in fees"
	}
	need := coin(e.Value) + " " + fees
	if e.Value.Sign() == 0 {
		need = strings.TrimPrefix(fees, "plus ")
	}
	return fmt.Sprintf("insufficient %s: have %s, need %s (account %s)", e.Symbol, coin(e.Have), need, e.From.Hex())
}

func (e *InsufficientFundsError) Unwrap() error { return ErrInsufficientFunds }

// Step is one call of a plan, filled.
type Step struct {
	Call     protocol.Call
	Nonce    uint64
	GasLimit uint64
	// Estimated is false when GasLimit came from Call.GasHint because an
	// earlier step must be mined before this one can be estimated.
	Estimated bool
	Tip       *big.Int
	MaxFee    *big.Int
	// Permit, when set, is signed right before this step's transaction
	// (which replaced an approve and the call after it).
	Permit *PermitStep
}

// Plan is what will be signed, for the preview.
type Plan struct {
	From    common.Address
	Network string
	ChainID *big.Int
	BaseFee *big.Int
	Steps   []*Step
	// blockGasLimit is the gas limit of the block Prepare read: no
	// estimate above it is believed (0 = unknown).
	blockGasLimit uint64
	// batch is what a batched Prepare read (nil otherwise).
	batch *batched
	// PermitNote, when a call offered a permit but the plan approves
	// instead, says why (for the preview).
	PermitNote string
}

// MaxCost is the most the plan can cost in fees: Σ gas × maxFee.
func (p *Plan) MaxCost() *big.Int {
	sum := new(big.Int)
	for _, s := range p.Steps {
		sum.Add(sum, new(big.Int).Mul(new(big.Int).SetUint64(s.GasLimit), s.MaxFee))
	}
	return sum
}

// EstimatedCost is the likely fee at today's base fee: Σ gas × (base + tip).
func (p *Plan) EstimatedCost() *big.Int {
	sum := new(big.Int)
	for _, s := range p.Steps {
		price := new(big.Int).Add(p.BaseFee, s.Tip)
		if price.Cmp(s.MaxFee) > 0 {
			price = s.MaxFee
		}
		sum.Add(sum, new(big.Int).Mul(new(big.Int).SetUint64(s.GasLimit), price))
	}
	return sum
}

// Value is the native coin the plan sends.
func (p *Plan) Value() *big.Int {
	sum := new(big.Int)
	for _, s := range p.Steps {
		if s.Call.Value != nil {
			sum.Add(sum, s.Call.Value)
		}
	}
	return sum
}

// Flow runs plans against one backend.
type Flow struct {
	backend Backend
	journal *journal.Journal
	opts    Options
}

// New returns a Flow. The journal may be nil only for dry runs.
func New(b Backend, j *journal.Journal, opts Options) *Flow {
	if opts.GasMarginPercent == 0 {
		opts.GasMarginPercent = 20
	}
	if opts.Confirmations == 0 {
		opts.Confirmations = 1
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Minute
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = time.Second
	}
	if opts.LockWait == 0 {
		opts.LockWait = 3 * time.Minute
	}
	if opts.NativeSymbol == "" {
		opts.NativeSymbol, opts.NativeDecimals = "ETH", 18
	}
	return &Flow{backend: b, journal: j, opts: opts}
}

// VerifyChain checks the RPC's chain ID against the network's.
func (f *Flow) VerifyChain(ctx context.Context) error {
	got, err := f.backend.ChainID(ctx)
	if err != nil {
		return fmt.Errorf("read chain ID: %w", err)
	}
	if got.Cmp(f.opts.ChainID) != 0 {
		return fmt.Errorf("%w: the RPC is on chain %s, but network %s is chain %s; use a matching --network or --rpc-url", ErrWrongChain, got, f.opts.Network, f.opts.ChainID)
	}
	return nil
}

// Prepare fills nonces, fees and gas for calls sent by from, simulating
// the first call (later ones may depend on it, e.g. after an approve) and
// checking that from can pay for everything. It refuses, before anything
// is signed, fee data above the cap, gas estimates no honest node gives,
// a node whose nonce is behind the journal, and fees out of proportion to
// the value moved.
//
// Calls' Checks and Conditions are judged first (protocol.Judge): a call
// whose Condition says it is not needed is left out of the plan, and a
// Check that fails refuses it. extra are reads of the caller's own, made
// in the same round trip when the backend batches (Batcher); without it
// each one's Error is set and nothing is read for them.
func (f *Flow) Prepare(ctx context.Context, from common.Address, calls []protocol.Call, extra ...rpc.BatchElem) (*Plan, error) {
	if len(calls) == 0 {
		return nil, errors.New("nothing to do")
	}
	if b, ok := f.backend.(Batcher); ok {
		return f.prepareBatched(ctx, b, from, calls, extra)
	}
	for i := range extra {
		extra[i].Error = errNoBatch
	}
	if err := f.VerifyChain(ctx); err != nil {
		return nil, err
	}
	// The protocol's rules, one read at a time on a backend that cannot
	// batch them.
	reads := protocol.Reads(calls)
	results, errs := make([][]byte, len(reads)), make([]error, len(reads))
	for i, m := range reads {
		results[i], errs[i] = f.backend.CallContract(ctx, m, nil)
	}
	calls, err := protocol.Judge(calls, results, errs)
	if err != nil {
		return nil, err
	}
	if len(calls) == 0 {
		return nil, errors.New("nothing to do: every call of the plan is already done")
	}
	head, err := f.backend.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read latest block: %w", err)
	}
	if head.BaseFee == nil {
		return nil, errors.New("the chain has no EIP-1559 base fee; legacy transactions are not supported")
	}
	tip, maxFee, err := f.fees(ctx, head.BaseFee)
	if err != nil {
		return nil, err
	}
	var nonce uint64
	if f.opts.Nonce != nil {
		nonce = *f.opts.Nonce
	} else if nonce, _, err = f.nextNonce(ctx, from); err != nil {
		return nil, err
	}
	plan := &Plan{From: from, Network: f.opts.Network, ChainID: f.opts.ChainID, BaseFee: head.BaseFee, blockGasLimit: head.GasLimit}
	hinted := true // every step has a gas limit before estimating
	for i, c := range calls {
		step := &Step{Call: c, Nonce: nonce + uint64(i), Tip: tip, MaxFee: maxFee, GasLimit: c.GasHint}
		if f.opts.GasLimit != 0 {
			step.GasLimit = f.opts.GasLimit
		}
		hinted = hinted && step.GasLimit != 0
		plan.Steps = append(plan.Steps, step)
	}
	// The balance comes before the simulation: a node asked to simulate a
	// call worth more than the account holds answers "insufficient funds
	// for gas * price + value", which says nothing of what is missing.
	balance, err := f.backend.BalanceAt(ctx, from, nil)
	if err != nil {
		return nil, fmt.Errorf("read balance: %w", err)
	}
	if balance.Cmp(plan.Value()) < 0 {
		var fees *big.Int
		if hinted {
			fees = plan.MaxCost()
		}
		return nil, f.insufficient(from, balance, plan.Value(), fees)
	}
	for i, step := range plan.Steps {
		c := step.Call
		if i == 0 {
			if err := f.simulate(ctx, from, c); err != nil {
				return nil, err
			}
		}
		switch {
		case f.opts.GasLimit != 0:
			step.GasLimit, step.Estimated = f.opts.GasLimit, true
		case i == 0:
			gas, err := f.estimate(ctx, from, c, plan.blockGasLimit)
			if err != nil {
				return nil, err
			}
			step.GasLimit, step.Estimated = gas, true
		default:
			// Later steps usually depend on earlier ones (approve → request):
			// estimate now if the node can, else use the protocol's hint and
			// estimate for real once the earlier step is mined.
			gas, err := f.estimate(ctx, from, c, plan.blockGasLimit)
			switch {
			case err == nil:
				step.GasLimit, step.Estimated = gas, true
			case errors.Is(err, chain.ErrBadResponse):
				return nil, err // an estimate no honest node gives
			case c.GasHint == 0:
				return nil, err
			}
		}
	}
	need := new(big.Int).Add(plan.Value(), plan.MaxCost())
	if balance.Cmp(need) < 0 {
		return nil, f.insufficient(from, balance, plan.Value(), plan.MaxCost())
	}
	if err := f.checkFeeRatio(plan); err != nil {
		return nil, err
	}
	return plan, nil
}

func (f *Flow) insufficient(from common.Address, have, value, fees *big.Int) error {
	return &InsufficientFundsError{From: from, Have: have, Value: value, MaxFees: fees, Symbol: f.opts.NativeSymbol, Decimals: f.opts.NativeDecimals}
}

func (f *Flow) coin(v *big.Int) string {
	return amount.FormatUnits(v, f.opts.NativeDecimals, f.opts.NativeSymbol)
}

// fees chooses the priority fee and max fee per gas: the flags', else the
// node's tip and 2 × base fee + tip. Fee data the node makes up (a base
// fee of 10,000 gwei, a tip above the max fee) is refused here, before
// anything is simulated or signed.
func (f *Flow) fees(ctx context.Context, baseFee *big.Int) (tip, maxFee *big.Int, err error) {
	tip = f.opts.PriorityFee
	if tip == nil {
		if tip, err = f.backend.SuggestGasTipCap(ctx); err != nil {
			return nil, nil, fmt.Errorf("read priority fee: %w", err)
		}
	}
	return f.feesFrom(baseFee, tip)
}

// feesFrom is fees with the priority fee known (the flag's, or the node's
// suggestion read in a batch).
func (f *Flow) feesFrom(baseFee, tip *big.Int) (_, maxFee *big.Int, err error) {
	maxFee = f.opts.MaxFee
	if maxFee == nil {
		// 2 × base fee survives six full blocks of base-fee growth.
		maxFee = new(big.Int).Add(new(big.Int).Mul(baseFee, big.NewInt(2)), tip)
	}
	if maxFee.Cmp(tip) < 0 {
		if f.opts.PriorityFee == nil {
			return nil, nil, &FeeError{Msg: fmt.Sprintf("the node suggests a priority fee of %s per gas, above --max-fee %s: "+
				"that is not a fee to pay on trust; pass --priority-fee GWEI too, or use another --rpc-url", gwei(tip), gwei(maxFee))}
		}
		return nil, nil, &FeeError{Input: true, Msg: fmt.Sprintf("--max-fee %s is below --priority-fee %s: the max fee per gas includes the priority fee",
			gwei(maxFee), gwei(tip))}
	}
	if capped := f.opts.MaxFeeCap; f.opts.MaxFee == nil && capped != nil && maxFee.Cmp(capped) > 0 {
		own := f.opts.PriorityFee != nil && f.opts.PriorityFee.Cmp(capped) > 0
		return nil, nil, &FeeError{Input: own, Msg: fmt.Sprintf("max fee %s per gas (2 × base fee %s + priority fee %s) is above the %s fee cap of %s: "+
			"refusing to sign on fee data far above what the chain has paid recently (a broken or lying RPC, or a fee spike); "+
			"if the fee is real, pass --max-fee GWEI to accept it, or set max-fee-cap in [networks.%s] of the config file",
			gwei(maxFee), gwei(baseFee), gwei(tip), f.opts.Network, gwei(capped), f.opts.Network)}
	}
	return tip, maxFee, nil
}

// moved is what the plan moves, in wei of the native coin, and how to
// say it: the largest native value or token amount of a step (an approve
// and the request it enables move the same tokens once). Liquid staking
// tokens are counted one for one with the coin they stake (stETH ≈ ETH):
// the check is for fees out of all proportion, not a price.
func (f *Flow) moved(p *Plan) (wei *big.Int, shown string) {
	wei = new(big.Int)
	for _, s := range p.Steps {
		if v := s.Call.Value; v != nil && v.Cmp(wei) > 0 {
			wei.Set(v)
			shown = f.coin(v)
		}
		a, tok := s.Call.Amount, s.Call.Token
		if a == nil {
			continue
		}
		dec := tok.Decimals
		if tok.IsNative() {
			dec = f.opts.NativeDecimals
		}
		v := new(big.Int).Set(a)
		if dec < f.opts.NativeDecimals {
			v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(f.opts.NativeDecimals-dec)), nil))
		} else if dec > f.opts.NativeDecimals {
			v.Quo(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(dec-f.opts.NativeDecimals)), nil))
		}
		if v.Cmp(wei) > 0 {
			wei = v
			shown = f.coin(v)
			if !tok.IsNative() && tok.Symbol != "" {
				shown = amount.FormatUnits(a, tok.Decimals, tok.Symbol)
			}
		}
	}
	return wei, shown
}

// checkFeeRatio refuses a plan whose max fee is more than HighFeeFactor
// times what it moves, unless --yes-high-fee: always, even with --max-fee,
// because paying 0.01 ETH to move 0.0001 ETH is a mistake far more often
// than a wish.
func (f *Flow) checkFeeRatio(p *Plan) error {
	moved, shown := f.moved(p)
	if f.opts.HighFeeOK || moved.Sign() == 0 {
		return nil
	}
	fee := p.MaxCost()
	if fee.Cmp(new(big.Int).Mul(moved, big.NewInt(HighFeeFactor))) <= 0 {
		return nil
	}
	return &FeeError{Input: true, Msg: fmt.Sprintf("the max fee of %s (%s per gas) is more than %d × the %s this moves: "+
		"pass --yes-high-fee to pay it anyway, or move more at once", f.coin(fee), gwei(p.Steps[0].MaxFee), HighFeeFactor, shown)}
}

func callMsg(from common.Address, c protocol.Call) ethereum.CallMsg {
	to := c.To
	return ethereum.CallMsg{From: from, To: &to, Value: c.Value, Data: c.Data}
}

func (f *Flow) simulate(ctx context.Context, from common.Address, c protocol.Call) error {
	if _, err := f.backend.CallContract(ctx, callMsg(from, c), nil); err != nil {
		return f.revertError(c, err)
	}
	return nil
}

// estimate asks the node for the call's gas and adds the margin. An
// estimate above the block gas limit (blockLimit, 0 = unknown), or far
// above what the protocol says the call takes, is no honest node's
// answer: refused, since the fee is paid on it.
func (f *Flow) estimate(ctx context.Context, from common.Address, c protocol.Call, blockLimit uint64) (uint64, error) {
	gas, err := f.backend.EstimateGas(ctx, callMsg(from, c))
	return f.checkEstimate(c, gas, err, blockLimit)
}

// checkEstimate judges the node's estimate (or its error) and adds the
// call's GasExtra and the margin.
func (f *Flow) checkEstimate(c protocol.Call, gas uint64, err error, blockLimit uint64) (uint64, error) {
	if err != nil {
		return 0, f.revertError(c, err)
	}
	if blockLimit != 0 && gas > blockLimit {
		return 0, fmt.Errorf("%w: the node estimates %d gas for %s, more than a whole block holds (%d): "+
			"nothing was signed; use another --rpc-url (or --gas-limit N if you know what it takes)", chain.ErrBadResponse, gas, c.Action, blockLimit)
	}
	if c.GasHint != 0 && gas > GasHintFactor*c.GasHint {
		return 0, fmt.Errorf("%w: the node estimates %d gas for %s, more than %d × the %d it takes: "+
			"nothing was signed; use another --rpc-url (or --gas-limit N if you know what it takes)", chain.ErrBadResponse, gas, c.Action, GasHintFactor, c.GasHint)
	}
	gas += c.GasExtra
	return gas + gas*f.opts.GasMarginPercent/100, nil
}

// revertError explains why a call fails in simulation. Errors that are not
// reverts (connection trouble) pass through unchanged.
func (f *Flow) revertError(c protocol.Call, err error) error {
	if f.opts.RevertData != nil {
		if data, ok := f.opts.RevertData(err); ok {
			return &SimulationError{Action: c.Action, Reason: f.reason(data), Data: data}
		}
	}
	if isExecutionError(err) {
		return &SimulationError{Action: c.Action, Reason: err.Error()}
	}
	return fmt.Errorf("simulate %s: %w", c.Action, err)
}

func (f *Flow) reason(data []byte) string {
	if f.opts.DecodeRevert != nil {
		return f.opts.DecodeRevert(data)
	}
	return fmt.Sprintf("0x%x", data)
}

// SimulationError is a call that reverts before anything is signed.
type SimulationError struct {
	Action string
	Reason string
	Data   []byte
}

func (e *SimulationError) Error() string {
	return fmt.Sprintf("%s would revert: %s", e.Action, e.Reason)
}

func (e *SimulationError) Unwrap() error { return ErrSimulation }

// Result is one sent transaction.
type Result struct {
	Step    *Step
	Hash    common.Hash
	Receipt *types.Receipt // nil if not mined in time
	Entry   *journal.Entry

	// sentAt is when it was handed to the node: a synchronous send's wait
	// counts against Options.Timeout.
	sentAt time.Time
}

// Hooks let the caller show progress.
type Hooks struct {
	// Signing is called before asking the signer (e.g. "Review and approve
	// on your Ledger").
	Signing func(step int, s *Step)
	// Sending is called right before the signed transaction is handed to
	// the node; with eth_sendRawTransactionSync the node answers once it is
	// mined, so Sent follows only then.
	Sending func(step int, hash common.Hash)
	// Sent is called once the node accepted the transaction.
	Sent func(step int, hash common.Hash)
	// Mined is called with the receipt.
	Mined func(step int, r *types.Receipt)
	// LockWait is called when another process holds the account's lock
	// and this run waits for it.
	LockWait func(holder journal.Holder)
	// SigningPermit is called before asking the signer for a step's
	// permit (typed data), after the confirmation.
	SigningPermit func(step int, s *Step)
	// Note tells the user something they should know about a step
	// (the nonce follows open journal entries the node does not have;
	// the nonce was taken by another transaction and was chosen again).
	Note func(step int, msg string)
}

// Execute signs, journals, broadcasts and waits for each step in order,
// stopping at the first failure. Results holds every transaction that was
// broadcast, also when an error is returned.
//
// Each step holds the account's lock from choosing its nonce until the
// node accepted it, so concurrent runs for one account (a cron restake, a
// person staking by hand, a loop of stakes) get consecutive nonces, and
// waits for inclusion outside the lock. (A synchronous send is accepted
// and mined in one answer: the lock is held until it comes.) The nonce is
// the one Prepare's batch read, or the one after this run's previous step,
// unless another run journaled a transaction for the account meanwhile:
// then the node is asked again, under the lock.
func (f *Flow) Execute(ctx context.Context, plan *Plan, s signer.Signer, hooks Hooks) ([]*Result, error) {
	if f.journal == nil {
		return nil, errors.New("no journal: refusing to sign a transaction that could be lost")
	}
	if s.Address() != plan.From {
		return nil, fmt.Errorf("signer %s is %s, but the plan is for %s", s, s.Address().Hex(), plan.From.Hex())
	}
	var results []*Result
	for i, step := range plan.Steps {
		if i > 0 && !step.Estimated {
			// The earlier steps are mined now; estimate for real (with a
			// batching backend, simulation and estimate in one round trip).
			if b, ok := f.backend.(Batcher); ok {
				if err := f.estimateBatched(ctx, b, plan.From, step, plan.blockGasLimit); err != nil {
					return results, err
				}
			} else {
				gas, err := f.estimate(ctx, plan.From, step.Call, plan.blockGasLimit)
				if err != nil {
					return results, err
				}
				step.GasLimit, step.Estimated = gas, true
			}
		}
		if step.Permit != nil && step.Permit.Signature == nil {
			// The permit first, outside the account's lock: a review on a
			// device takes a person's time.
			if err := f.signPermit(ctx, i, plan.From, step, s, hooks); err != nil {
				return results, err
			}
		}
		res, err := f.submitStep(ctx, plan, i, step, s, hooks)
		if err != nil {
			if res != nil {
				results = append(results, res)
			}
			return results, err
		}
		results = append(results, res)
		if err := f.await(ctx, i, plan.From, res, hooks); err != nil {
			return results, err
		}
	}
	return results, nil
}

// submitStep signs, journals and broadcasts one step under the account's
// lock. The nonce is chosen under the lock (unless --nonce fixed it); a
// node that answers "nonce too low" or "already known" to bytes it never
// had from us means another transaction took the nonce, so the step is
// planned once more with a fresh nonce: never re-sent as it was.
func (f *Flow) submitStep(ctx context.Context, plan *Plan, i int, step *Step, s signer.Signer, hooks Hooks) (*Result, error) {
	lock, err := f.journal.LockAccount(ctx, plan.ChainID.Uint64(), plan.From, f.opts.Command, f.opts.LockWait, hooks.LockWait)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	var taken *nonceConflictError
	for {
		if f.opts.Nonce != nil {
			step.Nonce = *f.opts.Nonce + uint64(i)
		} else {
			// What Prepare's batch read (or this run's previous step) still
			// holds unless another run journaled a transaction meanwhile;
			// after a refusal, the node is asked again.
			nonce, gap, known, err := f.knownNonce(plan)
			if err != nil {
				return nil, err
			}
			if !known || taken != nil {
				if nonce, gap, err = f.nextNonce(ctx, plan.From); err != nil {
					return nil, err
				}
			}
			if taken != nil && nonce <= taken.nonce {
				// The node refused the nonce yet still offers it: signing
				// again would only repeat the refusal.
				return nil, fmt.Errorf("%w: %s: nonce %d is taken (%s), but the node still reports it as the next one; check `stakewallet tx pending`",
					ErrBroadcast, step.Call.Action, taken.nonce, taken.reason)
			}
			if len(gap) > 0 && hooks.Note != nil {
				hooks.Note(i, gapNote(nonce, gap, f.journal.Dir()))
			}
			step.Nonce = nonce
		}
		lock.Doing("signing with " + s.String())
		signed, entry, err := f.sign(ctx, plan, i, step, s, hooks)
		if err != nil {
			return nil, err
		}
		if bt := plan.batch; bt != nil {
			bt.own++
			bt.next, bt.chained = step.Nonce+1, true
		}
		if _, ok := f.backend.(Batcher); ok {
			// The synchronous send holds the lock until the node answers
			// with the receipt (a block, on a live chain).
			lock.Doing("sending " + signed.Hash().Hex() + " and waiting for it to be mined")
		}
		res, err := f.submit(ctx, i, step, signed, entry, hooks, f.opts.Nonce == nil)
		var conflict *nonceConflictError
		switch {
		case !errors.As(err, &conflict):
			return res, err
		case taken != nil:
			return nil, fmt.Errorf("%w: %s: nonce %d was taken as well (%s), after nonce %d; nothing was sent",
				ErrBroadcast, step.Call.Action, conflict.nonce, conflict.reason, taken.nonce)
		}
		taken = conflict
		if hooks.Note != nil {
			hooks.Note(i, fmt.Sprintf("nonce %d was taken by another transaction (%s); choosing a fresh one", conflict.nonce, conflict.reason))
		}
	}
}

// nextNonce is the nonce for a new transaction of from: the node's
// pending nonce, or past the open entries of the journal when it holds
// some the node does not know (journal.NextNonce). A node whose nonce is
// not past a transaction the journal saw mined is behind the chain (or
// lying): refused, since what it says of the account cannot be used.
func (f *Flow) nextNonce(ctx context.Context, from common.Address) (uint64, []*journal.Entry, error) {
	pending, err := f.backend.PendingNonceAt(ctx, from)
	if err != nil {
		return 0, nil, fmt.Errorf("read nonce: %w", err)
	}
	return f.nonceAfter(from, pending)
}

// nonceAfter applies the journal's rules to the node's pending nonce.
func (f *Flow) nonceAfter(from common.Address, pending uint64) (uint64, []*journal.Entry, error) {
	if f.journal == nil {
		return pending, nil, nil
	}
	last, err := f.journal.LastMined(f.opts.ChainID.Uint64(), from)
	if err != nil {
		return 0, nil, fmt.Errorf("read the journal: %w", err)
	}
	if last != nil && pending <= last.Nonce {
		return 0, nil, fmt.Errorf("%w: the node says the next nonce of %s is %d, but the journal has transaction %s with nonce %d %s in block %d: "+
			"the node is behind the chain or not telling the truth; nothing was signed: wait for it to catch up or use another --rpc-url "+
			"(only if this chain was reset, e.g. a restarted devnet, does --nonce N make sense)",
			chain.ErrBadResponse, from.Hex(), pending, last.Hash.Hex(), last.Nonce, last.State, last.BlockNumber)
	}
	next, gap, err := f.journal.NextNonce(f.opts.ChainID.Uint64(), from, pending)
	if err != nil {
		return 0, nil, fmt.Errorf("read the journal: %w", err)
	}
	return next, gap, nil
}

// gapNote explains a nonce chosen past open journal entries. tx send
// takes the journal file (a hash alone is not enough to re-broadcast).
func gapNote(nonce uint64, gap []*journal.Entry, dir string) string {
	first := gap[0]
	file := filepath.Join(dir, fmt.Sprintf("%d-%s.json", first.ChainID, first.Hash.Hex()))
	return fmt.Sprintf("nonce %d follows %d open transaction(s) in the journal that the node does not have (first: nonce %d, %s); "+
		"this one is mined only after them: re-broadcast with `stakewallet tx send %s` or replace with `stakewallet tx cancel %s` (see `stakewallet tx pending`)",
		nonce, len(gap), first.Nonce, first.Hash.Hex(), file, first.Hash.Hex())
}

// sign builds the step's transaction, checks the chain once more, signs,
// verifies the signature's sender and journals it durably.
func (f *Flow) sign(ctx context.Context, plan *Plan, i int, step *Step, s signer.Signer, hooks Hooks) (*types.Transaction, *journal.Entry, error) {
	if step.Permit != nil && step.Permit.Signature == nil {
		return nil, nil, fmt.Errorf("sign %s: its permit is not signed yet", step.Call.Action)
	}
	to := step.Call.To
	value := step.Call.Value
	if value == nil {
		value = new(big.Int)
	}
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: plan.ChainID, Nonce: step.Nonce, GasTipCap: step.Tip, GasFeeCap: step.MaxFee,
		Gas: step.GasLimit, To: &to, Value: value, Data: step.Call.Data,
	})
	// Check the chain again right before signing: the endpoint may have
	// failed over since Prepare. A batched Prepare asked it in the round
	// trip right before this one, and the client checks every endpoint it
	// fails over to against the chain ID before using it: no round trip
	// of its own is needed then.
	if plan.batch == nil {
		if err := f.VerifyChain(ctx); err != nil {
			return nil, nil, err
		}
	}
	if hooks.Signing != nil {
		hooks.Signing(i, step)
	}
	signed, err := s.SignTx(ctx, tx, plan.ChainID)
	if err != nil {
		return nil, nil, fmt.Errorf("sign %s: %w", step.Call.Action, err)
	}
	if err := signer.VerifySender(signed, plan.ChainID, plan.From); err != nil {
		return nil, nil, err
	}
	entry, err := f.journal.Record(plan.Network, plan.ChainID.Uint64(), plan.From, step.Call.Action, step.Call.Description, signed)
	if err != nil {
		return nil, nil, fmt.Errorf("journal the signed transaction (not sent): %w", err)
	}
	return signed, entry, nil
}

// nonceConflictError: the node refused a transaction it never had from
// us because its nonce is taken, by a mined transaction or by identical
// bytes another process signed. Nothing of ours was sent.
type nonceConflictError struct {
	nonce  uint64
	reason string
}

func (e *nonceConflictError) Error() string { return "nonce taken: " + e.reason }

// broadcast sends a journaled transaction, waits for it and keeps the
// journal entry's state current.
func (f *Flow) broadcast(ctx context.Context, i int, from common.Address, step *Step, signed *types.Transaction, entry *journal.Entry, hooks Hooks) (*Result, error) {
	res, err := f.submit(ctx, i, step, signed, entry, hooks, false)
	if err != nil {
		return res, err
	}
	return res, f.await(ctx, i, from, res, hooks)
}

// submit hands a journaled transaction to the node. It is the one place
// that decides whether a failed send may be retried. With replan, a
// nonce conflict on bytes the node never had from us is returned as a
// *nonceConflictError (the entry marked failed) for the caller to plan
// again; without it, "already known" means the node has our transaction
// (a re-broadcast) and it is on its way.
func (f *Flow) submit(ctx context.Context, i int, step *Step, signed *types.Transaction, entry *journal.Entry, hooks Hooks, replan bool) (*Result, error) {
	res := &Result{Step: step, Hash: signed.Hash(), Entry: entry, sentAt: time.Now()}
	if hooks.Sending != nil {
		hooks.Sending(i, res.Hash)
	}
	var err error
	if b, ok := f.backend.(Batcher); ok {
		// The node answers with the receipt once the transaction is mined
		// (nil: it has it, but the receipt is to be polled).
		res.Receipt, err = b.SendTransactionSync(ctx, signed, f.opts.Timeout)
	} else {
		err = f.backend.SendTransaction(ctx, signed)
	}
	if err != nil {
		switch {
		case errors.Is(err, chain.ErrMaybeSent):
			// The request may have reached the node before the connection
			// broke. Treat it as sent and wait: if it was not, the wait
			// times out with "do not resubmit; check tx status", which is
			// safe, while reporting "not sent" could make the user pay twice.
		case replan && (alreadyKnown(err) || nonceTaken(err)):
			// pkg/chain reports these only for its first attempt (a retry's
			// "already known" is our own earlier attempt, and succeeds), so
			// the node had these bytes, or this nonce, from someone else.
			_ = f.journal.Update(entry, journal.StateFailed, 0, "nonce taken by another transaction: "+err.Error())
			return nil, &nonceConflictError{nonce: signed.Nonce(), reason: err.Error()}
		case alreadyKnown(err):
			// The node has it (a re-broadcast): it is on its way.
		default:
			_ = f.journal.Update(entry, journal.StateFailed, 0, err.Error())
			return nil, fmt.Errorf("%w: %s: %v", ErrBroadcast, step.Call.Action, err)
		}
	}
	if err := f.journal.Update(entry, journal.StateBroadcast, 0, ""); err != nil {
		return res, fmt.Errorf("transaction %s was sent, but the journal could not be updated: %w", res.Hash.Hex(), err)
	}
	if hooks.Sent != nil {
		hooks.Sent(i, res.Hash)
	}
	return res, nil
}

// await waits for a submitted transaction's receipt and records the
// outcome in the journal.
func (f *Flow) await(ctx context.Context, i int, from common.Address, res *Result, hooks Hooks) error {
	step, entry := res.Step, res.Entry
	receipt := res.Receipt
	if receipt == nil || f.opts.Confirmations > 1 {
		// Not known yet (no synchronous send, or the node's wait ran out),
		// or further blocks to wait for: the rest of the timeout.
		left := f.opts.Timeout
		if !res.sentAt.IsZero() {
			left = max(f.opts.Timeout-time.Since(res.sentAt), f.opts.PollInterval)
		}
		r, err := f.wait(ctx, res.Hash, left)
		if err != nil {
			res.Receipt = nil
			return err
		}
		receipt = r
	}
	res.Receipt = receipt
	if receipt.Status != types.ReceiptStatusSuccessful {
		_ = f.journal.Update(entry, journal.StateReverted, receipt.BlockNumber.Uint64(), "")
		if hooks.Mined != nil {
			hooks.Mined(i, receipt)
		}
		reason := "contract creation reverted"
		if step.Call.To != (common.Address{}) || len(step.Call.Data) == 0 {
			reason = f.minedRevertReason(ctx, from, step, receipt)
		}
		return &RevertedError{Hash: res.Hash, Action: step.Call.Action, Reason: reason}
	}
	if err := f.journal.Update(entry, journal.StateIncluded, receipt.BlockNumber.Uint64(), ""); err != nil {
		return fmt.Errorf("transaction %s was mined, but the journal could not be updated: %w", res.Hash.Hex(), err)
	}
	if hooks.Mined != nil {
		hooks.Mined(i, receipt)
	}
	return nil
}

// minedRevertReason replays the call at the block before inclusion to
// learn why it reverted (receipts carry no reason).
func (f *Flow) minedRevertReason(ctx context.Context, from common.Address, step *Step, r *types.Receipt) string {
	msg := callMsg(from, step.Call)
	msg.Gas = step.GasLimit
	at := new(big.Int).Sub(r.BlockNumber, big.NewInt(1))
	_, err := f.backend.CallContract(ctx, msg, at)
	if err == nil {
		if r.GasUsed >= step.GasLimit {
			return "out of gas"
		}
		return "unknown reason"
	}
	if f.opts.RevertData != nil {
		if data, ok := f.opts.RevertData(err); ok {
			return f.reason(data)
		}
	}
	return err.Error()
}

// RevertedError is a transaction mined with status 0.
type RevertedError struct {
	Hash   common.Hash
	Action string
	Reason string
}

func (e *RevertedError) Error() string {
	return fmt.Sprintf("%s transaction %s reverted: %s", e.Action, e.Hash.Hex(), e.Reason)
}

func (e *RevertedError) Unwrap() error { return ErrReverted }

// TimeoutError is a broadcast transaction not mined in time.
type TimeoutError struct {
	Hash common.Hash
	// Last is the last trouble seen while waiting (a bad answer, the
	// node's block number going back), if any.
	Last error
}

func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("transaction %s was broadcast but not mined in time; do not resubmit: check it with `stakewallet tx status %s`", e.Hash.Hex(), e.Hash.Hex())
	if e.Last != nil {
		msg += fmt.Sprintf(" (while waiting: %v)", e.Last)
	}
	return msg
}

func (e *TimeoutError) Unwrap() error { return ErrTimeout }

// Wait polls for the receipt of hash until it has the configured number of
// confirmations, or the timeout passes. It counts confirmations only
// against a head that is at or past the receipt's block and that never
// went back: a receipt of another transaction, or a block number lower
// than one seen before, is not believed, and waiting goes on.
func (f *Flow) Wait(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	return f.wait(ctx, hash, f.opts.Timeout)
}

func (f *Flow) wait(ctx context.Context, hash common.Hash, timeout time.Duration) (*types.Receipt, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(f.opts.PollInterval)
	defer t.Stop()
	var (
		last    error  // the last trouble, for the timeout message
		highest uint64 // the highest head seen
	)
	for {
		r, head, herr, err := f.poll(ctx, hash)
		switch {
		case err != nil:
			// Not found yet, or a transient RPC error: the transaction is
			// out there either way, so keep waiting rather than fail. (Once
			// the wait is over, a failure says nothing new.)
			if !errors.Is(err, ethereum.NotFound) && ctx.Err() == nil {
				last = err
			}
		case r == nil:
		case r.TxHash != hash:
			last = fmt.Errorf("%w: asked for the receipt of %s, got that of %s", chain.ErrBadResponse, hash.Hex(), r.TxHash.Hex())
		case r.BlockNumber == nil:
			last = errors.New("the node answered a receipt without a block number")
		default:
			mined := r.BlockNumber.Uint64()
			switch {
			case herr != nil:
				if ctx.Err() == nil {
					last = herr
				}
			case head < highest:
				last = fmt.Errorf("the node's block number went back from %d to %d: confirmations are not counted against it", highest, head)
			case head < mined:
				last = fmt.Errorf("the node's block number %d is below the receipt's block %d", head, mined)
			case head+1 >= mined+f.opts.Confirmations:
				return r, nil
			}
			if herr == nil {
				highest = max(highest, head)
			}
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, &TimeoutError{Hash: hash, Last: last}
			}
			return nil, fmt.Errorf("%w (transaction %s was broadcast; do not resubmit)", ctx.Err(), hash.Hex())
		case <-t.C:
		}
	}
}

// poll reads the receipt of hash and the head block number: one round
// trip with a batching backend, else the head only once a receipt is there.
func (f *Flow) poll(ctx context.Context, hash common.Hash) (r *types.Receipt, head uint64, herr, err error) {
	b, ok := f.backend.(Batcher)
	if !ok {
		r, err = f.backend.TransactionReceipt(ctx, hash)
		if err == nil && r != nil && r.TxHash == hash && r.BlockNumber != nil {
			head, herr = f.backend.BlockNumber(ctx)
		}
		return r, head, herr, err
	}
	var n hexutil.Uint64
	elems := []rpc.BatchElem{
		{Method: "eth_getTransactionReceipt", Args: []any{hash}, Result: &r},
		{Method: "eth_blockNumber", Result: &n},
	}
	if berr := b.Batch(ctx, elems); berr != nil {
		return nil, 0, berr, berr
	}
	return r, uint64(n), elems[1].Error, elems[0].Error
}
