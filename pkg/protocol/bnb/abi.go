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
	if c.mc3, err = protocol.Multicall3ABI(); err != nil {
		return nil, fmt.Errorf("bnb: %w", err)
	}
	// ZeroShares, TransferFailed and ParamChange are on both contracts:
	// kept once.
	c.merged = protocol.MergeABIs(c.hub, c.credit)
	return &c, nil
}

// codec packs the adapter's calls and decodes its reads (errors start
// with "bnb:"; an empty answer names the missing contracts).
var codec = protocol.Codec{Prefix: "bnb", Missing: "StakeHub/StakeCredit contract"}

func pack(a *abi.ABI, method string, args ...any) ([]byte, error) {
	return codec.Pack(a, method, args...)
}

func msg(a *abi.ABI, to common.Address, method string, args ...any) (ethereum.CallMsg, error) {
	return codec.Msg(a, to, method, args...)
}

func unpack(a *abi.ABI, method string, ret []byte) ([]any, error) {
	return codec.Unpack(a, method, ret)
}

func unpackBig(a *abi.ABI, method string, ret []byte) (*big.Int, error) {
	return codec.Big(a, method, ret)
}

func unpackBool(a *abi.ABI, method string, ret []byte) (bool, error) {
	return codec.Bool(a, method, ret)
}

func unpackString(a *abi.ABI, method string, ret []byte) (string, error) {
	return codec.Text(a, method, ret)
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
