package sts

import "github.com/stakewallet/stakewallet/pkg/abidecode"

// RevertHints implements protocol.Hinter: what SonicStaking's custom errors
// (and the SFC's, which bubble up through it) mean for a stakewallet user.
func (s *STS) RevertHints() abidecode.Hints { return RevertHints() }

// RevertHints is the table behind (*STS).RevertHints. A fresh map each call.
func RevertHints() abidecode.Hints {
	return abidecode.Hints{
		// SonicStaking
		"DepositTooSmall":                  "stS takes deposits of at least 0.01 S",
		"DepositPaused":                    "Beets has paused stS deposits; try again later",
		"UndelegatePaused":                 "Beets has paused stS undelegations; try again later",
		"UndelegateFromPoolPaused":         "Beets has paused undelegations from the stS pool; try again later or name a --validator that holds enough",
		"WithdrawsPaused":                  "Beets has paused stS withdrawals (claims); your request stays claimable: try again later",
		"UndelegateAmountTooSmall":         "stS undelegates at least 0.000001 stS (1e12 shares)",
		"UndelegateAmountExceedsDelegated": "the validator holds less of stS's stake than the amount is worth (the rate may have moved): run unstake again without --validator, or unstake less",
		"UndelegateAmountExceedsPool":      "stS's undelegated pool holds less than the amount is worth: unstake less, or from a validator",
		"UndelegateAmountCannotBeZero":     "the amount must be greater than zero",
		"NoDelegationForValidator":         "stS has nothing delegated to that validator",
		"WithdrawIdDoesNotExist":           "no such stS withdrawal; list yours with `stakewallet withdrawals`",
		"WithdrawDelayNotElapsed":          "not claimable yet: stS's withdrawal delay has not passed; run `stakewallet withdrawals wait`",
		"WithdrawAlreadyProcessed":         "already claimed; see `stakewallet withdrawals`",
		"UnauthorizedWithdraw":             "only the account that unstaked can claim this withdrawal; check --signer",
		"UnsupportedWithdrawKind":          "operator claw-backs are executed by the stS operator, not claimed",
		"SfcSlashMustBeAccepted":           "the validator was slashed: stS pays this only as an emergency withdrawal, which accepts the slashing loss; stakewallet never sends one — wait for the refund ratio and Beets' announcements",
		"NativeTransferFailed":             "the S could not be sent to the claiming account; claim from an account that can receive S",
		"ArrayLengthMismatch":              "validator ids and amounts differ in number",
		"UserWithdrawsSkipTooLarge":        "the account has fewer withdrawals than skipped",
		"UserWithdrawsMaxSizeCannotBeZero": "ask for at least one withdrawal",
		"ReentrancyGuardReentrantCall":     "stS refused a re-entrant call",
		"ERC20InsufficientBalance":         "your stS balance is too low; check `stakewallet balance`",
		"ERC20InsufficientAllowance":       "the spender is not allowed that much of your stS: approve first",
		"ERC20InvalidReceiver":             "stS cannot be sent to the zero address",
		"AccessControlUnauthorizedAccount": "only the stS operator or admin may do this",
		"OwnableUnauthorizedAccount":       "only the stS owner may do this",
		// SFC (bubbling up through stS)
		"NotEnoughTimePassed":              "the SFC's withdrawal period has not passed yet for this request; wait and claim again",
		"NotEnoughEpochsPassed":            "the SFC's withdrawal period (in epochs) has not passed yet; wait for the next epochs and claim again",
		"StakeIsFullySlashed":              "the validator's stake was fully slashed: nothing can be withdrawn",
		"RequestNotExists":                 "the SFC has no such withdrawal request",
		"RequestExists":                    "the SFC already has a withdrawal request with this id",
		"ValidatorNotExists":               "no SFC validator with that id",
		"ValidatorNotActive":               "the validator is not active",
		"ValidatorDelegationLimitExceeded": "the validator's delegations would exceed its self-stake limit; choose another --validator",
		"ZeroAmount":                       "the amount must be greater than zero",
		"TransferFailed":                   "the SFC could not send the S",
		"InsufficientSelfStake":            "the validator's self-stake is below the minimum",
	}
}
