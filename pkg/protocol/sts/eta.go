package sts

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Estimator implements protocol.Estimating: a stS request is claimable at
// requestTimestamp + withdrawDelay, which Withdrawals already reports as
// ClaimableAt, so estimating reads nothing but the latest block's time (for
// AsOf).
func (s *STS) Estimator() protocol.Estimator { return &estimator{s: s} }

type estimator struct{ s *STS }

// Estimate implements protocol.Estimator.
func (e *estimator) Estimate(ctx context.Context, ws []protocol.Withdrawal) (map[protocol.RequestID]protocol.Estimate, error) {
	asOf := time.Now().UTC()
	if h, err := e.s.b.HeaderByNumber(ctx, nil); err != nil {
		return nil, fmt.Errorf("sts: read the latest block: %w", err)
	} else if t := time.Unix(int64(h.Time), 0).UTC(); t.After(asOf) {
		asOf = t
	}
	out := map[protocol.RequestID]protocol.Estimate{}
	for _, w := range ws {
		if w.Status != protocol.StatusPending {
			continue
		}
		est := protocol.Estimate{AsOf: asOf}
		if w.ClaimableAt != nil {
			t := *w.ClaimableAt
			est.ETA = &t
			est.Note = "stS's withdrawal delay after the request (withdrawDelay; the SFC's own withdrawal period runs alongside)"
		} else {
			est.Note = "the request's time is unknown"
		}
		out[w.ID] = est
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
