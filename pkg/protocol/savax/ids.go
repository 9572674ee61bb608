package savax

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// requestKey identifies an unlock request by its content (see the package
// doc): the array index shifts, the content does not.
type requestKey struct {
	startedAt uint64
	shares    string // decimal base units; a string so that the key compares
	// nth counts identical requests (same startedAt and shares) from 1.
	nth int
}

func (k requestKey) id() protocol.RequestID {
	s := strconv.FormatUint(k.startedAt, 10) + "-" + k.shares
	if k.nth > 1 {
		s += "-" + strconv.Itoa(k.nth)
	}
	return protocol.RequestID(s)
}

func (k requestKey) amount() *big.Int {
	n, _ := new(big.Int).SetString(k.shares, 10)
	return n
}

// maxOccurrence bounds the "-n" suffix: more identical requests than this
// in one block cannot be made.
const maxOccurrence = 1_000_000

// ParseRequestID implements protocol.Requests: "<startedAt>-<shareAmount>"
// or "<startedAt>-<shareAmount>-<n>", decimal, as `stakewallet withdrawals`
// lists them ("#" in front is accepted).
func (s *SAvax) ParseRequestID(in string) (protocol.RequestID, error) {
	k, err := parseKey(in)
	if err != nil {
		return "", err
	}
	return k.id(), nil
}

func parseKey(in string) (requestKey, error) {
	bad := func(why string) (requestKey, error) {
		return requestKey{}, &protocol.LimitError{Reason: fmt.Sprintf(
			"sAVAX request id %q %s (ids look like 1732890000-500000000000000000: the request time and its sAVAX in base units, as `stakewallet withdrawals` lists them)", in, why)}
	}
	t := strings.TrimPrefix(strings.TrimSpace(in), "#")
	parts := strings.Split(t, "-")
	if len(parts) < 2 || len(parts) > 3 {
		return bad("is not two or three numbers joined by '-'")
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return bad("has a part that is not a whole number")
		}
	}
	started, err := strconv.ParseUint(parts[0], 10, 64)
	if err != nil || started == 0 {
		return bad("has no valid request time")
	}
	shares, ok := new(big.Int).SetString(parts[1], 10)
	if !ok || shares.Sign() <= 0 || shares.BitLen() > 256 {
		return bad("has no valid sAVAX amount")
	}
	k := requestKey{startedAt: started, shares: shares.String(), nth: 1}
	if len(parts) == 3 {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 2 || n > maxOccurrence {
			return bad("has an occurrence suffix that is not 2 or more")
		}
		k.nth = n
	}
	return k, nil
}

// keysOf names each request of the contract's array, by index: its
// content, numbered among identical ones in index order. Identical requests
// are interchangeable (same amount, same window, same rate), so which one
// is "-2" does not matter as long as one array gives one naming.
func keysOf(list []unlockRequest) []requestKey {
	seen := map[requestKey]int{}
	out := make([]requestKey, len(list))
	for i, r := range list {
		base := requestKey{startedAt: r.startedAt, shares: r.shares.String()}
		seen[base]++
		base.nth = seen[base]
		out[i] = base
	}
	return out
}
