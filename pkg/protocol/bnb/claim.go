package bnb

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Claim implements protocol.Requests: one StakeHub.claim(operator, n) per
// validator, where n is the position of the latest requested id in the
// validator's queue plus one. claim pays the first n unlocked requests in
// order, so claiming a request claims every earlier one to the same
// validator too (the description says so), and a request cannot be claimed
// while an earlier one is still locked: that is refused here, naming the
// earlier request and when it unlocks. One round trip (the queues); the
// StakeHub not paused and the owner not blacklisted are Checks.
//
// The claim pays the BNB with a call limited to transferGasLimit gas (5,000
// on BSC): an owner that is a contract (a smart-contract wallet) cannot
// receive it, and the claim reverts with TransferFailed().
func (a *BNB) Claim(ctx context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Call, error) {
	want, err := parseIDs(ids)
	if err != nil {
		return nil, err
	}
	if len(want) == 0 {
		return nil, &protocol.LimitError{Reason: "no request to claim"}
	}
	var ops []common.Address
	for _, r := range want {
		if !slices.Contains(ops, r.op) {
			ops = append(ops, r.op)
		}
	}
	st, err := a.readQueues(ctx, owner, ops)
	if err != nil {
		return nil, err
	}
	var calls []protocol.Call
	for _, op := range ops {
		q := st.queues[op]
		var last uint64
		asked := map[uint64]bool{}
		for _, r := range want {
			if r.op != op {
				continue
			}
			switch {
			case r.seq >= q.next:
				return nil, &protocol.LimitError{Reason: fmt.Sprintf("%s has no unbond request %s", owner.Hex(), r.id())}
			case r.seq < q.head:
				return nil, &protocol.LimitError{Reason: fmt.Sprintf("request %s is already claimed", r.id())}
			}
			asked[r.seq] = true
			last = max(last, r.seq)
		}
		n := int(last-q.head) + 1
		total := new(big.Int)
		var also []string
		for i := 0; i < n; i++ {
			u := q.reqs[i]
			seq := q.head + uint64(i)
			id := reqID{op: op, seq: seq}.id()
			if st.now < u.unlock {
				at := time.Unix(int64(u.unlock), 0).UTC().Format(time.RFC3339)
				if asked[seq] {
					return nil, &protocol.LimitError{Reason: fmt.Sprintf("request %s is not claimable yet: it unlocks at %s; `stakewallet withdrawals wait --claim` waits for it", id, at)}
				}
				return nil, &protocol.LimitError{Reason: fmt.Sprintf("request %s cannot be claimed before the earlier request %s to the same validator, which unlocks at %s: the StakeHub pays a validator's requests in order; claim them together once both are unlocked",
					reqID{op: op, seq: last}.id(), id, at)}
			}
			total.Add(total, u.bnb)
			if !asked[seq] {
				also = append(also, string(id))
			}
		}
		data, err := pack(a.abis.hub, "claim", op, big.NewInt(int64(n)))
		if err != nil {
			return nil, err
		}
		checks, err := a.userChecks(owner)
		if err != nil {
			return nil, err
		}
		desc := fmt.Sprintf("Claim %s unbonded from validator %s (%d request", a.fmt(total), op.Hex(), n)
		if n != 1 {
			desc += "s"
		}
		desc += ")"
		if len(also) > 0 {
			desc += "; also claims the earlier " + strings.Join(also, ", ") + " (paid in order)"
		}
		calls = append(calls, protocol.Call{
			Action:      "claim",
			Description: desc,
			To:          a.hub,
			Data:        data,
			Amount:      total,
			Token:       a.native,
			GasHint:     uint64(gasClaim + gasClaimEach*n),
			Checks:      checks,
		})
	}
	return calls, nil
}

// ClaimStipendNote implements protocol.StipendPayer.
func (a *BNB) ClaimStipendNote() string {
	return "BNB Chain claims pay the BNB with a call limited to transferGasLimit (5,000 gas on BSC), which a contract wallet cannot receive with: the claim would revert with TransferFailed(); claim from a plain account"
}

// RestakeTarget implements protocol.Restaker: the validator the claimed
// requests unbonded from, when they all name the same one.
func (a *BNB) RestakeTarget(_ context.Context, _ common.Address, claimed []protocol.Withdrawal) (string, error) {
	return protocol.CommonTarget(claimed, "BNB Chain validators")
}
