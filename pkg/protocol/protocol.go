// Package protocol defines what a liquid-staking protocol adapter provides:
// the calls to stake, request a withdrawal and claim, and read access to
// withdrawal requests. Adapters live in sub-packages (lido, …) and never
// sign or send anything themselves; pkg/txflow does that.
package protocol

import (
	"context"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Backend is the read-only chain access an adapter needs. *ethclient.Client
// and *chain.Client satisfy it.
type Backend interface {
	CallContract(ctx context.Context, call ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// Token is an ERC-20 the protocol issues (or the zero value for the native coin).
type Token struct {
	Symbol   string
	Address  common.Address
	Decimals uint8
}

// IsNative reports whether t is the chain's native coin.
func (t Token) IsNative() bool { return t.Address == (common.Address{}) }

// Call is one transaction to send, described for the preview.
type Call struct {
	// Action is a short machine name: "stake", "approve", "requestWithdrawals",
	// "claimWithdrawals", "transfer", "wrap", "unwrap".
	Action string
	// Description is one human line, e.g. "Approve 0.5 stETH for the Lido withdrawal queue".
	Description string
	To          common.Address
	Value       *big.Int // native coin sent; nil means 0
	Data        []byte
	// Amount and Token say what moves, for the preview and --json.
	Amount *big.Int
	Token  Token
	// GasHint is used in the preview when eth_estimateGas cannot run yet
	// because an earlier call of the same batch (an approve) is not mined.
	GasHint uint64
}

// Status of a withdrawal request.
type Status string

const (
	StatusPending   Status = "pending"
	StatusClaimable Status = "claimable"
	StatusClaimed   Status = "claimed"
)

// Withdrawal is one withdrawal request.
type Withdrawal struct {
	ID          *big.Int
	Protocol    string
	Owner       common.Address
	Amount      *big.Int // requested, in the LST's base units
	Token       Token    // the LST the amount is in
	Status      Status
	RequestedAt time.Time
	// Claimable is the native amount a claim pays now (after any discount);
	// nil while pending.
	Claimable *big.Int
	// ETA is when the request is expected to become claimable; nil = unknown.
	ETA *time.Time
}

// StakeOptions are the optional parameters of Stake.
type StakeOptions struct {
	Referral common.Address
}

// Protocol is a liquid-staking protocol on one network.
type Protocol interface {
	// Name is the lower-case id used by --protocol ("lido").
	Name() string
	// DisplayName is for people ("Lido").
	DisplayName() string
	// Tokens lists the LSTs; the first is what Stake mints.
	Tokens() []Token
	// Stake returns the calls that stake amount of native coin from `from`.
	// It checks protocol limits (paused, stake limit) and returns a
	// *LimitError when they forbid the stake.
	Stake(ctx context.Context, from common.Address, amount *big.Int, opts StakeOptions) ([]Call, error)
	// RequestWithdrawal returns the calls that request a withdrawal of amount
	// of token, including an approve when the allowance is short, split into
	// as many requests as the protocol's per-request cap needs.
	RequestWithdrawal(ctx context.Context, owner common.Address, amount *big.Int, token Token) ([]Call, error)
	// RequestIDs extracts the ids of withdrawal requests created in receipt.
	RequestIDs(receipt *types.Receipt) []*big.Int
	// Withdrawals returns the requests with the given ids, or every request
	// of owner when ids is empty, oldest first.
	Withdrawals(ctx context.Context, owner common.Address, ids []*big.Int) ([]Withdrawal, error)
	// Claim returns the calls that claim the given claimable requests.
	Claim(ctx context.Context, owner common.Address, ids []*big.Int) ([]Call, error)
	// ABI holds every function, event and error of the protocol's contracts,
	// for decoding reverts and receipts.
	ABI() *abi.ABI
}

// Wrapper is implemented by protocols with a wrapped (non-rebasing) token.
type Wrapper interface {
	Wrap(ctx context.Context, from common.Address, amount *big.Int) ([]Call, error)
	Unwrap(ctx context.Context, from common.Address, amount *big.Int) ([]Call, error)
}

// LimitError is a protocol rule that forbids the request (bad input, exit 2).
type LimitError struct{ Reason string }

func (e *LimitError) Error() string { return e.Reason }
