package chain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// scriptedChain answers the calls WaitForReceipt makes: the head advances by
// one at each eth_blockNumber, and receiptAt says where the transaction is at
// the k-th receipt lookup (1-based).
type scriptedChain struct {
	mu        sync.Mutex
	head      uint64
	lookups   int
	receiptAt func(k int) (block uint64, hash common.Hash, ok bool)
	canonical map[uint64]common.Hash
}

func (s *scriptedChain) handle(txHash common.Hash) func(string, []json.RawMessage) (any, *rpcError) {
	return func(method string, params []json.RawMessage) (any, *rpcError) {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch method {
		case "eth_chainId":
			return nil, nil
		case "eth_blockNumber":
			s.head++
			return fmt.Sprintf("0x%x", s.head), nil
		case "eth_getTransactionReceipt":
			s.lookups++
			num, hash, ok := s.receiptAt(s.lookups)
			if !ok {
				return nil, nil
			}
			r := &types.Receipt{
				Type: types.DynamicFeeTxType, Status: types.ReceiptStatusSuccessful,
				CumulativeGasUsed: 21000, GasUsed: 21000, Logs: []*types.Log{},
				TxHash: txHash, BlockHash: hash, BlockNumber: new(big.Int).SetUint64(num),
				EffectiveGasPrice: big.NewInt(1),
			}
			raw, err := json.Marshal(r)
			if err != nil {
				return nil, &rpcError{Code: -32603, Message: err.Error()}
			}
			return json.RawMessage(raw), nil
		case "eth_getBlockByNumber":
			var num string
			json.Unmarshal(params[0], &num)
			var n big.Int
			n.SetString(strings.TrimPrefix(num, "0x"), 16)
			h, ok := s.canonical[n.Uint64()]
			if !ok {
				return nil, nil
			}
			return map[string]any{"hash": h, "number": num}, nil
		}
		return nil, &rpcError{Code: -32601, Message: "method not found: " + method}
	}
}

func TestWaitForReceipt(t *testing.T) {
	txHash := common.HexToHash("0x01")
	hashA, hashB := common.HexToHash("0xaa"), common.HexToHash("0xbb")
	tests := []struct {
		name          string
		head          uint64
		confirmations uint64
		receiptAt     func(k int) (uint64, common.Hash, bool)
		canonical     map[uint64]common.Hash
		wantBlock     uint64
		wantHash      common.Hash
		minLookups    int
	}{
		{
			name: "included after three polls", head: 9, confirmations: 1,
			receiptAt: func(k int) (uint64, common.Hash, bool) { return 10, hashA, k >= 3 },
			wantBlock: 10, wantHash: hashA, minLookups: 3,
		},
		{
			name: "three confirmations", head: 9, confirmations: 3,
			receiptAt: func(int) (uint64, common.Hash, bool) { return 10, hashA, true },
			canonical: map[uint64]common.Hash{10: hashA},
			wantBlock: 10, wantHash: hashA, minLookups: 2,
		},
		{
			name: "reorg moves it to another block", head: 10, confirmations: 2,
			receiptAt: func(k int) (uint64, common.Hash, bool) {
				if k == 1 {
					return 10, hashA, true
				}
				return 11, hashB, true
			},
			canonical: map[uint64]common.Hash{10: common.HexToHash("0xcc"), 11: hashB},
			wantBlock: 11, wantHash: hashB, minLookups: 3,
		},
		{
			name: "receipt from a stale block is not trusted", head: 10, confirmations: 2,
			receiptAt: func(int) (uint64, common.Hash, bool) { return 10, hashA, true },
			canonical: map[uint64]common.Hash{10: hashA},
			wantBlock: 10, wantHash: hashA, minLookups: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &scriptedChain{head: tt.head, receiptAt: tt.receiptAt, canonical: tt.canonical}
			f := newFakeNode(t, 1)
			f.handle = sc.handle(txHash)
			c := dial(t, fastOpts, f.URL())
			r, err := c.WaitForReceipt(testCtx(t), txHash, tt.confirmations, 5*time.Millisecond)
			if err != nil {
				t.Fatalf("WaitForReceipt: %v", err)
			}
			if r.BlockNumber.Uint64() != tt.wantBlock || r.BlockHash != tt.wantHash {
				t.Errorf("receipt in block %d %s, want %d %s", r.BlockNumber, r.BlockHash, tt.wantBlock, tt.wantHash)
			}
			sc.mu.Lock()
			defer sc.mu.Unlock()
			if sc.lookups < tt.minLookups {
				t.Errorf("%d receipt lookups, want at least %d", sc.lookups, tt.minLookups)
			}
			if depth := sc.head - r.BlockNumber.Uint64() + 1; tt.confirmations > 1 && depth < tt.confirmations {
				t.Errorf("returned at depth %d, want %d", depth, tt.confirmations)
			}
		})
	}
}

func TestWaitForReceiptTimeout(t *testing.T) {
	never := &scriptedChain{receiptAt: func(int) (uint64, common.Hash, bool) { return 0, common.Hash{}, false }}
	pending := newFakeNode(t, 1)
	pending.handle = never.handle(common.Hash{})

	tests := []struct {
		name    string
		url     string
		wantMsg string
	}{
		{"never mined", pending.URL(), "waiting for receipt of 0x"},
		// The transaction is out: losing the node must not read as "safe to
		// retry" (ErrUnreachable, exit 3).
		{"node gone", closedURL(t), "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fastOpts
			opts.MaxRetries = -1
			c := dial(t, opts, tt.url)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := c.WaitForReceipt(ctx, common.HexToHash("0x02"), 1, 20*time.Millisecond)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want context.DeadlineExceeded", err)
			}
			if errors.Is(err, ErrUnreachable) {
				t.Errorf("err %v wraps ErrUnreachable", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q lacks %q", err, tt.wantMsg)
			}
		})
	}
}
