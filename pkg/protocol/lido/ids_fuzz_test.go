package lido

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// FuzzParseRequestID: an id Lido accepts is the canonical decimal of an
// integer in [1, 2^256) that the input spells (after an optional "#" and
// surrounding space), it parses back to itself, and every refusal is a
// *protocol.LimitError (exit 2) that quotes the input, with no id.
func FuzzParseRequestID(f *testing.F) {
	l := &Lido{}
	for _, s := range []string{"1", "#12", " 7 ", "007", "0", "-1", "+3", "0x10", "1_000", "1e3", "#", "##1", "١", "\t42\n"} {
		f.Add(s)
	}
	twoTo256 := new(big.Int).Lsh(big.NewInt(1), 256)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := l.ParseRequestID(s)
		if err != nil {
			var le *protocol.LimitError
			if !errors.As(err, &le) {
				t.Fatalf("ParseRequestID(%q) error %v is not a LimitError", s, err)
			}
			if id != "" {
				t.Fatalf("ParseRequestID(%q) = %q with an error", s, id)
			}
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("ParseRequestID(%q) error %q does not quote the input", s, err)
			}
			return
		}
		digits := strings.TrimPrefix(strings.TrimSpace(s), "#")
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("ParseRequestID(%q) = %q: accepted more than digits", s, id)
		}
		n, ok := new(big.Int).SetString(string(id), 10)
		if !ok || n.Sign() <= 0 || n.Cmp(twoTo256) >= 0 || n.String() != string(id) {
			t.Fatalf("ParseRequestID(%q) = %q: not a canonical id in [1, 2^256)", s, id)
		}
		if want, _ := new(big.Int).SetString(digits, 10); want.Cmp(n) != 0 {
			t.Fatalf("ParseRequestID(%q) = %q, want %s", s, id, want)
		}
		if again, err := l.ParseRequestID(string(id)); err != nil || again != id {
			t.Fatalf("ParseRequestID(%q) = %q, %v: the id does not parse back to itself", id, again, err)
		}
		if again, err := l.ParseRequestID("#" + string(id)); err != nil || again != id {
			t.Fatalf("ParseRequestID(#%s) = %q, %v: the form the human output prints does not parse", id, again, err)
		}
	})
}
