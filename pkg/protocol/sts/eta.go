package sts

import (
	"context"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Estimator implements protocol.Estimating: a stS request is claimable at
// requestTimestamp + withdrawDelay, or, for a validator request past that,
// when the SFC lets stS withdraw its own request (its time and epoch
// count), which Withdrawals already reports as ETA, so estimating reads
// nothing (AsOf is the chain time Withdrawals read). A request held back
// only by the SFC's epoch count says so in its note.
func (s *STS) Estimator() protocol.Estimator {
	return stsETA{s: s, fixed: protocol.FixedETA{
		Name:    "sts",
		Backend: s.b,
		ETA:     func(w protocol.Withdrawal) *time.Time { return w.ETA },
		Known:   "stS's withdrawal delay after the request (withdrawDelay; the SFC's own withdrawal period runs alongside)",
		Unknown: "the request's time is unknown",
		// Withdrawals read the chain's time with the requests.
		ChainTime: func() (time.Time, bool) {
			n := s.seenNow.Load()
			return time.Unix(int64(n), 0), n != 0
		},
	}}
}

// epochsNote is the note of a request held back only by the SFC's epochs.
const epochsNote = "stS's withdrawal delay has passed, but the SFC needs more sealed epochs (withdrawalPeriodEpochs) before stS can withdraw its own request; ETA at the median length of the last sealed epochs"

// epochsUnknown is that note when the epoch length is unknown.
const epochsUnknown = "stS's withdrawal delay has passed, but the SFC needs more sealed epochs (withdrawalPeriodEpochs) before stS can withdraw its own request; the epoch cadence is unknown"

type stsETA struct {
	s     *STS
	fixed protocol.FixedETA
}

// Estimate implements protocol.Estimator.
func (e stsETA) Estimate(ctx context.Context, ws []protocol.Withdrawal) (map[protocol.RequestID]protocol.Estimate, error) {
	out, err := e.fixed.Estimate(ctx, ws)
	if err != nil {
		return nil, err
	}
	e.s.mu.Lock()
	only := e.s.epochsOnly
	e.s.mu.Unlock()
	for id, est := range out {
		if only[id] {
			if est.ETA != nil {
				est.Note = epochsNote
			} else {
				est.Note = epochsUnknown
			}
			out[id] = est
		}
	}
	return out, nil
}

// RateCall implements protocol.Rater: getRate(), the S one stS (1e18
// shares) is worth (convertToAssets(1e18)).
func (s *STS) RateCall() (ethereum.CallMsg, func(ret []byte) (*big.Int, error)) {
	to := s.sts
	return ethereum.CallMsg{To: &to, Data: append([]byte(nil), s.abis.sts.Methods["getRate"].ID...)},
		func(ret []byte) (*big.Int, error) { return unpackBig(s.abis.sts, "getRate", ret) }
}
