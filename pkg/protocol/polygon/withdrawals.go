package polygon

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// maxDeposits is RootChain's MAX_DEPOSITS: header block ids step by it.
const maxDeposits = 10_000

// cadenceWindow is how many checkpoints back the average interval is taken
// over.
const cadenceWindow = 5

// chainState is what one batch reads besides the requests: the epoch, the
// withdrawal delay, the latest checkpoint's id and the latest block's time.
type chainState struct {
	epoch, delay, header uint64
	now                  uint64
	// interval is the average seconds between the last checkpoints; 0 when
	// unknown (fewer than two checkpoints, or no time between them).
	interval float64
	// lastAt is the latest checkpoint's time.
	lastAt uint64
}

// stateReads are the reads of chainState, to put first in a batch.
func (a *Polygon) stateReads() ([]ethereum.CallMsg, error) {
	var msgs []ethereum.CallMsg
	for _, r := range []struct {
		ab     string
		method string
	}{{"sm", "epoch"}, {"sm", "withdrawalDelay"}, {"root", "currentHeaderBlock"}, {"mc3", "getCurrentBlockTimestamp"}} {
		var m ethereum.CallMsg
		var err error
		switch r.ab {
		case "sm":
			m, err = msg(a.abis.sm, a.sm, r.method)
		case "root":
			m, err = msg(a.abis.root, a.root, r.method)
		default:
			m, err = msg(a.abis.mc3, protocol.Multicall3, r.method)
		}
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

func (a *Polygon) parseState(rets [][]byte, errs []error) (*chainState, error) {
	names := []string{"epoch", "withdrawalDelay", "currentHeaderBlock", "getCurrentBlockTimestamp"}
	vals := make([]uint64, len(names))
	for i, name := range names {
		if errs[i] != nil {
			return nil, fmt.Errorf("polygon: read %s: %w", name, errs[i])
		}
		ab := a.abis.sm
		switch i {
		case 2:
			ab = a.abis.root
		case 3:
			ab = a.abis.mc3
		}
		v, err := unpackBig(ab, name, rets[i])
		if err != nil {
			return nil, err
		}
		if !v.IsUint64() {
			return nil, fmt.Errorf("polygon: %w: %s = %s", protocol.ErrBadAnswer, name, v)
		}
		vals[i] = v.Uint64()
	}
	a.seenNow.Store(vals[3])
	return &chainState{epoch: vals[0], delay: vals[1], header: vals[2], now: vals[3]}, nil
}

// cadenceBack is how many checkpoints before the latest the second
// cadence read is (cadenceWindow, or fewer near the first); ok is false
// before the first checkpoint.
func cadenceBack(header uint64) (back uint64, ok bool) {
	if header < maxDeposits {
		return 0, false
	}
	back = uint64(cadenceWindow)
	if n := header/maxDeposits - 1; n < back {
		back = n
	}
	return back, true
}

// cadenceReads are the headerBlocks reads of the latest checkpoint and the
// one cadenceWindow checkpoints before it (or the first).
func (a *Polygon) cadenceReads(st *chainState) ([]ethereum.CallMsg, uint64, error) {
	back, ok := cadenceBack(st.header)
	if !ok {
		return nil, 0, nil
	}
	var msgs []ethereum.CallMsg
	for _, id := range []uint64{st.header, st.header - back*maxDeposits} {
		m, err := msg(a.abis.root, a.root, "headerBlocks", new(big.Int).SetUint64(id))
		if err != nil {
			return nil, 0, err
		}
		msgs = append(msgs, m)
	}
	return msgs, back, nil
}

func (a *Polygon) parseCadence(st *chainState, back uint64, rets [][]byte, errs []error) error {
	if len(rets) == 0 {
		return nil
	}
	var at [2]uint64
	for i := range at {
		if errs[i] != nil {
			return fmt.Errorf("polygon: read a RootChain checkpoint: %w", errs[i])
		}
		vals, err := unpack(a.abis.root, "headerBlocks", rets[i])
		if err != nil {
			return err
		}
		created, ok := vals[3].(*big.Int)
		if len(vals) != 5 || !ok || !created.IsUint64() {
			return fmt.Errorf("polygon: %w: headerBlocks returned %v", protocol.ErrBadAnswer, vals)
		}
		at[i] = created.Uint64()
	}
	st.setCadence(back, at)
	return nil
}

// setCadence sets the latest checkpoint's time and the average interval
// from the createdAt of the latest checkpoint and of the one back
// checkpoints before it.
func (st *chainState) setCadence(back uint64, at [2]uint64) {
	st.lastAt = at[0]
	if back > 0 && at[1] > 0 && at[0] > at[1] {
		st.interval = float64(at[0]-at[1]) / float64(back)
	}
}

// unbondRead is one request's read in a batch.
type unbondRead struct {
	r     reqID
	share common.Address
}

// validatorIDs are the ids of every validator with a ValidatorShare, read
// (Validators) once per adapter.
func (a *Polygon) validatorIDs(ctx context.Context, r *reader) ([]uint64, error) {
	if ids := a.listedIDs(); ids != nil {
		return ids, nil
	}
	vs, err := a.validators(ctx, r)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, 0, len(vs))
	for _, v := range vs {
		id, err := ParseValidator(v.ID)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	a.mu.Lock()
	a.listed = ids
	a.mu.Unlock()
	return ids, nil
}

// listedIDs are the validator ids once listed; nil before.
func (a *Polygon) listedIDs() []uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.listed
}

// Withdrawals implements protocol.Requests: in one round trip through the
// lens (lens.go), beside the first reads of the way without it, which
// continues where a node gives the lens no answer. Listing every request
// of owner (ids empty) then reads the validators' ValidatorShares once per
// adapter (Validators: one round trip up to 32 validators), then two
// round trips: the epoch, delay, checkpoint and each share's
// unbondNonces(owner); then every unbonds_new(owner, nonce), each share's
// withdrawExchangeRate and the checkpoints' times. With ids, the
// ValidatorShares of their validators (once per adapter) and the same two
// round trips. A request whose unbond is deleted (shares 0) but whose
// nonce was issued is claimed.
func (a *Polygon) Withdrawals(ctx context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	want, err := parseIDs(ids)
	if err != nil {
		return nil, err
	}
	r := a.direct()
	if !a.lensOff.Load() {
		q := lensQuery{owners: []common.Address{owner}, unbonds: true, reqs: want}
		if len(want) == 0 {
			q.ids = a.listedIDs()
		} else {
			q.ids = validatorsOf(want)
		}
		first, err := a.firstReads(q.ids, len(want) == 0, func(shares map[uint64]common.Address) ([]ethereum.CallMsg, error) {
			return a.nonceMsgs(owner, q.ids, shares)
		})
		if err != nil {
			return nil, err
		}
		answers, ok, rets, errs := a.lensRound(ctx, []lensQuery{q}, first)
		if ok {
			return a.lensWithdrawals(q, answers[0], 0)
		}
		r.prime(first, rets, errs)
	}
	return a.withdrawals(ctx, r, owner, want)
}

// validatorsOf are the validators of want, distinct, in order.
func validatorsOf(want []reqID) []uint64 {
	var vids []uint64
	for _, r := range want {
		if !slices.Contains(vids, r.validator) {
			vids = append(vids, r.validator)
		}
	}
	return vids
}

// nonceMsgs are Withdrawals' first batch once the ValidatorShares are
// known: the state and each validator's nonce count.
func (a *Polygon) nonceMsgs(owner common.Address, vids []uint64, shares map[uint64]common.Address) ([]ethereum.CallMsg, error) {
	msgs, err := a.stateReads()
	if err != nil {
		return nil, err
	}
	for _, id := range vids {
		m, err := msg(a.abis.share, shares[id], "unbondNonces", owner)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// withdrawals is Withdrawals without the lens.
func (a *Polygon) withdrawals(ctx context.Context, r *reader, owner common.Address, want []reqID) ([]protocol.Withdrawal, error) {
	var vids []uint64
	var err error
	if len(want) == 0 {
		if vids, err = a.validatorIDs(ctx, r); err != nil {
			return nil, err
		}
	} else {
		vids = validatorsOf(want)
	}
	shares, err := a.shares(ctx, r, vids)
	if err != nil {
		return nil, err
	}
	// Batch 1: the state and each validator's nonce count.
	msgs, err := a.nonceMsgs(owner, vids, shares)
	if err != nil {
		return nil, err
	}
	base := len(msgs) - len(vids)
	rets, errs := r.callAll(ctx, msgs)
	st, err := a.parseState(rets, errs)
	if err != nil {
		return nil, err
	}
	nonces := map[uint64]uint64{}
	for i, id := range vids {
		if errs[base+i] != nil {
			return nil, fmt.Errorf("polygon: read unbondNonces on validator %d: %w", id, errs[base+i])
		}
		n, err := unpackBig(a.abis.share, "unbondNonces", rets[base+i])
		if err != nil {
			return nil, err
		}
		if !n.IsUint64() {
			return nil, fmt.Errorf("polygon: %w: unbondNonces = %s", protocol.ErrBadAnswer, n)
		}
		nonces[id] = n.Uint64()
	}
	if len(want) == 0 {
		for _, id := range vids {
			for n := uint64(1); n <= nonces[id]; n++ {
				want = append(want, reqID{validator: id, nonce: n})
			}
		}
	} else if err := checkNonces(owner, want, nonces); err != nil {
		return nil, err
	}
	if len(want) == 0 {
		return nil, nil // no unbond ever: nothing more to read
	}
	// Batch 2: the requests, each validator's withdraw rate, the
	// checkpoints' times.
	msgs = nil
	var reads []unbondRead
	for _, r := range want {
		m, err := msg(a.abis.share, shares[r.validator], "unbonds_new", owner, new(big.Int).SetUint64(r.nonce))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
		reads = append(reads, unbondRead{r: r, share: shares[r.validator]})
	}
	rateAt := map[uint64]int{}
	for _, r := range want {
		if _, ok := rateAt[r.validator]; ok {
			continue
		}
		m, err := msg(a.abis.share, shares[r.validator], "withdrawExchangeRate")
		if err != nil {
			return nil, err
		}
		rateAt[r.validator] = len(msgs)
		msgs = append(msgs, m)
	}
	cad, back, err := a.cadenceReads(st)
	if err != nil {
		return nil, err
	}
	cadAt := len(msgs)
	msgs = append(msgs, cad...)
	rets, errs = r.callAll(ctx, msgs)
	if err := a.parseCadence(st, back, rets[cadAt:], errs[cadAt:]); err != nil {
		return nil, err
	}
	rates := map[uint64]*big.Int{}
	for id, i := range rateAt {
		if errs[i] != nil {
			return nil, fmt.Errorf("polygon: read withdrawExchangeRate of validator %d: %w", id, errs[i])
		}
		v, err := unpackBig(a.abis.share, "withdrawExchangeRate", rets[i])
		if err != nil {
			return nil, err
		}
		rates[id] = v
	}
	out := make([]protocol.Withdrawal, 0, len(reads))
	for i, rd := range reads {
		if errs[i] != nil {
			return nil, fmt.Errorf("polygon: read unbond %s: %w", rd.r.id(), errs[i])
		}
		v, err := unpackBigs(a.abis.share, "unbonds_new", rets[i], 2)
		if err != nil {
			return nil, err
		}
		out = append(out, a.withdrawal(owner, st, rd.r, v[0], v[1], rates[rd.r.validator]))
	}
	return out, nil
}

// checkNonces refuses a request of want whose nonce was never issued.
func checkNonces(owner common.Address, want []reqID, nonces map[uint64]uint64) error {
	for _, r := range want {
		if r.nonce > nonces[r.validator] {
			return &protocol.LimitError{Reason: fmt.Sprintf("%s has no unbond request %s: its unbonds from Polygon validator %d are numbered 1 to %d", owner.Hex(), r.id(), r.validator, nonces[r.validator])}
		}
	}
	return nil
}

// withdrawal is one request from its unbond (withdraw-pool shares and
// withdrawEpoch).
func (a *Polygon) withdrawal(owner common.Address, st *chainState, r reqID, shares, withdrawEpoch, rate *big.Int) protocol.Withdrawal {
	w := protocol.Withdrawal{
		ID: r.id(), Protocol: a.Name(), Owner: owner, Target: fmt.Sprint(r.validator),
		Amount: new(big.Int), Token: a.pol, Status: protocol.StatusClaimed,
	}
	if shares.Sign() == 0 {
		return w
	}
	w.Amount = new(big.Int).Div(new(big.Int).Mul(rate, shares), precision(r.validator))
	we := withdrawEpoch.Uint64()
	// The unbond was made during epoch we, about (epoch − we) checkpoint
	// intervals before the latest block.
	w.RequestedAt = time.Unix(int64(st.now), 0).UTC()
	if st.interval > 0 && st.epoch > we {
		w.RequestedAt = w.RequestedAt.Add(-time.Duration(float64(st.epoch-we) * st.interval * float64(time.Second)))
	}
	if due := we + st.delay; due <= st.epoch {
		w.Status = protocol.StatusClaimable
		w.Claimable = new(big.Int).Set(w.Amount)
		return w
	}
	w.Status = protocol.StatusPending
	if eta, ok := st.eta(we + st.delay); ok {
		w.ETA = &eta
	}
	return w
}

// eta is when epoch `due` should begin: the latest checkpoint's time plus
// the remaining checkpoints at the average interval (never before the
// latest block).
func (st *chainState) eta(due uint64) (time.Time, bool) {
	if st.interval <= 0 || due <= st.epoch {
		return time.Time{}, false
	}
	at := float64(st.lastAt) + float64(due-st.epoch)*st.interval
	t := time.Unix(int64(at), 0).UTC()
	if now := time.Unix(int64(st.now), 0).UTC(); t.Before(now) {
		t = now
	}
	return t, true
}
