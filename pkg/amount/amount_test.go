package amount

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	maxU256 := "115792089237316195423570985008687907853269984665640564039457584007913129639935"
	tests := []struct {
		in       string
		decimals uint8
		want     string // base units; empty means an error is expected
		errPart  string
	}{
		{"1", 18, "1000000000000000000", ""},
		{"1.5", 18, "1500000000000000000", ""},
		{"0.1", 18, "100000000000000000", ""},
		{".5", 18, "500000000000000000", ""},
		{"0", 18, "0", ""},
		{"000.000", 18, "0", ""},
		{"0.000000000000000001", 18, "1", ""},
		{"0.123456789012345678", 18, "123456789012345678", ""},
		{"1000", 6, "1000000000", ""},
		{"12", 0, "12", ""},
		{maxU256, 0, maxU256, ""},
		{"-1", 18, "", "no sign"},
		{"+1", 18, "", "no sign"},
		{"1e18", 18, "", "no exponent"},
		{"1E3", 18, "", "no exponent"},
		{"0.1234567890123456789", 18, "", "more than 18 decimal places"},
		{"1.0000001", 6, "", "more than 6 decimal places"},
		{"1.5", 0, "", "more than 0 decimal places"},
		{"1,000", 18, "", "separators"},
		{"1_000", 18, "", "separators"},
		{" 1", 18, "", "separators or spaces"},
		{"1 ", 18, "", "separators or spaces"},
		{"", 18, "", "empty"},
		{".", 18, "", "not a number"},
		{"1.", 18, "", "nothing after the decimal point"},
		{"1.2.3", 18, "", "more than one decimal point"},
		{"abc", 18, "", "unexpected character"},
		{"0x10", 18, "", "unexpected character"},
		{"NaN", 18, "", "unexpected character"},
		{"Inf", 18, "", "unexpected character"},
		{"١", 18, "", "unexpected character"}, // non-ASCII digit
		{maxU256 + "0", 0, "", "too large"},
		{"115792089237316195423570985008687907853269984665640564039457584007913129639936", 0, "", "too large"},
		{"1" + strings.Repeat("0", 60), 18, "", "too large"},
		{strings.Repeat("9", 10000), 18, "", "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, tt.decimals)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %s, want error", tt.in, got)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("error %v does not wrap ErrInvalid", err)
				}
				if !strings.Contains(err.Error(), tt.errPart) {
					t.Errorf("error %q does not mention %q", err, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParsePositiveRejectsZero(t *testing.T) {
	for _, in := range []string{"0", "0.0", ".0"} {
		if _, err := ParsePositive(in, 18); err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePositive(%q) err = %v, want ErrInvalid", in, err)
		}
	}
	if v, err := ParsePositive("0.000000000000000001", 18); err != nil || v.Int64() != 1 {
		t.Errorf("ParsePositive(1 wei) = %v, %v", v, err)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		in       string
		decimals uint8
		want     string
	}{
		{"0", 18, "0"},
		{"1", 18, "0.000000000000000001"},
		{"1000000000000000000", 18, "1"},
		{"1500000000000000000", 18, "1.5"},
		{"123456789012345678", 18, "0.123456789012345678"},
		{"100000000000000000000000", 18, "100000"},
		{"-1500000000000000000", 18, "-1.5"},
		{"42", 0, "42"},
		{"1234567", 6, "1.234567"},
	}
	for _, tt := range tests {
		v, _ := new(big.Int).SetString(tt.in, 10)
		if got := Format(v, tt.decimals); got != tt.want {
			t.Errorf("Format(%s, %d) = %q, want %q", tt.in, tt.decimals, got, tt.want)
		}
	}
	if got := Format(nil, 18); got != "0" {
		t.Errorf("Format(nil) = %q", got)
	}
}

// Every formatted value must parse back to itself: the two are inverses on
// non-negative values.
func TestRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "1", "999999999999999999", "1000000000000000001", "340282366920938463463374607431768211456"} {
		v, _ := new(big.Int).SetString(s, 10)
		for _, d := range []uint8{0, 6, 9, 18} {
			back, err := Parse(Format(v, d), d)
			if err != nil || back.Cmp(v) != 0 {
				t.Errorf("round trip %s (decimals %d): got %v, %v", s, d, back, err)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1", "1.5", "-1", "1e18", "0.1234567890123456789", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s, 18)
		if err != nil {
			return
		}
		if v.Sign() < 0 || v.Cmp(maxUint256) > 0 {
			t.Fatalf("Parse(%q) = %s out of range", s, v)
		}
		back, err := Parse(Format(v, 18), 18)
		if err != nil || back.Cmp(v) != 0 {
			t.Fatalf("round trip of %q failed: %v %v", s, back, err)
		}
	})
}

func TestCheckSyntax(t *testing.T) {
	for _, ok := range []string{"1", "0.5", ".5", "0.1234567890123456789012345", "1000000"} {
		if err := CheckSyntax(ok); err != nil {
			t.Errorf("CheckSyntax(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-1", "1e18", "1,000", "0", "0.000", ".", "1.", "abc", strings.Repeat("9", 80)} {
		if err := CheckSyntax(bad); err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckSyntax(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}
