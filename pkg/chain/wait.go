package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// DefaultPoll is WaitForReceipt's polling interval when none is given.
const DefaultPoll = time.Second

// WaitForReceipt waits until transaction hash is mined with `confirmations`
// blocks counting its own (1, and 0, mean "included"; 2 means one block on
// top), then returns its receipt. It polls every poll and, when a ws(s)
// endpoint is configured, also checks on every new head. Before returning
// a confirmed receipt it re-reads it and the header of its block, so a
// receipt from a block reorged away meanwhile is not reported.
//
// Transport errors while waiting are not fatal (the transaction is out
// already; the node may come back). When ctx ends, the error wraps
// ctx.Err() only — never ErrUnreachable, since a broadcast transaction must
// not be reported as "safe to retry" — and mentions the last error seen.
func (c *Client) WaitForReceipt(ctx context.Context, hash common.Hash, confirmations uint64, poll time.Duration) (*types.Receipt, error) {
	if poll <= 0 {
		poll = DefaultPoll
	}
	confirmations = max(confirmations, 1)

	var (
		heads  chan *types.Header
		subErr <-chan error
	)
	if c.hasWebsocket() {
		ch := make(chan *types.Header, 16)
		if sub, err := c.SubscribeNewHead(ctx, ch); err == nil {
			defer sub.Unsubscribe()
			heads, subErr = ch, sub.Err()
		}
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()

	w := receiptWaiter{c: c, hash: hash, confirmations: confirmations}
	var head uint64 // latest head number learnt from a subscription, 0 = unknown
	for {
		r, err := w.check(ctx, head)
		if r != nil {
			return r, nil
		}
		if err != nil {
			var wrongChain *WrongChainError
			if errors.As(err, &wrongChain) || errors.Is(err, rpc.ErrClientQuit) {
				return nil, err
			}
			if ctx.Err() == nil || w.lastErr == nil {
				// Once ctx is done the error only repeats that; keep the cause.
				w.lastErr = err
			}
		}
		select {
		case <-ctx.Done():
			msg := fmt.Sprintf("waiting for receipt of %s", hash.Hex())
			if w.lastErr != nil && !errors.Is(w.lastErr, ctx.Err()) {
				return nil, fmt.Errorf("%s (last error: %v): %w", msg, w.lastErr, ctx.Err())
			}
			return nil, fmt.Errorf("%s: %w", msg, ctx.Err())
		case <-ticker.C:
			head = 0 // a head seen earlier may be stale by now
		case h := <-heads:
			head = h.Number.Uint64()
		case <-subErr:
			heads, subErr = nil, nil // subscription dropped: polling continues
		}
	}
}

type receiptWaiter struct {
	c             *Client
	hash          common.Hash
	confirmations uint64
	receipt       *types.Receipt // found, not yet confirmed deep enough
	lastErr       error
}

// check returns the receipt once it is confirmed; head is the latest block
// number if known (from a subscription), else 0.
func (w *receiptWaiter) check(ctx context.Context, head uint64) (*types.Receipt, error) {
	if w.receipt == nil {
		r, err := w.c.TransactionReceipt(ctx, w.hash)
		if isNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if w.confirmations == 1 {
			return r, nil // just read: it is in the canonical chain now
		}
		w.receipt = r
	}
	if head == 0 {
		n, err := w.c.BlockNumber(ctx)
		if err != nil {
			return nil, err
		}
		head = n
	}
	mined := w.receipt.BlockNumber.Uint64()
	if head < mined || head-mined+1 < w.confirmations {
		return nil, nil
	}

	// Deep enough: make sure the block is still canonical.
	r, err := w.c.TransactionReceipt(ctx, w.hash)
	if isNotFound(err) {
		w.receipt = nil // reorged out; wait for it to be mined again
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.BlockHash != w.receipt.BlockHash {
		w.receipt = r // mined again in another block: count from there
		return nil, nil
	}
	canonical, err := w.c.blockHash(ctx, r.BlockNumber)
	if err != nil {
		return nil, err
	}
	if canonical != r.BlockHash {
		w.receipt = nil // node answered mid-reorg; look again next time
		return nil, nil
	}
	return r, nil
}

// blockHash returns the hash the node gives for block number. It is read,
// not recomputed from the header, so that header fields go-ethereum does
// not know yet cannot make every block look reorged.
func (c *Client) blockHash(ctx context.Context, number *big.Int) (common.Hash, error) {
	var block *struct {
		Hash common.Hash `json:"hash"`
	}
	err := c.do(ctx, "eth_getBlockByNumber", func(ctx context.Context, _ *endpoint, rc *rpc.Client) error {
		return rc.CallContext(ctx, &block, "eth_getBlockByNumber", blockArg(number), false)
	})
	if err != nil {
		return common.Hash{}, err
	}
	if block == nil {
		return common.Hash{}, nil // not there (any more): never equals a receipt's hash
	}
	return block.Hash, nil
}
