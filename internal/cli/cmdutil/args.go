package cmdutil

import (
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/pkg/protocol"
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

// Requests is p's request capability, or a bad-input error for a
// protocol whose unstake pays out at once (it leaves nothing to list,
// wait for or claim).
func Requests(p protocol.Protocol) (protocol.Requests, error) {
	r, ok := p.(protocol.Requests)
	if !ok {
		return nil, BadInputf("%s has no withdrawal requests: its unstake pays out in the same transaction", p.DisplayName())
	}
	return r, nil
}

// ParseIDs parses withdrawal request ids as p formats them; an id given
// twice is an error (a script that repeats one has a bug).
func ParseIDs(p protocol.Protocol, args []string) ([]protocol.RequestID, error) {
	if len(args) == 0 {
		return nil, nil
	}
	r, err := Requests(p)
	if err != nil {
		return nil, err
	}
	var ids []protocol.RequestID
	seen := map[protocol.RequestID]bool{}
	for _, a := range args {
		id, err := r.ParseRequestID(a)
		if err != nil {
			return nil, BadInput(err)
		}
		if seen[id] {
			return nil, BadInputf("request id %s is given twice", id)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids, nil
}

// JoinIDs renders ids as "1, 2, 3".
func JoinIDs(ids []protocol.RequestID) string {
	return strings.Join(IDStrings(ids), ", ")
}

// IDStrings renders ids as strings for JSON (never null: an empty list).
func IDStrings(ids []protocol.RequestID) []string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
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
