package sonic

import (
	"context"
	"embed"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The ABIs are the real SFC's and ConstantsManager's fragments the client
// uses (0xsoniclabs/sonic-sfc contracts/sfc/SFC.sol, ConstantsManager.sol);
// abi_test.go checks every selector and topic against the reference
// values byte for byte.
//
//go:embed abi/*.json
var abiFiles embed.FS

type contractABIs struct {
	sfc, consts, mc3 *abi.ABI
	merged           *abi.ABI
}

func loadABIs() (*contractABIs, error) {
	var c contractABIs
	var err error
	if c.sfc, err = protocol.ReadABI(abiFiles, "abi/sfc.json"); err != nil {
		return nil, fmt.Errorf("sonic: %w", err)
	}
	if c.consts, err = protocol.ReadABI(abiFiles, "abi/consts.json"); err != nil {
		return nil, fmt.Errorf("sonic: %w", err)
	}
	if c.mc3, err = protocol.Multicall3ABI(); err != nil {
		return nil, fmt.Errorf("sonic: %w", err)
	}
	c.merged = protocol.MergeABIs(c.sfc, c.consts)
	return &c, nil
}

// codec packs the adapter's calls and decodes its reads (errors start
// with "sonic:"; an empty answer names the missing SFC).
var codec = protocol.Codec{Prefix: "sonic", Missing: "SFC"}

func pack(a *abi.ABI, method string, args ...any) ([]byte, error) {
	return codec.Pack(a, method, args...)
}

func msgTo(to common.Address, data []byte) ethereum.CallMsg {
	return ethereum.CallMsg{To: &to, Data: data}
}

func unpack(a *abi.ABI, method string, ret []byte) ([]any, error) {
	return codec.Unpack(a, method, ret)
}

func unpackBigs(a *abi.ABI, method string, ret []byte, n int) ([]*big.Int, error) {
	return codec.Bigs(a, method, ret, n)
}

func unpackBig(a *abi.ABI, method string, ret []byte) (*big.Int, error) {
	return codec.Big(a, method, ret)
}

func unpackAddress(a *abi.ABI, method string, ret []byte) (common.Address, error) {
	return codec.Address(a, method, ret)
}

// validatorInfo is getValidator's answer.
type validatorInfo struct {
	Status           *big.Int
	ReceivedStake    *big.Int
	Auth             common.Address
	CreatedEpoch     *big.Int
	CreatedTime      *big.Int
	DeactivatedTime  *big.Int
	DeactivatedEpoch *big.Int
}

func (a *Sonic) decodeValidator(ret []byte) (validatorInfo, error) {
	vals, err := unpack(a.abis.sfc, "getValidator", ret)
	if err != nil {
		return validatorInfo{}, err
	}
	if len(vals) != 7 {
		return validatorInfo{}, fmt.Errorf("sonic: %w: getValidator gave %d values", protocol.ErrBadAnswer, len(vals))
	}
	var v validatorInfo
	var ok [7]bool
	v.Status, ok[0] = vals[0].(*big.Int)
	v.ReceivedStake, ok[1] = vals[1].(*big.Int)
	v.Auth, ok[2] = vals[2].(common.Address)
	v.CreatedEpoch, ok[3] = vals[3].(*big.Int)
	v.CreatedTime, ok[4] = vals[4].(*big.Int)
	v.DeactivatedTime, ok[5] = vals[5].(*big.Int)
	v.DeactivatedEpoch, ok[6] = vals[6].(*big.Int)
	for i, o := range ok {
		if !o {
			return validatorInfo{}, fmt.Errorf("sonic: %w: getValidator value %d has the wrong type", protocol.ErrBadAnswer, i)
		}
	}
	return v, nil
}

func (v validatorInfo) exists() bool { return v.Auth != (common.Address{}) }

// statusText is the validator's status as `validators` shows it.
func (v validatorInfo) statusText() string {
	s := v.Status.Uint64()
	switch {
	case !v.Status.IsUint64():
		return "inactive"
	case s == 0:
		return "active"
	case s&statusDoubleSign != 0:
		return "slashed"
	case s&(statusOffline|statusOfflineAvg) != 0:
		return "offline"
	case s&statusWithdrawn != 0:
		return "withdrawn"
	}
	return "inactive"
}

// maxAggregate is the most sub-calls in one aggregate3 eth_call.
const maxAggregate = 800

// aggregateMsgs packs calls into aggregate3 eth_calls of at most
// maxAggregate sub-calls each (failures allowed).
func (a *Sonic) aggregateMsgs(calls []protocol.Call3) ([]ethereum.CallMsg, error) {
	var out []ethereum.CallMsg
	for start := 0; start < len(calls); start += maxAggregate {
		m, err := protocol.Aggregate3(calls[start:min(len(calls), start+maxAggregate)])
		if err != nil {
			return nil, fmt.Errorf("sonic: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
}

// decodeAggregate decodes one aggregate3 answer into its return data (nil
// for a failed sub-call).
func (a *Sonic) decodeAggregate(ret []byte, n int) ([][]byte, error) {
	results, err := protocol.Aggregate3Results(ret, n)
	if err != nil {
		return nil, fmt.Errorf("sonic: %w", err)
	}
	out := make([][]byte, n)
	for i, r := range results {
		if r.Success {
			out[i] = r.ReturnData
		}
	}
	return out, nil
}

// aggregate runs calls (plus extra plain reads) in one round trip: the
// aggregate3 chunks and extra go in one CallAll. It returns the sub-call
// answers (nil = that sub-call failed) and extra's answers.
func (a *Sonic) aggregate(ctx context.Context, calls []protocol.Call3, extra []ethereum.CallMsg) ([][]byte, [][]byte, error) {
	msgs, err := a.aggregateMsgs(calls)
	if err != nil {
		return nil, nil, err
	}
	nAgg := len(msgs)
	msgs = append(msgs, extra...)
	rets, errs := protocol.CallAll(ctx, a.b, msgs)
	for i, e := range errs {
		if e != nil {
			if i < nAgg {
				return nil, nil, fmt.Errorf("sonic: read through Multicall3 (%s): %w", protocol.Multicall3.Hex(), e)
			}
			return nil, nil, fmt.Errorf("sonic: read the SFC: %w", e)
		}
	}
	var subs [][]byte
	for i := 0; i < nAgg; i++ {
		n := min(maxAggregate, len(calls)-i*maxAggregate)
		part, err := a.decodeAggregate(rets[i], n)
		if err != nil {
			return nil, nil, err
		}
		subs = append(subs, part...)
	}
	return subs, rets[nAgg:], nil
}

// sfcCall is a sub-call to the SFC.
func (a *Sonic) sfcCall(method string, args ...any) (protocol.Call3, error) {
	data, err := pack(a.abis.sfc, method, args...)
	if err != nil {
		return protocol.Call3{}, err
	}
	return protocol.Call3{Target: a.sfc, AllowFailure: true, CallData: data}, nil
}

// sfcMsg is an eth_call to the SFC.
func (a *Sonic) sfcMsg(method string, args ...any) (ethereum.CallMsg, error) {
	data, err := pack(a.abis.sfc, method, args...)
	if err != nil {
		return ethereum.CallMsg{}, err
	}
	return msgTo(a.sfc, data), nil
}
