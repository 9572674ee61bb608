package lido

import (
	"os"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"

	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
)

// TestLensSelectors: every read of LidoQueueLens has the selector and the
// return types of the adapter's ABI (copied from the real contracts), the
// .sol declares exactly those, and the compiled artifact pushes each
// selector.
func TestLensSelectors(t *testing.T) {
	abis, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("lens/LidoQueueLens.sol")
	if err != nil {
		t.Fatal(err)
	}
	protocoltest.CheckLensReads(t, protocoltest.LensReads{
		Name: "LidoQueueLens", Source: src, Artifact: lensArtifact,
		Reads: map[string][]string{
			"IWithdrawalQueue": {
				"getWithdrawalRequests(address)", "getWithdrawalStatus(uint256[])", "getLastFinalizedRequestId()",
				"getLastCheckpointIndex()", "findCheckpointHints(uint256[],uint256,uint256)",
				"getClaimableEther(uint256[],uint256[])", "isPaused()", "isBunkerModeActive()",
			},
			"IStETH": {"getBufferedEther()"},
		},
		ABIs: map[string]*abi.ABI{"IWithdrawalQueue": abis.queue, "IStETH": abis.stETH},
	})
}
