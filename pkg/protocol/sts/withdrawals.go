package sts

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Withdraw kinds of SonicStaking (enum WithdrawKind).
const (
	kindPool      = 0
	kindValidator = 1
	kindClawBack  = 2
)

// claimChunk bounds the ids of one withdrawMany (~150k gas each).
const claimChunk = 50

// withdrawRequest mirrors SonicStaking.WithdrawRequest; go-ethereum matches
// the tuple's components to the fields by name.
type withdrawRequest struct {
	Kind             uint8
	ValidatorId      *big.Int //nolint:revive // the ABI component is validatorId
	AssetAmount      *big.Int
	IsWithdrawn      bool
	RequestTimestamp *big.Int
	User             common.Address
}

// request is one withdraw id with its record and what the adapter makes of it.
type request struct {
	id  *big.Int
	rec withdrawRequest
}

// state is one read of requests: the records, the delay and the chain time.
type state struct {
	reqs  []request
	delay *big.Int
	now   uint64 // latest block's timestamp
	mc3   bool   // the node has Multicall3 (it answered the time)
	// consts is the SFC's ConstantsManager and epoch its currentEpoch,
	// read with the delay; sfc is the SFC's rule for the validator
	// requests past stS's delay, by id (see judgeSFC).
	consts common.Address
	epoch  uint64
	sfc    map[string]sfcRule
}

// nCommon is the number of commonMsgs leading each first batch.
const nCommon = 4

func (r request) claimableAt(delay *big.Int) *big.Int {
	return new(big.Int).Add(r.rec.RequestTimestamp, delay)
}

func (st *state) status(r request) protocol.Status {
	switch {
	case r.rec.IsWithdrawn:
		return protocol.StatusClaimed
	case r.claimableAt(st.delay).Cmp(new(big.Int).SetUint64(st.now)) <= 0:
		if rule, ok := st.sfc[r.id.String()]; ok && !rule.claimable {
			return protocol.StatusPending // the SFC would not let stS withdraw yet
		}
		return protocol.StatusClaimable
	default:
		return protocol.StatusPending
	}
}

// RequestIDs implements protocol.Requests: the withdraw ids of the
// Undelegated events stS emitted in receipt (withdrawId is the event's
// first data word), in log order.
func (s *STS) RequestIDs(receipt *types.Receipt) []protocol.RequestID {
	if receipt == nil {
		return nil
	}
	ev := s.abis.sts.Events["Undelegated"]
	var ids []protocol.RequestID
	for _, lg := range receipt.Logs {
		// Check the emitter: the SFC's Undelegated has another topic, but
		// any contract can emit a look-alike.
		if lg == nil || lg.Address != s.sts || len(lg.Topics) != 2 || lg.Topics[0] != ev.ID {
			continue
		}
		vals, err := ev.Inputs.NonIndexed().Unpack(lg.Data)
		if err != nil || len(vals) == 0 {
			continue
		}
		if id, ok := vals[0].(*big.Int); ok && id.Sign() > 0 {
			ids = append(ids, idOf(id))
		}
	}
	return ids
}

// Withdrawals implements protocol.Requests. With ids: one batch of
// getWithdrawRequest per id, withdrawDelay and the block time. Without:
// userNumWithdraws(owner) in the first batch, then userWithdraws(owner, i)
// for each index (folded into one Multicall3 aggregate3) and
// getUserWithdraws(owner, 0, n, false) in the second: two round trips
// whatever the number of requests (three on a node without Multicall3,
// which also costs a header read for the time). Amounts are the S each
// request pays (stS burns the shares at undelegation and records assets),
// oldest first.
//
// A validator request past stS's delay is claimable only when the SFC
// would also let stS withdraw its own request (see sfcRule); the SFC's
// constsAddress and currentEpoch ride in the first batch, its withdrawal
// period and the last epochs' end times in the listing's second batch, or,
// by id, in the only batch around the epoch this adapter saw last (one
// more round trip on an adapter's first read by id, only when such a
// request is there). Its ETA is then the later of the two rules.
func (s *STS) Withdrawals(ctx context.Context, owner common.Address, rids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	st, err := s.readRequests(ctx, owner, rids)
	if err != nil {
		return nil, err
	}
	out := make([]protocol.Withdrawal, 0, len(st.reqs))
	epochsOnly := map[protocol.RequestID]bool{}
	for _, r := range st.reqs {
		w := protocol.Withdrawal{
			ID:       idOf(r.id),
			Protocol: s.Name(),
			Owner:    r.rec.User,
			Amount:   new(big.Int).Set(r.rec.AssetAmount),
			Token:    s.native,
			Status:   st.status(r),
		}
		if r.rec.RequestTimestamp.IsInt64() {
			w.RequestedAt = time.Unix(r.rec.RequestTimestamp.Int64(), 0).UTC()
		}
		if at := r.claimableAt(st.delay); at.IsInt64() {
			t := time.Unix(at.Int64(), 0).UTC()
			w.ClaimableAt = &t
			if w.Status == protocol.StatusPending {
				eta := t
				w.ETA = &eta
				if rule, ok := st.sfc[r.id.String()]; ok {
					// Past stS's delay: the SFC's rule is the later one.
					epochsOnly[idOf(r.id)] = rule.timeOK
					w.ETA = rule.due
					w.ClaimableAt = nil
					if rule.due != nil {
						at := *rule.due
						w.ClaimableAt = &at
					}
				}
			}
		}
		if w.Status == protocol.StatusClaimable {
			w.Claimable = new(big.Int).Set(r.rec.AssetAmount)
		}
		out = append(out, w)
	}
	s.mu.Lock()
	s.epochsOnly = epochsOnly
	s.mu.Unlock()
	return out, nil
}

// readRequests reads the records of ids, or of every request of owner.
func (s *STS) readRequests(ctx context.Context, owner common.Address, rids []protocol.RequestID) (*state, error) {
	ids, err := bigIDs(rids)
	if err != nil {
		return nil, err
	}
	common3, err := s.commonMsgs()
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		var msgs []ethereum.CallMsg
		for _, id := range ids {
			m, err := s.msg(s.abis.sts, s.sts, "getWithdrawRequest", id)
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, m)
		}
		// The period around the epoch the last read saw rides along.
		pmsgs, consts, first, upto, err := s.guessPeriodMsgs()
		if err != nil {
			return nil, err
		}
		batch := append(append(common3, msgs...), pmsgs...)
		res, errs := protocol.CallAll(ctx, s.b, batch)
		st, err := s.decodeCommon(ctx, res, errs)
		if err != nil {
			return nil, err
		}
		var p *period
		if len(pmsgs) > 0 {
			k := len(batch) - len(pmsgs)
			if p, err = s.periodFrom(res[k:], errs[k:], first); err != nil {
				p = nil
			}
			res, errs = res[:k], errs[:k]
			p = trimPeriod(p, st, consts, upto)
		}
		for i, id := range ids {
			if errs[nCommon+i] != nil {
				return nil, fmt.Errorf("sts: read withdrawal %s: %w", id, errs[nCommon+i])
			}
			rec, err := s.decodeRequest(res[nCommon+i])
			if err != nil {
				return nil, err
			}
			if rec.RequestTimestamp.Sign() == 0 {
				return nil, &protocol.LimitError{Reason: fmt.Sprintf("stS withdrawal %s does not exist; list yours with `stakewallet withdrawals`", id)}
			}
			st.reqs = append(st.reqs, request{id: id, rec: rec})
		}
		slices.SortFunc(st.reqs, func(a, b request) int { return a.id.Cmp(b.id) })
		return st, s.judgeSFC(ctx, st, p)
	}

	// The owner's list: the count with the delay and the time, then every
	// id and every record.
	num, err := s.msg(s.abis.sts, s.sts, "userNumWithdraws", owner)
	if err != nil {
		return nil, err
	}
	res, errs := protocol.CallAll(ctx, s.b, append(common3, num))
	st, err := s.decodeCommon(ctx, res, errs)
	if err != nil {
		return nil, err
	}
	if errs[nCommon] != nil {
		return nil, fmt.Errorf("sts: read the number of withdrawals of %s: %w", owner.Hex(), errs[nCommon])
	}
	n, err := unpackBig(s.abis.sts, "userNumWithdraws", res[nCommon])
	if err != nil {
		return nil, err
	}
	if n.Sign() == 0 {
		return st, nil
	}
	if !n.IsInt64() || n.Int64() > 1_000_000 {
		return nil, fmt.Errorf("sts: %w: userNumWithdraws = %s", protocol.ErrBadAnswer, n)
	}
	// The ids: one aggregate3 of every userWithdraws(owner, i) where the
	// node has Multicall3, else one eth_call each; with the records.
	var msgs []ethereum.CallMsg
	for i := int64(0); i < n.Int64(); i++ {
		m, err := s.msg(s.abis.sts, s.sts, "userWithdraws", owner, big.NewInt(i))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	perID := msgs
	if st.mc3 {
		agg, err := s.aggregate(msgs)
		if err != nil {
			return nil, err
		}
		msgs = []ethereum.CallMsg{agg}
	}
	all, err := s.msg(s.abis.sts, s.sts, "getUserWithdraws", owner, new(big.Int), n, false)
	if err != nil {
		return nil, err
	}
	// The SFC's withdrawal period and the last epochs' end times ride
	// along (the SFC's rule for stS's own requests; see judgeSFC).
	pmsgs, first, err := s.periodMsgs(st, 0)
	if err != nil {
		return nil, err
	}
	batch := append(append(msgs, all), pmsgs...)
	res, errs = protocol.CallAll(ctx, s.b, batch)
	var p *period
	if len(pmsgs) > 0 {
		k := len(batch) - len(pmsgs)
		if p, err = s.periodFrom(res[k:], errs[k:], first); err != nil {
			p = nil // judgeSFC reads it again if a request needs it
		}
		res, errs = res[:k], errs[:k]
	}
	for i, e := range errs {
		if e != nil {
			return nil, fmt.Errorf("sts: read the withdrawals of %s (call %d): %w", owner.Hex(), i, e)
		}
	}
	vals, err := unpack(s.abis.sts, "getUserWithdraws", res[len(res)-1])
	if err != nil {
		return nil, err
	}
	recs, err := convert[[]withdrawRequest](vals[0])
	if err != nil {
		return nil, fmt.Errorf("sts: %w: getUserWithdraws: %w", protocol.ErrBadAnswer, err)
	}
	if int64(len(recs)) != n.Int64() {
		return nil, fmt.Errorf("sts: %w: getUserWithdraws returned %d requests, userNumWithdraws says %s", protocol.ErrBadAnswer, len(recs), n)
	}
	idRets := res[:len(res)-1]
	if st.mc3 {
		if idRets, err = s.unpackAggregate(res[0], len(perID)); err != nil {
			return nil, err
		}
	}
	for i := range recs {
		id, err := unpackBig(s.abis.sts, "userWithdraws", idRets[i])
		if err != nil {
			return nil, err
		}
		st.reqs = append(st.reqs, request{id: id, rec: recs[i]})
	}
	return st, s.judgeSFC(ctx, st, p)
}

// commonMsgs are withdrawDelay, Multicall3's block timestamp and the
// SFC's constsAddress and currentEpoch, read in the batch of every request
// read.
func (s *STS) commonMsgs() ([]ethereum.CallMsg, error) {
	d, err := s.msg(s.abis.sts, s.sts, "withdrawDelay")
	if err != nil {
		return nil, err
	}
	t, err := s.msg(s.abis.mc3, protocol.Multicall3, "getCurrentBlockTimestamp")
	if err != nil {
		return nil, err
	}
	c, err := s.msg(s.abis.sfc, s.sfc, "constsAddress")
	if err != nil {
		return nil, err
	}
	e, err := s.msg(s.abis.sfc, s.sfc, "currentEpoch")
	if err != nil {
		return nil, err
	}
	return []ethereum.CallMsg{d, t, c, e}, nil
}

// decodeCommon decodes the delay and the time; when the node has no
// Multicall3 (an empty answer), the time comes from the latest header.
func (s *STS) decodeCommon(ctx context.Context, res [][]byte, errs []error) (*state, error) {
	if errs[0] != nil {
		return nil, fmt.Errorf("sts: read withdrawDelay: %w", errs[0])
	}
	delay, err := unpackBig(s.abis.sts, "withdrawDelay", res[0])
	if err != nil {
		return nil, err
	}
	st := &state{delay: delay}
	// The SFC's ConstantsManager and epoch matter only for a validator
	// request past stS's delay; judgeSFC reports their absence then.
	if errs[2] == nil {
		if vals, err := unpack(s.abis.sfc, "constsAddress", res[2]); err == nil {
			st.consts, _ = vals[0].(common.Address)
		}
	}
	if errs[3] == nil {
		if e, err := unpackBig(s.abis.sfc, "currentEpoch", res[3]); err == nil && e.IsUint64() {
			st.epoch = e.Uint64()
		}
	}
	if errs[1] == nil && len(res[1]) == 32 {
		t := new(big.Int).SetBytes(res[1])
		if t.IsUint64() {
			st.now, st.mc3 = t.Uint64(), true
			s.seenNow.Store(st.now)
			return st, nil
		}
	}
	h, err := s.b.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sts: read the latest block: %w", err)
	}
	st.now = h.Time
	s.seenNow.Store(st.now)
	return st, nil
}

func (s *STS) decodeRequest(ret []byte) (withdrawRequest, error) {
	vals, err := unpack(s.abis.sts, "getWithdrawRequest", ret)
	if err != nil {
		return withdrawRequest{}, err
	}
	rec, err := convert[withdrawRequest](vals[0])
	if err != nil {
		return withdrawRequest{}, fmt.Errorf("sts: %w: getWithdrawRequest: %w", protocol.ErrBadAnswer, err)
	}
	if rec.AssetAmount == nil || rec.RequestTimestamp == nil || rec.ValidatorId == nil {
		return withdrawRequest{}, fmt.Errorf("sts: %w: getWithdrawRequest: missing fields", protocol.ErrBadAnswer)
	}
	return rec, nil
}

// Claim implements protocol.Requests: withdraw(id, false) for one request,
// withdrawMany(ids, false) for several (50 per transaction). emergency is
// always false: a request whose validator was slashed is refused, not paid
// short (see the package doc). Every id must belong to owner, be past
// stS's withdrawal delay and unclaimed; otherwise a LimitError names each
// offender. With no ids it claims every claimable request of owner.
// Whether withdrawals are paused, and for each validator request whether
// its validator is slashed, are Checks.
func (s *STS) Claim(ctx context.Context, owner common.Address, rids []protocol.RequestID) ([]protocol.Call, error) {
	return s.claim(ctx, owner, rids, claimChunk)
}

// ClaimBatches implements protocol.ClaimBatcher: perTx requests per
// withdrawMany (a single request: withdraw).
func (s *STS) ClaimBatches(ctx context.Context, rids []protocol.RequestID, perTx int) ([]protocol.Call, error) {
	if perTx <= 0 {
		return nil, fmt.Errorf("sts: claim batch size %d must be positive", perTx)
	}
	return s.claim(ctx, common.Address{}, rids, perTx)
}

// claim builds the calls; a zero owner (ClaimBatches) takes each request's
// own user and skips the owner check.
func (s *STS) claim(ctx context.Context, owner common.Address, rids []protocol.RequestID, perTx int) ([]protocol.Call, error) {
	explicit := len(rids) > 0
	if !explicit && owner == (common.Address{}) {
		return nil, &protocol.LimitError{Reason: "no stS withdrawal ids to claim"}
	}
	st, err := s.readRequests(ctx, owner, rids)
	if err != nil {
		return nil, err
	}
	var problems []string
	var claim []request
	for _, r := range st.reqs {
		switch {
		case owner != (common.Address{}) && r.rec.User != owner:
			if explicit {
				problems = append(problems, fmt.Sprintf("withdrawal %s belongs to %s, not %s (only its owner can withdraw it)", r.id, r.rec.User.Hex(), owner.Hex()))
			}
		case r.rec.Kind == kindClawBack:
			if explicit {
				problems = append(problems, fmt.Sprintf("withdrawal %s is an operator claw-back, executed by the operator, not claimed", r.id))
			}
		case r.rec.IsWithdrawn:
			if explicit {
				problems = append(problems, fmt.Sprintf("withdrawal %s was already claimed", r.id))
			}
		case st.status(r) == protocol.StatusPending:
			if explicit {
				problems = append(problems, s.pendingReason(st, r))
			}
		default:
			claim = append(claim, r)
		}
	}
	if len(problems) > 0 {
		return nil, &protocol.LimitError{Reason: "cannot claim: " + strings.Join(problems, "; ")}
	}
	if len(claim) == 0 {
		return nil, &protocol.LimitError{Reason: "no claimable stS withdrawals for " + owner.Hex()}
	}
	paused, err := s.pausedCheck("withdrawPaused", "Beets has paused stS withdrawals; try again later")
	if err != nil {
		return nil, err
	}
	var calls []protocol.Call
	for start := 0; start < len(claim); start += perTx {
		chunk := claim[start:min(start+perTx, len(claim))]
		ids := make([]*big.Int, len(chunk))
		total := new(big.Int)
		checks := []protocol.Check{paused}
		seenValidator := map[string]bool{}
		for i, r := range chunk {
			ids[i] = r.id
			total.Add(total, r.rec.AssetAmount)
			if r.rec.Kind == kindValidator && !seenValidator[r.rec.ValidatorId.String()] {
				seenValidator[r.rec.ValidatorId.String()] = true
				c, err := s.slashedCheck(r.rec.ValidatorId, r.id)
				if err != nil {
					return nil, err
				}
				checks = append(checks, c)
			}
		}
		var data []byte
		gas := uint64(gasWithdraw * len(chunk))
		if len(chunk) == 1 {
			data, err = pack(s.abis.sts, "withdraw", ids[0], false)
		} else {
			data, err = pack(s.abis.sts, "withdrawMany", ids, false)
		}
		if err != nil {
			return nil, err
		}
		calls = append(calls, protocol.Call{
			Action:      "withdraw",
			Description: s.claimDescription(total, ids),
			To:          s.sts,
			Data:        data,
			Amount:      total,
			Token:       s.native,
			GasHint:     gas,
			Checks:      checks,
		})
	}
	return calls, nil
}

// slashedCheck refuses a claim whose validator is slashed: withdraw(id,
// false) would revert SfcSlashMustBeAccepted, and stakewallet never sends
// emergency=true.
func (s *STS) slashedCheck(validator, id *big.Int) (protocol.Check, error) {
	m, err := s.msg(s.abis.sfc, s.sfc, "isSlashed", validator)
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: m, Verify: func(ret []byte) error {
		slashed, err := unpackBool(s.abis.sfc, "isSlashed", ret)
		if err != nil {
			return err
		}
		if slashed {
			return &protocol.LimitError{Reason: fmt.Sprintf(
				"withdrawal %s: validator %s was slashed, so the SFC would pay less than the request's amount. "+
					"stS only pays it out as an emergency withdrawal (withdraw(id, true)), which accepts the slashing loss "+
					"and skips the check that the SFC paid in full; stakewallet never sends one. Wait for Sonic to set "+
					"the validator's slashing refund ratio and follow Beets' announcements", id, validator)}
		}
		return nil
	}}, nil
}

func (s *STS) claimDescription(total *big.Int, ids []*big.Int) string {
	noun := "withdrawal"
	if len(ids) > 1 {
		noun = "withdrawals"
	}
	d := fmt.Sprintf("Claim %s from %d stS %s", amount.FormatUnits(total, s.native.Decimals, s.native.Symbol), len(ids), noun)
	if len(ids) <= 10 {
		strs := make([]string, len(ids))
		for i, id := range ids {
			strs[i] = "#" + id.String()
		}
		d += " (" + strings.Join(strs, ", ") + ")"
	}
	return d + "; not an emergency withdrawal"
}

// convert copies an ABI-decoded tuple (an anonymous struct) into T, field
// by name; a panic of the reflection (a lying node's shape) is an error.
func convert[T any](v any) (out T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unexpected shape %T", v)
		}
	}()
	p, ok := abi.ConvertType(v, new(T)).(*T)
	if !ok {
		return out, fmt.Errorf("unexpected shape %T", v)
	}
	return *p, nil
}

// pendingReason says why a pending request cannot be claimed yet.
func (s *STS) pendingReason(st *state, r request) string {
	rule, ok := st.sfc[r.id.String()]
	if !ok {
		at := r.claimableAt(st.delay)
		return fmt.Sprintf("withdrawal %s is still pending: claimable from %s (stS's withdrawal delay); `stakewallet withdrawals wait` waits for it",
			r.id, time.Unix(at.Int64(), 0).UTC().Format(time.RFC3339))
	}
	when := "at a time the recent epochs do not tell"
	if rule.due != nil {
		when = "around " + rule.due.Format(time.RFC3339)
	}
	why := "the SFC's withdrawal period for stS's own request on validator " + r.rec.ValidatorId.String()
	if rule.timeOK {
		why = fmt.Sprintf("the SFC still needs %d more sealed epochs (withdrawalPeriodEpochs) before stS can withdraw its own request on validator %s",
			rule.needed, r.rec.ValidatorId)
	}
	return fmt.Sprintf("withdrawal %s is still pending: stS's delay has passed, but %s; claimable %s; `stakewallet withdrawals wait` waits for it",
		r.id, why, when)
}
