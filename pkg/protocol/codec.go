package protocol

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// Codec encodes an adapter's calls and decodes the answers of its reads,
// with the adapter's error wording: every error starts with Prefix (the
// adapter's name), and a read that returns nothing says which contract is
// missing (Missing, e.g. "StakeHub/StakeCredit contract"). Every decoding
// failure wraps ErrBadAnswer and names the method (its abi.ABI.Methods
// key).
type Codec struct {
	Prefix  string // "bnb"
	Missing string // "SFC": "no SFC at that address on this network?"
}

// Pack encodes a call. The ABIs are fixed, so an error is a programming
// error worth surfacing.
func (c Codec) Pack(a *abi.ABI, method string, args ...any) ([]byte, error) {
	data, err := a.Pack(method, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: encode %s: %w", c.Prefix, method, err)
	}
	return data, nil
}

// Msg builds an eth_call of method to `to`.
func (c Codec) Msg(a *abi.ABI, to common.Address, method string, args ...any) (ethereum.CallMsg, error) {
	data, err := c.Pack(a, method, args...)
	if err != nil {
		return ethereum.CallMsg{}, err
	}
	return ethereum.CallMsg{To: &to, Data: data}, nil
}

// Unpack decodes the answer of a read, wrapping ErrBadAnswer when it does
// not decode (a broken RPC, or no contract at the address: an empty answer
// to a method with outputs).
func (c Codec) Unpack(a *abi.ABI, method string, ret []byte) ([]any, error) {
	if len(ret) == 0 && len(a.Methods[method].Outputs) > 0 {
		return nil, fmt.Errorf("%s: %w: %s returned nothing: no %s at that address on this network?", c.Prefix, ErrBadAnswer, method, c.Missing)
	}
	vals, err := a.Unpack(method, ret)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s: %w", c.Prefix, ErrBadAnswer, method, err)
	}
	return vals, nil
}

// first decodes a read's answer and checks that its first value is a T
// (the Solidity type want).
func first[T any](c Codec, a *abi.ABI, method string, ret []byte, want string) (T, error) {
	var zero T
	vals, err := c.Unpack(a, method, ret)
	if err != nil {
		return zero, err
	}
	if len(vals) == 0 {
		return zero, fmt.Errorf("%s: %w: %s returned no values, want %s", c.Prefix, ErrBadAnswer, method, want)
	}
	v, ok := vals[0].(T)
	if !ok {
		return zero, fmt.Errorf("%s: %w: %s returned %T, want %s", c.Prefix, ErrBadAnswer, method, vals[0], want)
	}
	return v, nil
}

// Big decodes a read whose first output is a uint256 (or any integer
// wider than 64 bits).
func (c Codec) Big(a *abi.ABI, method string, ret []byte) (*big.Int, error) {
	return first[*big.Int](c, a, method, ret, "uint256")
}

// Bigs decodes a read's first n outputs, each a uint256.
func (c Codec) Bigs(a *abi.ABI, method string, ret []byte, n int) ([]*big.Int, error) {
	vals, err := c.Unpack(a, method, ret)
	if err != nil {
		return nil, err
	}
	if len(vals) < n {
		return nil, fmt.Errorf("%s: %w: %s returned %d values, want %d", c.Prefix, ErrBadAnswer, method, len(vals), n)
	}
	out := make([]*big.Int, n)
	for i := range out {
		v, ok := vals[i].(*big.Int)
		if !ok {
			return nil, fmt.Errorf("%s: %w: %s value %d is %T, want uint256", c.Prefix, ErrBadAnswer, method, i, vals[i])
		}
		out[i] = v
	}
	return out, nil
}

// Bool decodes a read whose first output is a bool.
func (c Codec) Bool(a *abi.ABI, method string, ret []byte) (bool, error) {
	return first[bool](c, a, method, ret, "bool")
}

// Text decodes a read whose first output is a string.
func (c Codec) Text(a *abi.ABI, method string, ret []byte) (string, error) {
	return first[string](c, a, method, ret, "string")
}

// Address decodes a read whose first output is an address.
func (c Codec) Address(a *abi.ABI, method string, ret []byte) (common.Address, error) {
	return first[common.Address](c, a, method, ret, "address")
}
