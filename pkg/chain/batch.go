package chain

import (
	"context"
	"encoding/json"
	"errors"
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
	results := make([][]byte, len(msgs))
	errs := make([]error, len(msgs))
	block := blockArg(blockNumber)
	for lo := 0; lo < len(msgs); lo += c.opts.BatchSize {
		hi := min(lo+c.opts.BatchSize, len(msgs))
		out := make([]hexutil.Bytes, hi-lo)
		elems := make([]rpc.BatchElem, hi-lo)
		err := c.do(ctx, fmt.Sprintf("eth_call batch of %d", hi-lo), func(ctx context.Context, ep *endpoint, rc *rpc.Client) error {
			for i := range elems {
				// Fresh elements each attempt: a failed attempt leaves errors behind.
				out[i] = nil
				elems[i] = rpc.BatchElem{
					Method: "eth_call",
					Args:   []any{toCallArg(msgs[lo+i]), block},
					Result: &out[i],
				}
			}
			err := rc.BatchCallContext(ctx, elems)
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				// The endpoint answered the batch with a single object: it does
				// not do batches.
				return callOneByOne(ctx, rc, elems)
			}
			if err != nil {
				return err
			}
			// A rate limit or a dropped element is about the endpoint, not the
			// call: redo the whole batch elsewhere or later.
			for i := range elems {
				if err := endpointFault(elems[i].Error, out[i]); err != nil {
					return err
				}
				elems[i].Error = scrubNodeError(ep, elems[i].Error)
			}
			return nil
		})
		for i := range elems {
			switch {
			case err != nil:
				errs[lo+i] = err
			case elems[i].Error != nil:
				// A result of the wrong JSON type is a bad answer, as for
				// single calls (Client.do).
				errs[lo+i] = markBadAnswer(elems[i].Error)
			default:
				results[lo+i] = out[i]
			}
		}
		if errors.Is(err, ErrUnreachable) || ctx.Err() != nil {
			// The next chunks would fail the same way after the same wait.
			for i := hi; i < len(msgs); i++ {
				errs[i] = err
			}
			break
		}
	}
	return results, errs
}

func callOneByOne(ctx context.Context, rc *rpc.Client, elems []rpc.BatchElem) error {
	for i := range elems {
		e := &elems[i]
		e.Error = rc.CallContext(ctx, e.Result, e.Method, e.Args...)
		if err := endpointFault(e.Error, *e.Result.(*hexutil.Bytes)); err != nil {
			return err
		}
	}
	return nil
}

// endpointFault is the error of an eth_call answer that is the endpoint's
// fault rather than the call's: a rate limit, a dropped batch element, no
// result at all ("result": null or none), or a result of the wrong type.
// Such an answer makes the whole batch go elsewhere or wait (Client.do);
// only a call's own failure, such as a revert, stays with that call.
func endpointFault(err error, out hexutil.Bytes) error {
	switch {
	case err == nil && out == nil, errors.Is(err, rpc.ErrNoResult):
		return badResponse("an eth_call was answered without a result")
	case err != nil && classify(markBadAnswer(err)) != classApp:
		return err
	}
	return nil
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
