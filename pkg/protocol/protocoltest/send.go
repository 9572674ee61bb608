package protocoltest

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Chain is what the suite needs from a node: the adapter's reads, plus
// balances and sending. *ethclient.Client and *chain.Client satisfy it.
type Chain interface {
	protocol.Backend
	ChainID(ctx context.Context) (*big.Int, error)
	BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

var _ Chain = (*ethclient.Client)(nil)

// receiptPoll is how often Send asks for a receipt: a dev node mines on
// demand within milliseconds, so a short poll keeps the suite fast.
const receiptPoll = 20 * time.Millisecond

// Sender signs an adapter's calls with one key, sends them one after the
// other and waits for each receipt. It is deliberately minimal (pkg/txflow
// is the wallet's real pipeline, with previews, fee policy and recovery):
// the suite is about the adapter's calls, not about sending.
type Sender struct {
	chain Chain
	key   *ecdsa.PrivateKey
	from  common.Address
	abi   *abi.ABI
	hints abidecode.Hints
}

// NewSender returns a Sender for key on c. p, when not nil, decodes
// reverts in the errors Send returns (its ABI and, if it is a
// protocol.Hinter, its hints), so a failing test says why in words.
func NewSender(c Chain, key *ecdsa.PrivateKey, p protocol.Protocol) *Sender {
	s := &Sender{chain: c, key: key, from: crypto.PubkeyToAddress(key.PublicKey)}
	if p != nil {
		s.abi = p.ABI()
		if h, ok := p.(protocol.Hinter); ok {
			s.hints = h.RevertHints()
		}
	}
	return s
}

// From is the address that signs.
func (s *Sender) From() common.Address { return s.from }

// Send simulates each call (eth_call from the signer), then signs, sends
// and waits for it before the next, so that a call depending on an
// earlier one of the batch (an approve) sees it mined. It returns the
// receipts of the calls sent; on error, those sent before it. A revert,
// simulated or mined, is described with the adapter's ABI and hints and
// wraps the node's error, so abidecode.FromError still finds its data.
func (s *Sender) Send(ctx context.Context, calls []protocol.Call) ([]*types.Receipt, error) {
	var rs []*types.Receipt
	for i, c := range calls {
		r, err := s.sendOne(ctx, c)
		if r != nil {
			rs = append(rs, r)
		}
		if err != nil {
			return rs, fmt.Errorf("protocoltest: call %d of %d (%s): %w", i+1, len(calls), c.Action, err)
		}
	}
	return rs, nil
}

func (s *Sender) sendOne(ctx context.Context, c protocol.Call) (*types.Receipt, error) {
	to := c.To
	msg := ethereum.CallMsg{From: s.from, To: &to, Value: c.Value, Data: c.Data}
	if _, err := s.chain.CallContract(ctx, msg, nil); err != nil {
		return nil, fmt.Errorf("simulation reverts%s: %w", s.describe(err), err)
	}
	gas, err := s.chain.EstimateGas(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("estimate gas%s: %w", s.describe(err), err)
	}
	nonce, err := s.chain.PendingNonceAt(ctx, s.from)
	if err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	head, err := s.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read the latest block: %w", err)
	}
	if head.BaseFee == nil {
		return nil, errors.New("the chain has no base fee (pre-London): Send signs EIP-1559 transactions only")
	}
	chainID, err := s.chain.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("read chain id: %w", err)
	}
	tip := big.NewInt(1e9)
	tx, err := types.SignNewTx(s.key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID:   chainID,
		Nonce:     nonce,
		GasTipCap: tip,
		// Twice the base fee survives several full blocks of increases.
		GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))),
		// The estimate can fall short when state moves between estimate
		// and inclusion (a rebase, another account's tx); unused gas is
		// refunded, so headroom costs nothing.
		Gas:   gas * 2,
		To:    &to,
		Value: c.Value,
		Data:  c.Data,
	})
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if err := s.chain.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("send %s: %w", tx.Hash(), err)
	}
	r, err := s.waitReceipt(ctx, tx.Hash())
	if err != nil {
		return nil, err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		// Replay at the parent block for the reason: close enough for a
		// test, where nothing else touched the state in between.
		_, err := s.chain.CallContract(ctx, msg, new(big.Int).Sub(r.BlockNumber, big.NewInt(1)))
		if err == nil {
			err = errors.New("the replay did not revert")
		}
		return r, fmt.Errorf("%s reverted in block %s (gas used %d of %d)%s: %w",
			tx.Hash(), r.BlockNumber, r.GasUsed, tx.Gas(), s.describe(err), err)
	}
	return r, nil
}

func (s *Sender) waitReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	for {
		// Any error is "not yet": a fresh dev node answers "transaction
		// indexing is in progress" for a while, not only NotFound.
		r, err := s.chain.TransactionReceipt(ctx, hash)
		if err == nil {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the receipt of %s (last: %v): %w", hash, err, ctx.Err())
		case <-time.After(receiptPoll):
		}
	}
}

// describe renders the revert err carries, as ": reason (hint)", or ""
// when err is no revert.
func (s *Sender) describe(err error) string {
	r, ok := abidecode.FromError(err, s.abi)
	if !ok {
		return ""
	}
	return ": " + abidecode.Human(r, s.hints)
}

// Fees is what the receipts' transactions paid for gas, in the native
// coin's base units.
func Fees(rs []*types.Receipt) *big.Int {
	total := new(big.Int)
	for _, r := range rs {
		if r == nil || r.EffectiveGasPrice == nil {
			continue
		}
		total.Add(total, new(big.Int).Mul(new(big.Int).SetUint64(r.GasUsed), r.EffectiveGasPrice))
	}
	return total
}
