package polygon

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Claim implements protocol.Requests: one unstakeClaimTokens_newPOL(nonce)
// per request, on its validator's ValidatorShare (read once per adapter).
// Each call carries a Check, one eth_call through Multicall3.aggregate3 of
// the unbond, withdrawalDelay() and epoch(): a request claimed already (or
// never made) is refused, and one whose delay has not passed is refused
// with the epoch it becomes claimable at.
func (a *Polygon) Claim(ctx context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Call, error) {
	want, err := parseIDs(ids)
	if err != nil {
		return nil, err
	}
	if len(want) == 0 {
		return nil, &protocol.LimitError{Reason: "no request to claim"}
	}
	vids := make([]uint64, len(want))
	for i, r := range want {
		vids[i] = r.validator
	}
	shares, err := a.shares(ctx, a.direct(), vids)
	if err != nil {
		return nil, err
	}
	out := make([]protocol.Call, 0, len(want))
	for _, r := range want {
		share := shares[r.validator]
		data, err := pack(a.abis.share, "unstakeClaimTokens_newPOL", new(big.Int).SetUint64(r.nonce))
		if err != nil {
			return nil, err
		}
		check, err := a.claimCheck(owner, share, r)
		if err != nil {
			return nil, err
		}
		out = append(out, protocol.Call{
			Action:      "claim",
			Description: fmt.Sprintf("Claim the POL of unbond %s from Polygon validator %d", r.id(), r.validator),
			To:          share,
			Data:        data,
			Token:       a.pol,
			GasHint:     gasClaim,
			Checks:      []protocol.Check{check},
		})
	}
	return out, nil
}

func (a *Polygon) claimCheck(owner, share common.Address, r reqID) (protocol.Check, error) {
	unbond, err := pack(a.abis.share, "unbonds_new", owner, new(big.Int).SetUint64(r.nonce))
	if err != nil {
		return protocol.Check{}, err
	}
	delay, err := pack(a.abis.sm, "withdrawalDelay")
	if err != nil {
		return protocol.Check{}, err
	}
	epoch, err := pack(a.abis.sm, "epoch")
	if err != nil {
		return protocol.Check{}, err
	}
	m, err := protocol.Aggregate3([]protocol.Call3{
		{Target: share, CallData: unbond}, {Target: a.sm, CallData: delay}, {Target: a.sm, CallData: epoch},
	})
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		parts, err := a.unpackAggregate(ret, 3)
		if err != nil {
			return err
		}
		u, err := unpackBigs(a.abis.share, "unbonds_new", parts[0], 2)
		if err != nil {
			return err
		}
		d, err := unpackBig(a.abis.sm, "withdrawalDelay", parts[1])
		if err != nil {
			return err
		}
		e, err := unpackBig(a.abis.sm, "epoch", parts[2])
		if err != nil {
			return err
		}
		if u[0].Sign() == 0 {
			return &protocol.LimitError{Reason: fmt.Sprintf("Polygon unbond %s of %s is claimed already, or was never made; `stakewallet withdrawals` lists yours", r.id(), owner.Hex())}
		}
		due := new(big.Int).Add(u[1], d)
		if due.Cmp(e) > 0 {
			left := new(big.Int).Sub(due, e)
			return &protocol.LimitError{Reason: fmt.Sprintf("Polygon unbond %s is not claimable yet: it becomes claimable at epoch %s (now epoch %s, %s checkpoints to go); `stakewallet withdrawals wait --claim` waits for it", r.id(), due, e, left)}
		}
		return nil
	}}, nil
}

// unpackAggregate decodes aggregate3's answer into n return data, every
// read having succeeded.
func (a *Polygon) unpackAggregate(ret []byte, n int) ([][]byte, error) {
	results, err := protocol.Aggregate3Results(ret, n)
	if err != nil {
		return nil, fmt.Errorf("polygon: %w", err)
	}
	out := make([][]byte, n)
	for i, r := range results {
		if !r.Success {
			return nil, fmt.Errorf("polygon: %w: read %d of aggregate3 failed", protocol.ErrBadAnswer, i)
		}
		out[i] = r.ReturnData
	}
	return out, nil
}

// RestakeTarget implements protocol.Restaker: the validator the claimed
// requests unbonded from, when they all name the same one.
func (a *Polygon) RestakeTarget(_ context.Context, _ common.Address, claimed []protocol.Withdrawal) (string, error) {
	return protocol.CommonTarget(claimed, "Polygon validators")
}
