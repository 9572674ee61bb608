// Package ens resolves Ethereum Name Service names (alice.eth) to
// addresses the way ENSIP-1 describes: the name is normalised, hashed into
// a node with namehash, the registry is asked for the node's resolver, and
// the resolver for the node's address. Nothing else of ENS is implemented:
// no reverse lookup, no wildcard resolution (ENSIP-10), no offchain
// (CCIP-read) resolvers; names that need them do not resolve here.
package ens

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
)

// Registry is the address of the ENS registry (ENSRegistryWithFallback) on
// Ethereum mainnet, Sepolia and Holesky, from ensdomains/ens-contracts'
// deployments and docs.ens.domains/learn/deployments. Hoodi has none.
var Registry = common.HexToAddress("0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e")

// The two calls resolution makes, with the real contracts' signatures:
// ENS.resolver(bytes32) and the address resolver's addr(bytes32)
// (ensdomains/ens-contracts registry/ENS.sol, resolvers/profiles/
// IAddrResolver.sol).
const abiJSON = `[
 {"type":"function","name":"resolver","stateMutability":"view","inputs":[{"name":"node","type":"bytes32"}],"outputs":[{"name":"","type":"address"}]},
 {"type":"function","name":"owner","stateMutability":"view","inputs":[{"name":"node","type":"bytes32"}],"outputs":[{"name":"","type":"address"}]},
 {"type":"function","name":"addr","stateMutability":"view","inputs":[{"name":"node","type":"bytes32"}],"outputs":[{"name":"","type":"address"}]}
]`

// ABI holds the registry's resolver(bytes32) and owner(bytes32) and the
// resolver's addr(bytes32): what a fake node must answer.
var ABI = mustParse(abiJSON)

func mustParse(s string) *abi.ABI {
	a, err := abi.JSON(strings.NewReader(s))
	if err != nil {
		panic(err) // a constant above
	}
	return &a
}

// Caller is the read access resolution needs.
type Caller interface {
	CallContract(ctx context.Context, call ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

// IsName reports whether s is meant as a name rather than an address: it
// has a dot, which no hex address has. It says nothing about whether the
// name is valid (Normalize does).
func IsName(s string) bool { return strings.Contains(s, ".") }

// NameError is a name stakewallet cannot normalise, so will not look up:
// resolving a name spelled differently from what its owner registered
// could send funds to someone else.
type NameError struct {
	Name   string
	Reason string
}

func (e *NameError) Error() string { return fmt.Sprintf("ENS name %q %s", e.Name, e.Reason) }

// Normalize returns name as ENS hashes it. ENSIP-15 normalisation is
// implemented for ASCII names only: upper case is folded to lower case,
// and a label may hold a-z, 0-9, hyphens and leading underscores, without
// "--" in its third and fourth characters (reserved for punycode, which
// ENS does not decode). Any other character is refused rather than
// guessed at, non-ASCII ones (accents, emoji, look-alike letters) with a
// message that says so; a trailing dot is refused too.
func Normalize(name string) (string, error) {
	if name == "" {
		return "", &NameError{Name: name, Reason: "is empty"}
	}
	for _, r := range name {
		if r > 0x7f {
			return "", &NameError{Name: name, Reason: fmt.Sprintf("has the non-ASCII character %q; stakewallet normalises only ASCII names (a look-alike letter would resolve to someone else): give the address", r)}
		}
	}
	lower := strings.ToLower(name)
	for _, label := range strings.Split(lower, ".") {
		if err := checkLabel(name, label); err != nil {
			return "", err
		}
	}
	return lower, nil
}

func checkLabel(name, label string) error {
	if label == "" {
		return &NameError{Name: name, Reason: "has an empty label (two dots in a row, or a dot at either end)"}
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		case c == '_':
			// Checked below: only at the start of a label.
		default:
			return &NameError{Name: name, Reason: fmt.Sprintf("has the character %q, which ENS names do not contain (letters, digits, hyphens)", c)}
		}
	}
	// ENSIP-15 allows underscores only as a leading run.
	if strings.Contains(strings.TrimLeft(label, "_"), "_") {
		return &NameError{Name: name, Reason: fmt.Sprintf("has an underscore inside the label %q (ENS allows them only at its start)", label)}
	}
	if len(label) >= 4 && label[2:4] == "--" {
		return &NameError{Name: name, Reason: fmt.Sprintf("has the label %q with \"--\" as its third and fourth characters (punycode is not decoded): give the address", label)}
	}
	return nil
}

// Namehash is ENSIP-1's namehash of an already normalised name: the zero
// hash for "", else keccak256(namehash(parent) ‖ keccak256(label)) with
// the labels taken from the right.
func Namehash(name string) common.Hash {
	var node common.Hash
	if name == "" {
		return node
	}
	labels := strings.Split(name, ".")
	for i := len(labels) - 1; i >= 0; i-- {
		node = crypto.Keccak256Hash(node[:], LabelHash(labels[i]).Bytes())
	}
	return node
}

// LabelHash is keccak256 of one label.
func LabelHash(label string) common.Hash { return crypto.Keccak256Hash([]byte(label)) }

// NotResolvedError says that a valid name has no address on this chain:
// no resolver, a resolver that has no address for it, or the zero
// address. It is the user's problem to fix (wrong name, wrong network),
// not the RPC's.
type NotResolvedError struct {
	Name   string
	Reason string
}

func (e *NotResolvedError) Error() string {
	return fmt.Sprintf("%s does not resolve to an address (%s)", e.Name, e.Reason)
}

// ErrNoRegistry is returned when the registry address has no contract:
// the network's ens-registry setting is wrong for this chain.
var ErrNoRegistry = errors.New("no ENS registry contract at the configured address")

// Resolve returns the address name resolves to through the registry at
// registry. name is normalised first (a *NameError if it cannot be); a
// name without an address is a *NotResolvedError; anything else is an RPC
// or contract failure.
func Resolve(ctx context.Context, c Caller, registry common.Address, name string) (common.Address, error) {
	norm, err := Normalize(name)
	if err != nil {
		return common.Address{}, err
	}
	node := Namehash(norm)
	out, err := call(ctx, c, registry, "resolver", node)
	if err != nil {
		return common.Address{}, fmt.Errorf("ask the ENS registry %s for the resolver of %s: %w", registry.Hex(), norm, err)
	}
	if len(out) == 0 {
		return common.Address{}, fmt.Errorf("%w %s", ErrNoRegistry, registry.Hex())
	}
	resolver, err := unpackAddress("resolver", out)
	if err != nil {
		return common.Address{}, fmt.Errorf("the ENS registry %s: %w", registry.Hex(), err)
	}
	if resolver == (common.Address{}) {
		return common.Address{}, &NotResolvedError{Name: norm, Reason: "it has no resolver: the name is not registered, or its owner set none"}
	}
	out, err = call(ctx, c, resolver, "addr", node)
	if err != nil {
		if _, reverted := abidecode.FromError(err); reverted {
			return common.Address{}, &NotResolvedError{Name: norm, Reason: fmt.Sprintf("its resolver %s refuses addr(bytes32)", resolver.Hex())}
		}
		return common.Address{}, fmt.Errorf("ask the resolver %s for the address of %s: %w", resolver.Hex(), norm, err)
	}
	if len(out) == 0 {
		return common.Address{}, &NotResolvedError{Name: norm, Reason: fmt.Sprintf("its resolver %s is not a contract", resolver.Hex())}
	}
	addr, err := unpackAddress("addr", out)
	if err != nil {
		return common.Address{}, &NotResolvedError{Name: norm, Reason: fmt.Sprintf("its resolver %s gave no address: %v", resolver.Hex(), err)}
	}
	if addr == (common.Address{}) {
		return common.Address{}, &NotResolvedError{Name: norm, Reason: "its resolver has no Ethereum address for it"}
	}
	return addr, nil
}

func call(ctx context.Context, c Caller, to common.Address, method string, node common.Hash) ([]byte, error) {
	data, err := ABI.Pack(method, node)
	if err != nil {
		return nil, err // fixed types: cannot happen
	}
	return c.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
}

func unpackAddress(method string, out []byte) (common.Address, error) {
	vals, err := ABI.Unpack(method, out)
	if err != nil {
		return common.Address{}, fmt.Errorf("unexpected answer to %s(bytes32): %w", method, err)
	}
	a, ok := vals[0].(common.Address)
	if !ok {
		return common.Address{}, fmt.Errorf("unexpected answer to %s(bytes32): %T", method, vals[0])
	}
	return a, nil
}
