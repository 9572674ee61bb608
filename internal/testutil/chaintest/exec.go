package chaintest

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// HandlerFunc plays one contract method. args are the decoded inputs; the
// outputs it returns are packed with the method's outputs. Returning a
// *Revert (RevertString, RevertCustom) makes the call revert as the EVM
// does; any other error is answered as a node failure (JSON-RPC -32000), and
// a transaction is then rejected rather than mined.
//
// The same handler serves eth_call, eth_estimateGas and transactions, so it
// must not change fixture state directly: it stages changes with c.Commit,
// which only a transaction that succeeds applies. It must not call Node
// methods (the node is locked while it runs).
type HandlerFunc func(c *Ctx, args []any) ([]any, error)

type handler struct {
	name    string
	method  *abi.Method // nil for receive()
	payable bool
	gas     uint64 // 0: the node's default
	fn      HandlerFunc
}

type contract struct {
	abis    []*abi.ABI // for naming unhandled selectors
	methods map[[4]byte]*handler
	receive *handler
}

// Ctx is what a handler runs in. Emit, Pay, Mint and Commit are staged: they
// take effect only if the call is a transaction (or Node.Apply) that
// succeeds.
type Ctx struct {
	From  common.Address
	To    common.Address // the contract called
	Value *big.Int       // never nil
	// Tx is true for a transaction (and Node.Apply), false for eth_call and
	// eth_estimateGas.
	Tx bool
	// Block and Time are those of the block the call runs in: the head for
	// calls, the next block for transactions.
	Block uint64
	Time  uint64

	logs    []*types.Log
	moves   []move
	commits []func()
	err     error // first failed Emit: a bug in the handler, not a revert
}

type move struct {
	from   *common.Address // nil: created (Mint)
	to     common.Address
	amount *big.Int
}

func (n *Node) newCtx(from, to common.Address, value *big.Int, tx bool) *Ctx {
	head := n.head().header
	c := &Ctx{From: from, To: to, Value: new(big.Int), Tx: tx, Block: head.Number.Uint64(), Time: head.Time}
	if value != nil {
		c.Value.Set(value)
	}
	if tx {
		c.Block, c.Time = c.Block+1, c.Time+blockSeconds
	}
	return c
}

// Emit logs event of contractABI from addr with args in the event's input
// order, indexed ones as topics.
func (c *Ctx) Emit(addr common.Address, contractABI *abi.ABI, event string, args ...any) {
	lg, err := MakeLog(addr, contractABI, event, args...)
	if err != nil {
		if c.err == nil {
			c.err = err
		}
		return
	}
	c.logs = append(c.logs, lg)
}

// Pay sends amount wei from the called contract to `to`. If the contract
// cannot pay, the call reverts with no data, as a failed value call does.
func (c *Ctx) Pay(to common.Address, amount *big.Int) {
	from := c.To
	c.moves = append(c.moves, move{from: &from, to: to, amount: new(big.Int).Set(amount)})
}

// Mint credits amount wei to `to` out of nothing (for fixtures: rewards,
// deposits made before the test).
func (c *Ctx) Mint(to common.Address, amount *big.Int) {
	c.moves = append(c.moves, move{to: to, amount: new(big.Int).Set(amount)})
}

// Commit runs fn if and only if the call is a transaction that succeeds.
func (c *Ctx) Commit(fn func()) { c.commits = append(c.commits, fn) }

// MakeLog builds the log of event of contractABI emitted by addr: topic 0 is
// the event's ID (unless anonymous), indexed args are topics, the others
// the data.
func MakeLog(addr common.Address, contractABI *abi.ABI, event string, args ...any) (*types.Log, error) {
	ev, ok := contractABI.Events[event]
	if !ok {
		return nil, fmt.Errorf("chaintest: the ABI has no event %q", event)
	}
	if len(args) != len(ev.Inputs) {
		return nil, fmt.Errorf("chaintest: event %s takes %d arguments, got %d", ev.Sig, len(ev.Inputs), len(args))
	}
	lg := &types.Log{Address: addr}
	if !ev.Anonymous {
		lg.Topics = append(lg.Topics, ev.ID)
	}
	var data []any
	for i, in := range ev.Inputs {
		if !in.Indexed {
			data = append(data, args[i])
			continue
		}
		topics, err := abi.MakeTopics([]any{args[i]})
		if err != nil {
			return nil, fmt.Errorf("chaintest: event %s argument %s: %w", ev.Sig, in.Name, err)
		}
		lg.Topics = append(lg.Topics, topics[0][0])
	}
	packed, err := ev.Inputs.NonIndexed().Pack(data...)
	if err != nil {
		return nil, fmt.Errorf("chaintest: event %s data: %w", ev.Sig, err)
	}
	lg.Data = packed
	return lg, nil
}

// Revert is a handler's revert; Data is the revert data (Error(string), a
// custom error, or empty).
type Revert struct{ Data []byte }

// Error is geth's message for the revert.
func (r *Revert) Error() string {
	if reason, err := abi.UnpackRevert(r.Data); err == nil {
		return "execution reverted: " + reason
	}
	return "execution reverted"
}

var errorString = abi.Arguments{{Type: mustType("string")}}

func mustType(t string) abi.Type {
	typ, err := abi.NewType(t, "", nil)
	if err != nil {
		panic(err)
	}
	return typ
}

// RevertString is Solidity's require(false, msg): Error(string) data.
func RevertString(msg string) *Revert {
	packed, _ := errorString.Pack(msg) // a string always packs
	return &Revert{Data: append([]byte{0x08, 0xc3, 0x79, 0xa0}, packed...)}
}

// RevertCustom is a revert with the custom error name of contractABI. It
// panics if the ABI has no such error or args do not fit it: a bug in the
// test, which the node reports as an internal error of the handler.
func RevertCustom(contractABI *abi.ABI, name string, args ...any) *Revert {
	e, ok := contractABI.Errors[name]
	if !ok {
		panic(fmt.Sprintf("chaintest: RevertCustom: the ABI has no error %q", name))
	}
	packed, err := e.Inputs.Pack(args...)
	if err != nil {
		panic(fmt.Sprintf("chaintest: RevertCustom: error %s: %v", e.Sig, err))
	}
	return &Revert{Data: append(append([]byte{}, e.ID[:4]...), packed...)}
}

// exec runs the handler data selects at c.To and returns its packed output
// and the gas it uses. With no handlers at c.To, empty data is a plain
// ether transfer.
func (n *Node) exec(c *Ctx, data []byte) ([]byte, uint64, error) {
	ct := n.contracts[c.To]
	if ct == nil && len(data) == 0 {
		return nil, TransferGas, nil
	}
	var h *handler
	switch {
	case ct == nil:
	case len(data) == 0:
		h = ct.receive
	case len(data) >= 4:
		h = ct.methods[[4]byte(data[:4])]
	}
	if h == nil {
		return nil, 0, n.unhandled(c.To, data)
	}
	gas := h.gas
	if gas == 0 {
		gas = n.defaultGas
	}
	if c.Value.Sign() > 0 && !h.payable {
		return nil, gas, &Revert{} // as solc's check for non-payable functions
	}
	var args []any
	if h.method != nil {
		var err error
		if args, err = h.method.Inputs.Unpack(data[4:]); err != nil {
			return nil, gas, &Revert{} // as solc's ABI decoder on bad calldata
		}
	}
	outs, err := n.invoke(h, c, args)
	if err != nil {
		return nil, gas, err
	}
	if c.err != nil {
		return nil, gas, n.bug(h, c, c.err)
	}
	if h.method == nil {
		return nil, gas, nil
	}
	out, err := h.method.Outputs.Pack(outs...)
	if err != nil {
		return nil, gas, n.bug(h, c, fmt.Errorf("outputs do not fit the ABI: %w", err))
	}
	return out, gas, nil
}

func (n *Node) invoke(h *handler, c *Ctx, args []any) (outs []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = n.bug(h, c, fmt.Errorf("panic: %v", p))
		}
	}()
	return h.fn(c, args)
}

// bug reports a broken handler: it fails the test, since a command under
// test may turn the error into a mere exit code.
func (n *Node) bug(h *handler, c *Ctx, err error) error {
	e := &rpcError{Code: -32603, Message: fmt.Sprintf("chaintest: handler %s at %s: %v", h.name, c.To.Hex(), err)}
	n.t.Errorf("%s", e.Message)
	return e
}

// unhandled names what a test needs to register.
func (n *Node) unhandled(to common.Address, data []byte) error {
	what := "empty calldata (receive)"
	if len(data) > 0 {
		what = fmt.Sprintf("calldata 0x%x (no selector)", data)
	}
	if len(data) >= 4 {
		what = fmt.Sprintf("selector 0x%x", data[:4])
		if sig := n.knownSig(data[:4]); sig != "" {
			what += " (" + sig + ")"
		}
	}
	return nodeError("chaintest: no handler for %s at %s: register one with Node.Handle", what, to.Hex())
}

func (n *Node) knownSig(sel []byte) string {
	for _, ct := range n.contracts {
		for _, a := range ct.abis {
			if m, err := a.MethodById(sel); err == nil {
				return m.Sig
			}
		}
	}
	return ""
}

// settle checks, and with apply makes, the ether moves of c: its value
// from sender to contract, then its payments in order.
func (n *Node) settle(c *Ctx, apply bool) error {
	next := map[common.Address]*big.Int{}
	get := func(a common.Address) *big.Int {
		if v, ok := next[a]; ok {
			return v
		}
		return n.balance(a)
	}
	if c.Value.Sign() > 0 {
		next[c.From] = new(big.Int).Sub(get(c.From), c.Value)
		next[c.To] = new(big.Int).Add(get(c.To), c.Value)
	}
	for _, m := range c.moves {
		if m.from != nil {
			have := get(*m.from)
			if have.Cmp(m.amount) < 0 {
				return &Revert{}
			}
			next[*m.from] = new(big.Int).Sub(have, m.amount)
		}
		next[m.to] = new(big.Int).Add(get(m.to), m.amount)
	}
	if apply {
		for a, v := range next {
			n.balances[a] = v
		}
	}
	return nil
}

// call serves eth_call and eth_estimateGas: the handler runs, nothing is kept.
func (n *Node) call(args callArgs) ([]byte, uint64, error) {
	if args.To == nil {
		if n.noCreate {
			return nil, 0, nodeError("contract creation is not allowed in eth_call")
		}
		return n.create(args)
	}
	var from common.Address
	if args.From != nil {
		from = *args.From
	}
	c := n.newCtx(from, *args.To, (*big.Int)(args.Value), false)
	out, gas, err := n.exec(c, args.data())
	if err == nil {
		err = n.settle(c, false)
	}
	return out, gas, err
}

// sendRawTransaction validates tx as geth's pool does, runs it and mines it
// into a new block, reverted or not.
func (n *Node) sendRawTransaction(raw []byte) (common.Hash, error) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return common.Hash{}, nodeError("%v", err)
	}
	if (tx.Type() != types.LegacyTxType || tx.Protected()) && tx.ChainId().Cmp(n.chainID) != 0 {
		return common.Hash{}, nodeError("%v: have %s want %s", types.ErrInvalidChainId, tx.ChainId(), n.chainID)
	}
	from, err := types.Sender(types.LatestSignerForChainID(n.chainID), tx)
	if err != nil {
		return common.Hash{}, nodeError("invalid sender: %v", err)
	}
	if tx.To() == nil {
		return common.Hash{}, nodeError("chaintest: contract creation is not supported")
	}
	next := n.nonces[from]
	switch {
	case tx.Nonce() < next:
		return common.Hash{}, nodeError("nonce too low: next nonce %d, tx nonce %d", next, tx.Nonce())
	case tx.Nonce() > next:
		return common.Hash{}, nodeError("nonce too high: next nonce %d, tx nonce %d", next, tx.Nonce())
	case tx.Gas() < TransferGas:
		return common.Hash{}, nodeError("intrinsic gas too low: gas %d, minimum needed %d", tx.Gas(), TransferGas)
	case tx.GasFeeCap().Cmp(n.baseFee) < 0:
		return common.Hash{}, nodeError("max fee per gas less than block base fee: address %s, maxFeePerGas: %s, baseFee: %s",
			from.Hex(), tx.GasFeeCap(), n.baseFee)
	case tx.GasTipCap().Cmp(tx.GasFeeCap()) > 0:
		return common.Hash{}, nodeError("max priority fee per gas higher than max fee per gas")
	}
	if have, want := n.balance(from), tx.Cost(); have.Cmp(want) < 0 {
		return common.Hash{}, nodeError("insufficient funds for gas * price + value: address %s have %s want %s", from.Hex(), have, want)
	}

	c := n.newCtx(from, *tx.To(), tx.Value(), true)
	_, gas, err := n.exec(c, tx.Data())
	var rev *Revert
	if err != nil && !errors.As(err, &rev) {
		return common.Hash{}, err
	}
	ok := err == nil && gas <= tx.Gas()
	if ok {
		ok = n.settle(c, true) == nil
	}
	gasUsed := min(gas, tx.Gas())
	price := new(big.Int).Add(n.baseFee, tx.GasTipCap())
	if price.Cmp(tx.GasFeeCap()) > 0 {
		price.Set(tx.GasFeeCap())
	}
	fee := new(big.Int).Mul(price, new(big.Int).SetUint64(gasUsed))
	n.balances[from] = new(big.Int).Sub(n.balance(from), fee)
	n.nonces[from]++

	r := &types.Receipt{Type: tx.Type(), Status: types.ReceiptStatusFailed, CumulativeGasUsed: gasUsed,
		Logs: []*types.Log{}, TxHash: tx.Hash(), GasUsed: gasUsed, EffectiveGasPrice: price}
	if ok {
		r.Status, r.Logs = types.ReceiptStatusSuccessful, c.logs
		if r.Logs == nil {
			r.Logs = []*types.Log{}
		}
		for _, f := range c.commits {
			f()
		}
	}
	r.Bloom = bloom(r.Logs)
	n.mine(&minedTx{tx: tx, from: from, receipt: r}, r.Logs)
	n.sent = append(n.sent, tx)
	return tx.Hash(), nil
}
