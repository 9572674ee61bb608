package cmdutil

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
)

// ExactArgs is cobra.ExactArgs with an exit-2 error that says what is missing.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return BadInputf("%s needs %s (got %d argument(s)); see `%s --help`", cmd.CommandPath(), what, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// MaximumArgs is cobra.MaximumNArgs with an exit-2 error.
func MaximumArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return BadInputf("%s takes at most %s (got %d arguments)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

// ParseAddress parses a 0x-prefixed hex address. Mixed-case input must
// carry a valid EIP-55 checksum: a typo in an address loses funds.
func ParseAddress(what, s string) (common.Address, error) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") || !common.IsHexAddress(s) {
		return common.Address{}, BadInputf("%s %q is not an address (0x followed by 40 hex digits)", what, s)
	}
	a := common.HexToAddress(s)
	body := s[2:]
	if strings.ToLower(body) != body && strings.ToUpper(body) != body && a.Hex()[2:] != body {
		return common.Address{}, BadInputf("%s %q has a wrong EIP-55 checksum (expected %s): check it for typos", what, s, a.Hex())
	}
	return a, nil
}

// ParseIDs parses withdrawal request ids (decimal, positive).
func ParseIDs(args []string) ([]*big.Int, error) {
	var ids []*big.Int
	seen := map[string]bool{}
	for _, a := range args {
		v, ok := new(big.Int).SetString(a, 10)
		if !ok || v.Sign() <= 0 || strings.TrimLeft(a, "0123456789") != "" {
			return nil, BadInputf("request id %q is not a positive whole number", a)
		}
		if seen[v.String()] {
			return nil, BadInputf("request id %s is given twice", v)
		}
		seen[v.String()] = true
		ids = append(ids, v)
	}
	return ids, nil
}

// JoinIDs renders ids as "1, 2, 3".
func JoinIDs(ids []*big.Int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ", ")
}

// IDStrings renders ids as decimal strings for JSON.
func IDStrings(ids []*big.Int) []string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return s
}

// Plural returns "1 request" / "2 requests".
func Plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
