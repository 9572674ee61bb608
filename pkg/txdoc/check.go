package txdoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
)

// ErrChain: the document is for another chain than the network given.
var ErrChain = errors.New("the document is for another chain")

// Deployment is what the signing side knows, without a network, about the
// chain a document is for: from the built-in deployment table and the
// config file.
type Deployment struct {
	Network string
	ChainID uint64
	Native  Token
	// ABIs decode the calldata: the protocol's first, then ERC-20's.
	ABIs []*abi.ABI
	// Contracts are the addresses a transaction of the document's protocol
	// may call on this network (its contracts and tokens), named by role.
	Contracts map[common.Address]string
	// Tokens are the tokens known on this network by symbol, so that a
	// plain transfer cannot call a look-alike contract named "stETH".
	Tokens map[string]common.Address
	// Discovered, when set, says why the protocol calls contracts that are
	// not in its deployment table (found on-chain when the document was
	// built: Rocket Pool's deposit pool, a Polygon validator's share
	// contract). Such a "to" cannot be checked offline: Check lets it pass
	// and Warnings names it, for the signer to check by eye.
	Discovered string
}

// Warnings are what Check cannot verify offline and lets pass: calls to
// contracts outside the deployment table of a protocol that finds its
// contracts on-chain. tx sign shows them before asking.
func Warnings(d *Doc, dep Deployment) []string {
	var out []string
	if d.Protocol == "" || dep.Discovered == "" {
		return nil
	}
	for i, t := range d.Transactions {
		if _, ok := dep.Contracts[t.To]; !ok {
			out = append(out, fmt.Sprintf("transaction %d calls %s, which is not in stakewallet's %s table for %s (%s): it cannot be checked offline; make sure it is the contract you expect",
				i+1, t.To.Hex(), d.Protocol, dep.Network, dep.Discovered))
		}
	}
	return out
}

// Call is a transaction's calldata decoded.
type Call struct {
	Method *abi.Method
	Args   []any
}

// String is "approve(spender: 0x…, amount: 1000)".
func (c *Call) String() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		name := c.Method.Inputs[i].Name
		if name == "" {
			name = fmt.Sprintf("arg%d", i)
		}
		parts[i] = strings.TrimPrefix(name, "_") + ": " + render(a)
	}
	return c.Method.RawName + "(" + strings.Join(parts, ", ") + ")"
}

func render(v any) string {
	n := abidecode.Normalize(v)
	if s, ok := n.(string); ok {
		return s
	}
	b, err := json.Marshal(n)
	if err != nil {
		return fmt.Sprint(n)
	}
	return string(b)
}

// Decode finds data's function in abis and unpacks its arguments. The
// encoding must be canonical (re-encoding the arguments gives data back):
// bytes the contract would ignore have no place in what is signed.
func Decode(data []byte, abis ...*abi.ABI) (*Call, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("no function selector in %d bytes of calldata", len(data))
	}
	for _, a := range abis {
		if a == nil {
			continue
		}
		m, err := a.MethodById(data[:4])
		if err != nil {
			continue
		}
		args, err := m.Inputs.Unpack(data[4:])
		if err != nil {
			return nil, fmt.Errorf("calldata of %s does not decode: %w", m.Sig, err)
		}
		if packed, err := m.Inputs.Pack(args...); err == nil && !bytes.Equal(packed, data[4:]) {
			return nil, fmt.Errorf("calldata of %s is not the canonical encoding of its arguments (%d bytes, %d expected)", m.Sig, len(data)-4, len(packed))
		}
		return &Call{Method: m, Args: args}, nil
	}
	return nil, fmt.Errorf("selector 0x%x is no function of the protocol's contracts", data[:4])
}

// Lines is the human preview of d: exactly what --unsigned shows and
// writes, and what tx sign shows. Every transaction's calldata is decoded
// with abis (the protocol's ABI, then ERC-20's).
func Lines(d *Doc, abis ...*abi.ABI) []string {
	coin := func(v *big.Int) string { return amount.FormatUnits(v, d.Native.Decimals, d.Native.Symbol) }
	lines := []string{d.Title}
	if d.Protocol != "" {
		lines = append(lines, "protocol: "+d.Protocol)
	}
	lines = append(lines,
		fmt.Sprintf("network: %s (chain ID %d)", d.Network, d.ChainID),
		"from: "+d.From.Hex())
	for i, t := range d.Transactions {
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, t.Description))
		lines = append(lines, "   contract: "+t.To.Hex())
		if c, err := Decode(t.Data, abis...); err == nil {
			lines = append(lines, "   call: "+c.String())
		} else {
			lines = append(lines, "   call: undecodable: "+err.Error())
		}
		lines = append(lines, "   value: "+coin(t.Value.Big()))
		if t.Amount != nil && t.Token != nil {
			verb := "amount"
			if t.Token.IsNative() && t.Value.Big().Sign() == 0 {
				verb = "receives (not in the calldata)"
			}
			lines = append(lines, fmt.Sprintf("   %s: %s", verb, amount.FormatUnits(t.Amount.Big(), t.Token.Decimals, t.Token.Symbol)))
		}
		if t.Permit != nil {
			lines = append(lines, "   signs first: EIP-712 typed data (a permit) whose signature this call carries")
		}
		gas := itoa(t.Gas)
		if !t.GasEstimated {
			gas += fmt.Sprintf(" (the protocol's figure: it cannot be estimated before transaction %d is mined)", i)
		}
		lines = append(lines,
			"   nonce: "+itoa(t.Nonce),
			"   gas limit: "+gas,
			fmt.Sprintf("   max fee per gas: %s gwei (tip %s gwei)", amount.Format(t.MaxFeePerGas.Big(), 9), amount.Format(t.MaxPriorityFeePerGas.Big(), 9)))
	}
	lines = append(lines, "max fee: "+coin(d.MaxCost()))
	for _, n := range d.Notes {
		lines = append(lines, "note: "+n)
	}
	return lines
}

var addrRE = regexp.MustCompile(`0x[0-9a-fA-F]{40}`)

// Check verifies d against dep and itself: its chain, its coin, and for
// every transaction that the calldata decodes with the protocol's ABI,
// that it calls one of the protocol's contracts on this network, that its
// value and amount are what the calldata and the description say, that
// the description names no address the call does not carry, and finally
// that the preview lines are exactly the ones its fields give. A failure
// wraps ErrChain or ErrMismatch and lists every disagreement.
func Check(d *Doc, dep Deployment) error {
	if d.ChainID != dep.ChainID {
		return fmt.Errorf("%w: it is for chain %d (%s), but network %s is chain %d; nothing was signed",
			ErrChain, d.ChainID, d.Network, dep.Network, dep.ChainID)
	}
	var bad []string
	if d.Native.Symbol != dep.Native.Symbol || d.Native.Decimals != dep.Native.Decimals {
		bad = append(bad, fmt.Sprintf("its native coin is %s (%d decimals), network %s's is %s (%d)",
			d.Native.Symbol, d.Native.Decimals, dep.Network, dep.Native.Symbol, dep.Native.Decimals))
	}
	for i, t := range d.Transactions {
		for _, p := range checkTx(d, t, dep) {
			bad = append(bad, fmt.Sprintf("transaction %d (%s): %s", i+1, t.Action, p))
		}
	}
	want := Lines(d, dep.ABIs...)
	if len(bad) == 0 {
		for i := range max(len(want), len(d.Preview)) {
			var got, exp string
			if i < len(d.Preview) {
				got = d.Preview[i]
			}
			if i < len(want) {
				exp = want[i]
			}
			if got != exp {
				bad = append(bad, fmt.Sprintf("preview line %d says %q, but the transactions say %q", i+1, got, exp))
				break
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s; refusing it: build the document again", ErrMismatch, strings.Join(bad, "; "))
	}
	return nil
}

func checkTx(d *Doc, t *Tx, dep Deployment) []string {
	var bad []string
	c, err := Decode(t.Data, dep.ABIs...)
	if err != nil {
		return []string{err.Error()}
	}
	// The contract.
	if d.Protocol != "" {
		if _, ok := dep.Contracts[t.To]; !ok && dep.Discovered == "" {
			bad = append(bad, fmt.Sprintf("to %s is not a %s contract on %s", t.To.Hex(), d.Protocol, dep.Network))
		}
	} else {
		switch {
		case t.Token == nil || t.Token.IsNative():
			bad = append(bad, "a transaction without a protocol must name the token it calls")
		case *t.Token.Address != t.To:
			bad = append(bad, fmt.Sprintf("to %s is not the token %s (%s)", t.To.Hex(), t.Token.Symbol, t.Token.Address.Hex()))
		default:
			if known, ok := dep.Tokens[t.Token.Symbol]; ok && known != t.To {
				bad = append(bad, fmt.Sprintf("to %s is not %s on %s (%s)", t.To.Hex(), t.Token.Symbol, dep.Network, known.Hex()))
			}
		}
	}
	// The value.
	value := t.Value.Big()
	if !c.Method.IsPayable() && value.Sign() != 0 {
		bad = append(bad, fmt.Sprintf("value %s sent to %s, which takes no coin", value, c.Method.Sig))
	}
	// The amount.
	if t.Amount != nil {
		amt := t.Amount.Big()
		native := t.Token.IsNative()
		switch {
		case native && c.Method.IsPayable():
			if value.Cmp(amt) != 0 {
				bad = append(bad, fmt.Sprintf("value %s is not the amount %s", value, amt))
			}
		case native && value.Sign() == 0:
			// Paid out by the call (a claim): not in the calldata.
		case !carries(c.Args, amt):
			bad = append(bad, fmt.Sprintf("the calldata of %s does not carry the amount %s", c.Method.Sig, amt))
		}
		if t.Token != nil {
			if shown := amount.Format(amt, t.Token.Decimals); !mentions(t.Description, shown) {
				bad = append(bad, fmt.Sprintf("the description %q does not state the amount %s", t.Description, shown))
			}
		}
	}
	// The addresses the description names.
	for _, a := range addrRE.FindAllString(t.Description, -1) {
		addr := common.HexToAddress(a)
		if addr != t.To && addr != d.From && !carries(c.Args, addr) {
			bad = append(bad, fmt.Sprintf("the description names %s, which the call does not carry", addr.Hex()))
		}
	}
	return bad
}

// mentions reports whether s contains word as a whole token.
func mentions(s, word string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '(' || r == ')' || r == ';' }) {
		if f == word {
			return true
		}
	}
	return false
}

// carries reports whether want (a *big.Int or an address) is one of args,
// looking into lists and tuples; for an amount, the sum of a list of
// integers counts too (requests split in parts).
func carries(args []any, want any) bool {
	for _, a := range args {
		if carriesValue(abidecode.Normalize(a), want) {
			return true
		}
	}
	return false
}

func carriesValue(v any, want any) bool {
	switch x := v.(type) {
	case string:
		switch w := want.(type) {
		case *big.Int:
			return x == w.String()
		case common.Address:
			return strings.EqualFold(x, w.Hex())
		}
	case []any:
		if w, ok := want.(*big.Int); ok && len(x) > 0 {
			sum, all := new(big.Int), true
			for _, e := range x {
				s, ok := e.(string)
				n, ok2 := new(big.Int).SetString(s, 10)
				if !ok || !ok2 {
					all = false
					break
				}
				sum.Add(sum, n)
			}
			if all && sum.Cmp(w) == 0 {
				return true
			}
		}
		for _, e := range x {
			if carriesValue(e, want) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if carriesValue(e, want) {
				return true
			}
		}
	}
	return false
}
