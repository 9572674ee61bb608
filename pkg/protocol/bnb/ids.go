package bnb

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// A request id is "<operator>/<sequence>": the validator's operator address
// (checksummed) and the delegator's unbond sequence number of the request on
// that validator's StakeCredit (0 for the first undelegation ever, counting
// up). The queue holds the sequences [unbondSequence − pendingUnbondRequest,
// unbondSequence) in order, so the request at queue index i has sequence
// unbondSequence − pending + i; unlike the index, the sequence does not
// shift when earlier requests are claimed.

// reqID is a parsed request id.
type reqID struct {
	op  common.Address
	seq uint64
}

func (r reqID) id() protocol.RequestID {
	return protocol.RequestID(r.op.Hex() + "/" + strconv.FormatUint(r.seq, 10))
}

// ParseRequestID implements protocol.Requests.
func (a *BNB) ParseRequestID(s string) (protocol.RequestID, error) {
	r, err := parseID(s)
	if err != nil {
		return "", err
	}
	return r.id(), nil
}

func parseID(s string) (reqID, error) {
	bad := func(why string) error {
		return &protocol.LimitError{Reason: fmt.Sprintf("BNB Chain request id %q %s: ids are <operator address>/<number>, as `stakewallet withdrawals` lists them", s, why)}
	}
	t := strings.TrimSpace(s)
	op, seq, ok := strings.Cut(t, "/")
	if !ok {
		return reqID{}, bad("has no '/'")
	}
	if !common.IsHexAddress(op) || !strings.HasPrefix(strings.ToLower(op), "0x") {
		return reqID{}, bad("does not start with an operator address")
	}
	if seq == "" || strings.TrimLeft(seq, "0123456789") != "" {
		return reqID{}, bad("does not end with a whole number")
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	if err != nil {
		return reqID{}, bad("has a number out of range")
	}
	return reqID{op: common.HexToAddress(op), seq: n}, nil
}

// parseIDs parses ids, keeping the first of duplicates.
func parseIDs(ids []protocol.RequestID) ([]reqID, error) {
	return protocol.ParseIDs(ids, parseID)
}

// receiptReadTimeout bounds RequestIDs' read (it has no context of its
// own).
const receiptReadTimeout = 30 * time.Second

// RequestIDs implements protocol.Requests. The StakeHub's Undelegated event
// names the operator and the delegator but not the request's sequence, so
// RequestIDs reads the delegator's unbondSequence on each credit at the
// receipt's block, in one batch: the request of the last undelegation of
// that delegator to that validator in the block is sequence − 1 (earlier
// ones in the same receipt count down from it). Two undelegations of the
// same delegator to the same validator in two transactions of one block
// would give the earlier one the later one's id; the wallet sends its
// transactions one after the other. A failed read returns no ids (the
// requests are still listed by `withdrawals`).
func (a *BNB) RequestIDs(receipt *types.Receipt) []protocol.RequestID {
	if receipt == nil || receipt.Status != types.ReceiptStatusSuccessful || receipt.BlockNumber == nil {
		return nil
	}
	ev := a.abis.hub.Events["Undelegated"]
	type key struct{ op, delegator common.Address }
	var found []key
	for _, l := range receipt.Logs {
		if l.Address != a.hub || len(l.Topics) != 3 || l.Topics[0] != ev.ID {
			continue
		}
		found = append(found, key{common.BytesToAddress(l.Topics[1].Bytes()), common.BytesToAddress(l.Topics[2].Bytes())})
	}
	if len(found) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), receiptReadTimeout)
	defer cancel()
	var keys []key
	index := map[key]int{}
	var msgs []ethereum.CallMsg
	for _, k := range found {
		if _, ok := index[k]; ok {
			continue
		}
		credit, ok, err := a.creditOf(ctx, k.op)
		if err != nil || !ok {
			return nil
		}
		m, err := msg(a.abis.credit, credit, "unbondSequence", k.delegator)
		if err != nil {
			return nil
		}
		index[k] = len(keys)
		keys = append(keys, k)
		msgs = append(msgs, m)
	}
	rets, errs := callAt(ctx, a.b, msgs, receipt.BlockNumber)
	seqs := make([]uint64, len(keys))
	for i := range keys {
		if errs[i] != nil {
			return nil
		}
		s, err := unpackBig(a.abis.credit, "unbondSequence", rets[i])
		if err != nil || !s.IsUint64() {
			return nil
		}
		seqs[i] = s.Uint64()
	}
	// Count down from the end: the last event of a key is sequence − 1.
	out := make([]protocol.RequestID, len(found))
	for j := len(found) - 1; j >= 0; j-- {
		i := index[found[j]]
		if seqs[i] == 0 {
			return nil
		}
		seqs[i]--
		out[j] = reqID{op: found[j].op, seq: seqs[i]}.id()
	}
	return out
}

// callAt runs msgs at block in one round trip when b batches.
func callAt(ctx context.Context, b protocol.Backend, msgs []ethereum.CallMsg, block *big.Int) ([][]byte, []error) {
	if bb, ok := b.(protocol.BatchBackend); ok {
		return bb.BatchCallContract(ctx, msgs, block)
	}
	rets := make([][]byte, len(msgs))
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		rets[i], errs[i] = b.CallContract(ctx, m, block)
	}
	return rets, errs
}
