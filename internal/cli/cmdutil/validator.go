package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// ValidatorUse says what a --validator is resolved for: a stake refuses a
// jailed validator, an unstake (or a restake's claim) takes any.
type ValidatorUse int

const (
	// ForStake: delegating to the validator (a jailed one is refused).
	ForStake ValidatorUse = iota
	// ForUnstake: undelegating from it (any status).
	ForUnstake
)

// ResolveValidator resolves what the user typed for --validator through
// p's Validators capability: a validator id (case-insensitive, as
// `stakewallet validators` lists them), else a moniker or a unique
// case-insensitive moniker prefix. "" resolves to nil. A protocol without
// the capability gets the text back unchecked (its adapter judges it). An
// unknown or ambiguous name is bad input (exit 2) listing the candidates;
// a jailed validator is refused for a stake. Listing the validators costs
// the adapter's Validators round trips (one for BNB, through its lens), except for a stake
// naming an exact id of an adapter that checks it itself
// (protocol.ValidatorIDs).
func ResolveValidator(ctx context.Context, p protocol.Protocol, typed string, use ValidatorUse) (*protocol.Validator, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return nil, nil
	}
	vs, ok := p.(protocol.Validators)
	if !ok {
		return &protocol.Validator{ID: typed}, nil
	}
	if ids, ok := p.(protocol.ValidatorIDs); ok && use == ForStake {
		// The adapter's Checks judge an exact id in the wallet's batch:
		// no listing (two round trips saved).
		if id, ok := ids.ParseValidatorID(typed); ok {
			return &protocol.Validator{ID: id}, nil
		}
	}
	list, err := vs.Validators(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the validators of %s: %w", p.DisplayName(), err)
	}
	v, err := MatchValidator(list, typed)
	if err != nil {
		return nil, err
	}
	if use == ForStake && v.Status == "jailed" {
		return nil, BadInputf("validator %s is jailed: %s does not take delegations to it until it is unjailed; choose another (`stakewallet validators` lists them)", describe(v), p.DisplayName())
	}
	return &v, nil
}

// ValidatorTarget is ResolveValidator giving the id that goes into a stake
// request's Target ("" when none was typed).
func ValidatorTarget(ctx context.Context, p protocol.Protocol, typed string, use ValidatorUse) (string, error) {
	v, err := ResolveValidator(ctx, p, typed, use)
	if err != nil || v == nil {
		return "", err
	}
	return v.ID, nil
}

// ResolveUnstakeValidator resolves --validator for unstake (ForUnstake) and
// says which token AMOUNT is in when the protocol's stake is the validator's
// own credit (BNB): with no --token (or --token naming the credit), the
// credit for "all" (its whole share balance) and, for an amount, the token
// staked: the protocol's underlying ERC-20 (Polygon's POL) or else the native
// coin; nil otherwise (the command's usual choice).
func ResolveUnstakeValidator(ctx context.Context, p protocol.Protocol, typed, tokenRef, amountArg string, native protocol.Token) (string, *protocol.Token, error) {
	v, err := ResolveValidator(ctx, p, typed, ForUnstake)
	if err != nil || v == nil {
		return "", nil, err
	}
	if v.Credit == nil {
		if _, delegator := p.(protocol.Delegator); delegator && len(p.Tokens()) == 0 && tokenRef == "" {
			// A native delegation with no token at all (Sonic's SFC, or a
			// Delegator whose rewards compound): the amount is the coin
			// delegated.
			n := native
			n.Role = protocol.RoleNative
			return v.ID, &n, nil
		}
		return v.ID, nil, nil
	}
	credit := *v.Credit
	switch {
	case strings.EqualFold(tokenRef, credit.Symbol) || strings.EqualFold(tokenRef, credit.Address.Hex()):
		return v.ID, &credit, nil
	case amountArg == "all" && strings.EqualFold(tokenRef, native.Symbol):
		// All of the delegation: the whole credit balance, not the wallet's coin.
		return v.ID, &credit, nil
	case tokenRef != "":
		return v.ID, nil, nil
	case amountArg == "all":
		return v.ID, &credit, nil
	}
	if _, staked := p.Tokens().ByRole(protocol.RoleStaked); staked {
		return v.ID, nil, nil
	}
	if u, ok := p.Tokens().ByRole(protocol.RoleUnderlying); ok {
		return v.ID, &u, nil // an amount of the ERC-20 staked (Polygon's POL)
	}
	n := native
	n.Role = protocol.RoleNative
	return v.ID, &n, nil
}

// MatchValidator finds typed among vs: an id (case-insensitive), an exact
// moniker (case-insensitive), else the one moniker it is a prefix of. No
// match, or several, is bad input listing the candidates.
func MatchValidator(vs []protocol.Validator, typed string) (protocol.Validator, error) {
	t := strings.ToLower(strings.TrimSpace(typed))
	for _, v := range vs {
		if strings.ToLower(v.ID) == t {
			return v, nil
		}
	}
	var exact, prefix []protocol.Validator
	for _, v := range vs {
		m := strings.ToLower(v.Moniker)
		switch {
		case m == "":
		case m == t:
			exact = append(exact, v)
		case strings.HasPrefix(m, t):
			prefix = append(prefix, v)
		}
	}
	if len(exact) == 1 {
		return exact[0], nil
	}
	cands := append(exact, prefix...)
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return protocol.Validator{}, BadInputf("unknown validator %q: give an id or a unique moniker prefix of %s", typed, listValidators(vs))
	}
	return protocol.Validator{}, BadInputf("validator %q is ambiguous: it matches %s; type more of the moniker, or the id", typed, listValidators(cands))
}

// describe is "Moniker (id)", or the id alone.
func describe(v protocol.Validator) string {
	if v.Moniker == "" {
		return v.ID
	}
	return v.Moniker + " (" + v.ID + ")"
}

// listValidators names the candidates, by moniker.
func listValidators(vs []protocol.Validator) string {
	if len(vs) == 0 {
		return "no validator (the protocol lists none)"
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = describe(v)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// CreditToken finds ref (a symbol or an address) among the per-validator
// credit tokens of ps's delegation protocols (BNB's StakeCredit "st…"),
// which are no static token of their protocol: for commands that resolved
// ref to nothing of a protocol. It lists the validators of each protocol
// with the capability (their Validators round trips); a listing that fails
// counts as no match.
func CreditToken(ctx context.Context, ps []protocol.Protocol, ref string) (protocol.Token, protocol.Protocol, bool) {
	ref = strings.TrimSpace(ref)
	for _, p := range ps {
		vs, ok := p.(protocol.Validators)
		if !ok {
			continue
		}
		list, err := vs.Validators(ctx)
		if err != nil {
			continue
		}
		for _, v := range list {
			if c := v.Credit; c != nil && (strings.EqualFold(c.Symbol, ref) || strings.EqualFold(c.Address.Hex(), ref)) {
				return *c, p, true
			}
		}
	}
	return protocol.Token{}, nil, false
}

// ReadStipendOwner is for claims of a protocol.StipendPayer: it adds a read
// of owner's code to reads (a sending command's batch, txcmd.Request.Reads)
// and returns the judgement to run once it is answered (Request.Prepared):
// bad input with the protocol's note when owner has code (a contract wallet,
// or an account delegated with EIP-7702), nil otherwise.
func ReadStipendOwner(reads *[]rpc.BatchElem, owner common.Address, note string) func() error {
	var code hexutil.Bytes
	i := len(*reads)
	*reads = append(*reads, rpc.BatchElem{Method: "eth_getCode", Args: []any{owner, "latest"}, Result: &code, Error: errors.New("not read")})
	return func() error {
		if err := (*reads)[i].Error; err != nil {
			return fmt.Errorf("check whether %s is a contract: %w", owner.Hex(), err)
		}
		if len(code) > 0 {
			return BadInputf("%s has code (a contract wallet): %s", owner.Hex(), note)
		}
		return nil
	}
}
