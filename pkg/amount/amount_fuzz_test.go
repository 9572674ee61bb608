package amount

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

// FuzzParseDecimals checks Parse, ParsePositive and CheckSyntax against each
// other and against Format for any number of decimals: what one accepts the
// others must agree on, and nothing accepted leaves [0, 2^256).
func FuzzParseDecimals(f *testing.F) {
	for _, s := range []struct {
		s string
		d uint8
	}{
		{"1", 18}, {"1.5", 6}, {"0.000001", 6}, {"0.0000001", 6}, {".5", 0}, {"5.", 2},
		{"115792089237316195423570985008687907853269984665640564039457584007913129639935", 0},
		{"115792089237316195423570985008687907853269984665640564039457584007913129639936", 0},
		{"0.115792089237316195423570985008687907853269984665640564039457584007913129639935", 78},
		{"00000000000000000000000000000000000000000000000000000000000000000000000000000000001", 0},
		{"1e18", 18}, {"-1", 18}, {"+1", 18}, {"1,5", 18}, {"１", 18}, {"0", 18}, {"0.0", 255},
	} {
		f.Add(s.s, s.d)
	}
	f.Fuzz(func(t *testing.T, s string, decimals uint8) {
		v, err := Parse(s, decimals)
		if err != nil {
			if v != nil {
				t.Fatalf("Parse(%q, %d) = %s with error %v", s, decimals, v, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q, %d) error %v does not wrap ErrInvalid", s, decimals, err)
			}
			if _, perr := ParsePositive(s, decimals); perr == nil {
				t.Fatalf("ParsePositive(%q, %d) accepts what Parse refuses (%v)", s, decimals, err)
			}
			return
		}
		if v.Sign() < 0 || v.Cmp(maxUint256) > 0 {
			t.Fatalf("Parse(%q, %d) = %s: outside [0, 2^256)", s, decimals, v)
		}
		// Only digits and one point reach a value.
		if strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 {
			t.Fatalf("Parse(%q, %d) accepted a character other than digits and one point", s, decimals)
		}
		// Format is Parse's inverse on what Parse returns.
		text := Format(v, decimals)
		back, err := Parse(text, decimals)
		if err != nil || back.Cmp(v) != 0 {
			t.Fatalf("Parse(Format(%s, %d) = %q) = %v, %v", v, decimals, text, back, err)
		}
		// The value scaled back down is the decimal that was typed.
		typed, ok := new(big.Rat).SetString(s)
		if !ok && !strings.HasSuffix(s, ".") {
			t.Fatalf("Parse(%q) accepted what big.Rat cannot read", s)
		}
		if ok {
			scaled := new(big.Rat).SetFrac(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil))
			if scaled.Cmp(typed) != 0 {
				t.Fatalf("Parse(%q, %d) = %s base units, which is %s, not %s", s, decimals, v, scaled.RatString(), typed.RatString())
			}
		}
		// CheckSyntax, run before the decimals are known, must not refuse a
		// positive amount Parse accepts, and ParsePositive differs only on zero.
		_, perr := ParsePositive(s, decimals)
		if (perr == nil) != (v.Sign() > 0) {
			t.Fatalf("ParsePositive(%q, %d) = %v, but Parse gave %s", s, decimals, perr, v)
		}
		if serr := CheckSyntax(s); v.Sign() > 0 && serr != nil {
			t.Fatalf("CheckSyntax(%q) = %v, but Parse(%q, %d) = %s", s, serr, s, decimals, v)
		}
	})
}
