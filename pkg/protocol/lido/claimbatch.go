package lido

import (
	"context"
	"fmt"
	"math/big"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// ClaimBatches returns claimWithdrawals calls for ids, perTx ids per call,
// ids ascending, with checkpoint hints found on-chain. Unlike Claim it
// takes the batch size from the caller, who knows the gas limit it must
// fit (a block, EIP-7825's per-transaction cap, or --gas-limit), so that
// many requests go out in as few transactions as that allows. The ids must
// be finalized and unclaimed; the caller checks ownership (claims pay the
// sender and revert NotOwner otherwise, which simulation reports).
func (l *Lido) ClaimBatches(ctx context.Context, rids []protocol.RequestID, perTx int) ([]protocol.Call, error) {
	ids, err := bigIDs(rids)
	if err != nil {
		return nil, err
	}
	if perTx <= 0 {
		return nil, fmt.Errorf("lido: claim batch size %d must be positive", perTx)
	}
	ids = sortedUnique(ids)
	if len(ids) == 0 {
		return nil, &protocol.LimitError{Reason: "no Lido withdrawal requests to claim"}
	}
	return l.claimCalls(ctx, ids, perTx)
}

// claimCalls builds claimWithdrawals calls for ids (sorted, claimable),
// perTx ids per transaction, with hints found on-chain.
func (l *Lido) claimCalls(ctx context.Context, ids []*big.Int, perTx int) ([]protocol.Call, error) {
	eth, hints, err := l.claimableEther(ctx, ids)
	if err != nil {
		return nil, err
	}
	var calls []protocol.Call
	for start := 0; start < len(ids); start += perTx {
		end := min(start+perTx, len(ids))
		chunk, chunkHints := ids[start:end], hints[start:end]
		total := new(big.Int)
		for _, id := range chunk {
			total.Add(total, eth[id.String()])
		}
		data, err := pack(l.abis.queue, "claimWithdrawals", chunk, chunkHints)
		if err != nil {
			return nil, err
		}
		calls = append(calls, protocol.Call{
			Action:      "claimWithdrawals",
			Description: l.claimDescription(total, chunk),
			To:          l.queue,
			Data:        data,
			Amount:      total,
			Token:       l.native,
			GasHint:     gasClaimBase + gasPerClaim*uint64(len(chunk)),
		})
	}
	return calls, nil
}
