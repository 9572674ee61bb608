// Package savax is the Benqi sAVAX adapter (Avalanche C-Chain): stake AVAX
// for sAVAX with submit(), unstake with requestUnlock(shares), and redeem the
// AVAX after the cooldown, inside the redeem window, with redeem(index). A
// request left past its window expires and its sAVAX comes back with
// redeemOverdueShares(index). It only builds calls and reads state;
// pkg/txflow signs and sends.
//
// Facts (selectors, events, revert strings, timing) come from
// shared/reference/staking-systems.md §4, checked against
// Benqi-fi/BENQI-Smart-Contracts@e0cfd24 sAVAX/StakedAvax.sol.
//
// # Request ids
//
// The contract keeps each user's requests in an array, UnlockRequest{
// startedAt, shareAmount}, and every redeem, cancel or overdue return
// swaps the request with the last one and pops it: indices shift. An id is
// therefore the request's content, "<startedAt>-<shareAmount>" (unix
// seconds, sAVAX base units), with "-<n>" appended for the n-th (n ≥ 2) of
// identical requests (the same amount requested in the same block, which
// are interchangeable). The index is found again from the current array
// right before each claim.
package savax

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Descriptor registers the adapter (see pkg/protocol/all).
var Descriptor = protocol.Descriptor{
	Name:        "savax",
	Roles:       []string{RoleStakedAvax},
	Deployments: Deployments,
	Capabilities: []protocol.Capability{
		protocol.CapRequests, protocol.CapETA, protocol.CapHints, protocol.CapRate,
	},
	New: New,
}

// SAvax is the adapter bound to one network's StakedAvax.
type SAvax struct {
	b      protocol.Backend
	token  common.Address
	native protocol.Token
	abi    *abi.ABI
}

// The capabilities sAVAX has; Descriptor.Capabilities lists the same.
var (
	_ protocol.Protocol   = (*SAvax)(nil)
	_ protocol.Requests   = (*SAvax)(nil)
	_ protocol.Estimating = (*SAvax)(nil)
	_ protocol.Hinter     = (*SAvax)(nil)
	_ protocol.Rater      = (*SAvax)(nil)
)

// New binds the adapter to env's StakedAvax (role "savax"). It does not
// touch the chain.
func New(env protocol.Env) (protocol.Protocol, error) {
	if err := env.Require("savax", RoleStakedAvax); err != nil {
		return nil, err
	}
	addr := env.Addresses[RoleStakedAvax]
	a, err := parsedABI()
	if err != nil {
		return nil, err
	}
	native := env.NativeToken()
	return &SAvax{b: env.Backend, token: addr, native: native, abi: a}, nil
}

// Name implements protocol.Protocol.
func (s *SAvax) Name() string { return "savax" }

// DisplayName implements protocol.Protocol.
func (s *SAvax) DisplayName() string { return "Benqi sAVAX" }

// Tokens implements protocol.Protocol: sAVAX, whose balances are shares
// (non-rebasing; worth getPooledAvaxByShares(balance) AVAX).
func (s *SAvax) Tokens() protocol.Tokens { return protocol.Tokens{s.sAVAX()} }

func (s *SAvax) sAVAX() protocol.Token {
	return protocol.Token{Symbol: "sAVAX", Address: s.token, Decimals: 18, Role: protocol.RoleStaked}
}

// Unstaking implements protocol.Protocol: a cooldown, then a redeem window.
func (s *SAvax) Unstaking() protocol.UnstakeKind { return protocol.UnstakeCooldown }

// Targets implements protocol.Protocol: Benqi pools the stake.
func (s *SAvax) Targets() protocol.TargetRule { return protocol.TargetNone }

// ABI implements protocol.Protocol.
func (s *SAvax) ABI() *abi.ABI { return s.abi }

// RateCall implements protocol.Rater: getPooledAvaxByShares(1e18), the AVAX
// one sAVAX is worth now.
func (s *SAvax) RateCall() (ethereum.CallMsg, func([]byte) (*big.Int, error)) {
	data, err := pack(s.abi, "getPooledAvaxByShares(uint256)", big.NewInt(1e18))
	to := s.token
	msg := ethereum.CallMsg{To: &to, Data: data}
	return msg, func(ret []byte) (*big.Int, error) {
		if err != nil {
			return nil, err
		}
		return s.decodeUint(ret, "getPooledAvaxByShares(uint256)")
	}
}

// decodeUint decodes a single uint256 answer.
func (s *SAvax) decodeUint(ret []byte, sig string) (*big.Int, error) {
	vals, err := unpack(s.abi, sig, ret)
	if err != nil {
		return nil, err
	}
	v, ok := vals[0].(*big.Int)
	if !ok {
		return nil, fmt.Errorf("%w: %s returned %T", protocol.ErrBadAnswer, sig, vals[0])
	}
	return v, nil
}

// decodeBool decodes a single bool answer.
func (s *SAvax) decodeBool(ret []byte, sig string) (bool, error) {
	vals, err := unpack(s.abi, sig, ret)
	if err != nil {
		return false, err
	}
	v, ok := vals[0].(bool)
	if !ok {
		return false, fmt.Errorf("%w: %s returned %T", protocol.ErrBadAnswer, sig, vals[0])
	}
	return v, nil
}

// read is an eth_call to StakedAvax, for the Checks and batches.
func (s *SAvax) read(sig string, args ...any) (ethereum.CallMsg, error) {
	data, err := pack(s.abi, sig, args...)
	if err != nil {
		return ethereum.CallMsg{}, err
	}
	to := s.token
	return ethereum.CallMsg{To: &to, Data: data}, nil
}

// RevertHints implements protocol.Hinter.
func (s *SAvax) RevertHints() abidecode.Hints { return RevertHints() }

// RevertHints is what StakedAvax's revert strings (staking-systems.md §4.4)
// mean for a stakewallet user. A fresh map each call.
func RevertHints() abidecode.Hints {
	return abidecode.Hints{
		"ZERO_DEPOSIT":                      "the amount must be greater than zero",
		"Invalid share count":               "the amount is too small to mint one share of sAVAX; stake more",
		"Minting paused":                    "Benqi has paused sAVAX minting; try again later",
		"TOTAL_POOLED_AVAX_CAP_EXCEEDED":    "the sAVAX pool is at its cap; stake less or try later",
		"Pausable: paused":                  "Benqi has paused the sAVAX contract: staking, unstaking, redeeming and transfers wait until it resumes",
		"Invalid unlock amount":             "the unstake amount must be greater than zero",
		"Unlock amount too large":           "your sAVAX balance is lower than the amount; check `stakewallet balance`",
		"Invalid unlock request index":      "the request moved in the contract's list (another redeem or cancel ran first); run claim again",
		"Unlock request is not redeemable":  "the request is not in its redeem window: still cooling down, or expired (`stakewallet withdrawals` says which)",
		"Exchange rate not found":           "sAVAX has no recorded exchange rate yet; try again after the next reward accrual",
		"Invalid exchange rate":             "the recorded exchange rate would pay less AVAX than the shares; contact Benqi",
		"AVAX transfer failed":              "the AVAX could not be paid: the pool lacks liquidity now, or the recipient refuses AVAX; try later",
		"Invalid unlock index":              "the request moved in the contract's list; run claim again",
		"Unlock request is not expired":     "the request has not expired: claim it inside its window instead",
		"Invalid index":                     "the request moved in the contract's list; list them again with `stakewallet withdrawals`",
		"Unlock request is expired":         "the request's redeem window is over: claim it to get its sAVAX back",
		"From index out of bounds":          "the account has no unlock requests",
		"TRANSFER_TO_SELF":                  "sAVAX cannot be sent to the sender itself",
		"TRANSFER_ZERO_VALUE":               "the amount must be greater than zero",
		"TRANSFER_AMOUNT_EXCEEDS_BALANCE":   "your sAVAX balance is too low; check `stakewallet balance`",
		"TRANSFER_TO_THE_ZERO_ADDRESS":      "tokens cannot be sent to the zero address",
		"TRANSFER_AMOUNT_EXCEEDS_ALLOWANCE": "the spender is not allowed that much of your sAVAX: approve first",
		"APPROVE_TO_ZERO_ADDRESS":           "the zero address cannot be approved",
	}
}
