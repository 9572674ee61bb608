package sonic

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// epochsForETA is how many of the last sealed epochs set the epoch length
// of the ETA (their median).
const epochsForETA = 4

var decimalUnit = big.NewInt(1e18)

// RequestIDs implements protocol.Requests: the Undelegated events of the
// SFC in receipt.
func (a *Sonic) RequestIDs(receipt *types.Receipt) []protocol.RequestID {
	if receipt == nil {
		return nil
	}
	ev := a.abis.sfc.Events["Undelegated"]
	var out []protocol.RequestID
	for _, l := range receipt.Logs {
		if l == nil || l.Address != a.sfc || len(l.Topics) != 4 || l.Topics[0] != ev.ID {
			continue
		}
		v, w := l.Topics[2].Big(), l.Topics[3].Big()
		if !v.IsUint64() || !w.IsUint64() {
			continue
		}
		out = append(out, reqID{v.Uint64(), w.Uint64()}.id())
	}
	return out
}

// period is the ConstantsManager's withdrawal period and the epoch clock.
type period struct {
	time, epochs *big.Int
	now          uint64   // latest block time
	sealed       uint64   // currentSealedEpoch
	sealedEnd    uint64   // its end time
	epochLen     *big.Int // seconds (the median of the last epochs); nil when unknown
}

// constsAddress returns the ConstantsManager (cached; read once).
func (a *Sonic) constsAddress(ctx context.Context) (common.Address, error) {
	a.mu.Lock()
	c := a.consts
	a.mu.Unlock()
	if c != (common.Address{}) {
		return c, nil
	}
	m, err := a.sfcMsg("constsAddress")
	if err != nil {
		return common.Address{}, err
	}
	ret, err := a.b.CallContract(ctx, m, nil)
	if err != nil {
		return common.Address{}, fmt.Errorf("sonic: read constsAddress: %w", err)
	}
	return a.setConsts(ret)
}

func (a *Sonic) setConsts(ret []byte) (common.Address, error) {
	c, err := unpackAddress(a.abis.sfc, "constsAddress", ret)
	if err != nil {
		return common.Address{}, err
	}
	a.mu.Lock()
	a.consts = c
	a.mu.Unlock()
	return c, nil
}

// head is round trip 1 of a listing: lastValidatorID, constsAddress and
// currentSealedEpoch.
func (a *Sonic) head(ctx context.Context) (last, sealed uint64, consts common.Address, err error) {
	var msgs []ethereum.CallMsg
	for _, m := range []string{"lastValidatorID", "currentSealedEpoch", "constsAddress"} {
		msg, err := a.sfcMsg(m)
		if err != nil {
			return 0, 0, common.Address{}, err
		}
		msgs = append(msgs, msg)
	}
	rets, errs := protocol.CallAll(ctx, a.b, msgs)
	for i, e := range errs {
		if e != nil {
			return 0, 0, common.Address{}, fmt.Errorf("sonic: read the SFC at %s (call %d): %w", a.sfc.Hex(), i, e)
		}
	}
	l, err := unpackBig(a.abis.sfc, "lastValidatorID", rets[0])
	if err != nil {
		return 0, 0, common.Address{}, err
	}
	s, err := unpackBig(a.abis.sfc, "currentSealedEpoch", rets[1])
	if err != nil {
		return 0, 0, common.Address{}, err
	}
	if consts, err = a.setConsts(rets[2]); err != nil {
		return 0, 0, common.Address{}, err
	}
	if !l.IsUint64() || l.Uint64() > 100_000 || !s.IsUint64() {
		return 0, 0, common.Address{}, fmt.Errorf("sonic: %w: lastValidatorID %s, currentSealedEpoch %s", protocol.ErrBadAnswer, l, s)
	}
	return l.Uint64(), s.Uint64(), consts, nil
}

// endEpochs are the sealed epochs whose end times set the epoch length
// of the ETA: the last epochsForETA+1 of them (from epoch 1), or epoch 0
// alone before any is sealed.
func endEpochs(sealed uint64) []uint64 {
	lo := max(1, sealed-min(sealed, epochsForETA))
	if sealed == 0 {
		return []uint64{0}
	}
	var out []uint64
	for e := lo; e <= sealed; e++ {
		out = append(out, e)
	}
	return out
}

// periodCalls are the sub-calls periodFrom decodes, in order: the
// withdrawal period (time, epochs), the block time, and the end times of
// endEpochs(sealed).
func (a *Sonic) periodCalls(consts common.Address, sealed uint64) ([]protocol.Call3, error) {
	pt, err := pack(a.abis.consts, "withdrawalPeriodTime")
	if err != nil {
		return nil, err
	}
	pe, err := pack(a.abis.consts, "withdrawalPeriodEpochs")
	if err != nil {
		return nil, err
	}
	ts, err := pack(a.abis.mc3, "getCurrentBlockTimestamp")
	if err != nil {
		return nil, err
	}
	calls := []protocol.Call3{
		{Target: consts, AllowFailure: true, CallData: pt},
		{Target: consts, AllowFailure: true, CallData: pe},
		{Target: protocol.Multicall3, AllowFailure: true, CallData: ts},
	}
	for _, e := range endEpochs(sealed) {
		c, err := a.sfcCall("epochEndTime", u64(e))
		if err != nil {
			return nil, err
		}
		calls = append(calls, c)
	}
	return calls, nil
}

// periodFrom decodes periodCalls' answers (the first 3+len(endEpochs)
// of subs).
func (a *Sonic) periodFrom(subs [][]byte, sealed uint64) (period, error) {
	p := period{sealed: sealed}
	var err error
	if p.time, err = unpackBig(a.abis.consts, "withdrawalPeriodTime", subs[0]); err != nil {
		return p, err
	}
	if p.epochs, err = unpackBig(a.abis.consts, "withdrawalPeriodEpochs", subs[1]); err != nil {
		return p, err
	}
	now, err := unpackBig(a.abis.mc3, "getCurrentBlockTimestamp", subs[2])
	if err != nil {
		return p, err
	}
	p.now = now.Uint64()
	a.seenNow.Store(p.now)
	var ends []uint64
	for i := range endEpochs(sealed) {
		end, err := unpackBig(a.abis.sfc, "epochEndTime", subs[3+i])
		if err != nil {
			return p, err
		}
		ends = append(ends, end.Uint64())
	}
	p.sealedEnd = ends[len(ends)-1]
	p.epochLen = epochLength(ends)
	return p, nil
}

// epochLength is the median length of the epochs between consecutive end
// times (a long epoch, such as a pause in sealing, does not skew it); nil
// when there is none.
func epochLength(ends []uint64) *big.Int {
	var ds []uint64
	for i := 1; i < len(ends); i++ {
		if ends[i-1] > 0 && ends[i] > ends[i-1] {
			ds = append(ds, ends[i]-ends[i-1])
		}
	}
	if len(ds) == 0 {
		return nil
	}
	slices.Sort(ds)
	return new(big.Int).SetUint64(ds[(len(ds)-1)/2])
}

// judged is one request judged against the period.
type judged struct {
	exists          bool
	amount, payable *big.Int
	requested       uint64
	dueTime         uint64
	dueEpoch        uint64 // currentEpoch must reach it
	claimable       bool
	eta             *time.Time
}

// judge applies SFC._withdraw's rules to request (epoch, time, amount) on
// validator v (deactivation shortcut, slashing penalty).
func judge(req []*big.Int, v validatorInfo, refund *big.Int, p period) judged {
	j := judged{amount: req[2], exists: req[2].Sign() > 0}
	if !j.exists {
		return j
	}
	reqEpoch, reqTime := req[0], req[1]
	j.requested = reqTime.Uint64()
	if v.DeactivatedTime != nil && v.DeactivatedTime.Sign() != 0 && v.DeactivatedTime.Cmp(reqTime) < 0 {
		reqTime, reqEpoch = v.DeactivatedTime, v.DeactivatedEpoch
	}
	j.dueTime = new(big.Int).Add(reqTime, p.time).Uint64()
	j.dueEpoch = new(big.Int).Add(reqEpoch, p.epochs).Uint64()
	current := p.sealed + 1
	j.claimable = p.now >= j.dueTime && current >= j.dueEpoch
	// ETA: the later of the time rule and the epoch rule.
	eta := j.dueTime
	if current < j.dueEpoch {
		if p.epochLen == nil {
			j.eta = nil
		} else {
			seals := j.dueEpoch - current // sealings still needed
			e := p.sealedEnd + seals*p.epochLen.Uint64()
			eta = max(eta, e)
		}
	}
	if current >= j.dueEpoch || p.epochLen != nil {
		t := time.Unix(int64(eta), 0).UTC()
		j.eta = &t
	}
	j.payable = new(big.Int).Set(j.amount)
	if v.Status != nil && v.Status.Uint64()&statusDoubleSign != 0 && refund != nil && refund.Cmp(decimalUnit) < 0 {
		pen := new(big.Int).Mul(j.amount, new(big.Int).Sub(decimalUnit, refund))
		pen.Div(pen, decimalUnit).Add(pen, big.NewInt(1))
		if pen.Cmp(j.amount) > 0 {
			pen.Set(j.amount)
		}
		j.payable.Sub(j.payable, pen)
	}
	return j
}

// Withdrawals implements protocol.Requests in two round trips whatever the
// number of requests: (1) lastValidatorID, currentSealedEpoch and
// constsAddress; (2) one aggregate3 eth_call (chunked, in one batch) of
// every validator's state and, for ids nil, the WrIDSlots request slots of
// owner on every validator (else the named requests), with the withdrawal
// period, the block time and the epoch end times.
func (a *Sonic) Withdrawals(ctx context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	want, err := parseIDs(ids)
	if err != nil {
		return nil, err
	}
	last, sealed, consts, err := a.head(ctx)
	if err != nil {
		return nil, err
	}
	var reqs []reqID
	if len(ids) == 0 {
		for v := uint64(1); v <= last; v++ {
			for w := uint64(0); w < WrIDSlots; w++ {
				reqs = append(reqs, reqID{v, w})
			}
		}
	} else {
		reqs = want
	}
	vids := map[uint64]int{} // validator → index of its getValidator sub-call
	calls, err := a.periodCalls(consts, sealed)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		if _, ok := vids[r.validator]; ok {
			continue
		}
		vids[r.validator] = len(calls)
		gv, err := a.sfcCall("getValidator", u64(r.validator))
		if err != nil {
			return nil, err
		}
		rr, err := a.sfcCall("slashingRefundRatio", u64(r.validator))
		if err != nil {
			return nil, err
		}
		calls = append(calls, gv, rr)
	}
	first := len(calls)
	for _, r := range reqs {
		c, err := a.sfcCall("getWithdrawalRequest", owner, u64(r.validator), u64(r.wr))
		if err != nil {
			return nil, err
		}
		calls = append(calls, c)
	}
	subs, _, err := a.aggregate(ctx, calls, nil)
	if err != nil {
		return nil, err
	}
	p, err := a.periodFrom(subs, sealed)
	if err != nil {
		return nil, err
	}
	var out []protocol.Withdrawal
	for i, r := range reqs {
		at := vids[r.validator]
		v, err := a.decodeValidator(subs[at])
		if err != nil {
			return nil, err
		}
		refund, err := unpackBig(a.abis.sfc, "slashingRefundRatio", subs[at+1])
		if err != nil {
			return nil, err
		}
		req, err := unpackBigs(a.abis.sfc, "getWithdrawalRequest", subs[first+i], 3)
		if err != nil {
			return nil, err
		}
		j := judge(req, v, refund, p)
		if !j.exists {
			if len(ids) > 0 {
				// Named but gone: claimed (withdraw deletes it), or never made.
				out = append(out, protocol.Withdrawal{
					ID: r.id(), Protocol: a.Name(), Owner: owner, Target: fmt.Sprint(r.validator),
					Amount: new(big.Int), Token: a.native, Status: protocol.StatusClaimed,
				})
			}
			continue
		}
		w := protocol.Withdrawal{
			ID: r.id(), Protocol: a.Name(), Owner: owner, Target: fmt.Sprint(r.validator),
			Amount: new(big.Int).Set(j.amount), Token: a.native, Status: protocol.StatusPending,
			RequestedAt: time.Unix(int64(j.requested), 0).UTC(), ETA: j.eta,
		}
		if j.claimable {
			w.Status = protocol.StatusClaimable
			w.Claimable = j.payable
		}
		out = append(out, w)
	}
	return out, nil
}

// Claim implements protocol.Requests: one withdraw(id, wrID) per request.
// Each call carries a Check (one aggregate3 eth_call of the request, the
// validator, the period and the epoch clock): a request claimed already
// (or never made) is refused, and one whose period has not passed is
// refused with when it becomes claimable. The ConstantsManager's address
// is read once per adapter (Withdrawals reads it too).
func (a *Sonic) Claim(ctx context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Call, error) {
	want, err := parseIDs(ids)
	if err != nil {
		return nil, err
	}
	if len(want) == 0 {
		return nil, &protocol.LimitError{Reason: "no request to claim"}
	}
	consts, err := a.constsAddress(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]protocol.Call, 0, len(want))
	for _, r := range want {
		data, err := pack(a.abis.sfc, "withdraw", u64(r.validator), u64(r.wr))
		if err != nil {
			return nil, err
		}
		check, err := a.claimCheck(owner, consts, r)
		if err != nil {
			return nil, err
		}
		out = append(out, protocol.Call{
			Action:      "claim",
			Description: fmt.Sprintf("Withdraw request %s from Sonic validator %d", r.id(), r.validator),
			To:          a.sfc,
			Data:        data,
			Token:       a.native,
			GasHint:     gasWithdraw,
			Checks:      []protocol.Check{check},
		})
	}
	return out, nil
}

func (a *Sonic) claimCheck(owner, consts common.Address, r reqID) (protocol.Check, error) {
	sealed, err := a.sfcCall("currentSealedEpoch")
	if err != nil {
		return protocol.Check{}, err
	}
	gv, err := a.sfcCall("getValidator", u64(r.validator))
	if err != nil {
		return protocol.Check{}, err
	}
	req, err := a.sfcCall("getWithdrawalRequest", owner, u64(r.validator), u64(r.wr))
	if err != nil {
		return protocol.Check{}, err
	}
	// The epoch end times depend on the sealed epoch, which the Check
	// reads itself: the refusal names the time and the epoch count.
	pc, err := a.periodCalls(consts, 0)
	if err != nil {
		return protocol.Check{}, err
	}
	calls := append([]protocol.Call3{sealed, gv, req}, pc[:3]...)
	msgs, err := a.aggregateMsgs(calls)
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: msgs[0], Verify: func(ret []byte) error {
		subs, err := a.decodeAggregate(ret, len(calls))
		if err != nil {
			return err
		}
		s, err := unpackBig(a.abis.sfc, "currentSealedEpoch", subs[0])
		if err != nil {
			return err
		}
		v, err := a.decodeValidator(subs[1])
		if err != nil {
			return err
		}
		rq, err := unpackBigs(a.abis.sfc, "getWithdrawalRequest", subs[2], 3)
		if err != nil {
			return err
		}
		// No epoch end times (the ETA is not shown here): decoded as
		// before the first sealing, then the real sealed epoch.
		p, err := a.periodFrom(append(subs[3:6:6], u256(0)), 0)
		if err != nil {
			return err
		}
		p.sealed = s.Uint64()
		j := judge(rq, v, nil, p)
		if !j.exists {
			return &protocol.LimitError{Reason: fmt.Sprintf("Sonic request %s of %s is claimed already, or was never made; `stakewallet withdrawals` lists yours", r.id(), owner.Hex())}
		}
		if !j.claimable {
			return &protocol.LimitError{Reason: fmt.Sprintf("Sonic request %s is not claimable yet: it becomes claimable at %s and epoch %d (now %s, epoch %d); `stakewallet withdrawals wait --claim` waits for it",
				r.id(), time.Unix(int64(j.dueTime), 0).UTC().Format(time.RFC3339), j.dueEpoch, time.Unix(int64(p.now), 0).UTC().Format(time.RFC3339), p.sealed+1)}
		}
		return nil
	}}, nil
}

// u256 is v as a uint256 return value.
func u256(v uint64) []byte { return common.LeftPadBytes(u64(v).Bytes(), 32) }

// RestakeTarget implements protocol.Restaker: the validator the claimed
// requests unbonded from.
func (a *Sonic) RestakeTarget(_ context.Context, _ common.Address, claimed []protocol.Withdrawal) (string, error) {
	return protocol.CommonTarget(claimed, "Sonic validators")
}

// Estimator implements protocol.Estimating: Withdrawals sets each
// request's ETA (the later of the time and the epoch rule).
func (a *Sonic) Estimator() protocol.Estimator {
	return protocol.FixedETA{
		Name:    "sonic",
		Backend: a.b,
		ETA:     func(w protocol.Withdrawal) *time.Time { return w.ETA },
		Known:   "the later of the SFC's withdrawal period time and its epoch count at the median length of the last sealed epochs",
		Unknown: "the epoch cadence is unknown: fewer than two sealed epochs",
		// Withdrawals read the chain's time with the requests.
		ChainTime: func() (time.Time, bool) {
			n := a.seenNow.Load()
			return time.Unix(int64(n), 0), n != 0
		},
	}
}
