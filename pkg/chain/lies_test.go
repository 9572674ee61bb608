package chain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
)

// liarNode is a fake node behind a proxy that lies as the test says.
func liarNode(t *testing.T, lie rpcproxy.LieHook) (*fakeNode, *rpcproxy.Proxy) {
	t.Helper()
	f := newFakeNode(t, 1337)
	f.handle = func(method string, params []json.RawMessage) (any, *rpcError) {
		switch method {
		case "eth_chainId":
			return nil, nil
		case "eth_blockNumber":
			return "0x5", nil
		case "eth_call":
			return "0x" + strings.Repeat("00", 31) + "07", nil
		case "eth_getTransactionReceipt":
			var h common.Hash
			json.Unmarshal(params[0], &h)
			return receiptJSON(h), nil
		}
		return nil, &rpcError{Code: -32601, Message: "method not found"}
	}
	p := rpcproxy.Start(t, f.URL())
	p.SetLieHook(lie)
	return f, p
}

func receiptJSON(h common.Hash) json.RawMessage {
	raw, _ := json.Marshal(&types.Receipt{
		Type: types.DynamicFeeTxType, Status: types.ReceiptStatusSuccessful, CumulativeGasUsed: 21000, GasUsed: 21000,
		Logs: []*types.Log{}, TxHash: h, BlockHash: common.Hash{1}, BlockNumber: big.NewInt(5), EffectiveGasPrice: big.NewInt(1),
	})
	return raw
}

// onMethod lies about the calls of one method only.
func onMethod(method string, lie rpcproxy.Lie) rpcproxy.LieHook {
	return func(r rpcproxy.Request) rpcproxy.Lie {
		for _, c := range r.Calls {
			if c.Method == method {
				return lie
			}
		}
		return rpcproxy.Lie{}
	}
}

// batchReply rewrites the elements of a batch answer.
func batchReply(edit func(msgs []map[string]json.RawMessage) []map[string]json.RawMessage) func([]byte) []byte {
	return func(body []byte) []byte {
		var msgs []map[string]json.RawMessage
		if json.Unmarshal(body, &msgs) != nil {
			return body
		}
		out, _ := json.Marshal(edit(msgs))
		return out
	}
}

func setID(id string) func([]byte) []byte {
	return func(body []byte) []byte {
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			return body
		}
		m["id"] = json.RawMessage(id)
		out, _ := json.Marshal(m)
		return out
	}
}

var (
	missingID = batchReply(func(m []map[string]json.RawMessage) []map[string]json.RawMessage { return m[1:] })
	dupID     = batchReply(func(m []map[string]json.RawMessage) []map[string]json.RawMessage {
		// A second answer for the first call, with another result.
		dup := map[string]json.RawMessage{"jsonrpc": m[0]["jsonrpc"], "id": m[0]["id"], "result": json.RawMessage(`"0x` + strings.Repeat("ff", 32) + `"`)}
		return append(m, dup)
	})
	foreignID = batchReply(func(m []map[string]json.RawMessage) []map[string]json.RawMessage {
		m[1]["id"] = json.RawMessage("4242")
		return m
	})
	extraForeignID = batchReply(func(m []map[string]json.RawMessage) []map[string]json.RawMessage {
		extra := map[string]json.RawMessage{"jsonrpc": m[0]["jsonrpc"], "id": json.RawMessage("4242"), "result": m[0]["result"]}
		return append(m, extra)
	})
)

// TestBadAnswersAreRefused: each lie comes back as ErrBadResponse with a
// message that says what was wrong, and no result of the lying answer is
// returned.
func TestBadAnswersAreRefused(t *testing.T) {
	hash := common.HexToHash("0xabc1")
	single := func(c *Client) error { _, err := c.BlockNumber(testCtx(t)); return err }
	batch := func(c *Client) error {
		msgs := make([]ethereum.CallMsg, 3)
		for i := range msgs {
			msgs[i] = ethereum.CallMsg{To: &common.Address{byte(i)}, Data: []byte{byte(i)}}
		}
		res, errs := c.BatchCallContract(testCtx(t), msgs, nil)
		for i := range msgs {
			if res[i] != nil {
				return fmt.Errorf("call %d: a result (%x) from a lying batch", i, res[i])
			}
			if errs[i] == nil || errs[i].Error() != errs[0].Error() {
				return fmt.Errorf("call %d: err %v, want the batch's error", i, errs[i])
			}
		}
		return errs[0]
	}
	receipt := func(c *Client) error {
		r, err := c.TransactionReceipt(testCtx(t), hash)
		if r != nil {
			return fmt.Errorf("a receipt (%s) came back", r.TxHash.Hex())
		}
		return err
	}
	call := func(c *Client) error {
		out, err := c.CallContract(testCtx(t), ethereum.CallMsg{To: &common.Address{1}}, nil)
		if out != nil {
			return fmt.Errorf("a result (%x) came back", out)
		}
		return err
	}
	otherReceipt := func(rpcproxy.Call, json.RawMessage) json.RawMessage {
		return receiptJSON(common.HexToHash("0xdef2"))
	}

	tests := []struct {
		name    string
		lie     rpcproxy.LieHook
		maxBody int64
		run     func(*Client) error
		msg     string
	}{
		{"single answer with a foreign id", onMethod("eth_blockNumber", rpcproxy.Lie{Reply: setID("99")}), 0, single, "an answer with id 99, which was not asked"},
		{"single answer with a string id", onMethod("eth_blockNumber", rpcproxy.Lie{Reply: setID(`"1"`)}), 0, single, `an answer with id "1", which was not asked`},
		{"batch answer to a single call", onMethod("eth_blockNumber", rpcproxy.Lie{Reply: func(b []byte) []byte { return append(append([]byte("["), b...), ']') }}), 0, single, "a batch of 1 answers to a single call"},
		{"answer of the wrong type", onMethod("eth_blockNumber", rpcproxy.Lie{Result: func(rpcproxy.Call, json.RawMessage) json.RawMessage { return json.RawMessage(`{"number":5}`) }}), 0, single, "an answer of the wrong type"},
		{"eth_call result that is not hex", onMethod("eth_call", rpcproxy.Lie{Result: func(rpcproxy.Call, json.RawMessage) json.RawMessage { return json.RawMessage(`"0xzz"`) }}), 0, call, "an answer of the wrong type"},
		{"batch: an answer missing", onMethod("eth_call", rpcproxy.Lie{Reply: missingID}), 0, batch, "no answer for the call with id"},
		{"batch: an answer twice", onMethod("eth_call", rpcproxy.Lie{Reply: dupID}), 0, batch, "two answers with id"},
		{"batch: a foreign id instead of one asked", onMethod("eth_call", rpcproxy.Lie{Reply: foreignID}), 0, batch, "an answer with id 4242, which was not asked"},
		{"batch: a foreign id on top", onMethod("eth_call", rpcproxy.Lie{Reply: extraForeignID}), 0, batch, "an answer with id 4242, which was not asked"},
		{"batch answered by one result", onMethod("eth_call", rpcproxy.Lie{Body: []byte(`{"jsonrpc":"2.0","id":3,"result":"0x01"}`)}), 0, batch, "a single answer (id 3) to a batch of 3 calls"},
		{"receipt of another transaction", onMethod("eth_getTransactionReceipt", rpcproxy.Lie{Result: otherReceipt}), 0, receipt, "asked for the receipt of " + hash.Hex() + ", got that of 0x" + strings.Repeat("0", 60) + "def2"},
		{"100 MB answer, default limit", onMethod("eth_blockNumber", rpcproxy.Lie{Pad: 100 << 20}), 0, single, "an answer larger than 32 MiB"},
		{"answer one byte over a small limit", onMethod("eth_blockNumber", rpcproxy.Lie{Pad: 1024}), 1024, single, "an answer larger than 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, p := liarNode(t, tt.lie)
			opts := fastOpts
			opts.MaxResponseSize = tt.maxBody
			c := dial(t, opts, p.URL())
			before := p.Requests()
			err := tt.run(c)
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("err = %v, want ErrBadResponse", err)
			}
			if errors.Is(err, ErrUnreachable) {
				t.Errorf("a bad answer is not \"unreachable\": %v", err)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), "use another --rpc-url") {
				t.Errorf("message %q lacks %q and the advice", err, tt.msg)
			}
			// A lying endpoint is not asked again and again.
			if n := p.Requests() - before; n != 1 {
				t.Errorf("%d requests, want 1: a bad answer is not retried on the same endpoint", n)
			}
			_ = f
		})
	}
}

// TestBadAnswerFailsOver: the next endpoint answers in place of the liar.
func TestBadAnswerFailsOver(t *testing.T) {
	_, liar := liarNode(t, onMethod("eth_blockNumber", rpcproxy.Lie{Reply: setID("99")}))
	honest := newFakeNode(t, 1337)
	honest.handle = blockNumberHandler(8)
	c := dial(t, fastOpts, liar.URL(), honest.URL())
	n, err := c.BlockNumber(testCtx(t))
	if err != nil || n != 8 {
		t.Fatalf("BlockNumber = %d, %v; want 8 from the honest endpoint", n, err)
	}
}

// TestAnswerAtTheLimit: the limit is inclusive; one byte more is refused.
func TestAnswerAtTheLimit(t *testing.T) {
	tests := []struct {
		size, max int64
		ok        bool
	}{{10, 10, true}, {11, 10, false}, {0, 10, true}, {1 << 20, 1 << 20, true}, {1<<20 + 1, 1 << 20, false}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d of %d", tt.size, tt.max), func(t *testing.T) {
			b := &limitedBody{rc: io.NopCloser(bytes.NewReader(make([]byte, tt.size))), left: tt.max, max: tt.max}
			got, err := io.ReadAll(b)
			if (err == nil) != tt.ok || (tt.ok && int64(len(got)) != tt.size) {
				t.Errorf("read %d bytes, err %v; want ok=%v", len(got), err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadResponse) {
				t.Errorf("err = %v, want ErrBadResponse", err)
			}
		})
	}
}

// TestGethAloneOnBatchIDs records what go-ethereum's client does with the
// same lies without our transport: the reason checkIDs exists. If a
// go-ethereum upgrade starts catching one, this says so.
func TestGethAloneOnBatchIDs(t *testing.T) {
	tests := []struct {
		name   string
		reply  func([]byte) []byte
		caught bool // some element gets an error
	}{
		{"missing answer", missingID, true},
		{"duplicated id (another result)", dupID, false},
		{"foreign id on top", extraForeignID, false},
		{"foreign id instead of one asked", foreignID, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := liarNode(t, onMethod("eth_call", rpcproxy.Lie{Reply: tt.reply}))
			rc, err := rpc.DialContext(context.Background(), p.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			out := make([]string, 3)
			elems := make([]rpc.BatchElem, 3)
			for i := range elems {
				elems[i] = rpc.BatchElem{Method: "eth_call", Args: []any{map[string]any{"to": common.Address{byte(i)}}, "latest"}, Result: &out[i]}
			}
			if err := rc.BatchCallContext(testCtx(t), elems); err != nil {
				t.Fatal(err)
			}
			caught := false
			for _, e := range elems {
				caught = caught || e.Error != nil
			}
			if caught != tt.caught {
				t.Errorf("go-ethereum caught it: %v, recorded %v (elements %+v)", caught, tt.caught, elems)
			}
		})
	}
	t.Run("single answer with a foreign id", func(t *testing.T) {
		_, p := liarNode(t, onMethod("eth_blockNumber", rpcproxy.Lie{Reply: setID("99")}))
		rc, err := rpc.DialContext(context.Background(), p.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		var n string
		if err := rc.CallContext(testCtx(t), &n, "eth_blockNumber"); err != nil || n != "0x5" {
			t.Errorf("go-ethereum alone: %q, %v; recorded: accepted without a word", n, err)
		}
	})
}
