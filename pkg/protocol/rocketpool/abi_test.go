package rocketpool

import (
	"encoding/hex"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// The selectors, topics and storage keys below are copied from
// staking-systems.md §1.1–§1.3 (keccak256 of the signatures of
// rocket-pool/rocketpool@fef41a4f), not computed from our ABI.

func TestSelectors(t *testing.T) {
	a, err := ABI()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, sig, selector string
	}{
		{"deposit", "deposit()", "d0e30db0"},
		{"getMaximumDepositAmount", "getMaximumDepositAmount()", "1eddb626"},
		{"getBalance", "getBalance()", "12065fe0"},
		{"getExcessBalance", "getExcessBalance()", "888b042f"},
		{"getUserBalance", "getUserBalance()", "b7013dc1"},
		{"burn", "burn(uint256)", "42966c68"},
		{"getExchangeRate", "getExchangeRate()", "e6aa216c"},
		{"getEthValue", "getEthValue(uint256)", "8b32fa23"},
		{"getRethValue", "getRethValue(uint256)", "4346f03e"},
		{"getTotalCollateral", "getTotalCollateral()", "d6eb5910"},
		{"getCollateralRate", "getCollateralRate()", "852185fc"},
		{"getDepositEnabled", "getDepositEnabled()", "6ada7847"},
		{"getMinimumDeposit", "getMinimumDeposit()", "035cf142"},
		{"getMaximumDepositPoolSize", "getMaximumDepositPoolSize()", "fd6ce89e"},
		{"getDepositFee", "getDepositFee()", "0de705b5"},
		{"getAssignDepositsEnabled", "getAssignDepositsEnabled()", "47fa434a"},
		{"getTotalETHBalance", "getTotalETHBalance()", "964d042c"},
		{"getTotalRETHSupply", "getTotalRETHSupply()", "c4c8d0ad"},
		{"getBalancesBlock", "getBalancesBlock()", "9100c13d"},
		{"getBalancesTimestamp", "getBalancesTimestamp()", "8e0ebd87"},
		{"getAddress", "getAddress(bytes32)", "21f8a721"},
		{"getUint", "getUint(bytes32)", "bd02d0f5"},
		{"transfer", "transfer(address,uint256)", "a9059cbb"},
		{"balanceOf", "balanceOf(address)", "70a08231"},
		{"approve", "approve(address,uint256)", "095ea7b3"},
		{"transferFrom", "transferFrom(address,address,uint256)", "23b872dd"},
		{"totalSupply", "totalSupply()", "18160ddd"},
	}
	for _, tt := range tests {
		m, ok := a.Methods[tt.method]
		if !ok {
			t.Errorf("%s: not in the ABI", tt.method)
			continue
		}
		if m.Sig != tt.sig {
			t.Errorf("%s: signature %s, want %s", tt.method, m.Sig, tt.sig)
		}
		if got := hex.EncodeToString(m.ID); got != tt.selector {
			t.Errorf("%s: selector %s, want %s", tt.sig, got, tt.selector)
		}
	}
}

func TestEventTopics(t *testing.T) {
	a, err := ABI()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ event, topic string }{
		{"DepositReceived", "0x7aa1a8eb998c779420645fc14513bf058edb347d95c2fc2e6845bdc22f888631"},
		{"TokensMinted", "0x6155cfd0fd028b0ca77e8495a60cbe563e8bce8611f0aad6fedbdaafc05d44a2"},
		{"TokensBurned", "0x19783b34589160c168487dc7f9c51ae0bcefe67a47d6708fba90f6ce0366d3d1"},
		{"EtherDeposited", "0xef51b4c870b8b0100eae2072e91db01222a303072af3728e58c9d4d2da33127f"},
		{"BalancesUpdated", "0xdd27295717c4fbd48b1840f846e18be6f0b7bd6b55608e697e53b15848cecdf9"},
		{"Transfer", "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
	}
	for _, tt := range tests {
		e, ok := a.Events[tt.event]
		if !ok {
			t.Errorf("%s: not in the ABI", tt.event)
			continue
		}
		if e.ID != common.HexToHash(tt.topic) {
			t.Errorf("%s: topic %s, want %s", e.Sig, e.ID.Hex(), tt.topic)
		}
	}
}

func TestContractKeys(t *testing.T) {
	tests := []struct{ name, key string }{
		{NameDepositPool, "0x65dd923ddfc8d8ae6088f80077201d2403cbd565f0ba25e09841e2799ec90bb2"},
		{NameTokenRETH, "0xe3744443225bff7cc22028be036b80de58057d65a3fdca0a3df329f525e31ccc"},
		{NameSettingsDeposit, "0x876d8a498b5341a6b5897a8239bfb0347e2b8d81fe9401d355c1e4b0ecebedaa"},
		{NameSettingsNetwork, "0x282fd49dacaf2128d6f069f81013ec59ae7081a236fbad29f69dd2383662ce5c"},
		{NameNetworkBalances, "0x7630e125f1c009e5fc974f6dae77c6d5b1802979b36e6d7145463c21782af01e"},
	}
	for _, tt := range tests {
		if got := common.Hash(ContractKey(tt.name)); got != common.HexToHash(tt.key) {
			t.Errorf("ContractKey(%q) = %s, want %s", tt.name, got.Hex(), tt.key)
		}
	}
}
