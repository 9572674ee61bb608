package polygon

import "github.com/stakewallet/stakewallet/pkg/abidecode"

// RevertHints implements protocol.Hinter.
func (a *Polygon) RevertHints() abidecode.Hints { return RevertHints() }

// RevertHints is the table behind (*Polygon).RevertHints: the revert
// strings of the StakeManager and ValidatorShare (staking-systems.md §3.4)
// and the POL token's OpenZeppelin 4.9 revert strings. A fresh map each call.
func RevertHints() abidecode.Hints {
	return abidecode.Hints{
		"Too much requested":           "you have less delegated to this validator than you asked to unstake; unstake less",
		"too much slippage":            "the validator's share rate moved (slashing?) between the read and the unstake; try again",
		"Too much slippage":            "the validator's share rate moved between the read and the stake; try again",
		"Ongoing exit":                 "a legacy unbond of this validator is still open: claim it before delegating to it again",
		"Delegation is disabled":       "delegation is disabled (on the StakeManager or for this validator); choose another --validator or try later",
		"locked":                       "the validator is locked (jailed): it takes no delegations; choose another --validator (`stakewallet validators`)",
		"Incomplete withdrawal period": "the unbond's withdrawal delay (in checkpoints) has not passed, or it is claimed already; `stakewallet withdrawals wait --claim` waits for it",
		"Insufficent rewards":          "the StakeManager could not pay the POL out",
		"deposit failed":               "the StakeManager could not take the POL: approve POL to the StakeManager first",
		"Invalid contract address":     "only the validator's own ValidatorShare may do this",
		"unstaking":                    "the validator is unstaking: it takes no delegations until the next checkpoint",
		// POL (OpenZeppelin 4.9 ERC20)
		"ERC20: insufficient allowance":          "the StakeManager may not take that much POL yet: approve POL to it (stake sends the approve when it is needed)",
		"ERC20: transfer amount exceeds balance": "the account holds too little POL on Ethereum",
		"ERC20: transfer to the zero address":    "POL cannot be sent to the zero address",
		"ERC20: approve to the zero address":     "POL cannot be approved to the zero address",
	}
}
