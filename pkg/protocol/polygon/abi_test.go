package polygon

import (
	"encoding/hex"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// The selectors and topics of the real contracts, copied from
// shared/reference/staking-systems.md §3.2–3.3 (checked there against
// 0xPolygon/pos-contracts), not computed from this package's ABI.
func TestSelectorsMatchTheRealContracts(t *testing.T) {
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		contract *abi.ABI
		method   string
		want     string
	}{
		{c.share, "buyVoucherPOL", "e4457a8a"},
		{c.share, "sellVoucher_newPOL", "e570b78b"},
		{c.share, "unstakeClaimTokens_newPOL", "8759c234"},
		{c.share, "restakePOL", "9ad5f5a4"},
		{c.share, "withdrawRewardsPOL", "e0db556b"},
		{c.share, "transferPOL", "b60c76fa"},
		{c.share, "unbondNonces", "3046c204"},
		{c.share, "unbonds_new", "795be587"},
		{c.share, "getTotalStake", "1e7ff8f6"},
		{c.share, "getLiquidRewards", "676e5550"},
		{c.share, "exchangeRate", "3ba0b9a9"},
		{c.share, "withdrawExchangeRate", "bfb18f29"},
		{c.share, "delegation", "df5cf723"},
		{c.share, "locked", "cf309012"},
		{c.share, "validatorId", "5c5f7dae"},
		{c.sm, "getValidatorContract", "56342d8c"},
		{c.sm, "validators", "35aa2e44"},
		{c.sm, "NFTCounter", "5508d8e1"},
		{c.sm, "isValidator", "2649263a"},
		{c.sm, "delegationEnabled", "54b8c601"},
		{c.sm, "epoch", "900cf0cf"},
		{c.sm, "currentEpoch", "76671808"},
		{c.sm, "withdrawalDelay", "a7ab6961"},
		{c.sm, "WITHDRAWAL_DELAY", "0ebb172a"},
		{c.sm, "migrateDelegation", "fb1ef52c"},
		{c.root, "currentHeaderBlock", "ec7e4855"},
		{c.root, "headerBlocks", "41539d4a"},
		{c.pol, "approve", "095ea7b3"},
		{c.pol, "allowance", "dd62ed3e"},
		{c.pol, "balanceOf", "70a08231"},
		{c.mc3, "aggregate3", "82ad56cb"},
		{c.mc3, "getCurrentBlockTimestamp", "0f28c97d"},
	} {
		m, ok := tc.contract.Methods[tc.method]
		if !ok {
			t.Errorf("%s missing from the ABI", tc.method)
			continue
		}
		if got := hex.EncodeToString(m.ID); got != tc.want {
			t.Errorf("%s (%s) selector %s, want %s", tc.method, m.Sig, got, tc.want)
		}
	}
}

func TestEventTopicsMatchTheRealContracts(t *testing.T) {
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		contract *abi.ABI
		event    string
		want     string
	}{
		{c.share, "ShareMinted", "0xc9afff0972d33d68c8d330fe0ebd0e9f54491ad8c59ae17330a9206f280f0865"},
		{c.share, "ShareBurnedWithId", "0x502f5a6697a92e602c626b931a4a771fef4360eb9cece7bf906f10c5cec96aaa"},
		{c.share, "DelegatorUnstakeWithId", "0x7beb9bef91040fcf7607c78d4fc668370a9036788d7e6f202a4a2db5b0c28c80"},
		{c.share, "DelegatorClaimedRewards", "0x31d1715032654fde9867c0f095aecce1113049e30b9f4ecbaa6954ed6c63b8df"},
		{c.share, "DelegatorRestaked", "0x0f9ccdda16b467e719059c85ebd8383fcb7f8ffa5576629fe3b842836e04dad1"},
		{c.share, "SharesTransfer", "0x0a11785f16076d5ade1b5a7a0867d5ec042b8ae8c4f0609d0a72bfd062ba2ee0"},
		{c.sm, "DynastyValueChange", "0x9444bfcfa6aed72a15da73de1220dcc07d7864119c44abfec0037bbcacefda98"},
		{c.root, "NewHeaderBlock", "0xba5de06d22af2685c6c7765f60067f7d2b08c2d29f53cdf14d67f6d1c9bfb527"},
		{c.share, "Transfer", "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
	} {
		e, ok := tc.contract.Events[tc.event]
		if !ok {
			t.Errorf("%s missing from the ABI", tc.event)
			continue
		}
		if e.ID != common.HexToHash(tc.want) {
			t.Errorf("%s topic %s, want %s", e.Sig, e.ID.Hex(), tc.want)
		}
	}
}

// The POL token's custom errors (pol-token IPolygonEcosystemToken.sol) decode;
// selectors from `cast sig` of the signatures as the source declares them.
func TestPOLErrors(t *testing.T) {
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"InvalidAddress": "e6c4247b", "MaxMintExceeded": "5bdd08f5"} {
		e, ok := c.merged.Errors[name]
		if !ok {
			t.Errorf("%s missing from the merged ABI", name)
			continue
		}
		if got := hex.EncodeToString(e.ID[:4]); got != want {
			t.Errorf("%s selector %s, want %s", name, got, want)
		}
	}
}
