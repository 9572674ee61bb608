package bnb

import "github.com/stakewallet/stakewallet/pkg/abidecode"

// RevertHints implements protocol.Hinter: what the StakeHub's and
// StakeCredit's custom errors mean for a stakewallet user.
func (a *BNB) RevertHints() abidecode.Hints { return RevertHints() }

// RevertHints is the table behind (*BNB).RevertHints. A fresh map each call.
func RevertHints() abidecode.Hints {
	return abidecode.Hints{
		// StakeHub
		"DelegationAmountTooSmall": "BNB Chain takes delegations of at least minDelegationBNBChange (1 BNB on BSC): stake more",
		"OnlySelfDelegation":       "the validator is jailed: only its operator may delegate to it; choose another --validator (`stakewallet validators`)",
		"ZeroShares":               "the amount is worth no share of the validator's pool: unstake more",
		"SameValidator":            "redelegation needs two different validators",
		"ValidatorNotExisted":      "no BNB Chain validator has that operator address; `stakewallet validators --protocol bnb` lists them",
		"SelfDelegationNotEnough":  "the validator's operator must keep its minimum self-delegation",
		"TransferFailed":           "the BNB could not be paid: claims send it with a 5,000-gas stipend, which a contract wallet cannot receive with; claim from a plain account",
		"InvalidRequest":           "the operator addresses and request numbers differ in number",
		"UpdateTooFrequently":      "the validator was edited too recently",
		"JailTimeNotExpired":       "the validator's jail time has not passed",
		// Protectable
		"AlreadyPaused": "the StakeHub is paused: delegations, undelegations and claims are stopped; try again later",
		"NotPaused":     "the StakeHub is not paused",
		"InBlackList":   "this account is on the StakeHub's blacklist: it cannot delegate, undelegate or claim",
		// StakeCredit
		"ZeroAmount":               "the amount must be greater than zero",
		"InsufficientBalance":      "you hold fewer shares of this validator than you asked to undelegate; see `stakewallet validators` and unstake less",
		"NoUnbondRequest":          "you have no unbond request with this validator; `stakewallet withdrawals` lists yours",
		"NoClaimableUnbondRequest": "no unbond request with this validator is unlocked yet: the earliest one must unlock first; `stakewallet withdrawals wait --claim` waits for it",
		"RequestExisted":           "the StakeCredit already has this unbond request",
		"TransferNotAllowed":       "StakeCredit shares cannot be transferred: unstake them instead",
		"ApproveNotAllowed":        "StakeCredit shares cannot be approved",
		"ZeroTotalShares":          "the validator's pool has no shares",
		"ZeroTotalPooledBNB":       "the validator's pool holds no BNB",
		"WrongInitContext":         "the StakeCredit was initialised wrongly",
		// OpenZeppelin DoubleEndedQueue
		"OutOfBounds": "no unbond request at that position: `stakewallet withdrawals` lists yours",
		"Empty":       "the unbond request queue is empty",
	}
}
