package sonic

import "github.com/stakewallet/stakewallet/pkg/abidecode"

// RevertHints implements protocol.Hinter: what the SFC's custom errors
// mean for a stakewallet user.
func (a *Sonic) RevertHints() abidecode.Hints { return RevertHints() }

// RevertHints is the table behind (*Sonic).RevertHints. A fresh map each call.
func RevertHints() abidecode.Hints {
	return abidecode.Hints{
		"ZeroAmount":                       "the amount must be greater than zero",
		"ZeroRewards":                      "there are no pending rewards on that delegation; see `stakewallet balance`",
		"ValidatorNotExists":               "no such Sonic validator: `stakewallet validators --protocol sonic` lists them",
		"ValidatorNotActive":               "the validator is not active (offline, withdrawn or slashed): the SFC takes no delegations to it; choose another",
		"ValidatorDelegationLimitExceeded": "the validator cannot take that much: delegations to it may be at most maxDelegatedRatio (16×) its self-stake; delegate less or choose another validator",
		"RequestExists":                    "that withdrawal-request id (wrID) is taken by a pending request: run unstake again (the wallet picks a free one)",
		"RequestNotExists":                 "no such withdrawal request: it was claimed already or never made; `stakewallet withdrawals` lists yours",
		"NotEnoughTimePassed":              "the SFC's withdrawal period has not passed yet: `stakewallet withdrawals wait --claim` waits for it",
		"NotEnoughEpochsPassed":            "not enough epochs have been sealed since the request: `stakewallet withdrawals wait --claim` waits for it",
		"StakeIsFullySlashed":              "the validator was slashed and the whole request is forfeit: nothing can be withdrawn",
		"TransferFailed":                   "the SFC could not send the S to the receiving account; claim from an account that can receive S",
		"InsufficientSelfStake":            "the validator's self-stake would fall below the minimum",
		"NotDriverAuth":                    "only the network's node driver may do this",
	}
}
