// Package protocol is the one contract between the wallet and a staking
// system, in the manner of database/sql/driver: a small required interface
// (Protocol) that every adapter implements, and optional capabilities that
// an adapter implements only when its system has them. The wallet asserts
// a capability with a type assertion and falls back as documented below.
// Adapters live in sub-packages (lido, …), are listed in pkg/protocol/all,
// and never sign or send anything themselves: pkg/txflow does that.
//
// # Required: Protocol
//
// Name, DisplayName, Tokens (with roles), Unstaking (which kind of
// unstake the system has), Targets (whether stake and unstake name a
// validator), Stake, Unstake and ABI.
//
// # Optional capabilities
//
//	capability    interface     what the wallet does without it
//	------------  ------------  ------------------------------------------------
//	requests      Requests      unstake pays out in its own transaction (instant);
//	                            withdrawals, claim and wait say the protocol has
//	                            no requests
//	claim-batch   ClaimBatcher  claim takes the adapter's own batching (Claim)
//	                            instead of sizing batches to the gas limit
//	wrap          Wrapper       wrap and unwrap refuse (exit 2)
//	eta           Estimating    pending requests show "ETA unknown: no model"
//	hints         Hinter        reverts are decoded without protocol advice
//	validators    Validators    validators says the protocol has none; a
//	                            --validator is passed through unchecked
//	restake       Restaker      restake stakes with the --validator given, or
//	                            none
//	rate          Rater         balance and protocols show no exchange rate
//	delegations   Delegator     balance shows no delegation rows
//	rewards       Rewarder      claim --rewards says the protocol has no
//	                            separate rewards
//	                            (BNB compounds them into the stake); restake
//	                            only re-stakes claimed requests
//	many-owners   ManyOwners    balance of several addresses reads each
//	                            owner's requests with Withdrawals
//
// Each adapter asserts what it has at compile time
// (var _ protocol.Wrapper = (*Adapter)(nil)) and lists the same names in its
// Descriptor.Capabilities; pkg/protocol/all's test fails when the two
// disagree, so a renamed method cannot make the CLI fall back silently.
//
// # Permits
//
// A Call that spends an allowance the approve right before it grants may
// offer a PermitRequest (Call.Permit): the wallet then signs an EIP-2612
// permit (typed data) after the confirmation and sends the call built with
// its signature instead of the approve and the call, when the approve is
// needed and the signer signs typed data (permit.go).
//
// # Identities and kinds
//
// Request ids are opaque strings (RequestID) that only the adapter formats
// and parses: Lido's are plain numbers, a delegation's can name the
// validator. Statuses include expired (a claim window passed). Tokens carry
// roles, not positions. The native coin comes from the network (Env.Native),
// never from the adapter.
package protocol

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
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

// Role says what a token is to its protocol.
type Role string

const (
	// RoleNative is the chain's native coin (Env.Native).
	RoleNative Role = "native"
	// RoleStaked is the receipt token Stake mints (stETH, rETH, sAVAX).
	RoleStaked Role = "staked"
	// RoleWrapped is a non-rebasing wrapper of the staked token (wstETH).
	RoleWrapped Role = "wrapped"
	// RoleUnderlying is an ERC-20 that is staked instead of the native
	// coin (POL on Ethereum).
	RoleUnderlying Role = "underlying"
	// RoleCredit is a per-validator share token that cannot be moved
	// (BNB's StakeCredit).
	RoleCredit Role = "credit"
)

// Token is an ERC-20 the protocol issues or takes, or the native coin (zero
// Address).
type Token struct {
	Symbol   string
	Address  common.Address
	Decimals uint8
	Role     Role
	// NotTransferable marks tokens the contract refuses to move between
	// accounts; transfer refuses them before anything is signed.
	NotTransferable bool
}

// IsNative reports whether t is the chain's native coin.
func (t Token) IsNative() bool { return t.Address == (common.Address{}) }

// Tokens are a protocol's tokens.
type Tokens []Token

// ByRole returns the first token with role r.
func (ts Tokens) ByRole(r Role) (Token, bool) {
	for _, t := range ts {
		if t.Role == r {
			return t, true
		}
	}
	return Token{}, false
}

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
	// GasExtra is added to the node's estimate (before the wallet's
	// margin) for what the estimate cannot see coming: a storage slot that
	// another account's transaction may empty before this one runs, so that
	// this call writes it from zero (20,000 gas more than the estimate's
	// non-zero write). The margin alone is a percentage and may not cover it.
	GasExtra uint64
	// Checks are the protocol rules on this call, read in the wallet's
	// batch before anything is signed (see Check).
	Checks []Check
	// Only, when set, leaves the call out unless its read says it is
	// needed (see Condition).
	Only *Condition
	// Permit, when set, lets the wallet replace the approve right before
	// this call, and this call, with one call carrying a signed EIP-2612
	// permit (see PermitRequest).
	Permit *PermitRequest
}

// UnstakeKind is how a protocol gives the coin back.
type UnstakeKind string

const (
	// UnstakeQueued: a request joins a queue and is claimable once the
	// protocol finalizes it (Lido).
	UnstakeQueued UnstakeKind = "queued"
	// UnstakeInstant: the coin arrives in the unstake transaction itself
	// (Rocket Pool's burn); there is no request to wait for.
	UnstakeInstant UnstakeKind = "instant"
	// UnstakeCooldown: a request is claimable from ClaimableAt and must be
	// claimed before ClaimBy, or it expires (sAVAX).
	UnstakeCooldown UnstakeKind = "cooldown"
	// UnstakeUnbonding: each delegation unbonds for a fixed period per
	// validator (BNB, Polygon, Sonic).
	UnstakeUnbonding UnstakeKind = "unbonding"
)

// HasRequests reports whether an unstake of this kind leaves a request to
// wait for and claim.
func (k UnstakeKind) HasRequests() bool { return k != UnstakeInstant }

// TargetRule says whether stake and unstake name a target (a validator).
type TargetRule string

const (
	// TargetNone: the protocol pools the stake; a target is refused.
	TargetNone TargetRule = "none"
	// TargetOptional: a target may be named (a node operator preference).
	TargetOptional TargetRule = "optional"
	// TargetRequired: stake and unstake must name a validator.
	TargetRequired TargetRule = "required"
)

// StakeRequest is what Stake builds calls for.
type StakeRequest struct {
	From   common.Address
	Amount *big.Int // native coin (or the underlying token), base units
	// Target is the validator, as the user typed it; "" when none.
	Target string
	// Referral is passed to protocols that take one; zero for none.
	Referral common.Address
}

// UnstakeRequest is what Unstake builds calls for.
type UnstakeRequest struct {
	Owner  common.Address
	Amount *big.Int // in Token's base units
	Token  Token    // the token given back: the staked or wrapped one
	Target string   // the validator, for unbonding protocols
}

// Status of a withdrawal request.
type Status string

const (
	StatusPending   Status = "pending"
	StatusClaimable Status = "claimable"
	StatusClaimed   Status = "claimed"
	// StatusExpired: the claim window passed; what happens next is the
	// protocol's (sAVAX returns the shares).
	StatusExpired Status = "expired"
)

// RequestID identifies a withdrawal request within its protocol. It is
// opaque to the wallet: the adapter formats it (Requests.RequestIDs,
// Withdrawal.ID) and parses what the user typed (Requests.ParseRequestID).
type RequestID string

// String implements fmt.Stringer.
func (id RequestID) String() string { return string(id) }

// Withdrawal is one withdrawal request.
type Withdrawal struct {
	ID       RequestID
	Protocol string
	Owner    common.Address
	// Target is the validator the request unbonds from; "" for pooled stake.
	Target      string
	Amount      *big.Int // requested, in Token's base units
	Token       Token    // the token the amount is in
	Status      Status
	RequestedAt time.Time
	// Claimable is the native amount a claim pays now (after any
	// discount); nil while pending.
	Claimable *big.Int
	// ClaimableAt is when the request becomes claimable, where the
	// protocol fixes it (a cooldown); nil when it depends on the queue.
	ClaimableAt *time.Time
	// ClaimBy is the end of the claim window; nil when there is none.
	ClaimBy *time.Time
	// ETA is when the request is expected to become claimable; nil = unknown.
	ETA *time.Time
}

// Protocol is a staking system on one network: the required interface.
type Protocol interface {
	// Name is the lower-case id used by --protocol ("lido").
	Name() string
	// DisplayName is for people ("Lido").
	DisplayName() string
	// Tokens lists the protocol's tokens with their roles; exactly one has
	// RoleStaked unless stake mints nothing transferable.
	Tokens() Tokens
	// Unstaking says how Unstake gives the coin back.
	Unstaking() UnstakeKind
	// Targets says whether stake and unstake name a validator.
	Targets() TargetRule
	// Stake returns the calls that stake r.Amount from r.From. It checks
	// protocol limits (paused, minimum, capacity) and returns a
	// *LimitError when they forbid the stake.
	Stake(ctx context.Context, r StakeRequest) ([]Call, error)
	// Unstake returns the calls that unstake r.Amount of r.Token,
	// including an approve when an allowance is short.
	Unstake(ctx context.Context, r UnstakeRequest) ([]Call, error)
	// ABI holds every function, event and error of the protocol's
	// contracts, for decoding reverts and receipts.
	ABI() *abi.ABI
}

// Requests is the capability of protocols whose unstake leaves a request
// (every UnstakeKind but instant).
type Requests interface {
	// ParseRequestID checks and normalizes an id the user typed.
	ParseRequestID(s string) (RequestID, error)
	// RequestIDs extracts the ids of requests created in receipt.
	RequestIDs(receipt *types.Receipt) []RequestID
	// Withdrawals returns the requests with the given ids, or every request
	// of owner when ids is empty, oldest first.
	Withdrawals(ctx context.Context, owner common.Address, ids []RequestID) ([]Withdrawal, error)
	// Claim returns the calls that claim the given claimable requests.
	Claim(ctx context.Context, owner common.Address, ids []RequestID) ([]Call, error)
}

// ManyOwners is the "many-owners" capability of protocols that read the
// requests of several owners in fewer round trips than one Withdrawals
// call per owner makes (balance ADDR ADDR …).
type ManyOwners interface {
	Requests
	// WithdrawalsOf returns every request of each owner (as Withdrawals
	// with no ids), aligned with owners. ErrNoShortcut means this node
	// cannot serve the shortcut: call Withdrawals per owner instead.
	WithdrawalsOf(ctx context.Context, owners []common.Address) ([][]Withdrawal, error)
}

// ErrNoShortcut is ManyOwners' "read the owners one by one instead".
var ErrNoShortcut = errors.New("the node cannot serve this read in one call")

// ClaimBatcher is implemented by protocols whose claims take a batch size
// from the caller, so that the wallet can fit claims to the gas limit.
type ClaimBatcher interface {
	ClaimBatches(ctx context.Context, ids []RequestID, perTx int) ([]Call, error)
}

// Wrapper is implemented by protocols with a wrapped (non-rebasing) token.
type Wrapper interface {
	Wrap(ctx context.Context, from common.Address, amount *big.Int) ([]Call, error)
	Unwrap(ctx context.Context, from common.Address, amount *big.Int) ([]Call, error)
}

// Validator is one validator a stake can be delegated to.
type Validator struct {
	// ID is what the user types: an operator address or a number.
	ID         string
	Moniker    string
	Commission string // a decimal percentage, "5" or "2.5"
	TotalStake *big.Int
	Status     string // active, jailed, inactive
	// Credit is the validator's own share token, for protocols that mint
	// one per validator (BNB's StakeCredit: RoleCredit, NotTransferable);
	// nil otherwise.
	Credit *Token
}

// Validators is implemented by delegation protocols.
type Validators interface {
	Validators(ctx context.Context) ([]Validator, error)
}

// StipendPayer is implemented by protocols whose claims pay the native coin
// through a call with a small fixed gas stipend (BNB's StakeCredit: 5,000
// gas), which an owner with code (a smart-contract wallet) cannot receive
// with. It is not a capability of its own: the wallet reads the owner's
// code in the claim's batch and, when there is code, refuses the claim
// with ClaimStipendNote (nothing is signed).
type StipendPayer interface {
	ClaimStipendNote() string
}

// ValidatorIDs is implemented by Validators adapters whose Stake checks the
// validator itself (Checks refuse an unknown one and a jailed one): a
// --validator typed as an exact id then needs no listing before a stake.
// It is not a capability of its own.
type ValidatorIDs interface {
	// ParseValidatorID returns the canonical id when s is one in form
	// (BNB: an operator address), whether or not such a validator exists.
	ParseValidatorID(s string) (id string, ok bool)
}

// Restaker is implemented by protocols that know where claimed proceeds
// go back to (the validator the claimed requests unbonded from).
type Restaker interface {
	RestakeTarget(ctx context.Context, owner common.Address, claimed []Withdrawal) (string, error)
}

// CommonTarget is the Restaker answer of a delegation protocol: the one
// validator every claimed request (that names one) unbonded from, compared
// without case (operator addresses). Requests from several validators, or
// naming none, are a LimitError asking for --validator; what names the
// validators in it ("Polygon validators").
func CommonTarget(claimed []Withdrawal, what string) (string, error) {
	target := ""
	for _, w := range claimed {
		switch {
		case w.Target == "":
		case target == "":
			target = w.Target
		case !strings.EqualFold(target, w.Target):
			return "", &LimitError{Reason: fmt.Sprintf("the claimed requests unbonded from several %s (%s, %s): pass --validator to say where to restake", what, target, w.Target)}
		}
	}
	if target == "" {
		return "", &LimitError{Reason: "the claimed requests name no validator: pass --validator to say where to restake"}
	}
	return target, nil
}

// Rater is implemented by protocols whose staked token has an exchange
// rate the chain states (rETH, sAVAX, stS; not a rebasing stETH, which is
// 1:1). It is a read rather than a method that reads, so that the wallet can
// put it in the batch of everything else it asks (balance: one round trip).
type Rater interface {
	// RateCall is the eth_call that tells how much native coin, in base
	// units, one whole staked token (10^decimals base units) is worth, and
	// decode turns its answer into that amount (wrapping ErrBadAnswer when
	// the bytes do not decode).
	RateCall() (msg ethereum.CallMsg, decode func(ret []byte) (*big.Int, error))
}

// Delegation is one stake delegated to a validator and the rewards it
// has earned that a claim would pay now.
type Delegation struct {
	// Target is the validator id, as Validators lists it.
	Target string
	// Staked is what is delegated, in Token's base units.
	Staked *big.Int
	Token  Token
	// Rewards are the pending rewards, in RewardToken's base units; nil
	// when the protocol compounds rewards into Staked (BNB).
	Rewards     *big.Int
	RewardToken Token
}

// Delegator is the "delegations" capability of delegation protocols:
// listing owner's stakes with validators. A target of "" means every
// delegation of owner; a named one, that validator only.
type Delegator interface {
	// Delegations lists owner's delegations with a stake or pending
	// rewards, in validator order: one batch of reads after the listing
	// of the validators it needs (none when target is named). Rewards is
	// nil when the protocol compounds them into the stake (BNB).
	Delegations(ctx context.Context, owner common.Address, target string) ([]Delegation, error)
}

// Rewarder is the "rewards" capability of delegation protocols whose
// rewards wait in the contract until the delegator claims or re-stakes
// them (Sonic's SFC: claimRewards/restakeRewards; Polygon's ValidatorShare:
// withdrawRewardsPOL/restakePOL). A target of "" means every delegation of
// owner (with rewards, for the claims); a named one, that validator only.
type Rewarder interface {
	Delegator
	// ClaimRewards returns the calls that pay owner's pending rewards out;
	// a *LimitError when there are none.
	ClaimRewards(ctx context.Context, owner common.Address, target string) ([]Call, error)
	// RestakeRewards returns the calls that delegate owner's pending
	// rewards to the validators that earned them; a *LimitError when there
	// are none.
	RestakeRewards(ctx context.Context, owner common.Address, target string) ([]Call, error)
}

// LimitError is a protocol rule that forbids the request (bad input, exit 2).
type LimitError struct{ Reason string }

func (e *LimitError) Error() string { return e.Reason }

// ErrBadAnswer is wrapped by adapters (and pkg/erc20) when a contract read
// returns bytes that do not decode as its ABI says: a lying or broken RPC,
// or no such contract at the address. The wallet refuses to go on with it
// (exit 3): a garbled balance or limit must not decide what is signed.
var ErrBadAnswer = errors.New("the answer of a contract read does not decode")

// ParseIDs parses ids with parse, in order, keeping the first of
// duplicates (a request named twice is claimed once): the adapters'
// composite ids (validator and nonce, operator and sequence) share it.
func ParseIDs[T comparable](ids []RequestID, parse func(string) (T, error)) ([]T, error) {
	out := make([]T, 0, len(ids))
	seen := map[T]bool{}
	for _, id := range ids {
		r, err := parse(string(id))
		if err != nil {
			return nil, err
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out, nil
}
