package protocol

import (
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// PermitRequest, on a Call that spends an allowance which the call right
// before it (an approve with a Condition) grants, offers the wallet ONE
// transaction instead of two: when the approve is needed and the signer
// signs EIP-712 typed data, the wallet leaves the approve out, signs an
// EIP-2612 permit after the user confirmed, and sends the call built by
// Build with the signature. With no typed-data signer, with --no-permit,
// or when the allowance already covers the amount, the plan is sent as it
// is (approve + call, or the call alone).
//
// The permit's own reads (the token's nonce for the owner, its EIP-712
// domain) ride in the wallet's first batch like Checks: a permit costs no
// round trip of its own. The call carrying the permit cannot be simulated
// before the signature exists, so its gas limit is GasHint.
type PermitRequest struct {
	// Token whose allowance the permit sets; Spender receives it; Value
	// is the allowance (the whole amount of the plan).
	Token       Token
	Spender     common.Address
	SpenderName string
	Value       *big.Int
	// Reads are answered in the wallet's batch, in this order, and given
	// to TypedData.
	Reads []ethereum.CallMsg
	// TypedData builds the permit to sign from the answers of Reads, the
	// chain ID and the deadline (unix seconds) the wallet chose. An error
	// means no permit: the wallet sends approve + call and says why.
	TypedData func(answers [][]byte, chainID, deadline *big.Int) (apitypes.TypedData, error)
	// Build returns the calldata of the call with the permit: value,
	// deadline and the 65-byte signature r ‖ s ‖ v (v = 27/28).
	Build func(deadline *big.Int, sig []byte) ([]byte, error)
	// Action and Description name the call with the permit for the
	// preview and the journal ("requestWithdrawalsWithPermit").
	Action, Description string
	// GasHint is the gas limit of the call with the permit.
	GasHint uint64
}
