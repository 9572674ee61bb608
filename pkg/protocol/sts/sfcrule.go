package sts

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

// epochWindow is how many of the last sealed epochs' end times a request
// read carries: they tell how many epochs were sealed after each request
// (enough when withdrawalPeriodEpochs is at most this; Sonic's is 3) and
// the epoch length of an ETA.
const epochWindow = 8

// sfcRule is the SFC's own rule for the SFC request a validator request
// redeems. SonicStaking.withdraw calls SFC.withdraw(validatorId,
// withdrawId): the request getWithdrawalRequest(stS, validatorId,
// withdrawId), made in the same transaction as stS's request (so at its
// requestTimestamp, in the epoch then current), is withdrawable once
// withdrawalPeriodTime has passed and currentEpoch >= its epoch +
// withdrawalPeriodEpochs, that is once withdrawalPeriodEpochs epochs were
// sealed after it. The epochs sealed after it are counted from the end
// times of the last epochs (an epoch that ended in the request's second
// is not counted: never claimable too early). A deactivated validator's
// earlier date (the SFC's shortcut) is ignored: never too early either.
type sfcRule struct {
	claimable bool
	timeOK    bool       // the SFC's time rule has passed
	due       *time.Time // when both SFC rules pass; nil when the epoch length is unknown
	needed    uint64     // epochs still to seal
}

// period is the SFC's withdrawal period and the epoch clock.
type period struct {
	time, epochs *big.Int
	ends         []uint64 // end times of epochs first..current-1
	first        uint64
}

// periodMsgs are the reads of the period: withdrawalPeriodTime,
// withdrawalPeriodEpochs and the end times of the last epochWindow sealed
// epochs (of epochs from first on when first > 0).
func (s *STS) periodMsgs(st *state, first uint64) ([]ethereum.CallMsg, uint64, error) {
	if st.consts == (common.Address{}) || st.epoch == 0 {
		return nil, 0, nil
	}
	return s.periodMsgsTo(st.consts, first, st.epoch)
}

// periodMsgsTo is periodMsgs for ConstantsManager consts and currentEpoch
// current (end times of the epochs before it).
func (s *STS) periodMsgsTo(consts common.Address, first, current uint64) ([]ethereum.CallMsg, uint64, error) {
	st := &state{consts: consts, epoch: current}
	pt, err := s.msg(s.abis.period, st.consts, "withdrawalPeriodTime")
	if err != nil {
		return nil, 0, err
	}
	pe, err := s.msg(s.abis.period, st.consts, "withdrawalPeriodEpochs")
	if err != nil {
		return nil, 0, err
	}
	msgs := []ethereum.CallMsg{pt, pe}
	if first == 0 {
		first = max(1, st.epoch-min(st.epoch, epochWindow))
	}
	for e := first; e < st.epoch; e++ {
		m, err := s.msg(s.abis.period, s.sfc, "epochEndTime", new(big.Int).SetUint64(e))
		if err != nil {
			return nil, 0, err
		}
		msgs = append(msgs, m)
	}
	return msgs, first, nil
}

// periodFrom decodes periodMsgs' answers.
func (s *STS) periodFrom(res [][]byte, errs []error, first uint64) (*period, error) {
	for i, e := range errs {
		if e != nil {
			return nil, fmt.Errorf("sts: read the SFC's withdrawal period (call %d): %w", i, e)
		}
	}
	p := &period{first: first}
	var err error
	if p.time, err = unpackBig(s.abis.period, "withdrawalPeriodTime", res[0]); err != nil {
		return nil, err
	}
	if p.epochs, err = unpackBig(s.abis.period, "withdrawalPeriodEpochs", res[1]); err != nil {
		return nil, err
	}
	for _, r := range res[2:] {
		t, err := unpackBig(s.abis.period, "epochEndTime", r)
		if err != nil {
			return nil, err
		}
		p.ends = append(p.ends, t.Uint64())
	}
	return p, nil
}

// seen remembers the ConstantsManager and the epoch of a read, so that a
// read by id carries the period in its only batch (see readRequests).
func (s *STS) seen(st *state) {
	if st.consts == (common.Address{}) || st.epoch == 0 {
		return
	}
	s.mu.Lock()
	s.lastConsts, s.lastEpoch = st.consts, st.epoch
	s.mu.Unlock()
}

// epochSlack is how many epochs past the last seen one a read by id
// carries end times for (epochs sealed since).
const epochSlack = 4

// guessPeriodMsgs are the period reads for a batch whose epoch is not
// known yet: around the last seen one; none before any read.
func (s *STS) guessPeriodMsgs() ([]ethereum.CallMsg, common.Address, uint64, uint64, error) {
	s.mu.Lock()
	consts, last := s.lastConsts, s.lastEpoch
	s.mu.Unlock()
	if consts == (common.Address{}) || last == 0 {
		return nil, consts, 0, 0, nil
	}
	msgs, first, err := s.periodMsgsTo(consts, max(1, last-min(last, epochWindow)), last+epochSlack)
	return msgs, consts, first, last + epochSlack, err
}

// trimPeriod fits a period read for epochs before upto to the state's
// current epoch; nil when it does not fit (judgeSFC reads it again).
func trimPeriod(p *period, st *state, consts common.Address, upto uint64) *period {
	if p == nil || st.epoch > upto || st.epoch < p.first || st.consts != consts {
		return nil
	}
	p.ends = p.ends[:st.epoch-p.first]
	return p
}

// candidates are the validator requests stS's own delay no longer holds
// back: only those can be held by the SFC (before, stS's delay runs
// alongside the SFC's).
func (st *state) candidates() []request {
	var out []request
	for _, r := range st.reqs {
		if r.rec.Kind == kindValidator && !r.rec.IsWithdrawn && r.claimableAt(st.delay).Cmp(new(big.Int).SetUint64(st.now)) <= 0 {
			out = append(out, r)
		}
	}
	return out
}

// judgeSFC sets st.sfc from the period read with the requests (p), or,
// for requests read by id (p nil), from one more batch, read only when a
// validator request is past stS's delay.
func (s *STS) judgeSFC(ctx context.Context, st *state, p *period) error {
	s.seen(st)
	cand := st.candidates()
	if len(cand) == 0 {
		return nil
	}
	if st.consts == (common.Address{}) || st.epoch == 0 {
		return fmt.Errorf("sts: %w: the SFC at %s named no ConstantsManager or epoch", protocol.ErrBadAnswer, s.sfc.Hex())
	}
	read := func(first uint64) (*period, error) {
		msgs, first, err := s.periodMsgs(st, first)
		if err != nil {
			return nil, err
		}
		res, errs := protocol.CallAll(ctx, s.b, msgs)
		return s.periodFrom(res, errs, first)
	}
	var err error
	if p == nil {
		if p, err = read(0); err != nil {
			return err
		}
	}
	// A withdrawal period longer than the window: the end time that
	// decides (rare; one more read).
	if pe := p.epochs; pe.IsUint64() && pe.Sign() > 0 && pe.Uint64() < st.epoch && st.epoch-pe.Uint64() < p.first {
		if p, err = read(st.epoch - p.epochs.Uint64()); err != nil {
			return err
		}
	}
	st.sfc = map[string]sfcRule{}
	for _, r := range cand {
		st.sfc[r.id.String()] = ruleOf(r.rec.RequestTimestamp, p, st.now, st.epoch)
	}
	return nil
}

// ruleOf judges the SFC request made at reqTime by the period p at block
// time now and currentEpoch current.
func ruleOf(reqTime *big.Int, p *period, now, current uint64) sfcRule {
	var r sfcRule
	dueTime := new(big.Int).Add(reqTime, p.time)
	if !dueTime.IsInt64() || !p.epochs.IsUint64() {
		return r // never, as far as we can tell
	}
	r.timeOK = dueTime.Cmp(new(big.Int).SetUint64(now)) <= 0
	// Epochs sealed after the request, counted from the newest down.
	var after uint64
	for i := len(p.ends) - 1; i >= 0 && p.ends[i] > reqTime.Uint64(); i-- {
		after++
	}
	need := p.epochs.Uint64()
	r.claimable = r.timeOK && after >= need
	eta := dueTime.Uint64()
	if after < need {
		r.needed = need - after
		l := epochLength(p.ends)
		if l == nil || len(p.ends) == 0 {
			return r
		}
		eta = max(eta, p.ends[len(p.ends)-1]+r.needed*l.Uint64(), now)
	}
	t := time.Unix(int64(eta), 0).UTC()
	r.due = &t
	return r
}

// epochLength is the median length between consecutive end times; nil
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
