package lido

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Lido's request ids are the unstETH NFT token ids: positive integers,
// formatted in decimal. They never shift, so the id the user sees stays
// valid until the request is claimed (and the NFT burned).

// ParseRequestID implements protocol.Requests: a positive decimal integer
// ("#12" is accepted, as the human output prints it).
func (l *Lido) ParseRequestID(s string) (protocol.RequestID, error) {
	n, err := parseID(s)
	if err != nil {
		return "", err
	}
	return idOf(n), nil
}

func parseID(s string) (*big.Int, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "#")
	n, ok := new(big.Int).SetString(t, 10)
	if !ok || n.Sign() <= 0 || t[0] == '+' {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("Lido request id %q is not a positive whole number (ids are as `stakewallet withdrawals` lists them)", s)}
	}
	if n.BitLen() > 256 {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("Lido request id %q is larger than any uint256: no such request", s)}
	}
	return n, nil
}

func idOf(n *big.Int) protocol.RequestID { return protocol.RequestID(n.String()) }

// bigIDs parses ids the adapter formatted (or the user typed).
func bigIDs(ids []protocol.RequestID) ([]*big.Int, error) {
	out := make([]*big.Int, len(ids))
	for i, id := range ids {
		n, err := parseID(string(id))
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
