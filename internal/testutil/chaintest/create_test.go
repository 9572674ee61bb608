package chaintest_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/core/vm/program"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// lensOf is creation code that static-calls the store with calldata and
// ends as the call did: returning its output, or reverting with its data.
func lensOf(calldata []byte) []byte {
	p := program.New().Mstore(calldata, 0).StaticCall(nil, storeAddr, 0, len(calldata), 0, 0)
	p.Op(vm.RETURNDATASIZE).Push0().Push0().Op(vm.RETURNDATACOPY)
	// success on the stack: jump over the revert (PUSH1 dest, JUMPI,
	// RETURNDATASIZE, PUSH0, REVERT: 6 bytes) to the return.
	p.Push(p.Size() + 6).Op(vm.JUMPI)
	p.Op(vm.RETURNDATASIZE).Push0().Op(vm.REVERT)
	p.Op(vm.JUMPDEST, vm.RETURNDATASIZE).Push0().Op(vm.RETURN)
	return p.Bytes()
}

// TestCreationCallsRunHandlers: an eth_call with no `to` runs its creation
// code in the EVM, where the handled contracts answer calls as eth_call
// does (outputs, reverts with their data); SetCreate(false) refuses such
// calls as some providers do.
func TestCreationCallsRunHandlers(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	key, alice := newKey(t)
	node.SetBalance(alice, big.NewInt(params.Ether))
	tx := sign(t, key, chainID, &types.DynamicFeeTx{Nonce: 0, GasTipCap: gwei(1), GasFeeCap: gwei(5), Gas: 100_000,
		To: &storeAddr, Data: pack(t, "set", big.NewInt(7), big.NewInt(42))})
	if err := client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if _, err := client.WaitForReceipt(ctx, tx.Hash(), 1, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	// A set key: the creation returns the store's answer.
	out, err := client.CallContract(ctx, ethereum.CallMsg{Data: lensOf(pack(t, "get", big.NewInt(7)))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := new(big.Int).SetBytes(out); len(out) != 32 || v.Int64() != 42 {
		t.Errorf("creation returned %x, want 42 as a word", out)
	}
	// An unset key: the store's revert comes back as the creation's.
	_, err = client.CallContract(ctx, ethereum.CallMsg{Data: lensOf(pack(t, "get", big.NewInt(8)))}, nil)
	var de rpc.DataError
	if !errors.As(err, &de) {
		t.Fatalf("error %v carries no revert data", err)
	}
	data, _ := hexutil.Decode(de.ErrorData().(string))
	if reason, uerr := abi.UnpackRevert(data); uerr != nil || reason != "NO_KEY" {
		t.Errorf("revert %x (%q, %v), want NO_KEY", data, reason, uerr)
	}
	// Code that is not valid fails as the EVM fails it.
	if _, err := client.CallContract(ctx, ethereum.CallMsg{Data: []byte{byte(vm.INVALID)}}, nil); err == nil {
		t.Error("invalid creation code ran")
	}

	node.SetCreate(false)
	_, err = client.CallContract(ctx, ethereum.CallMsg{Data: lensOf(pack(t, "get", big.NewInt(7)))}, nil)
	if err == nil || strings.Contains(err.Error(), "reverted") {
		t.Errorf("with SetCreate(false): %v, want a refusal, not a revert", err)
	}
}
