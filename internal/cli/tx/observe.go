package tx

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// reader is the chain access observing needs; cmdutil.Chain has it.
type reader interface {
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error)
	TransactionByHash(ctx context.Context, hash common.Hash) (*types.Transaction, bool, error)
}

// seen is what the node knows about a transaction.
type seen string

const (
	seenIncluded seen = "included" // mined (success or reverted)
	seenMempool  seen = "mempool"  // in the node's pool, not mined
	seenReplaced seen = "replaced" // another transaction used its nonce
	seenUnknown  seen = "unknown"  // the node does not know it
)

// observation is the chain's view of one transaction.
type observation struct {
	Seen    seen
	Receipt *types.Receipt     // when included
	Tx      *types.Transaction // the node's copy, when it has one
}

// sender identifies a transaction's account and nonce when known (from the
// journal or the signed bytes); without it "replaced" cannot be told from
// "unknown".
type sender struct {
	From  common.Address
	Nonce uint64
}

// observe asks the chain about hash.
func observe(ctx context.Context, r reader, hash common.Hash, s *sender) (*observation, error) {
	// The account's nonce is read before the receipt, on purpose: if the
	// nonce is already past ours at that moment, the block that used it is
	// older than the receipt lookup, so a missing receipt then really means
	// another transaction took the nonce, not "mined in between".
	var used bool
	if s != nil {
		n, err := r.NonceAt(ctx, s.From, nil)
		if err != nil {
			return nil, fmt.Errorf("read the nonce of %s: %w", s.From.Hex(), err)
		}
		used = n > s.Nonce
	}
	rc, err := r.TransactionReceipt(ctx, hash)
	switch {
	case err == nil && rc != nil:
		return &observation{Seen: seenIncluded, Receipt: rc}, nil
	case err != nil && !errors.Is(err, ethereum.NotFound):
		return nil, fmt.Errorf("read the receipt of %s: %w", hash.Hex(), err)
	}
	tx, pending, err := r.TransactionByHash(ctx, hash)
	switch {
	case err == nil && pending:
		return &observation{Seen: seenMempool, Tx: tx}, nil
	case err != nil && !errors.Is(err, ethereum.NotFound):
		return nil, fmt.Errorf("look up %s: %w", hash.Hex(), err)
	}
	// tx != nil && !pending: in a block whose receipt is not indexed yet.
	// Say "unknown" rather than guess a status; the next look will know.
	if used && tx == nil {
		return &observation{Seen: seenReplaced}, nil
	}
	return &observation{Seen: seenUnknown, Tx: tx}, nil
}

// receiptStatus is SPEC's transaction status of a mined transaction.
func receiptStatus(rc *types.Receipt) string {
	if rc.Status == types.ReceiptStatusSuccessful {
		return "success"
	}
	return "reverted"
}

// receiptState is the journal state of a mined transaction.
func receiptState(rc *types.Receipt) journal.State {
	if rc.Status == types.ReceiptStatusSuccessful {
		return journal.StateIncluded
	}
	return journal.StateReverted
}

// record brings entry e up to date with o. by is the transaction that took
// e's nonce, when known, for the replaced state. It only ever moves an
// entry forward: an included entry is never reopened by a lagging node.
func record(j *journal.Journal, e *journal.Entry, o *observation, by *common.Hash) error {
	var err error
	switch {
	case o.Seen == seenIncluded:
		st, block := receiptState(o.Receipt), o.Receipt.BlockNumber.Uint64()
		if e.State != st || e.BlockNumber != block {
			err = j.Update(e, st, block, "")
		}
	case !e.State.Open():
		// Final already (or failed, which a node cannot have): keep it.
	case o.Seen == seenMempool && e.State == journal.StateSigned:
		// Signed, then the process died before noting the broadcast.
		err = j.Update(e, journal.StateBroadcast, 0, "")
	case o.Seen == seenReplaced:
		err = j.MarkReplaced(e, by, fmt.Sprintf("nonce %d was used by another transaction", e.Nonce))
	}
	if err != nil {
		return fmt.Errorf("update the journal entry of %s: %w", e.Hash.Hex(), err)
	}
	return nil
}

// replacer finds, among the journal's entries with e's account and nonce,
// the one that was mined, checking the chain for those still open.
func replacer(ctx context.Context, r reader, j *journal.Journal, e *journal.Entry) (*common.Hash, error) {
	same, err := j.SameNonce(e.ChainID, e.From, e.Nonce)
	if err != nil {
		return nil, err
	}
	for _, s := range same {
		if s.Hash == e.Hash {
			continue
		}
		if s.State == journal.StateIncluded || s.State == journal.StateReverted {
			h := s.Hash
			return &h, nil
		}
		if !s.State.Open() {
			continue
		}
		rc, err := r.TransactionReceipt(ctx, s.Hash)
		if errors.Is(err, ethereum.NotFound) || err == nil && rc == nil {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the receipt of %s: %w", s.Hash.Hex(), err)
		}
		if err := record(j, s, &observation{Seen: seenIncluded, Receipt: rc}, nil); err != nil {
			return nil, err
		}
		h := s.Hash
		return &h, nil
	}
	return nil, nil
}

// refresh observes e and records what the chain says in the journal.
func refresh(ctx context.Context, r reader, j *journal.Journal, e *journal.Entry) (*observation, error) {
	o, err := observe(ctx, r, e.Hash, &sender{From: e.From, Nonce: e.Nonce})
	if err != nil {
		return nil, err
	}
	var by *common.Hash
	if o.Seen == seenReplaced && e.State.Open() {
		if by, err = replacer(ctx, r, j, e); err != nil {
			return nil, err
		}
	}
	return o, record(j, e, o, by)
}
