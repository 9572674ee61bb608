package lido

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
)

// TestSelectors checks every selector and topic the embedded ABIs produce
// against the hex values of shared/reference/protocols.md §1 (computed
// there from the canonical signatures of lidofinance/core), so a typo in
// a hand-written signature cannot reach mainnet.
func TestSelectors(t *testing.T) {
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	methods := []struct {
		contract string
		a        *abi.ABI
		name     string
		sig      string
		want     string
	}{
		// stETH (§1.2)
		{"stETH", c.stETH, "submit", "submit(address)", "a1903eab"},
		{"stETH", c.stETH, "getCurrentStakeLimit", "getCurrentStakeLimit()", "609c4c6c"},
		{"stETH", c.stETH, "getStakeLimitFullInfo", "getStakeLimitFullInfo()", "665b4b0b"},
		{"stETH", c.stETH, "isStakingPaused", "isStakingPaused()", "1ea7ca89"},
		{"stETH", c.stETH, "balanceOf", "balanceOf(address)", "70a08231"},
		{"stETH", c.stETH, "transfer", "transfer(address,uint256)", "a9059cbb"},
		{"stETH", c.stETH, "approve", "approve(address,uint256)", "095ea7b3"},
		{"stETH", c.stETH, "transferFrom", "transferFrom(address,address,uint256)", "23b872dd"},
		{"stETH", c.stETH, "allowance", "allowance(address,address)", "dd62ed3e"},
		{"stETH", c.stETH, "sharesOf", "sharesOf(address)", "f5eb42dc"},
		{"stETH", c.stETH, "transferShares", "transferShares(address,uint256)", "8fcb4e5b"},
		{"stETH", c.stETH, "transferSharesFrom", "transferSharesFrom(address,address,uint256)", "6d780459"},
		{"stETH", c.stETH, "getSharesByPooledEth", "getSharesByPooledEth(uint256)", "19208451"},
		{"stETH", c.stETH, "getPooledEthByShares", "getPooledEthByShares(uint256)", "7a28fb88"},
		{"stETH", c.stETH, "getPooledEthBySharesRoundUp", "getPooledEthBySharesRoundUp(uint256)", "0103349c"},
		{"stETH", c.stETH, "getTotalPooledEther", "getTotalPooledEther()", "37cfdaca"},
		{"stETH", c.stETH, "getTotalShares", "getTotalShares()", "d5002f2e"},
		{"stETH", c.stETH, "getBufferedEther", "getBufferedEther()", "47b714e0"},
		{"stETH", c.stETH, "permit", "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "d505accf"},
		{"stETH", c.stETH, "nonces", "nonces(address)", "7ecebe00"},
		{"stETH", c.stETH, "DOMAIN_SEPARATOR", "DOMAIN_SEPARATOR()", "3644e515"},
		{"stETH", c.stETH, "eip712Domain", "eip712Domain()", "84b0196e"},
		// wstETH (§1.2)
		{"wstETH", c.wstETH, "wrap", "wrap(uint256)", "ea598cb0"},
		{"wstETH", c.wstETH, "unwrap", "unwrap(uint256)", "de0e9a3e"},
		{"wstETH", c.wstETH, "getWstETHByStETH", "getWstETHByStETH(uint256)", "b0e38900"},
		{"wstETH", c.wstETH, "getStETHByWstETH", "getStETHByWstETH(uint256)", "bb2952fc"},
		{"wstETH", c.wstETH, "stEthPerToken", "stEthPerToken()", "035faf82"},
		{"wstETH", c.wstETH, "tokensPerStEth", "tokensPerStEth()", "9576a0c8"},
		{"wstETH", c.wstETH, "approve", "approve(address,uint256)", "095ea7b3"},
		{"wstETH", c.wstETH, "transfer", "transfer(address,uint256)", "a9059cbb"},
		{"wstETH", c.wstETH, "balanceOf", "balanceOf(address)", "70a08231"},
		{"wstETH", c.wstETH, "allowance", "allowance(address,address)", "dd62ed3e"},
		{"wstETH", c.wstETH, "permit", "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "d505accf"},
		{"wstETH", c.wstETH, "nonces", "nonces(address)", "7ecebe00"},
		{"wstETH", c.wstETH, "DOMAIN_SEPARATOR", "DOMAIN_SEPARATOR()", "3644e515"},
		// WithdrawalQueueERC721 (§1.2)
		{"queue", c.queue, "requestWithdrawals", "requestWithdrawals(uint256[],address)", "d6681042"},
		{"queue", c.queue, "requestWithdrawalsWstETH", "requestWithdrawalsWstETH(uint256[],address)", "19aa6257"},
		{"queue", c.queue, "requestWithdrawalsWithPermit", "requestWithdrawalsWithPermit(uint256[],address,(uint256,uint256,uint8,bytes32,bytes32))", "acf41e4d"},
		{"queue", c.queue, "requestWithdrawalsWstETHWithPermit", "requestWithdrawalsWstETHWithPermit(uint256[],address,(uint256,uint256,uint8,bytes32,bytes32))", "7951b76f"},
		{"queue", c.queue, "getWithdrawalRequests", "getWithdrawalRequests(address)", "7d031b65"},
		{"queue", c.queue, "getWithdrawalStatus", "getWithdrawalStatus(uint256[])", "b8c4b85a"},
		{"queue", c.queue, "getClaimableEther", "getClaimableEther(uint256[],uint256[])", "c97912d8"},
		{"queue", c.queue, "findCheckpointHints", "findCheckpointHints(uint256[],uint256,uint256)", "62abe3fa"},
		{"queue", c.queue, "getLastCheckpointIndex", "getLastCheckpointIndex()", "526eae3e"},
		{"queue", c.queue, "claimWithdrawals", "claimWithdrawals(uint256[],uint256[])", "e3afe0a3"},
		{"queue", c.queue, "claimWithdrawalsTo", "claimWithdrawalsTo(uint256[],uint256[],address)", "5e7eead9"},
		{"queue", c.queue, "claimWithdrawal", "claimWithdrawal(uint256)", "f8444436"},
		{"queue", c.queue, "getLastRequestId", "getLastRequestId()", "19c2b4c3"},
		{"queue", c.queue, "getLastFinalizedRequestId", "getLastFinalizedRequestId()", "4f069a13"},
		{"queue", c.queue, "unfinalizedStETH", "unfinalizedStETH()", "d0fb84e8"},
		{"queue", c.queue, "unfinalizedRequestNumber", "unfinalizedRequestNumber()", "c2fc7aff"},
		{"queue", c.queue, "getLockedEtherAmount", "getLockedEtherAmount()", "f6fa8a47"},
		{"queue", c.queue, "isBunkerModeActive", "isBunkerModeActive()", "2b95b781"},
		{"queue", c.queue, "bunkerModeSinceTimestamp", "bunkerModeSinceTimestamp()", "9b36be58"},
		{"queue", c.queue, "isPaused", "isPaused()", "b187bd26"},
		{"queue", c.queue, "getResumeSinceTimestamp", "getResumeSinceTimestamp()", "589ff76c"},
		{"queue", c.queue, "MIN_STETH_WITHDRAWAL_AMOUNT", "MIN_STETH_WITHDRAWAL_AMOUNT()", "0d25a957"},
		{"queue", c.queue, "MAX_STETH_WITHDRAWAL_AMOUNT", "MAX_STETH_WITHDRAWAL_AMOUNT()", "db2296cd"},
		{"queue", c.queue, "ownerOf", "ownerOf(uint256)", "6352211e"},
		{"queue", c.queue, "balanceOf", "balanceOf(address)", "70a08231"},
		{"queue", c.queue, "safeTransferFrom", "safeTransferFrom(address,address,uint256)", "42842e0e"},
		// LidoLocator (§1.1)
		{"locator", c.locator, "lido", "lido()", "23509a2d"},
		{"locator", c.locator, "withdrawalQueue", "withdrawalQueue()", "37d5fe99"},
		{"locator", c.locator, "accountingOracle", "accountingOracle()", "5a2031f9"},
		{"locator", c.locator, "wstETH", "wstETH()", "4aa07e64"},
		{"locator", c.locator, "coreComponents", "coreComponents()", "35f4022e"},
	}
	for _, tt := range methods {
		t.Run(tt.contract+"."+tt.name, func(t *testing.T) {
			m, ok := tt.a.Methods[tt.name]
			if !ok {
				t.Fatalf("%s ABI has no %s", tt.contract, tt.name)
			}
			if m.Sig != tt.sig {
				t.Errorf("signature %q, want %q", m.Sig, tt.sig)
			}
			if got := hex.EncodeToString(m.ID); got != tt.want {
				t.Errorf("selector 0x%s, want 0x%s", got, tt.want)
			}
		})
	}

	events := []struct {
		a    *abi.ABI
		name string
		sig  string
		want string
	}{
		// §1.3
		{c.stETH, "Submitted", "Submitted(address,uint256,address)", "96a25c8ce0baabc1fdefd93e9ed25d8e092a3332f3aa9a41722b5697231d1d1a"},
		{c.stETH, "TransferShares", "TransferShares(address,address,uint256)", "9d9c909296d9c674451c0c24f02cb64981eb3b727f99865939192f880a755dcb"},
		{c.stETH, "Transfer", "Transfer(address,address,uint256)", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
		{c.wstETH, "Transfer", "Transfer(address,address,uint256)", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
		{c.queue, "Transfer", "Transfer(address,address,uint256)", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
		{c.queue, "WithdrawalRequested", "WithdrawalRequested(uint256,address,address,uint256,uint256)", "f0cb471f23fb74ea44b8252eb1881a2dca546288d9f6e90d1a0e82fe0ed342ab"},
		{c.queue, "WithdrawalsFinalized", "WithdrawalsFinalized(uint256,uint256,uint256,uint256,uint256)", "197874c72af6a06fb0aa4fab45fd39c7cb61ac0992159872dc3295207da7e9eb"},
		{c.queue, "WithdrawalClaimed", "WithdrawalClaimed(uint256,address,address,uint256)", "6ad26c5e238e7d002799f9a5db07e81ef14e37386ae03496d7a7ef04713e145b"},
		{c.queue, "BatchMetadataUpdate", "BatchMetadataUpdate(uint256,uint256)", "6bd5c950a8d8df17f772f5af37cb3655737899cbf903264b9795592da439661c"},
		// No reference hashes for these; the signature check still applies.
		{c.queue, "BunkerModeEnabled", "BunkerModeEnabled(uint256)", ""},
		{c.queue, "BunkerModeDisabled", "BunkerModeDisabled()", ""},
		{c.queue, "Paused", "Paused(uint256)", ""},
		{c.queue, "Resumed", "Resumed()", ""},
	}
	for _, tt := range events {
		t.Run("event "+tt.name, func(t *testing.T) {
			e, ok := tt.a.Events[tt.name]
			if !ok {
				t.Fatalf("no event %s", tt.name)
			}
			if e.Sig != tt.sig {
				t.Errorf("signature %q, want %q", e.Sig, tt.sig)
			}
			if got := hex.EncodeToString(e.ID[:]); tt.want != "" && got != tt.want {
				t.Errorf("topic 0x%s, want 0x%s", got, tt.want)
			}
		})
	}

	errs := []struct {
		name string
		sig  string
		want string
	}{
		// §1.4, every row
		{"RequestAmountTooSmall", "RequestAmountTooSmall(uint256)", "b89b87c8"},
		{"RequestAmountTooLarge", "RequestAmountTooLarge(uint256)", "8ebfb78d"},
		{"RequestIdsNotSorted", "RequestIdsNotSorted()", "374e8bd1"},
		{"ZeroRecipient", "ZeroRecipient()", "d27b4443"},
		{"ArraysLengthMismatch", "ArraysLengthMismatch(uint256,uint256)", "4c59bf28"},
		{"NotOwner", "NotOwner(address,address)", "23295f0e"},
		{"InvalidRequestId", "InvalidRequestId(uint256)", "c969e0f2"},
		{"InvalidRequestIdRange", "InvalidRequestIdRange(uint256,uint256)", "71894257"},
		{"RequestNotFoundOrNotFinalized", "RequestNotFoundOrNotFinalized(uint256)", "4ae50228"},
		{"NotEnoughEther", "NotEnoughEther()", "8a0d3779"},
		{"RequestAlreadyClaimed", "RequestAlreadyClaimed(uint256)", "f0e0cc2d"},
		{"InvalidHint", "InvalidHint(uint256)", "cee778e2"},
		{"CantSendValueRecipientMayHaveReverted", "CantSendValueRecipientMayHaveReverted()", "0f0b498d"},
		{"ResumedExpected", "ResumedExpected()", "14378398"},
		{"PausedExpected", "PausedExpected()", "b047186b"},
		// ERC-721 errors named in §1.4 (no reference selectors).
		{"NotOwnerOrApproved", "NotOwnerOrApproved(address)", ""},
		{"TransferFromIncorrectOwner", "TransferFromIncorrectOwner(address,address)", ""},
		{"TransferToThemselves", "TransferToThemselves()", ""},
		{"TransferToNonIERC721Receiver", "TransferToNonIERC721Receiver(address)", ""},
	}
	for _, tt := range errs {
		t.Run("error "+tt.name, func(t *testing.T) {
			e, ok := c.queue.Errors[tt.name]
			if !ok {
				t.Fatalf("no error %s", tt.name)
			}
			if e.Sig != tt.sig {
				t.Errorf("signature %q, want %q", e.Sig, tt.sig)
			}
			if got := hex.EncodeToString(e.ID[:4]); tt.want != "" && got != tt.want {
				t.Errorf("selector 0x%s, want 0x%s", got, tt.want)
			}
		})
	}
}

// TestMergedABI checks that the union used for decoding keeps both
// Transfer layouts (ERC-20 and ERC-721) and every queue error.
func TestMergedABI(t *testing.T) {
	m, err := ABI()
	if err != nil {
		t.Fatal(err)
	}
	layouts := map[string]bool{}
	for _, e := range m.Events {
		if e.RawName == "Transfer" {
			layouts[indexedLayout(e.Inputs)] = true
		}
	}
	if !layouts["iid"] || !layouts["iii"] || len(layouts) != 2 {
		t.Errorf("Transfer layouts = %v, want ERC-20 (iid) and ERC-721 (iii)", layouts)
	}
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	for name := range c.queue.Errors {
		if _, ok := m.Errors[name]; !ok {
			t.Errorf("merged ABI lacks error %s", name)
		}
	}
	for _, need := range []string{"submit", "wrap", "requestWithdrawals", "claimWithdrawals", "lido"} {
		if _, ok := m.Methods[need]; !ok {
			t.Errorf("merged ABI lacks %s", need)
		}
	}
	sigs := map[string]int{}
	for _, meth := range m.Methods {
		sigs[meth.Sig]++
	}
	for sig, n := range sigs {
		if n > 1 {
			t.Errorf("%s appears %d times", sig, n)
		}
	}
}

// indexedLayout is which of an event's arguments are indexed ('i') or data
// ('d'), in order.
func indexedLayout(args abi.Arguments) string {
	var b strings.Builder
	for _, a := range args {
		if a.Indexed {
			b.WriteByte('i')
		} else {
			b.WriteByte('d')
		}
	}
	return b.String()
}
