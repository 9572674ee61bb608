package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// eth runs fn against an ethclient bound to the endpoint of each attempt, so
// results are decoded exactly as go-ethereum's ethclient does.
func (c *Client) eth(ctx context.Context, method string, fn func(ctx context.Context, ec *ethclient.Client) error) error {
	return c.do(ctx, method, func(ctx context.Context, _ *endpoint, rc *rpc.Client) error {
		return fn(ctx, ethclient.NewClient(rc))
	})
}

// ChainID asks the endpoint in use for its chain ID. It asks every time
// (callers check it right before signing), unless this very attempt just
// learnt it; an answer that differs from the endpoint's first one is a
// *WrongChainError with Before set, and the endpoint is refused from then
// on: every call checks Options.ChainID against the new answer.
func (c *Client) ChainID(ctx context.Context) (*big.Int, error) {
	var id *big.Int
	err := c.do(ctx, "eth_chainId", func(ctx context.Context, ep *endpoint, rc *rpc.Client) error {
		if fetched := attemptInfoOf(ctx).getChainID(); fetched != nil {
			id = fetched
			return nil
		}
		first, fetched, err := c.endpointChainID(ctx, ep, rc)
		if err != nil || fetched {
			id = first
			return err
		}
		var res hexutil.Big
		if err := rc.CallContext(ctx, &res, "eth_chainId"); err != nil {
			return err
		}
		id = (*big.Int)(&res)
		if id.Cmp(first) == 0 {
			return nil
		}
		ep.mu.Lock()
		ep.chainID = new(big.Int).Set(id)
		ep.mu.Unlock()
		c.mu.Lock()
		want := c.want
		c.mu.Unlock()
		return &WrongChainError{Want: want, Got: id.Uint64(), URL: ep.shown, Network: c.opts.Network, Before: first.Uint64()}
	})
	if err != nil {
		return nil, err
	}
	return id, nil
}

// BlockNumber returns the number of the most recent block.
func (c *Client) BlockNumber(ctx context.Context) (uint64, error) {
	var n uint64
	err := c.eth(ctx, "eth_blockNumber", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		n, err = ec.BlockNumber(ctx)
		return err
	})
	return n, err
}

// HeaderByNumber returns the header of block number (nil = latest;
// negative values are rpc.PendingBlockNumber, rpc.SafeBlockNumber, …).
func (c *Client) HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error) {
	var h *types.Header
	err := c.eth(ctx, "eth_getBlockByNumber", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		h, err = ec.HeaderByNumber(ctx, number)
		return err
	})
	return h, err
}

// BalanceAt returns the native balance of account at blockNumber (nil = latest).
func (c *Client) BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error) {
	var b *big.Int
	err := c.eth(ctx, "eth_getBalance", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		b, err = ec.BalanceAt(ctx, account, blockNumber)
		return err
	})
	return b, err
}

// NonceAt returns the nonce of account at blockNumber (nil = latest).
func (c *Client) NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error) {
	var n uint64
	err := c.eth(ctx, "eth_getTransactionCount", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		n, err = ec.NonceAt(ctx, account, blockNumber)
		return err
	})
	return n, err
}

// PendingNonceAt returns the next nonce of account, counting the mempool.
func (c *Client) PendingNonceAt(ctx context.Context, account common.Address) (uint64, error) {
	var n uint64
	err := c.eth(ctx, "eth_getTransactionCount", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		n, err = ec.PendingNonceAt(ctx, account)
		return err
	})
	return n, err
}

// CallContract executes a message call (eth_call) at blockNumber (nil = latest).
// A revert comes back as the node's rpc.Error / rpc.DataError.
func (c *Client) CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error) {
	var out []byte
	err := c.eth(ctx, "eth_call", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		out, err = ec.CallContract(ctx, msg, blockNumber)
		return err
	})
	return out, err
}

// EstimateGas estimates the gas msg needs against the pending state.
func (c *Client) EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error) {
	var g uint64
	err := c.eth(ctx, "eth_estimateGas", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		g, err = ec.EstimateGas(ctx, msg)
		return err
	})
	return g, err
}

// SuggestGasTipCap returns the node's suggested priority fee (eth_maxPriorityFeePerGas).
func (c *Client) SuggestGasTipCap(ctx context.Context) (*big.Int, error) {
	var tip *big.Int
	err := c.eth(ctx, "eth_maxPriorityFeePerGas", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		tip, err = ec.SuggestGasTipCap(ctx)
		return err
	})
	return tip, err
}

// SuggestGasPrice returns the node's legacy gas price (for bind.ContractBackend users).
func (c *Client) SuggestGasPrice(ctx context.Context) (*big.Int, error) {
	var p *big.Int
	err := c.eth(ctx, "eth_gasPrice", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		p, err = ec.SuggestGasPrice(ctx)
		return err
	})
	return p, err
}

// FeeHistory returns base fees and priority-fee percentiles of the
// blockCount blocks up to lastBlock (nil = latest). BaseFee has one more
// entry than blocks: the last is the next block's base fee.
func (c *Client) FeeHistory(ctx context.Context, blockCount uint64, lastBlock *big.Int, rewardPercentiles []float64) (*ethereum.FeeHistory, error) {
	if rewardPercentiles == nil {
		// ethclient would send null, which geth accepts and anvil rejects.
		rewardPercentiles = []float64{}
	}
	var fh *ethereum.FeeHistory
	err := c.eth(ctx, "eth_feeHistory", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		fh, err = ec.FeeHistory(ctx, blockCount, lastBlock, rewardPercentiles)
		return err
	})
	return fh, err
}

// SendTransaction broadcasts a signed transaction. Sending the same signed
// bytes twice is harmless (same hash), so it is retried like any call; when
// a retry is refused because an earlier, seemingly failed attempt did reach
// the node ("already known", or "nonce too low" for a transaction the node
// has), that counts as success.
func (c *Client) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	raw, err := tx.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encoding transaction: %w", err)
	}
	attempts := 0
	maybeSent := false // some failed attempt may have reached a node
	err = c.do(ctx, "eth_sendRawTransaction", func(ctx context.Context, _ *endpoint, rc *rpc.Client) error {
		attempts++
		err := rc.CallContext(ctx, nil, "eth_sendRawTransaction", hexutil.Encode(raw))
		if err != nil && classify(err) != classApp && !neverSent(err) {
			maybeSent = true
		}
		if err == nil || attempts == 1 || classify(err) != classApp {
			return err
		}
		if alreadyKnown(err) {
			return nil
		}
		if _, _, lookupErr := ethclient.NewClient(rc).TransactionByHash(ctx, tx.Hash()); lookupErr == nil {
			return nil
		}
		return err
	})
	if err == nil || classify(err) == classApp && !errors.Is(err, ctx.Err()) {
		return err
	}
	if maybeSent {
		// Never ErrUnreachable here: that promises "safe to retry", and
		// a retry that builds a new transaction could pay twice.
		return &scrubbedError{
			msg: fmt.Sprintf("%s: transaction %s: check it with `stakewallet tx status %s` before sending anything again (%s)",
				ErrMaybeSent, tx.Hash().Hex(), tx.Hash().Hex(), failures(err)),
			errs: []error{ErrMaybeSent, unwrapUnreachable(err)},
		}
	}
	return err
}

// failures is the per-endpoint detail of err without the "check --rpc-url"
// advice, which is wrong once a transaction may be out.
func failures(err error) string {
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		return err.Error()
	}
	parts := make([]string, len(ue.Endpoints))
	for i := range ue.Endpoints {
		parts[i] = fmt.Sprintf("%s: %s", ue.Endpoints[i], ue.details[i])
	}
	return strings.Join(parts, "; ")
}

// unwrapUnreachable strips the ErrUnreachable sentinel off err, keeping the
// underlying errors (and a context error) for errors.Is/As.
func unwrapUnreachable(err error) error {
	var ue *UnreachableError
	if errors.As(err, &ue) {
		return errors.Join(ue.Errs...)
	}
	var se *scrubbedError
	if errors.As(err, &se) {
		var keep []error
		for _, e := range se.errs {
			if e != ErrUnreachable {
				keep = append(keep, e)
			}
		}
		return errors.Join(keep...)
	}
	return err
}

func alreadyKnown(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "already known") || strings.Contains(s, "known transaction") ||
		strings.Contains(s, "already imported")
}

// TransactionReceipt returns the receipt of a mined transaction, or
// ethereum.NotFound. A receipt of another transaction, or without a
// block, is a bad answer (ErrBadResponse), never returned.
func (c *Client) TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	var r *types.Receipt
	err := c.eth(ctx, "eth_getTransactionReceipt", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		if r, err = ec.TransactionReceipt(ctx, hash); err != nil {
			return err
		}
		if r.TxHash != hash {
			return badResponse("asked for the receipt of %s, got that of %s", hash.Hex(), r.TxHash.Hex())
		}
		if r.BlockNumber == nil {
			return badResponse("the receipt of %s has no block number", hash.Hex())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// TransactionByHash returns a transaction and whether it is still pending,
// or ethereum.NotFound.
func (c *Client) TransactionByHash(ctx context.Context, hash common.Hash) (*types.Transaction, bool, error) {
	var (
		tx      *types.Transaction
		pending bool
	)
	err := c.eth(ctx, "eth_getTransactionByHash", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		tx, pending, err = ec.TransactionByHash(ctx, hash)
		return err
	})
	return tx, pending, err
}

// FilterLogs returns the logs matching q.
func (c *Client) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	var logs []types.Log
	err := c.eth(ctx, "eth_getLogs", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		logs, err = ec.FilterLogs(ctx, q)
		return err
	})
	return logs, err
}

// CodeAt returns the code of account at blockNumber (nil = latest).
func (c *Client) CodeAt(ctx context.Context, account common.Address, blockNumber *big.Int) ([]byte, error) {
	var code []byte
	err := c.eth(ctx, "eth_getCode", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		code, err = ec.CodeAt(ctx, account, blockNumber)
		return err
	})
	return code, err
}

// PendingCodeAt returns the code of account in the pending state (for
// bind.ContractBackend users).
func (c *Client) PendingCodeAt(ctx context.Context, account common.Address) ([]byte, error) {
	var code []byte
	err := c.eth(ctx, "eth_getCode", func(ctx context.Context, ec *ethclient.Client) error {
		var err error
		code, err = ec.PendingCodeAt(ctx, account)
		return err
	})
	return code, err
}

// SubscribeNewHead streams new block headers to ch. It needs a ws(s)
// endpoint; with only http(s) ones it returns ErrNeedWebsocket. The
// subscription is not moved to another endpoint if its connection drops:
// watch sub.Err().
func (c *Client) SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error) {
	return c.subscribe(ctx, "eth_subscribe newHeads", func(ctx context.Context, ec *ethclient.Client) (ethereum.Subscription, error) {
		return ec.SubscribeNewHead(ctx, ch)
	})
}

// SubscribeFilterLogs streams logs matching q to ch; ws(s) only, like
// SubscribeNewHead.
func (c *Client) SubscribeFilterLogs(ctx context.Context, q ethereum.FilterQuery, ch chan<- types.Log) (ethereum.Subscription, error) {
	return c.subscribe(ctx, "eth_subscribe logs", func(ctx context.Context, ec *ethclient.Client) (ethereum.Subscription, error) {
		return ec.SubscribeFilterLogs(ctx, q, ch)
	})
}

// hasWebsocket reports whether any endpoint can carry subscriptions.
func (c *Client) hasWebsocket() bool {
	for _, ep := range c.eps {
		if ep.ws {
			return true
		}
	}
	return false
}

// subscribe tries the ws endpoints in failover order, once each: a
// subscription is long-lived, so there is no point retrying with backoff.
func (c *Client) subscribe(ctx context.Context, method string, fn func(ctx context.Context, ec *ethclient.Client) (ethereum.Subscription, error)) (ethereum.Subscription, error) {
	if !c.hasWebsocket() {
		return nil, fmt.Errorf("%w (configured: %s)", ErrNeedWebsocket, strings.Join(c.Endpoints(), ", "))
	}
	c.mu.Lock()
	start := c.cur
	c.mu.Unlock()
	errs := make([]error, len(c.eps))
	for k := range c.eps {
		i := (start + k) % len(c.eps)
		ep := c.eps[i]
		if !ep.ws {
			continue
		}
		var sub ethereum.Subscription
		// The attempt's context only bounds the subscribe request: the rpc
		// package lets the subscription outlive it.
		_, err := c.attempt(ctx, ep, func(ctx context.Context, _ *endpoint, rc *rpc.Client) error {
			var err error
			sub, err = fn(ctx, ethclient.NewClient(rc))
			return err
		})
		if err == nil {
			return sub, nil
		}
		if ctx.Err() != nil {
			return nil, c.contextError(ctx, method, ep, errs)
		}
		if classify(err) == classApp {
			return nil, err
		}
		errs[i] = err
	}
	return nil, newUnreachableError(method, c.eps, errs)
}

// isNotFound reports the "no such thing (yet)" answer of ethclient lookups.
func isNotFound(err error) bool { return errors.Is(err, ethereum.NotFound) }
