package bnb

import (
	"embed"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The ABIs are fragments of the real contracts' ABIs, copied from
// bnb-chain/bsc-genesis-contract abi/stakehub.abi and abi/stakecredit.abi
// (34618f6): every function the adapter calls or reads, the events it
// decodes and every custom error. abi_test.go checks the selectors and
// topics against the reference values byte for byte.
//
//go:embed abi/*.json
var abiFiles embed.FS

// multicall3ABI is Multicall3's getCurrentBlockTimestamp, read in the same
// batch as the unbond requests so that their status costs no extra round
// trip.
const multicall3ABI = `[{"inputs":[],"name":"getCurrentBlockTimestamp","outputs":[{"internalType":"uint256","name":"timestamp","type":"uint256"}],"stateMutability":"view","type":"function"}]`

// Multicall3 is the canonical Multicall3 address (deployed on BSC and in
// every devnet chain's genesis).
var Multicall3 = common.HexToAddress("0xcA11bde05977b3631167028862bE2a173976CA11")

type contractABIs struct {
	hub, credit, mc3 *abi.ABI
	merged           *abi.ABI
}

func loadABIs() (*contractABIs, error) {
	var c contractABIs
	var err error
	if c.hub, err = protocol.ReadABI(abiFiles, "abi/StakeHub.json"); err != nil {
		return nil, fmt.Errorf("bnb: %w", err)
	}
	if c.credit, err = protocol.ReadABI(abiFiles, "abi/StakeCredit.json"); err != nil {
		return nil, fmt.Errorf("bnb: %w", err)
	}
	if c.mc3, err = protocol.ParseABI("Multicall3", []byte(multicall3ABI)); err != nil {
		return nil, fmt.Errorf("bnb: %w", err)
	}
	// ZeroShares, TransferFailed and ParamChange are on both contracts:
	// kept once.
	c.merged = protocol.MergeABIs(c.hub, c.credit)
	return &c, nil
}

// pack encodes a call; the ABIs are fixed, so an error is a programming
// error worth surfacing.
func pack(a *abi.ABI, method string, args ...any) ([]byte, error) {
	data, err := a.Pack(method, args...)
	if err != nil {
		return nil, fmt.Errorf("bnb: encode %s: %w", method, err)
	}
	return data, nil
}

// msg builds an eth_call to `to`.
func msg(a *abi.ABI, to common.Address, method string, args ...any) (ethereum.CallMsg, error) {
	data, err := pack(a, method, args...)
	if err != nil {
		return ethereum.CallMsg{}, err
	}
	return ethereum.CallMsg{To: &to, Data: data}, nil
}

// unpack decodes the answer of a read, wrapping ErrBadAnswer when it does
// not decode (a broken RPC, or no contract at the address).
func unpack(a *abi.ABI, method string, ret []byte) ([]any, error) {
	if len(ret) == 0 && len(a.Methods[method].Outputs) > 0 {
		return nil, fmt.Errorf("bnb: %w: %s returned nothing: no StakeHub/StakeCredit contract at that address on this network?", protocol.ErrBadAnswer, method)
	}
	vals, err := a.Unpack(method, ret)
	if err != nil {
		return nil, fmt.Errorf("bnb: %w: %s: %w", protocol.ErrBadAnswer, method, err)
	}
	return vals, nil
}

func unpackBig(a *abi.ABI, method string, ret []byte) (*big.Int, error) {
	vals, err := unpack(a, method, ret)
	if err != nil {
		return nil, err
	}
	v, ok := vals[0].(*big.Int)
	if !ok {
		return nil, fmt.Errorf("bnb: %w: %s returned %T, want uint256", protocol.ErrBadAnswer, method, vals[0])
	}
	return v, nil
}

func unpackBool(a *abi.ABI, method string, ret []byte) (bool, error) {
	vals, err := unpack(a, method, ret)
	if err != nil {
		return false, err
	}
	v, ok := vals[0].(bool)
	if !ok {
		return false, fmt.Errorf("bnb: %w: %s returned %T, want bool", protocol.ErrBadAnswer, method, vals[0])
	}
	return v, nil
}

func unpackString(a *abi.ABI, method string, ret []byte) (string, error) {
	vals, err := unpack(a, method, ret)
	if err != nil {
		return "", err
	}
	v, ok := vals[0].(string)
	if !ok {
		return "", fmt.Errorf("bnb: %w: %s returned %T, want string", protocol.ErrBadAnswer, method, vals[0])
	}
	return v, nil
}

// unpackInto decodes a struct-returning read into out (a pointer to a
// struct with the ABI's field names).
func unpackInto(a *abi.ABI, method string, ret []byte, out any) (err error) {
	vals, err := unpack(a, method, ret)
	if err != nil {
		return err
	}
	if len(vals) != 1 {
		return fmt.Errorf("bnb: %w: %s returned %d values", protocol.ErrBadAnswer, method, len(vals))
	}
	defer func() {
		// ConvertType panics on a shape it cannot convert.
		if r := recover(); r != nil {
			err = fmt.Errorf("bnb: %w: %s: %v", protocol.ErrBadAnswer, method, r)
		}
	}()
	abi.ConvertType(vals[0], out)
	return nil
}

// basicInfo is getValidatorBasicInfo's answer.
type basicInfo struct {
	CreatedTime *big.Int
	Jailed      bool
	JailUntil   *big.Int
}

func (a *BNB) unpackBasicInfo(ret []byte) (basicInfo, error) {
	vals, err := unpack(a.abis.hub, "getValidatorBasicInfo", ret)
	if err != nil {
		return basicInfo{}, err
	}
	var bi basicInfo
	ok1, ok2, ok3 := false, false, false
	if len(vals) == 3 {
		bi.CreatedTime, ok1 = vals[0].(*big.Int)
		bi.Jailed, ok2 = vals[1].(bool)
		bi.JailUntil, ok3 = vals[2].(*big.Int)
	}
	if !ok1 || !ok2 || !ok3 {
		return basicInfo{}, fmt.Errorf("bnb: %w: getValidatorBasicInfo returned %v", protocol.ErrBadAnswer, vals)
	}
	return bi, nil
}
