package lido

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

const (
	// readChunk bounds the ids per view call: getWithdrawalStatus returns
	// 6 words per id, so 500 ids is ~100 kB of return data, far below
	// node limits on eth_call gas and response size.
	readChunk = 500
	// claimChunk bounds the ids per claimWithdrawals transaction, keeping
	// its gas (~50k per id) well under a block.
	claimChunk = 100
)

// requestStatus mirrors WithdrawalQueueBase.WithdrawalRequestStatus;
// go-ethereum matches the fields to the tuple components by name.
type requestStatus struct {
	AmountOfStETH  *big.Int
	AmountOfShares *big.Int
	Owner          common.Address
	Timestamp      *big.Int
	IsFinalized    bool
	IsClaimed      bool
}

func (s requestStatus) status() protocol.Status {
	switch {
	case s.IsClaimed:
		return protocol.StatusClaimed
	case s.IsFinalized:
		return protocol.StatusClaimable
	default:
		return protocol.StatusPending
	}
}

// RequestIDs implements protocol.Protocol: the ids of the
// WithdrawalRequested events the queue emitted in receipt, in log order.
func (l *Lido) RequestIDs(receipt *types.Receipt) []protocol.RequestID {
	if receipt == nil {
		return nil
	}
	topic := l.abis.queue.Events["WithdrawalRequested"].ID
	var ids []protocol.RequestID
	for _, lg := range receipt.Logs {
		// Check the emitter: any contract can emit a look-alike event.
		if lg == nil || lg.Address != l.queue || len(lg.Topics) != 4 || lg.Topics[0] != topic {
			continue
		}
		ids = append(ids, idOf(lg.Topics[1].Big()))
	}
	return ids
}

// Withdrawals implements protocol.Protocol. With no ids it lists owner's
// requests (getWithdrawalRequests; note that anyone can create requests
// owned by someone else, so the list may hold requests owner never made).
// Statuses come from getWithdrawalStatus, claimable amounts from
// getClaimableEther with checkpoint hints, per the flow of protocols.md §1.6.
func (l *Lido) Withdrawals(ctx context.Context, owner common.Address, rids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	ids, err := bigIDs(rids)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		var err error
		if ids, err = l.read().bigs(ctx, l.abis.queue, l.queue, "getWithdrawalRequests", owner); err != nil {
			return nil, err
		}
	}
	ids = sortedUnique(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	statuses, err := l.statuses(ctx, ids)
	if err != nil {
		return nil, err
	}
	var claimable []*big.Int
	for i, s := range statuses {
		if s.status() == protocol.StatusClaimable {
			claimable = append(claimable, ids[i])
		}
	}
	eth, _, err := l.claimableEther(ctx, claimable)
	if err != nil {
		return nil, err
	}
	out := make([]protocol.Withdrawal, len(ids))
	for i, s := range statuses {
		w := protocol.Withdrawal{
			ID:       idOf(ids[i]),
			Protocol: l.Name(),
			Owner:    s.Owner,
			Amount:   s.AmountOfStETH,
			// The queue records stETH even for wstETH requests.
			Token:  l.stETHToken(),
			Status: s.status(),
		}
		if s.Timestamp != nil && s.Timestamp.IsInt64() {
			w.RequestedAt = time.Unix(s.Timestamp.Int64(), 0).UTC()
		}
		if v, ok := eth[ids[i].String()]; ok {
			w.Claimable = v
		}
		out[i] = w
	}
	return out, nil
}

// Claim implements protocol.Protocol: claimWithdrawals(ids, hints) per
// 100 ids, ids ascending. Every id must be owned by owner, finalized and
// unclaimed; otherwise a LimitError names each offender. With no ids it
// claims every claimable request of owner.
func (l *Lido) Claim(ctx context.Context, owner common.Address, rids []protocol.RequestID) ([]protocol.Call, error) {
	ids, err := bigIDs(rids)
	if err != nil {
		return nil, err
	}
	explicit := len(ids) > 0
	if !explicit {
		var err error
		if ids, err = l.read().bigs(ctx, l.abis.queue, l.queue, "getWithdrawalRequests", owner); err != nil {
			return nil, err
		}
	}
	ids = sortedUnique(ids)
	statuses, err := l.statuses(ctx, ids)
	if err != nil {
		return nil, err
	}
	var problems []string
	var claim []*big.Int
	for i, s := range statuses {
		id := ids[i]
		switch {
		case s.Owner != owner:
			// claimWithdrawals pays msg.sender and reverts NotOwner otherwise.
			if explicit {
				problems = append(problems, fmt.Sprintf("request %s belongs to %s, not %s", id, s.Owner.Hex(), owner.Hex()))
			}
		case s.IsClaimed:
			if explicit {
				problems = append(problems, fmt.Sprintf("request %s was already claimed", id))
			}
		case !s.IsFinalized:
			if explicit {
				problems = append(problems, fmt.Sprintf("request %s is still pending", id))
			}
		default:
			claim = append(claim, id)
		}
	}
	if len(problems) > 0 {
		return nil, &protocol.LimitError{Reason: "cannot claim: " + strings.Join(problems, "; ")}
	}
	if len(claim) == 0 {
		return nil, &protocol.LimitError{Reason: "no claimable Lido withdrawal requests for " + owner.Hex()}
	}
	return l.claimCalls(ctx, claim, claimChunk)
}

func (l *Lido) claimDescription(total *big.Int, ids []*big.Int) string {
	noun := "request"
	if len(ids) > 1 {
		noun = "requests"
	}
	d := fmt.Sprintf("Claim %s from %d Lido withdrawal %s", amount.FormatUnits(total, l.native.Decimals, l.native.Symbol), len(ids), noun)
	if len(ids) <= 10 {
		strs := make([]string, len(ids))
		for i, id := range ids {
			strs[i] = "#" + id.String()
		}
		d += " (" + strings.Join(strs, ", ") + ")"
	}
	return d
}

// statuses reads getWithdrawalStatus for ids, readChunk ids per call. An
// unknown id makes the contract revert InvalidRequestId, which is the
// user's input error, so it becomes a LimitError.
func (l *Lido) statuses(ctx context.Context, ids []*big.Int) ([]requestStatus, error) {
	out := make([]requestStatus, 0, len(ids))
	for start := 0; start < len(ids); start += readChunk {
		chunk := ids[start:min(start+readChunk, len(ids))]
		vals, err := l.read().call(ctx, l.abis.queue, l.queue, "getWithdrawalStatus", chunk)
		if err != nil {
			if r, ok := abidecode.FromError(err, l.abis.queue); ok && r.Name == "InvalidRequestId" && len(r.Args) == 1 {
				return nil, &protocol.LimitError{Reason: fmt.Sprintf("Lido withdrawal request %v does not exist", r.Args[0].Value)}
			}
			return nil, err
		}
		var got []requestStatus
		if err := l.abis.queue.Methods["getWithdrawalStatus"].Outputs.Copy(&got, vals); err != nil {
			return nil, fmt.Errorf("lido: decode getWithdrawalStatus result: %w", err)
		}
		if len(got) != len(chunk) {
			return nil, fmt.Errorf("lido: getWithdrawalStatus returned %d statuses for %d ids", len(got), len(chunk))
		}
		out = append(out, got...)
	}
	return out, nil
}

// claimableEther finds the checkpoint hints of ids (finalized, sorted
// ascending) and the ETH each would pay now. It returns the ETH by id
// (decimal string key) and the hints in ids order.
func (l *Lido) claimableEther(ctx context.Context, ids []*big.Int) (map[string]*big.Int, []*big.Int, error) {
	eth := map[string]*big.Int{}
	if len(ids) == 0 {
		return eth, nil, nil
	}
	r := l.read()
	last, err := r.big(ctx, l.abis.queue, l.queue, "getLastCheckpointIndex")
	if err != nil {
		return nil, nil, err
	}
	if last.Sign() == 0 {
		return nil, nil, fmt.Errorf("lido: requests are finalized but the queue has no checkpoint")
	}
	hints := make([]*big.Int, 0, len(ids))
	first := big.NewInt(1) // checkpoints are 1-based
	for start := 0; start < len(ids); start += readChunk {
		chunk := ids[start:min(start+readChunk, len(ids))]
		h, err := r.bigs(ctx, l.abis.queue, l.queue, "findCheckpointHints", chunk, first, last)
		if err != nil {
			return nil, nil, err
		}
		if len(h) != len(chunk) {
			return nil, nil, fmt.Errorf("lido: findCheckpointHints returned %d hints for %d ids", len(h), len(chunk))
		}
		for i, hint := range h {
			// 0 is NOT_FOUND: the id is not finalized after all, which a
			// consistent node cannot report right after saying it is.
			if hint.Sign() == 0 {
				return nil, nil, fmt.Errorf("lido: no checkpoint hint for finalized request %s; retry", chunk[i])
			}
		}
		// Hints are non-decreasing for sorted ids: narrow the next search.
		first = h[len(h)-1]
		hints = append(hints, h...)
		values, err := r.bigs(ctx, l.abis.queue, l.queue, "getClaimableEther", chunk, h)
		if err != nil {
			return nil, nil, err
		}
		if len(values) != len(chunk) {
			return nil, nil, fmt.Errorf("lido: getClaimableEther returned %d values for %d ids", len(values), len(chunk))
		}
		for i, v := range values {
			eth[chunk[i].String()] = v
		}
	}
	return eth, hints, nil
}

// sortedUnique returns ids ascending without duplicates: hint search
// requires ascending ids and a duplicate would make a claim revert.
func sortedUnique(ids []*big.Int) []*big.Int {
	out := make([]*big.Int, 0, len(ids))
	for _, id := range ids {
		if id != nil {
			out = append(out, new(big.Int).Set(id))
		}
	}
	slices.SortFunc(out, func(a, b *big.Int) int { return a.Cmp(b) })
	return slices.CompactFunc(out, func(a, b *big.Int) bool { return a.Cmp(b) == 0 })
}
