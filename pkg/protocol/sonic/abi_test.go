package sonic_test

import (
	"encoding/hex"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol/sonic"
)

// The selectors and topics below are written from
// shared/reference/staking-systems.md §5.2 (from 0xsoniclabs/sonic-sfc
// contracts/sfc/SFC.sol and ConstantsManager.sol), not computed from our
// ABI: a wrong type or name in abi/*.json fails here.
func TestSelectors(t *testing.T) {
	a, err := sonic.ABI()
	if err != nil {
		t.Fatal(err)
	}
	methods := []struct{ name, sel string }{
		{"delegate", "9fa6dd35"},
		{"undelegate", "4f864df4"},
		{"withdraw", "441a3e70"},
		{"claimRewards", "0962ef79"},
		{"restakeRewards", "08c36874"},
		{"pendingRewards", "6099ecb2"},
		{"getStake", "cfd47663"},
		{"getWithdrawalRequest", "1f270152"},
		{"getValidator", "b5d89627"},
		{"getValidatorID", "0135b1db"},
		{"lastValidatorID", "c7be95de"},
		{"currentEpoch", "76671808"},
		{"currentSealedEpoch", "7cacb1d6"},
		{"epochEndTime", "f81fab09"},
		{"isSlashed", "c3de580e"},
		{"slashingRefundRatio", "c65ee0e1"},
		{"getSelfStake", "5601fe01"},
		{"getRedirection", "736de9ae"},
		{"constsAddress", "d46fa518"},
		{"withdrawalPeriodTime", "b82b8427"},
		{"withdrawalPeriodEpochs", "650acd66"},
		{"minSelfStake", "c5f530af"},
		{"maxDelegatedRatio", "2265f284"},
		// getEpochSnapshot(uint256): keccak256 of the signature, from the
		// real public mapping (SFC.sol: mapping(uint256 => EpochSnapshot)
		// public getEpochSnapshot).
		{"getEpochSnapshot", "39b80c00"},
	}
	for _, m := range methods {
		got, ok := a.Methods[m.name]
		if !ok {
			t.Errorf("%s missing from the ABI", m.name)
			continue
		}
		if h := hex.EncodeToString(got.ID); h != m.sel {
			t.Errorf("%s: selector %s, want %s (%s)", m.name, h, m.sel, got.Sig)
		}
	}
	events := []struct{ name, topic string }{
		{"Delegated", "9a8f44850296624dadfd9c246d17e47171d35727a181bd090aa14bbbe00238bb"},
		{"Undelegated", "d3bb4e423fbea695d16b982f9f682dc5f35152e5411646a8a5a79a6b02ba8d57"},
		{"Withdrawn", "94ffd6b85c71b847775c89ef6496b93cee961bdc6ff827fd117f174f06f745ae"},
		{"ClaimedRewards", "70de20a533702af05c8faf1637846c4586a021bbc71b6928b089b6d555e4fbc2"},
		{"RestakedRewards", "663e0f63f4fc6b01be195c4b56111fd6f14b947d6264497119b08daf77e26da5"},
		{"DeactivatedValidator", "ac4801c32a6067ff757446524ee4e7a373797278ac3c883eac5c693b4ad72e47"},
		{"ChangedValidatorStatus", "cd35267e7654194727477d6c78b541a553483cff7f92a055d17868d3da6e953e"},
	}
	for _, e := range events {
		got, ok := a.Events[e.name]
		if !ok {
			t.Errorf("event %s missing from the ABI", e.name)
			continue
		}
		if h := hex.EncodeToString(got.ID.Bytes()); h != e.topic {
			t.Errorf("event %s: topic %s, want %s (%s)", e.name, h, e.topic, got.Sig)
		}
	}
	errs := []struct{ name, sel string }{
		{"ZeroAmount", "1f2a2005"},
		{"ValidatorNotExists", "5926e0c3"},
		{"ValidatorNotActive", "a6ce15f6"},
		{"ValidatorDelegationLimitExceeded", "c2eb4ead"},
		{"RequestExists", "eadeb85a"},
		{"RequestNotExists", "7f1d9e08"},
		{"NotEnoughTimePassed", "5ada9a99"},
		{"NotEnoughEpochsPassed", "23ea994d"},
		{"StakeIsFullySlashed", "18f967fb"},
		{"TransferFailed", "90b8ec18"},
		{"InsufficientSelfStake", "08e88f46"},
	}
	for _, e := range errs {
		got, ok := a.Errors[e.name]
		if !ok {
			t.Errorf("error %s missing from the ABI", e.name)
			continue
		}
		if h := hex.EncodeToString(got.ID.Bytes()[:4]); h != e.sel {
			t.Errorf("error %s: selector %s, want %s", e.name, h, e.sel)
		}
	}
	hints := sonic.RevertHints()
	for name := range hints {
		if _, ok := a.Errors[name]; !ok {
			t.Errorf("hint for %s, which is no error of the ABI", name)
		}
	}
}
