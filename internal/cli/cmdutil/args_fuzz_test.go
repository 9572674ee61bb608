package cmdutil

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// FuzzParseAddress checks ParseAddress on any string: it accepts exactly
// 0x + 40 hex digits that are all one case or EIP-55 checksummed, the
// address it returns is the one the digits spell, its checksummed form
// parses back to it, and every refusal is a bad-input error (exit 2) that
// quotes what was typed.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", // checksummed
		"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", // lower
		"0XF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266", // upper, 0X
		"0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", // one letter flipped
		"f39fd6e51aad88f6f4ce6ab8827279cfffb92266",   // no prefix
		"0xf39fd6e51aad88f6f4ce6ab8827279cfffb9226",  // 39 digits
		"0x", "", " 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress("--to", s)
		if err != nil {
			var ee *ExitError
			if !errors.As(err, &ee) || ee.Code != ExitBadInput {
				t.Fatalf("ParseAddress(%q) error %v is not a bad-input error", s, err)
			}
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("ParseAddress(%q) error %q does not quote the input", s, err)
			}
			if a != (common.Address{}) {
				t.Fatalf("ParseAddress(%q) = %s with an error", s, a.Hex())
			}
			return
		}
		if len(s) != 42 || (s[:2] != "0x" && s[:2] != "0X") {
			t.Fatalf("ParseAddress(%q) accepted something other than 0x and 40 digits", s)
		}
		body := s[2:]
		if !strings.EqualFold(a.Hex()[2:], body) {
			t.Fatalf("ParseAddress(%q) = %s: not the address typed", s, a.Hex())
		}
		if body != strings.ToLower(body) && body != strings.ToUpper(body) && body != a.Hex()[2:] {
			t.Fatalf("ParseAddress(%q) accepted mixed case that is not the checksum %s", s, a.Hex())
		}
		for _, form := range []string{a.Hex(), strings.ToLower(a.Hex()), "0x" + strings.ToUpper(a.Hex()[2:])} {
			if back, err := ParseAddress("--to", form); err != nil || back != a {
				t.Fatalf("ParseAddress(%q) = %s, %v; want %s", form, back.Hex(), err, a.Hex())
			}
		}
		// A checksummed address with one letter's case flipped is a typo
		// the checksum must catch, unless the flip leaves it all one case.
		sum := []byte(a.Hex())
		for i := 2; i < len(sum); i++ {
			c := sum[i]
			if c < 'a' && c > '9' || c >= 'a' {
				sum[i] ^= 0x20
				flipped := string(sum)
				sum[i] ^= 0x20
				b := flipped[2:]
				if b == strings.ToLower(b) || b == strings.ToUpper(b) {
					continue
				}
				if _, err := ParseAddress("--to", flipped); err == nil {
					t.Fatalf("ParseAddress(%q) accepted a wrong checksum (want %s)", flipped, a.Hex())
				}
				break
			}
		}
	})
}
