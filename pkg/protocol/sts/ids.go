package sts

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// stS request ids are SonicStaking withdraw ids: a counter shared by every
// user (the first is 101), formatted in decimal. They never shift, and the
// SFC's withdrawal request of a VALIDATOR undelegation has the same id
// (stS passes it as the SFC's wrID).

// ParseRequestID implements protocol.Requests: a positive decimal integer
// ("#101" is accepted, as the human output prints it).
func (s *STS) ParseRequestID(in string) (protocol.RequestID, error) {
	n, err := parseID(in)
	if err != nil {
		return "", err
	}
	return idOf(n), nil
}

func parseID(in string) (*big.Int, error) {
	t := strings.TrimPrefix(strings.TrimSpace(in), "#")
	if t == "" || strings.TrimLeft(t, "0123456789") != "" {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("stS withdrawal id %q is not a positive whole number (ids are as `stakewallet withdrawals` lists them)", in)}
	}
	n, ok := new(big.Int).SetString(t, 10)
	if !ok || n.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("stS withdrawal id %q is not a positive whole number (ids are as `stakewallet withdrawals` lists them)", in)}
	}
	if n.BitLen() > 256 {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("stS withdrawal id %q is larger than any uint256: no such withdrawal", in)}
	}
	return n, nil
}

func idOf(n *big.Int) protocol.RequestID { return protocol.RequestID(n.String()) }

// bigIDs parses ids the adapter formatted (or the user typed), keeping the
// first of duplicates.
func bigIDs(ids []protocol.RequestID) ([]*big.Int, error) {
	out := make([]*big.Int, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		n, err := parseID(string(id))
		if err != nil {
			return nil, err
		}
		if seen[n.String()] {
			continue
		}
		seen[n.String()] = true
		out = append(out, n)
	}
	return out, nil
}
