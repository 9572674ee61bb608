package polygon

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// withdrawal: the status from the epoch rule, the amount from the withdraw
// rate and precision, and the ETA from the checkpoint cadence.
func TestWithdrawalStatusAndETA(t *testing.T) {
	a := &Polygon{pol: POLToken(common.HexToAddress("0x01"))}
	const now = 1_000_000
	withCadence := &chainState{epoch: 100, delay: 80, now: now, interval: 1800, lastAt: now - 600}
	noCadence := &chainState{epoch: 100, delay: 80, now: now}
	hundred := big.NewInt(100)
	for _, tc := range []struct {
		name       string
		st         *chainState
		id         uint64
		shares     int64
		epoch      uint64
		rate       *big.Int
		status     protocol.Status
		amount     int64
		eta        int64 // unix; 0 = none
		requestAgo int64 // seconds before now
	}{
		{"pending", withCadence, 1, 500, 90, hundred, protocol.StatusPending, 500, now - 600 + 70*1800, 10 * 1800},
		{"due exactly now", withCadence, 1, 500, 20, hundred, protocol.StatusClaimable, 500, 0, 80 * 1800},
		{"one epoch to go", withCadence, 1, 500, 21, hundred, protocol.StatusPending, 500, now - 600 + 1800, 79 * 1800},
		{"no cadence", noCadence, 1, 500, 90, hundred, protocol.StatusPending, 500, 0, 0},
		{"claimed", withCadence, 1, 0, 0, hundred, protocol.StatusClaimed, 0, 0, 0},
		{"high precision", withCadence, 9, 3, 10, new(big.Int).Mul(big.NewInt(2), precision(9)), protocol.StatusClaimable, 6, 0, 90 * 1800},
	} {
		w := a.withdrawal(common.Address{}, tc.st, reqID{validator: tc.id, nonce: 1}, big.NewInt(tc.shares), new(big.Int).SetUint64(tc.epoch), tc.rate)
		if w.Status != tc.status || w.Amount.Int64() != tc.amount {
			t.Errorf("%s: %s of %s, want %s of %d", tc.name, w.Status, w.Amount, tc.status, tc.amount)
		}
		if (w.Claimable != nil) != (tc.status == protocol.StatusClaimable) {
			t.Errorf("%s: claimable %v with status %s", tc.name, w.Claimable, w.Status)
		}
		switch {
		case tc.eta == 0 && w.ETA != nil:
			t.Errorf("%s: ETA %v, want none", tc.name, w.ETA)
		case tc.eta != 0 && (w.ETA == nil || w.ETA.Unix() != tc.eta):
			t.Errorf("%s: ETA %v, want %v", tc.name, w.ETA, time.Unix(tc.eta, 0).UTC())
		}
		if tc.status != protocol.StatusClaimed && w.RequestedAt.Unix() != now-tc.requestAgo {
			t.Errorf("%s: requested at %v, want %v", tc.name, w.RequestedAt, time.Unix(now-tc.requestAgo, 0).UTC())
		}
	}
}

func TestRestakeTarget(t *testing.T) {
	a := &Polygon{}
	for _, tc := range []struct {
		name    string
		targets []string
		want    string // "" = a LimitError
	}{
		{"one validator", []string{"4", "4"}, "4"},
		{"several", []string{"4", "7"}, ""},
		{"none", nil, ""},
	} {
		var ws []protocol.Withdrawal
		for _, tg := range tc.targets {
			ws = append(ws, protocol.Withdrawal{Target: tg})
		}
		got, err := a.RestakeTarget(t.Context(), common.Address{}, ws)
		var le *protocol.LimitError
		if tc.want == "" && !errors.As(err, &le) || tc.want != "" && (err != nil || got != tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
