// Package chaintest is a fake Ethereum node for in-process tests: an
// httptest server on loopback that answers JSON-RPC 2.0 over HTTP (single
// requests and batches) from state the test sets up, so that pkg/chain,
// ethclient and the commands above them run unchanged, with no real node.
//
// Contracts are Go functions: Handle binds a method of an ABI at an address
// to a HandlerFunc, which eth_call, eth_estimateGas and
// eth_sendRawTransaction all dispatch to. Every accepted transaction is
// mined at once into a block of its own, with a receipt and logs.
//
// The state has no history: a call at a past block runs against the
// current state, and eth_getBalance or eth_getTransactionCount ignore their
// block argument.
package chaintest

import (
	"math/big"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

const (
	// BlockTime is the timestamp gap between consecutive blocks.
	BlockTime = 12 * time.Second
	// DefaultGas is what eth_estimateGas answers for a handled method
	// without SetGas, and what its transactions use.
	DefaultGas = 60_000
	// TransferGas is the gas of a plain ether transfer.
	TransferGas   = 21_000
	blockGasLimit = 30_000_000
)

// Node is the fake node. Its methods are safe for concurrent use, but must
// not be called from a HandlerFunc (the node's lock is held there): use the
// Ctx instead.
type Node struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	chainID    *big.Int
	blocks     []*block // blocks[i] is number i
	byHash     map[common.Hash]*block
	txs        map[common.Hash]*minedTx
	sent       []*types.Transaction
	baseFee    *big.Int
	tip        *big.Int
	balances   map[common.Address]*big.Int // values are never mutated in place
	nonces     map[common.Address]uint64
	code       map[common.Address][]byte
	contracts  map[common.Address]*contract
	defaultGas uint64
	requests   int
	calls      []string
	noCreate   bool // SetCreate(false)
	noSync     bool // eth_sendRawTransactionSync answers "method not found"
}

// New starts a node for chainID on loopback, with a genesis block at the
// current time, a base fee and a suggested tip of 1 gwei, no accounts, and
// Multicall3 at its usual address (InstallMulticall3), as real chains and
// the devnet have it. The server is closed when the test ends.
func New(t testing.TB, chainID uint64) *Node {
	t.Helper()
	n := &Node{
		t:          t,
		chainID:    new(big.Int).SetUint64(chainID),
		byHash:     map[common.Hash]*block{},
		txs:        map[common.Hash]*minedTx{},
		baseFee:    big.NewInt(params.GWei),
		tip:        big.NewInt(params.GWei),
		balances:   map[common.Address]*big.Int{},
		nonces:     map[common.Address]uint64{},
		code:       map[common.Address][]byte{},
		contracts:  map[common.Address]*contract{},
		defaultGas: DefaultGas,
	}
	n.genesis(uint64(time.Now().Unix()))
	InstallMulticall3(n)
	n.srv = httptest.NewServer(n)
	t.Cleanup(n.srv.Close)
	return n
}

// SetSendSync says whether the node serves eth_sendRawTransactionSync
// (EIP-7966; it does from New, as geth ≥ 1.16 and anvil do); without it
// the method is "method not found" (-32601), as on older nodes.
func (n *Node) SetSendSync(serve bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.noSync = !serve
}

// SetCreate says whether eth_call and eth_estimateGas run creation code (a
// call with no `to`; they do from New, as geth and anvil do); without it
// such calls fail as on a provider that refuses them.
func (n *Node) SetCreate(serve bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.noCreate = !serve
}

// URL is the node's HTTP endpoint.
func (n *Node) URL() string { return n.srv.URL }

// T is the test the node belongs to, for fixture packages built on it.
func (n *Node) T() testing.TB { return n.t }

// Handle makes calls and transactions to method of contractABI at addr run
// fn. Method "" is the receive function: calls with empty calldata (the
// ABI may then be nil). Handling an address gives it placeholder code
// (0xfe) unless SetCode gave it some, so that code checks see a contract.
func (n *Node) Handle(addr common.Address, contractABI *abi.ABI, method string, fn HandlerFunc) {
	n.t.Helper()
	h := &handler{name: "receive()", fn: fn, payable: true}
	var sel [4]byte
	if method != "" {
		m := n.method(contractABI, method)
		h.method, h.name, h.payable = m, m.Sig, m.IsPayable()
		sel = [4]byte(m.ID)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	ct := n.contracts[addr]
	if ct == nil {
		ct = &contract{methods: map[[4]byte]*handler{}}
		n.contracts[addr] = ct
	}
	if contractABI != nil && !slices.Contains(ct.abis, contractABI) {
		ct.abis = append(ct.abis, contractABI)
	}
	if method == "" {
		ct.receive = h
	} else {
		ct.methods[sel] = h
	}
	if _, ok := n.code[addr]; !ok {
		n.code[addr] = []byte{0xfe}
	}
}

// SetGas sets what eth_estimateGas answers for a handled method, and the gas
// its transactions use (a transaction with a lower limit runs out of gas).
func (n *Node) SetGas(addr common.Address, contractABI *abi.ABI, method string, gas uint64) {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	ct := n.contracts[addr]
	var h *handler
	switch {
	case ct != nil && method == "":
		h = ct.receive
	case ct != nil:
		h = ct.methods[[4]byte(n.method(contractABI, method).ID)]
	}
	if h == nil {
		n.t.Fatalf("chaintest: SetGas: no handler for %q at %s; call Handle first", method, addr.Hex())
	}
	h.gas = gas
}

// SetDefaultGas sets the gas of handled methods without SetGas
// (DefaultGas until then).
func (n *Node) SetDefaultGas(gas uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.defaultGas = gas
}

func (n *Node) method(a *abi.ABI, name string) *abi.Method {
	if a == nil {
		n.t.Fatalf("chaintest: method %q needs an ABI", name)
	}
	m, ok := a.Methods[name]
	if !ok {
		n.t.Fatalf("chaintest: the ABI has no method %q", name)
	}
	return &m
}

// SetCode sets the code eth_getCode returns for addr.
func (n *Node) SetCode(addr common.Address, code []byte) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.code[addr] = slices.Clone(code)
}

// SetBalance sets the native balance of addr, in wei.
func (n *Node) SetBalance(addr common.Address, wei *big.Int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.balances[addr] = new(big.Int).Set(wei)
}

// Balance returns the native balance of addr, in wei.
func (n *Node) Balance(addr common.Address) *big.Int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return new(big.Int).Set(n.balance(addr))
}

func (n *Node) balance(addr common.Address) *big.Int {
	if b := n.balances[addr]; b != nil {
		return b
	}
	return new(big.Int)
}

// SetNonce sets the next nonce of addr.
func (n *Node) SetNonce(addr common.Address, nonce uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nonces[addr] = nonce
}

// Nonce returns the next nonce of addr.
func (n *Node) Nonce(addr common.Address) uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.nonces[addr]
}

// SetBaseFee sets the base fee of the head block and of the blocks after
// it. The head is re-sealed (its hash changes), so that a client reading the
// latest header sees the new fee without a block being mined.
func (n *Node) SetBaseFee(wei *big.Int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.baseFee = new(big.Int).Set(wei)
	head := n.head()
	head.header.BaseFee = new(big.Int).Set(wei)
	n.seal(head)
}

// SetTip sets what eth_maxPriorityFeePerGas suggests.
func (n *Node) SetTip(wei *big.Int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tip = new(big.Int).Set(wei)
}

// SetTime sets the timestamp of the head block (re-sealing it, like
// SetBaseFee); later blocks follow it BlockTime apart.
func (n *Node) SetTime(t time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	head := n.head()
	head.header.Time = uint64(t.Unix())
	n.seal(head)
}

// Mine mines k empty blocks.
func (n *Node) Mine(k int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for range k {
		n.mine(nil, nil)
	}
}

// BlockNumber returns the number of the head block.
func (n *Node) BlockNumber() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.head().header.Number.Uint64()
}

// Time returns the timestamp of the head block.
func (n *Node) Time() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return time.Unix(int64(n.head().header.Time), 0).UTC()
}

// Sent returns every transaction the node accepted (reverted ones too), in
// order.
func (n *Node) Sent() []*types.Transaction {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.sent)
}

// Requests returns the number of HTTP requests served: a batch is one.
func (n *Node) Requests() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.requests
}

// Calls returns the JSON-RPC methods called, in order: a batch adds one per
// element.
func (n *Node) Calls() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.calls)
}

// ResetCounters zeroes Requests and Calls, e.g. after a test's set-up.
func (n *Node) ResetCounters() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requests, n.calls = 0, nil
}

// AddLog mines a block holding lg, as if another account's transaction had
// emitted it, and returns it with its block and transaction fields filled
// in. MakeLog builds lg from an ABI event.
func (n *Node) AddLog(lg types.Log) types.Log {
	n.mu.Lock()
	defer n.mu.Unlock()
	stored := lg
	stored.Topics, stored.Data = slices.Clone(lg.Topics), slices.Clone(lg.Data)
	n.mine(nil, []*types.Log{&stored})
	return stored
}

// Apply runs fn under the node's lock as a fixture change made by contract
// (a test's stand-in for a transaction nobody signs, such as an oracle
// report): the ether it moves with Ctx.Pay or Ctx.Mint is applied and its
// Ctx.Commit functions run, and if it emits logs they are mined into a new
// block. If fn fails nothing is applied and its error is returned.
func (n *Node) Apply(contract common.Address, fn func(c *Ctx) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.newCtx(common.Address{}, contract, nil, true)
	if err := fn(c); err != nil {
		return err
	}
	if c.err != nil {
		return c.err
	}
	if err := n.settle(c, true); err != nil {
		return err
	}
	for _, f := range c.commits {
		f()
	}
	if len(c.logs) > 0 {
		n.mine(nil, c.logs)
	}
	return nil
}
