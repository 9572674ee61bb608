// Package devtx sends the devnet's own transactions (deployments, oracle
// reports) with a raw private key and reads contract state. It is a minimal
// tool for devnet plumbing, not the wallet's transaction pipeline: no journal,
// no confirmations beyond inclusion.
package devtx

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
)

// receiptPoll is how often Send polls for the receipt; devnets mine in
// milliseconds, so a short interval keeps tests fast.
const receiptPoll = 50 * time.Millisecond

// Sender signs and sends transactions from one key.
type Sender struct {
	client  *ethclient.Client
	key     *ecdsa.PrivateKey
	from    common.Address
	chainID *big.Int
}

// NewSender returns a Sender for key on the chain client is connected to.
func NewSender(ctx context.Context, client *ethclient.Client, key *ecdsa.PrivateKey) (*Sender, error) {
	chainID, err := client.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("read chain id: %w", err)
	}
	return &Sender{client: client, key: key, from: crypto.PubkeyToAddress(key.PublicKey), chainID: chainID}, nil
}

// From is the sending address.
func (s *Sender) From() common.Address { return s.from }

// ChainID is the chain id the sender signs for.
func (s *Sender) ChainID() *big.Int { return new(big.Int).Set(s.chainID) }

// Client is the RPC client the sender uses.
func (s *Sender) Client() *ethclient.Client { return s.client }

// Option adjusts one Send.
type Option func(*sendOptions)

type sendOptions struct{ minGas uint64 }

// WithMinGas makes the gas limit at least gas. For calls whose work depends
// on the block they land in, which the estimate cannot see: the oracle's
// report finalizes whatever is old enough by the inclusion block's time.
func WithMinGas(gas uint64) Option {
	return func(o *sendOptions) { o.minGas = gas }
}

// Send signs an EIP-1559 transaction (to == nil creates a contract), sends it
// and waits for its receipt. A reverted transaction is an error that still
// returns the receipt.
func (s *Sender) Send(ctx context.Context, to *common.Address, value *big.Int, data []byte, opts ...Option) (*types.Receipt, error) {
	var o sendOptions
	for _, opt := range opts {
		opt(&o)
	}
	if value == nil {
		value = new(big.Int)
	}
	msg := ethereum.CallMsg{From: s.from, To: to, Value: value, Data: data}
	gas, err := s.client.EstimateGas(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("estimate gas: %w", err)
	}
	// Headroom for state that moves between the estimate and inclusion.
	gas = max(gas*13/10+20_000, o.minGas)

	nonce, err := s.client.PendingNonceAt(ctx, s.from)
	if err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	tip, err := s.client.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, fmt.Errorf("suggest tip: %w", err)
	}
	head, err := s.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read head: %w", err)
	}
	feeCap := new(big.Int).Set(tip)
	if head.BaseFee != nil {
		feeCap.Add(feeCap, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	}
	tx, err := types.SignNewTx(s.key, types.LatestSignerForChainID(s.chainID), &types.DynamicFeeTx{
		ChainID:   s.chainID,
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       gas,
		To:        to,
		Value:     value,
		Data:      data,
	})
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if err := s.client.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	receipt, err := WaitReceipt(ctx, s.client, tx.Hash())
	if err != nil {
		return nil, err
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		return receipt, fmt.Errorf("transaction %s reverted", tx.Hash())
	}
	return receipt, nil
}

// WaitReceipt polls until the transaction is mined or ctx ends.
func WaitReceipt(ctx context.Context, client *ethclient.Client, hash common.Hash) (*types.Receipt, error) {
	ticker := time.NewTicker(receiptPoll)
	defer ticker.Stop()
	for {
		receipt, err := client.TransactionReceipt(ctx, hash)
		if err == nil {
			return receipt, nil
		}
		// geth answers "transaction indexing is in progress" for unknown
		// transactions while its indexer catches up after a start.
		if !errors.Is(err, ethereum.NotFound) && !strings.Contains(err.Error(), "indexing is in progress") {
			return nil, fmt.Errorf("receipt of %s: %w", hash, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %s: %w", hash, ctx.Err())
		case <-ticker.C:
		}
	}
}

// Call runs a view function with eth_call at the latest block and unpacks its
// outputs.
func Call(ctx context.Context, client *ethclient.Client, contract *abi.ABI, addr common.Address, method string, args ...any) ([]any, error) {
	data, err := contract.Pack(method, args...)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", method, err)
	}
	out, err := client.CallContract(ctx, ethereum.CallMsg{To: &addr, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("call %s on %s: %w", method, addr, err)
	}
	res, err := contract.Unpack(method, out)
	if err != nil {
		return nil, fmt.Errorf("decode %s from %s: %w", method, addr, err)
	}
	return res, nil
}

// CallBig calls a view function that returns one uint256.
func CallBig(ctx context.Context, client *ethclient.Client, contract *abi.ABI, addr common.Address, method string, args ...any) (*big.Int, error) {
	res, err := Call(ctx, client, contract, addr, method, args...)
	if err != nil {
		return nil, err
	}
	if len(res) != 1 {
		return nil, fmt.Errorf("%s on %s: want one uint256, got %v", method, addr, res)
	}
	v, ok := res[0].(*big.Int)
	if !ok {
		return nil, fmt.Errorf("%s on %s: want one uint256, got %v", method, addr, res)
	}
	return v, nil
}

// CallAddress calls a view function that returns one address.
func CallAddress(ctx context.Context, client *ethclient.Client, contract *abi.ABI, addr common.Address, method string, args ...any) (common.Address, error) {
	res, err := Call(ctx, client, contract, addr, method, args...)
	if err != nil {
		return common.Address{}, err
	}
	if len(res) != 1 {
		return common.Address{}, fmt.Errorf("%s on %s: want one address, got %v", method, addr, res)
	}
	v, ok := res[0].(common.Address)
	if !ok {
		return common.Address{}, fmt.Errorf("%s on %s: want one address, got %v", method, addr, res)
	}
	return v, nil
}
