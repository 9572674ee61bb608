package txcmd

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// errNotRead: a read of Request.Reads was not answered (a dry run that
// failed before, or a backend that does not batch).
var errNotRead = errors.New("not read")

// ReadTokenBalance adds a read of owner's balance of token to r.Reads, made
// in the batch before the first send (no round trip of its own), and
// returns what reads its answer once Run has prepared the plan.
func (r *Request) ReadTokenBalance(token, owner common.Address) func() (*big.Int, error) {
	data, err := erc20.ABI.Pack("balanceOf", owner)
	if err != nil {
		return func() (*big.Int, error) { return nil, err }
	}
	out := new(hexutil.Bytes)
	i := len(r.Reads)
	r.Reads = append(r.Reads, rpc.BatchElem{
		Method: "eth_call",
		Args:   []any{callArg(ethereum.CallMsg{To: &token, Data: data}), "latest"},
		Result: out,
		Error:  errNotRead,
	})
	return func() (*big.Int, error) {
		if err := r.Reads[i].Error; err != nil {
			return nil, fmt.Errorf("read the %s balance of %s: %w", token.Hex(), owner.Hex(), err)
		}
		vals, err := erc20.ABI.Unpack("balanceOf", *out)
		if err != nil || len(vals) != 1 {
			return nil, fmt.Errorf("%w: balanceOf on %s: %v", protocol.ErrBadAnswer, token.Hex(), err)
		}
		v, ok := vals[0].(*big.Int)
		if !ok {
			return nil, fmt.Errorf("%w: balanceOf on %s returned %T", protocol.ErrBadAnswer, token.Hex(), vals[0])
		}
		return v, nil
	}
}

// BalanceCheck is a protocol.Check that owner holds at least value of
// token (an ERC-20): read in the wallet's batch, a *protocol.LimitError
// when short.
func BalanceCheck(token protocol.Token, owner common.Address, value *big.Int) protocol.Check {
	data, _ := erc20.ABI.Pack("balanceOf", owner) // a fixed ABI: cannot fail
	to := token.Address
	want := new(big.Int).Set(value)
	return protocol.Check{
		Msg: ethereum.CallMsg{To: &to, Data: data},
		Verify: func(ret []byte) error {
			vals, err := erc20.ABI.Unpack("balanceOf", ret)
			if err != nil || len(vals) != 1 {
				return fmt.Errorf("%w: balanceOf on %s: %v", protocol.ErrBadAnswer, to.Hex(), err)
			}
			bal, ok := vals[0].(*big.Int)
			if !ok {
				return fmt.Errorf("%w: balanceOf on %s returned %T", protocol.ErrBadAnswer, to.Hex(), vals[0])
			}
			if bal.Cmp(want) < 0 {
				return &protocol.LimitError{Reason: fmt.Sprintf("insufficient %s balance: have %s, need %s", token.Symbol,
					amount.Format(bal, token.Decimals), amount.Format(want, token.Decimals))}
			}
			return nil
		},
	}
}

// callArg encodes a read as eth_call takes it.
func callArg(m ethereum.CallMsg) map[string]any {
	arg := map[string]any{"to": m.To}
	if len(m.Data) > 0 {
		arg["input"] = hexutil.Bytes(m.Data)
	}
	return arg
}

// BalanceAfter is owner's balance of token once receipts are mined: the
// balance read before the first send (before, from ReadTokenBalance) plus
// what the receipts' Transfer events moved in, minus what they moved out.
// No round trip is spent on it. It is exact for a token whose balances
// move only by Transfer events, unless another transaction moved the
// account's tokens between the read and inclusion; a rebasing token
// (stETH) also moves by its rebase and share rounding, by a wei or two a
// transfer and by the rebase of an oracle report in between. When the
// balance before was not read, it is read now.
func BalanceAfter(ctx context.Context, c erc20.Caller, token, owner common.Address, before func() (*big.Int, error), receipts []*types.Receipt) (*big.Int, error) {
	var bal *big.Int
	if before != nil {
		bal, _ = before()
	}
	if bal == nil {
		return erc20.BalanceOf(ctx, c, token, owner)
	}
	bal = new(big.Int).Set(bal)
	for _, r := range receipts {
		for _, l := range r.Logs {
			if l.Address != token || len(l.Topics) != 3 || l.Topics[0] != transferTopic || len(l.Data) != 32 {
				continue
			}
			v := new(big.Int).SetBytes(l.Data)
			from, to := common.BytesToAddress(l.Topics[1].Bytes()), common.BytesToAddress(l.Topics[2].Bytes())
			if to == owner {
				bal.Add(bal, v)
			}
			if from == owner {
				bal.Sub(bal, v)
			}
		}
	}
	return bal, nil
}

var transferTopic = erc20.ABI.Events["Transfer"].ID

// ReadNativeBalance adds a read of owner's native balance (latest block) to
// r.Reads, made in the batch before the first send, and returns what
// reads its answer once Run has prepared the plan.
func (r *Request) ReadNativeBalance(owner common.Address) func() (*big.Int, error) {
	out := new(hexutil.Big)
	i := len(r.Reads)
	r.Reads = append(r.Reads, rpc.BatchElem{Method: "eth_getBalance", Args: []any{owner, "latest"}, Result: out, Error: errNotRead})
	return func() (*big.Int, error) {
		if err := r.Reads[i].Error; err != nil {
			return nil, fmt.Errorf("read the balance of %s: %w", owner.Hex(), err)
		}
		return new(big.Int).Set((*big.Int)(out)), nil
	}
}
