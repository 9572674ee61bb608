// Package erc20 reads and transfers ERC-20 tokens: the part of every LST
// that is not protocol specific.
package erc20

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

const abiJSON = `[
 {"type":"function","name":"balanceOf","stateMutability":"view","inputs":[{"name":"account","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"transfer","stateMutability":"nonpayable","inputs":[{"name":"to","type":"address"},{"name":"amount","type":"uint256"}],"outputs":[{"name":"","type":"bool"}]},
 {"type":"function","name":"approve","stateMutability":"nonpayable","inputs":[{"name":"spender","type":"address"},{"name":"amount","type":"uint256"}],"outputs":[{"name":"","type":"bool"}]},
 {"type":"function","name":"allowance","stateMutability":"view","inputs":[{"name":"owner","type":"address"},{"name":"spender","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"decimals","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint8"}]},
 {"type":"function","name":"symbol","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"string"}]},
 {"type":"event","name":"Transfer","anonymous":false,"inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
 {"type":"event","name":"Approval","anonymous":false,"inputs":[{"name":"owner","type":"address","indexed":true},{"name":"spender","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]}
]`

// ABI is the standard ERC-20 interface.
var ABI = mustParse(abiJSON)

func mustParse(s string) *abi.ABI {
	a, err := abi.JSON(strings.NewReader(s))
	if err != nil {
		panic(err)
	}
	return &a
}

// Caller is the read access needed here.
type Caller interface {
	CallContract(ctx context.Context, call ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

func call(ctx context.Context, c Caller, token common.Address, method string, args ...any) ([]any, error) {
	data, err := ABI.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	out, err := c.CallContract(ctx, ethereum.CallMsg{To: &token, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", token.Hex(), method, err)
	}
	vals, err := ABI.Unpack(method, out)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w: not an ERC-20 answer (is %s a token contract on this network?): %w", token.Hex(), method, protocol.ErrBadAnswer, token.Hex(), err)
	}
	return vals, nil
}

// BalanceOf reads owner's balance of token.
func BalanceOf(ctx context.Context, c Caller, token, owner common.Address) (*big.Int, error) {
	vals, err := call(ctx, c, token, "balanceOf", owner)
	if err != nil {
		return nil, err
	}
	return vals[0].(*big.Int), nil
}

// Allowance reads owner's allowance to spender.
func Allowance(ctx context.Context, c Caller, token, owner, spender common.Address) (*big.Int, error) {
	vals, err := call(ctx, c, token, "allowance", owner, spender)
	if err != nil {
		return nil, err
	}
	return vals[0].(*big.Int), nil
}

// Metadata reads symbol and decimals of a token given by address.
func Metadata(ctx context.Context, c Caller, token common.Address) (protocol.Token, error) {
	sym, err := call(ctx, c, token, "symbol")
	if err != nil {
		return protocol.Token{}, err
	}
	dec, err := call(ctx, c, token, "decimals")
	if err != nil {
		return protocol.Token{}, err
	}
	return protocol.Token{Symbol: sym[0].(string), Address: token, Decimals: dec[0].(uint8)}, nil
}

// TransferCall builds an ERC-20 transfer of value base units to `to`.
func TransferCall(t protocol.Token, to common.Address, value *big.Int) protocol.Call {
	data, _ := ABI.Pack("transfer", to, value) // cannot fail: types are fixed
	return protocol.Call{
		Action:      "transfer",
		Description: fmt.Sprintf("Transfer %s to %s", amount.FormatUnits(value, t.Decimals, t.Symbol), to.Hex()),
		To:          t.Address,
		Data:        data,
		Amount:      value,
		Token:       t,
		GasHint:     80_000,
	}
}

// ApproveCall builds an ERC-20 approve of value for spender.
func ApproveCall(t protocol.Token, spender common.Address, value *big.Int, purpose string) protocol.Call {
	data, _ := ABI.Pack("approve", spender, value)
	return protocol.Call{
		Action:      "approve",
		Description: fmt.Sprintf("Approve %s for %s", amount.FormatUnits(value, t.Decimals, t.Symbol), purpose),
		To:          t.Address,
		Data:        data,
		Amount:      value,
		Token:       t,
		GasHint:     60_000,
	}
}

// Transferred sums the Transfer events of token in receipts that match
// from and to (the zero address as `from` matches mints).
func Transferred(receipts []*types.Receipt, token, from, to common.Address) *big.Int {
	topic := ABI.Events["Transfer"].ID
	sum := new(big.Int)
	for _, r := range receipts {
		for _, l := range r.Logs {
			// ERC-721 Transfer has the same topic0 but 4 topics; skip it.
			if l.Address != token || len(l.Topics) != 3 || l.Topics[0] != topic || len(l.Data) != 32 {
				continue
			}
			if common.BytesToAddress(l.Topics[1].Bytes()) == from && common.BytesToAddress(l.Topics[2].Bytes()) == to {
				sum.Add(sum, new(big.Int).SetBytes(l.Data))
			}
		}
	}
	return sum
}
