package chaintest

import (
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// createGas is what a creation call may spend, geth's default RPC gas cap.
const createGas = 50_000_000

// create serves eth_call and eth_estimateGas with no `to`: the creation
// code in data runs in go-ethereum's EVM, for real, over an empty state in
// which every address with handlers is a precompile that runs them. So a
// lens (creation code a wallet runs with eth_call to make dependent reads
// in one call) reads the fake contracts as it reads real ones, and its
// answer or revert comes back as geth gives it.
func (n *Node) create(args callArgs) ([]byte, uint64, error) {
	var from common.Address
	if args.From != nil {
		from = *args.From
	}
	if v := (*big.Int)(args.Value); v != nil && v.Sign() != 0 {
		return nil, 0, nodeError("chaintest: contract creation with value is not supported")
	}
	db, err := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	if err != nil {
		return nil, 0, nodeError("chaintest: %v", err)
	}
	head := n.head().header
	cfg := &runtime.Config{
		ChainConfig: params.MergedTestChainConfig,
		Origin:      from,
		BlockNumber: new(big.Int).Set(head.Number),
		Time:        head.Time,
		GasLimit:    createGas,
		BaseFee:     new(big.Int),
		Random:      &common.Hash{}, // post-merge rules (PUSH0, …) need one
		Value:       new(big.Int),
		State:       db,
	}
	evm := runtime.NewEnv(cfg)
	precompiles := vm.PrecompiledContracts{}
	created := crypto.CreateAddress(from, 0) // the caller handlers see
	for addr := range n.contracts {
		precompiles[addr] = &handled{n: n, addr: addr, from: created}
		// Solidity checks that a callee has code before some calls.
		db.SetCode(addr, []byte{0xfe}, 0)
	}
	evm.SetPrecompiles(precompiles)
	rules := cfg.ChainConfig.Rules(cfg.BlockNumber, true, cfg.Time)
	db.Prepare(rules, from, common.Address{}, nil, vm.ActivePrecompiles(rules), nil)
	budget := vm.NewGasBudget(createGas, 0)
	out, _, left, err := evm.Create(from, args.data(), budget, new(uint256.Int))
	used := left.Used(budget)
	switch {
	case err == nil:
		return out, used, nil
	case errors.Is(err, vm.ErrExecutionReverted):
		return nil, used, &Revert{Data: out}
	default:
		var bug *rpcError
		if errors.As(err, &bug) {
			return nil, used, bug
		}
		return nil, used, nodeError("%v", err)
	}
}

// handled is an address with handlers, seen from the EVM: a precompile
// whose calls run the handlers as eth_call does.
type handled struct {
	n    *Node
	addr common.Address
	from common.Address
}

func (h *handled) Name() string { return "chaintest " + h.addr.Hex() }

func (h *handled) RequiredGas([]byte) uint64 { return h.n.defaultGas }

// Run is a static call into the handlers: nothing is kept, and a revert
// gives its data back to the caller as the EVM does.
func (h *handled) Run(input []byte) ([]byte, error) {
	c := h.n.newCtx(h.from, h.addr, nil, false)
	out, _, err := h.n.exec(c, input)
	if err == nil {
		err = h.n.settle(c, false)
	}
	var r *Revert
	if errors.As(err, &r) {
		return r.Data, vm.ErrExecutionReverted
	}
	return out, err
}
