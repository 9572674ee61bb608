package chaintest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/rpc"
)

type request struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return e.Message }

// nodeError is geth's code for failures that are not reverts (nonce too
// low, insufficient funds, …).
func nodeError(format string, args ...any) *rpcError {
	return &rpcError{Code: -32000, Message: fmt.Sprintf(format, args...)}
}

func invalidParams(format string, args ...any) *rpcError {
	return &rpcError{Code: -32602, Message: fmt.Sprintf(format, args...)}
}

// toRPCError turns a revert into geth's form: code 3 and the data in hex.
func toRPCError(err error) *rpcError {
	var re *rpcError
	var rev *Revert
	switch {
	case errors.As(err, &re):
		return re
	case errors.As(err, &rev):
		return &rpcError{Code: 3, Message: rev.Error(), Data: hexutil.Encode(rev.Data)}
	}
	return nodeError("%v", err)
}

// ServeHTTP answers one JSON-RPC request or a batch (always with HTTP 200,
// as geth does for JSON-RPC errors).
func (n *Node) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n.mu.Lock()
	n.requests++
	n.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var reqs []request
		if err := json.Unmarshal(body, &reqs); err != nil {
			_ = enc.Encode(errorResponse(-32700, "parse error: "+err.Error()))
			return
		}
		if len(reqs) == 0 {
			_ = enc.Encode(errorResponse(-32600, "empty batch"))
			return
		}
		out := make([]response, len(reqs))
		for i, req := range reqs {
			out[i] = n.answer(req)
		}
		_ = enc.Encode(out)
		return
	}
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		_ = enc.Encode(errorResponse(-32700, "parse error: "+err.Error()))
		return
	}
	_ = enc.Encode(n.answer(req))
}

func errorResponse(code int, msg string) response {
	return response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{Code: code, Message: msg}}
}

func (n *Node) answer(req request) response {
	resp := response{JSONRPC: "2.0", ID: req.ID}
	if len(resp.ID) == 0 {
		resp.ID = json.RawMessage("null")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, req.Method)
	var params []json.RawMessage
	if len(req.Params) > 0 && !bytes.Equal(req.Params, []byte("null")) {
		if err := json.Unmarshal(req.Params, &params); err != nil {
			resp.Error = invalidParams("params must be an array: %v", err)
			return resp
		}
	}
	res, err := n.dispatch(req.Method, params)
	if err != nil {
		resp.Error = toRPCError(err)
		return resp
	}
	raw, err := json.Marshal(res)
	if err != nil {
		resp.Error = &rpcError{Code: -32603, Message: fmt.Sprintf("chaintest: encode result: %v", err)}
		return resp
	}
	resp.Result = raw
	return resp
}

// parse decodes params into dst in order; the first `required` must be there.
func parse(params []json.RawMessage, required int, dst ...any) error {
	if len(params) < required {
		return invalidParams("missing value for required argument %d", len(params))
	}
	for i, d := range dst {
		if i >= len(params) {
			break
		}
		if err := json.Unmarshal(params[i], d); err != nil {
			return invalidParams("invalid argument %d: %v", i, err)
		}
	}
	return nil
}

// callArgs is the transaction object of eth_call and eth_estimateGas.
type callArgs struct {
	From  *common.Address `json:"from"`
	To    *common.Address `json:"to"`
	Value *hexutil.Big    `json:"value"`
	Data  hexutil.Bytes   `json:"data"`
	Input hexutil.Bytes   `json:"input"`
}

func (a callArgs) data() []byte {
	if len(a.Input) > 0 {
		return a.Input
	}
	return a.Data
}

func (n *Node) dispatch(method string, params []json.RawMessage) (any, error) {
	var (
		addr common.Address
		hash common.Hash
		num  rpc.BlockNumber
		full bool
	)
	switch method {
	case "eth_chainId":
		return (*hexutil.Big)(n.chainID), nil
	case "net_version":
		return n.chainID.String(), nil
	case "web3_clientVersion":
		return "chaintest", nil
	case "eth_syncing":
		return false, nil
	case "eth_blockNumber":
		return (*hexutil.Big)(n.head().header.Number), nil
	case "eth_getBlockByNumber", "eth_getBlockByHash":
		var b *block
		if method == "eth_getBlockByHash" {
			if err := parse(params, 1, &hash, &full); err != nil {
				return nil, err
			}
			b = n.byHash[hash]
		} else {
			if err := parse(params, 1, &num, &full); err != nil {
				return nil, err
			}
			b = n.blockAt(num)
		}
		if b == nil {
			return nil, nil
		}
		return n.blockJSON(b, full)
	case "eth_getBalance", "eth_getTransactionCount", "eth_getCode":
		if err := parse(params, 1, &addr); err != nil {
			return nil, err
		}
		switch method {
		case "eth_getBalance":
			return (*hexutil.Big)(n.balance(addr)), nil
		case "eth_getTransactionCount":
			// Transactions are mined at once: latest and pending agree.
			return hexutil.Uint64(n.nonces[addr]), nil
		}
		return hexutil.Bytes(n.code[addr]), nil
	case "eth_maxPriorityFeePerGas":
		return (*hexutil.Big)(n.tip), nil
	case "eth_gasPrice":
		return (*hexutil.Big)(new(big.Int).Add(n.baseFee, n.tip)), nil
	case "eth_feeHistory":
		var count math.HexOrDecimal64
		var percentiles []float64
		if err := parse(params, 2, &count, &num, &percentiles); err != nil {
			return nil, err
		}
		return n.feeHistory(uint64(count), num, percentiles)
	case "eth_call", "eth_estimateGas":
		var args callArgs
		if err := parse(params, 1, &args); err != nil {
			return nil, err
		}
		out, gas, err := n.call(args)
		if err != nil {
			return nil, err
		}
		if method == "eth_estimateGas" {
			return hexutil.Uint64(gas), nil
		}
		return hexutil.Bytes(out), nil
	case "eth_sendRawTransaction":
		var raw hexutil.Bytes
		if err := parse(params, 1, &raw); err != nil {
			return nil, err
		}
		return n.sendRawTransaction(raw)
	case "eth_sendRawTransactionSync":
		// EIP-7966: the transaction is mined at once, so the receipt is
		// there to answer with (unless SetSendSync(false)).
		if n.noSync {
			break
		}
		var raw hexutil.Bytes
		if err := parse(params, 1, &raw); err != nil {
			return nil, err
		}
		hash, err := n.sendRawTransaction(raw)
		if err != nil {
			return nil, err
		}
		return receiptJSON(n.txs[hash])
	case "eth_getTransactionReceipt", "eth_getTransactionByHash":
		if err := parse(params, 1, &hash); err != nil {
			return nil, err
		}
		m := n.txs[hash]
		switch {
		case m == nil:
			return nil, nil
		case method == "eth_getTransactionReceipt":
			return receiptJSON(m)
		}
		return txJSON(m)
	case "eth_getLogs":
		var q filterQuery
		if err := parse(params, 1, &q); err != nil {
			return nil, err
		}
		return n.getLogs(q)
	}
	return nil, &rpcError{Code: -32601, Message: "method not found: " + method}
}
