package rocketpool

import "github.com/stakewallet/stakewallet/pkg/abidecode"

// RevertHints implements protocol.Hinter.
func (p *RocketPool) RevertHints() abidecode.Hints { return RevertHints() }

// RevertHints is what Rocket Pool's revert strings (staking-systems.md
// §1.4; both capacity strings, v1.3.1 and v1.4) mean for a stakewallet
// user. A fresh map each call.
func RevertHints() abidecode.Hints {
	return abidecode.Hints{
		// RocketDepositPool.deposit
		"Deposits into Rocket Pool are currently disabled":                                              "Rocket Pool has disabled deposits; try again later, or buy rETH on a DEX",
		"The deposited amount is less than the minimum deposit size":                                    "the amount is below Rocket Pool's minimum deposit (0.01 ETH by default); stake more",
		"The deposit pool size after depositing exceeds the maximum size":                               "Rocket Pool's deposit pool is full; stake less (see its maximum deposit amount) or retry when it has room",
		"The deposit pool size after depositing (and matching with minipools) exceeds the maximum size": "Rocket Pool's deposit pool is full; stake less or retry when it has room",
		"Invalid or outdated contract":                                                                  "the Rocket Pool contract was replaced by an upgrade; run the command again so the address is read afresh from RocketStorage",
		"Invalid token mint amount":                                                                     "the amount is too small to mint any rETH; stake more",
		"Cannot calculate rETH token amount while total network balance is zero":                        "Rocket Pool has no network balance yet: rETH cannot be priced; try later",
		// RocketTokenRETH.burn
		"Invalid token burn amount":                  "the amount must be greater than zero",
		"Insufficient rETH balance":                  "your rETH balance is too low; check `stakewallet balance`",
		"Insufficient ETH balance for exchange":      "Rocket Pool lacks the ETH to pay this burn now (collateral is short); burn less, wait for deposits, or sell rETH on a DEX",
		"Not enough time has passed since deposit":   "rETH cannot move yet after a deposit; wait some blocks",
		"Insufficient excess balance for withdrawal": "Rocket Pool lacks the ETH to pay this burn now; burn less or sell rETH on a DEX",
		// ERC-20 (OpenZeppelin 3.x)
		"ERC20: transfer amount exceeds balance":   "your rETH balance is too low; check `stakewallet balance`",
		"ERC20: transfer amount exceeds allowance": "the spender is not allowed that much of your rETH: approve first",
		"ERC20: transfer to the zero address":      "tokens cannot be sent to the zero address",
	}
}
