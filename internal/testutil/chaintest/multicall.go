package chaintest

import (
	"errors"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// Multicall3Address is where every chain (and every devnet genesis) has
// Multicall3.
var Multicall3Address = common.HexToAddress("0xcA11bde05977b3631167028862bE2a173976CA11")

// multicall3ABI is the part of Multicall3 (github.com/mds1/multicall,
// v3) that InstallMulticall3 plays, with its real signatures.
const multicall3ABI = `[
{"type":"function","name":"aggregate3","stateMutability":"payable","inputs":[{"name":"calls","type":"tuple[]","components":[{"name":"target","type":"address"},{"name":"allowFailure","type":"bool"},{"name":"callData","type":"bytes"}]}],"outputs":[{"name":"returnData","type":"tuple[]","components":[{"name":"success","type":"bool"},{"name":"returnData","type":"bytes"}]}]},
{"type":"function","name":"getEthBalance","stateMutability":"view","inputs":[{"name":"addr","type":"address"}],"outputs":[{"name":"balance","type":"uint256"}]}
]`

// Multicall3ABI returns the ABI InstallMulticall3 serves.
func Multicall3ABI() *abi.ABI {
	a, err := abi.JSON(strings.NewReader(multicall3ABI))
	if err != nil {
		panic(err) // a constant
	}
	return &a
}

// InstallMulticall3 plays Multicall3's aggregate3 and getEthBalance at
// Multicall3Address: each call of aggregate3 runs the handler of its
// target with Multicall3 as the sender; a revert of a call that allows
// failure is answered as (false, revert data), one that does not reverts
// the whole aggregate3 with its data ("Multicall3: call failed" in the
// real contract), as the EVM does. A call with no handler that allows
// failure fails alone, with the node's message as Error(string), so that
// one missing fixture does not fail the other calls of the pack.
func InstallMulticall3(n *Node) {
	a := Multicall3ABI()
	n.Handle(Multicall3Address, a, "getEthBalance", func(c *Ctx, args []any) ([]any, error) {
		return []any{new(big.Int).Set(n.balance(args[0].(common.Address)))}, nil
	})
	n.Handle(Multicall3Address, a, "aggregate3", func(c *Ctx, args []any) ([]any, error) {
		type call3 struct {
			Target       common.Address
			AllowFailure bool
			CallData     []byte
		}
		calls := *abi.ConvertType(args[0], new([]call3)).(*[]call3)
		type result struct {
			Success    bool   `json:"success"`
			ReturnData []byte `json:"returnData"`
		}
		out := make([]result, len(calls))
		for i, call := range calls {
			sub := &Ctx{From: Multicall3Address, To: call.Target, Value: new(big.Int), Tx: c.Tx, Block: c.Block, Time: c.Time}
			ret, _, err := n.exec(sub, call.CallData)
			var rev *Revert
			switch {
			case errors.As(err, &rev) && call.AllowFailure:
				out[i] = result{Success: false, ReturnData: rev.Data}
			case err != nil && call.AllowFailure:
				// No handler (the EVM would revert: no such function), or
				// a broken one (already reported): this call fails alone,
				// its message kept as the revert reason.
				out[i] = result{Success: false, ReturnData: RevertString(err.Error()).Data}
			case err != nil:
				return nil, err
			default:
				if c.Tx && (len(sub.moves) > 0 || len(sub.logs) > 0 || len(sub.commits) > 0) {
					// State changes of sub-calls are not modelled (a read
					// through eth_call keeps nothing anyway).
					return nil, errors.New("chaintest: aggregate3 of a call that changes state")
				}
				out[i] = result{Success: true, ReturnData: ret}
			}
		}
		return []any{out}, nil
	})
}
