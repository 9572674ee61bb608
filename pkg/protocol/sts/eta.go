package sts

import (
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Estimator implements protocol.Estimating: a stS request is claimable at
// requestTimestamp + withdrawDelay, which Withdrawals already reports as
// ClaimableAt, so estimating reads nothing but the latest block's time (for
// AsOf).
func (s *STS) Estimator() protocol.Estimator {
	return protocol.FixedETA{
		Name:    "sts",
		Backend: s.b,
		ETA:     func(w protocol.Withdrawal) *time.Time { return w.ClaimableAt },
		Known:   "stS's withdrawal delay after the request (withdrawDelay; the SFC's own withdrawal period runs alongside)",
		Unknown: "the request's time is unknown",
	}
}

// RateCall implements protocol.Rater: getRate(), the S one stS (1e18
// shares) is worth (convertToAssets(1e18)).
func (s *STS) RateCall() (ethereum.CallMsg, func(ret []byte) (*big.Int, error)) {
	to := s.sts
	return ethereum.CallMsg{To: &to, Data: append([]byte(nil), s.abis.sts.Methods["getRate"].ID...)},
		func(ret []byte) (*big.Int, error) { return unpackBig(s.abis.sts, "getRate", ret) }
}
