package protocol

import (
	"fmt"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// Multicall3 is the canonical Multicall3 address: on every chain the
// wallet knows and in every devnet chain's genesis.
var Multicall3 = common.HexToAddress("0xcA11bde05977b3631167028862bE2a173976CA11")

// multicall3JSON is what adapters call on Multicall3: getCurrentBlockTimestamp
// (the time of the block a batch of reads ran at) and aggregate3 (several
// reads in one eth_call, each allowed to fail).
const multicall3JSON = `[{"type":"function","name":"getCurrentBlockTimestamp","stateMutability":"view","inputs":[],"outputs":[{"name":"timestamp","type":"uint256"}]},{"type":"function","name":"aggregate3","stateMutability":"payable","inputs":[{"name":"calls","type":"tuple[]","components":[{"name":"target","type":"address"},{"name":"allowFailure","type":"bool"},{"name":"callData","type":"bytes"}]}],"outputs":[{"name":"returnData","type":"tuple[]","components":[{"name":"success","type":"bool"},{"name":"returnData","type":"bytes"}]}]}]`

// Multicall3ABI parses Multicall3's getCurrentBlockTimestamp and aggregate3.
func Multicall3ABI() (*abi.ABI, error) { return ParseABI("Multicall3", []byte(multicall3JSON)) }

// Call3 is Multicall3.Call3: one read of an aggregate3.
type Call3 struct {
	Target       common.Address
	AllowFailure bool
	CallData     []byte
}

// Result3 is Multicall3.Result: one read's outcome.
type Result3 struct {
	Success    bool
	ReturnData []byte
}

// Aggregate3 is the eth_call of Multicall3's aggregate3 running calls.
func Aggregate3(calls []Call3) (ethereum.CallMsg, error) {
	a, err := Multicall3ABI()
	if err != nil {
		return ethereum.CallMsg{}, err
	}
	data, err := a.Pack("aggregate3", calls)
	if err != nil {
		return ethereum.CallMsg{}, fmt.Errorf("encode aggregate3: %w", err)
	}
	to := Multicall3
	return ethereum.CallMsg{To: &to, Data: data}, nil
}

// Reads3 makes each of msgs (eth_calls with a `to`) a Call3 allowed to
// fail.
func Reads3(msgs []ethereum.CallMsg) []Call3 {
	calls := make([]Call3, len(msgs))
	for i, m := range msgs {
		calls[i] = Call3{Target: *m.To, AllowFailure: true, CallData: m.Data}
	}
	return calls
}

// Aggregate3Results decodes the results of the first n calls of an
// aggregate3 (a caller may read only a prefix of what it asked for),
// wrapping ErrBadAnswer when the answer does not decode or holds fewer.
func Aggregate3Results(ret []byte, n int) (results []Result3, err error) {
	a, err := Multicall3ABI()
	if err != nil {
		return nil, err
	}
	vals, err := a.Unpack("aggregate3", ret)
	if err != nil || len(vals) != 1 {
		return nil, fmt.Errorf("%w: aggregate3: %v", ErrBadAnswer, err)
	}
	defer func() {
		// abi.ConvertType panics on a value of another shape.
		if recover() != nil {
			results, err = nil, fmt.Errorf("%w: aggregate3 results have the wrong shape", ErrBadAnswer)
		}
	}()
	abi.ConvertType(vals[0], &results)
	if len(results) < n {
		return nil, fmt.Errorf("%w: aggregate3 returned %d results for %d calls", ErrBadAnswer, len(results), n)
	}
	return results[:n], nil
}
