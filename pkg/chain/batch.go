package chain

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// BatchCallContract runs the eth_calls msgs at blockNumber (nil = latest) in
// JSON-RPC batches of at most Options.BatchSize, so N reads cost one round
// trip instead of N. Results and errors are aligned with msgs: errs[i] is
// the revert or transport error of msgs[i], results[i] its return data.
// Endpoints that reject batches are served one call at a time.
func (c *Client) BatchCallContract(ctx context.Context, msgs []ethereum.CallMsg, blockNumber *big.Int) ([][]byte, []error) {
	block := blockArg(blockNumber)
	out := make([]hexutil.Bytes, len(msgs))
	elems := make([]rpc.BatchElem, len(msgs))
	for i := range msgs {
		elems[i] = rpc.BatchElem{Method: "eth_call", Args: []any{toCallArg(msgs[i]), block}, Result: &out[i]}
	}
	_ = c.Batch(ctx, elems) // every failure is in its element
	results := make([][]byte, len(msgs))
	errs := make([]error, len(msgs))
	for i := range elems {
		if elems[i].Error != nil {
			errs[i] = elems[i].Error
			continue
		}
		results[i] = out[i]
	}
	return results, errs
}

// blockArg and toCallArg encode like ethclient (whose helpers are unexported).
func blockArg(number *big.Int) string {
	switch {
	case number == nil:
		return "latest"
	case number.Sign() >= 0:
		return hexutil.EncodeBig(number)
	case number.IsInt64():
		return rpc.BlockNumber(number.Int64()).String()
	default:
		return fmt.Sprintf("<invalid %d>", number)
	}
}

func toCallArg(msg ethereum.CallMsg) map[string]any {
	arg := map[string]any{
		"from": msg.From,
		"to":   msg.To,
	}
	if len(msg.Data) > 0 {
		arg["input"] = hexutil.Bytes(msg.Data)
	}
	if msg.Value != nil {
		arg["value"] = (*hexutil.Big)(msg.Value)
	}
	if msg.Gas != 0 {
		arg["gas"] = hexutil.Uint64(msg.Gas)
	}
	if msg.GasPrice != nil {
		arg["gasPrice"] = (*hexutil.Big)(msg.GasPrice)
	}
	if msg.GasFeeCap != nil {
		arg["maxFeePerGas"] = (*hexutil.Big)(msg.GasFeeCap)
	}
	if msg.GasTipCap != nil {
		arg["maxPriorityFeePerGas"] = (*hexutil.Big)(msg.GasTipCap)
	}
	if msg.AccessList != nil {
		arg["accessList"] = msg.AccessList
	}
	if msg.BlobGasFeeCap != nil {
		arg["maxFeePerBlobGas"] = (*hexutil.Big)(msg.BlobGasFeeCap)
	}
	if msg.BlobHashes != nil {
		arg["blobVersionedHashes"] = msg.BlobHashes
	}
	if msg.AuthorizationList != nil {
		arg["authorizationList"] = msg.AuthorizationList
	}
	return arg
}
