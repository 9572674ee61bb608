package chain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// JSON-RPC error codes of eth_sendRawTransactionSync (EIP-7966) and of
// endpoints without it.
const (
	codeMethodNotFound = -32601
	codeSyncTimeout    = 4 // "added to the pool but not processed in time"
)

// SendTransactionSync hands a signed transaction to the node with
// eth_sendRawTransactionSync (EIP-7966), which answers with its receipt
// once it is mined: the send and the wait in one round trip. The request
// carries the transaction alone (EIP-7966's timeout parameter is optional;
// geth waits 20 s by default, anvil refuses the parameter); wait bounds
// how long the client holds it open (0 or more than a minute: a minute),
// on top of the per-attempt timeout (Options.CallTimeout).
//
// A nil receipt with a nil error means the node has the transaction but
// its receipt must be polled (TransactionReceipt):
//   - the endpoint does not serve the method (-32601): the transaction is
//     sent with eth_sendRawTransaction instead, on the same attempt;
//   - the node did not see it mined within the wait (EIP-7966 error 4);
//   - an attempt failed after the request may have reached the node, and
//     a retry of the same bytes found the node has them ("already known",
//     or the transaction is found by hash);
//   - the receipt does not belong to the transaction or has no block: it
//     is not believed, and the wait goes on by hash.
//
// An endpoint that answered -32601 or let the wait time out is remembered:
// later sends through it in this Client go straight to
// eth_sendRawTransaction. Errors are as SendTransaction's: the node's
// refusal of a first attempt unchanged (replan on "nonce too low"), and
// ErrMaybeSent, never ErrUnreachable, once a failed attempt may have
// reached a node.
func (c *Client) SendTransactionSync(ctx context.Context, tx *types.Transaction, wait time.Duration) (*types.Receipt, error) {
	raw, err := tx.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encoding transaction: %w", err)
	}
	rawHex := hexutil.Encode(raw)
	if wait <= 0 || wait > maxSyncWait {
		wait = maxSyncWait
	}
	ctx = context.WithValue(ctx, attemptExtraKey{}, wait)
	var (
		attempts  int
		maybeSent bool
		receipt   *types.Receipt
	)
	err = c.do(ctx, "eth_sendRawTransactionSync", func(ctx context.Context, ep *endpoint, rc *rpc.Client) error {
		attempts++
		receipt = nil
		var err error
		if ep.noSync.Load() {
			err = rc.CallContext(ctx, nil, "eth_sendRawTransaction", rawHex)
		} else {
			// The node's wait is its own (EIP-7966's timeout parameter is
			// optional, and anvil refuses it); ours is sctx's.
			var answer json.RawMessage
			sctx, cancel := context.WithTimeout(ctx, wait)
			err = rc.CallContext(sctx, &answer, "eth_sendRawTransactionSync", rawHex)
			cancel()
			if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
				// Our wait ran out while the node held the request: it
				// may have the transaction; poll for it by hash (which
				// ends in "broadcast, not mined; do not resubmit" if not).
				ep.noSync.Store(true)
				return nil
			}
			switch {
			case rpcCode(err) == codeMethodNotFound:
				ep.noSync.Store(true)
				err = rc.CallContext(ctx, nil, "eth_sendRawTransaction", rawHex)
			case syncTimedOut(err):
				// In the pool, not mined yet: poll for it.
				ep.noSync.Store(true)
				return nil
			case err == nil:
				receipt = syncReceipt(answer, tx)
				return nil
			}
		}
		if err != nil && classify(err) != classApp && !neverSent(err) {
			maybeSent = true
		}
		if err == nil || attempts == 1 || classify(err) != classApp {
			return err
		}
		// A retry: "already known" or "nonce too low" may be our own
		// earlier attempt, which reached the node.
		if alreadyKnown(err) {
			return nil
		}
		if _, _, lookupErr := ethclient.NewClient(rc).TransactionByHash(ctx, tx.Hash()); lookupErr == nil {
			return nil
		}
		return err
	})
	if err == nil {
		return receipt, nil
	}
	// Once an attempt may have reached a node, no later failure (a
	// failover refused for its chain ID, a refusal of the retry) makes it
	// safe to sign again.
	if classify(err) == classApp && !errors.Is(err, ctx.Err()) && !maybeSent {
		return nil, err
	}
	if maybeSent {
		return nil, &scrubbedError{
			msg: fmt.Sprintf("%s: transaction %s: check it with `stakewallet tx status %s` before sending anything again (%s)",
				ErrMaybeSent, tx.Hash().Hex(), tx.Hash().Hex(), failures(err)),
			errs: []error{ErrMaybeSent, unwrapUnreachable(err)},
		}
	}
	return nil, err
}

// syncReceipt decodes the receipt eth_sendRawTransactionSync answered, or
// nil when it is not one of tx mined in a block (the caller then polls by
// hash, which checks again).
func syncReceipt(answer json.RawMessage, tx *types.Transaction) *types.Receipt {
	if isNull(answer) {
		return nil
	}
	var r types.Receipt
	if err := json.Unmarshal(answer, &r); err != nil {
		return nil
	}
	if r.TxHash != tx.Hash() || r.BlockNumber == nil || r.BlockHash == ([32]byte{}) {
		return nil
	}
	return &r
}

func rpcCode(err error) int {
	var re rpc.Error
	if errors.As(err, &re) {
		return re.ErrorCode()
	}
	return 0
}

// syncTimedOut reports EIP-7966's timeout: the transaction was accepted
// into the pool but not mined within the wait.
func syncTimedOut(err error) bool {
	if err == nil {
		return false
	}
	if rpcCode(err) == codeSyncTimeout {
		return true
	}
	var re rpc.Error
	if !errors.As(err, &re) {
		return false
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "wasn't processed in") || strings.Contains(msg, "was not processed in") ||
		strings.Contains(msg, "timed out waiting for") || strings.Contains(msg, "timeout waiting for")
}

// maxSyncWait bounds the wait for a synchronous send (geth's own maximum).
const maxSyncWait = time.Minute

// attemptExtraKey carries extra time an attempt may take beyond
// Options.CallTimeout: a synchronous send waits for its block.
type attemptExtraKey struct{}

func attemptExtra(ctx context.Context) time.Duration {
	d, _ := ctx.Value(attemptExtraKey{}).(time.Duration)
	return d
}
