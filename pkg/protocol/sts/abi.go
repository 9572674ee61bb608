package sts

import (
	"embed"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The ABIs are the real contracts' fragments the client uses, written from
// beethovenxfi/sonic-staking src/SonicStaking.sol (877087b) and
// 0xsoniclabs/sonic-sfc contracts/sfc/SFC.sol (v4); abi_test.go checks every
// selector and topic against the reference values byte for byte. The same
// code runs against Sonic mainnet and the devnet models.
//
//go:embed abi/*.json
var abiFiles embed.FS

// periodABI is the SFC's epochEndTime and the ConstantsManager's
// withdrawal period (0xsoniclabs/sonic-sfc contracts/sfc/SFC.sol and
// ConstantsManager.sol): the SFC's own rule for stS's SFC request.
const periodABI = `[{"inputs":[{"internalType":"uint256","name":"epoch","type":"uint256"}],"name":"epochEndTime","outputs":[{"internalType":"uint256","name":"","type":"uint256"}],"stateMutability":"view","type":"function"},{"inputs":[],"name":"withdrawalPeriodEpochs","outputs":[{"internalType":"uint256","name":"","type":"uint256"}],"stateMutability":"view","type":"function"},{"inputs":[],"name":"withdrawalPeriodTime","outputs":[{"internalType":"uint256","name":"","type":"uint256"}],"stateMutability":"view","type":"function"}]`

type contractABIs struct {
	sts, sfc, mc3 *abi.ABI
	period        *abi.ABI // SFC epochEndTime, ConstantsManager withdrawal period
	merged        *abi.ABI
}

func loadABIs() (*contractABIs, error) {
	var c contractABIs
	var err error
	if c.sts, err = protocol.ReadABI(abiFiles, "abi/sonic_staking.json"); err != nil {
		return nil, fmt.Errorf("sts: %w", err)
	}
	if c.sfc, err = protocol.ReadABI(abiFiles, "abi/sfc.json"); err != nil {
		return nil, fmt.Errorf("sts: %w", err)
	}
	if c.mc3, err = protocol.Multicall3ABI(); err != nil {
		return nil, fmt.Errorf("sts: %w", err)
	}
	if c.period, err = protocol.ParseABI("SFC period", []byte(periodABI)); err != nil {
		return nil, fmt.Errorf("sts: %w", err)
	}
	// stS and the SFC both have events named Delegated, Undelegated and
	// Withdrawn with different signatures: all are kept.
	c.merged = protocol.MergeABIs(c.sts, c.sfc)
	return &c, nil
}

// codec packs the adapter's calls and decodes its reads (errors start
// with "sts:"; an empty answer names the missing contracts).
var codec = protocol.Codec{Prefix: "sts", Missing: "stS/SFC contract"}

func pack(a *abi.ABI, method string, args ...any) ([]byte, error) {
	return codec.Pack(a, method, args...)
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

// msg builds an eth_call to `to`.
func (s *STS) msg(a *abi.ABI, to common.Address, method string, args ...any) (ethereum.CallMsg, error) {
	return codec.Msg(a, to, method, args...)
}
