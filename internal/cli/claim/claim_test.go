package claim

import (
	"math/big"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func TestFitPerTx(t *testing.T) {
	tests := []struct {
		name      string
		sampleGas uint64
		sampleIDs int
		limit     uint64
		total     int
		want      int
	}{
		// 20 ids took 1M gas: 60k per id with the 20% margin.
		{"all fit", 1_000_000, 20, 16_777_216, 200, 200},
		{"EIP-7825 cap splits", 1_000_000, 20, 16_777_216, 1000, 279},
		{"--gas-limit splits further", 1_000_000, 20, 3_000_000, 1000, 49},
		{"never below one", 1_000_000, 20, 10_000, 5, 1},
		{"one id sampled", 80_000, 1, 1_000_000, 50, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fitPerTx(tt.sampleGas, tt.sampleIDs, tt.limit, tt.total)
			if got != tt.want {
				t.Errorf("fitPerTx = %d, want %d", got, tt.want)
			}
			perID := tt.sampleGas * 12 / 10 / uint64(tt.sampleIDs)
			if got > 1 && uint64(got)*perID > tt.limit {
				t.Errorf("%d ids × %d gas exceed the limit %d", got, perID, tt.limit)
			}
		})
	}
}

func TestTotal(t *testing.T) {
	ws := []protocol.Withdrawal{
		{ID: "1", Status: protocol.StatusClaimable, Claimable: big.NewInt(10)},
		{ID: "2", Status: protocol.StatusPending},
		{ID: "3", Status: protocol.StatusClaimed},
		{ID: "4", Status: protocol.StatusClaimable, Claimable: big.NewInt(5)},
		{ID: "5", Status: protocol.StatusExpired, Claimable: big.NewInt(7)},
	}
	ids, total := Total(ws)
	if len(ids) != 2 || ids[0] != "1" || ids[1] != "4" || total.Int64() != 15 {
		t.Errorf("Total = %v, %s", ids, total)
	}
}
