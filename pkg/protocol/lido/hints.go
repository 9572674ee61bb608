package lido

import "github.com/stakewallet/stakewallet/pkg/abidecode"

// RevertHints implements protocol.Hinter: what Lido's revert reasons
// (protocols.md §1.2 revert strings, §1.4 custom errors) mean for a
// stakewallet user and what to do next.
func (l *Lido) RevertHints() abidecode.Hints { return RevertHints() }

// RevertHints is the table behind (*Lido).RevertHints, for callers that
// decode without an adapter. It returns a fresh map each time.
func RevertHints() abidecode.Hints {
	return abidecode.Hints{
		// stETH (Error(string), Solidity 0.4.24)
		"STAKING_PAUSED":             "Lido has paused staking; try again later",
		"STAKE_LIMIT":                "the amount exceeds Lido's current stake limit, which refills over time; stake less or retry later",
		"ZERO_DEPOSIT":               "the amount must be greater than zero",
		"ALLOWANCE_EXCEEDED":         "the spender is not allowed that much of your stETH: approve first",
		"BALANCE_EXCEEDED":           "your stETH balance is too low; check `stakewallet balance`",
		"TRANSFER_TO_STETH_CONTRACT": "stETH cannot be sent to the stETH contract itself",
		"TRANSFER_TO_ZERO_ADDR":      "tokens cannot be sent to the zero address",
		// wstETH (OpenZeppelin ERC20 0.6)
		"wstETH: can't wrap zero stETH":            "the amount must be greater than zero",
		"wstETH: zero amount unwrap not allowed":   "the amount must be greater than zero",
		"ERC20: transfer amount exceeds balance":   "your wstETH balance is too low; check `stakewallet balance`",
		"ERC20: transfer amount exceeds allowance": "the spender is not allowed that much of your wstETH: approve first",
		// WithdrawalQueue (custom errors)
		"RequestAmountTooSmall":                 "each withdrawal request must be at least 100 wei of stETH",
		"RequestAmountTooLarge":                 "each withdrawal request may be at most 1000 stETH; the wstETH rate may have moved since the preview: run unstake again",
		"ResumedExpected":                       "the Lido withdrawal queue is paused: no new requests now (claims still work)",
		"RequestNotFoundOrNotFinalized":         "not claimable yet: run `stakewallet withdrawals wait`",
		"RequestAlreadyClaimed":                 "already claimed; see `stakewallet withdrawals`",
		"NotOwner":                              "only the request's owner can claim it; check --signer",
		"InvalidRequestId":                      "no such request; list yours with `stakewallet withdrawals`",
		"InvalidHint":                           "the checkpoint hint is stale; run claim again",
		"RequestIdsNotSorted":                   "request ids must be in ascending order",
		"NotEnoughEther":                        "the queue lacks the ETH to pay out; wait for the next oracle report",
		"CantSendValueRecipientMayHaveReverted": "the recipient refused the ETH; claim to an address that can receive ETH",
		"NotOwnerOrApproved":                    "only the request's owner (or an approved address) can do this",
	}
}
