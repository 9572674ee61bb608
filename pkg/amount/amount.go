// Package amount converts between the decimal strings people type ("1.5")
// and integer base units (wei). It never uses floating point: a wallet that
// rounds is a wallet that loses money.
package amount

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// MaxUint256 is the largest amount any ERC-20 or EVM value can hold.
var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// ErrInvalid is wrapped by every parse error, so callers can map them to
// "bad input".
var ErrInvalid = errors.New("invalid amount")

// Parse converts a decimal string in whole units to base units for a token
// with the given decimals. It accepts only digits with at most one '.',
// at most `decimals` fractional digits, no sign, exponent, spaces or
// separators, and rejects results above 2^256-1.
func Parse(s string, decimals uint8) (*big.Int, error) {
	intPart, fracPart, err := split(s)
	if err != nil {
		return nil, err
	}
	if len(fracPart) > int(decimals) {
		return nil, fmt.Errorf("%w %q: more than %d decimal places", ErrInvalid, s, decimals)
	}
	digits := intPart + fracPart + strings.Repeat("0", int(decimals)-len(fracPart))
	// Bound the work before big.Int parsing: 2^256 has 78 digits.
	trimmed := strings.TrimLeft(digits, "0")
	if len(trimmed) > 78 {
		return nil, fmt.Errorf("%w %q: too large", ErrInvalid, s)
	}
	v, ok := new(big.Int).SetString("0"+trimmed, 10)
	if !ok {
		return nil, fmt.Errorf("%w %q: not a number", ErrInvalid, s)
	}
	if v.Cmp(maxUint256) > 0 {
		return nil, fmt.Errorf("%w %q: too large", ErrInvalid, s)
	}
	return v, nil
}

// CheckSyntax validates s as a positive decimal without knowing the
// token's decimals yet, so a command can reject "-1" or "1e18" before it
// touches keys or the network.
func CheckSyntax(s string) error {
	intPart, fracPart, err := split(s)
	if err != nil {
		return err
	}
	if strings.Trim(intPart+fracPart, "0") == "" {
		return fmt.Errorf("%w %q: must be greater than zero", ErrInvalid, s)
	}
	if len(strings.TrimLeft(intPart, "0")) > 78 {
		return fmt.Errorf("%w %q: too large", ErrInvalid, s)
	}
	return nil
}

// split checks the characters of s and returns its integer and fraction digits.
func split(s string) (intPart, fracPart string, err error) {
	if s == "" {
		return "", "", fmt.Errorf("%w: empty; give a decimal number such as 1.5", ErrInvalid)
	}
	intPart, fracPart, hasDot := strings.Cut(s, ".")
	if hasDot && intPart == "" && fracPart == "" {
		return "", "", fmt.Errorf("%w %q: not a number", ErrInvalid, s)
	}
	for _, part := range []string{intPart, fracPart} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return "", "", fmt.Errorf("%w %q: %s", ErrInvalid, s, describeBadRune(r))
			}
		}
	}
	if hasDot && fracPart == "" {
		return "", "", fmt.Errorf("%w %q: nothing after the decimal point", ErrInvalid, s)
	}
	return intPart, fracPart, nil
}

// ParsePositive is Parse that also rejects zero.
func ParsePositive(s string, decimals uint8) (*big.Int, error) {
	v, err := Parse(s, decimals)
	if err != nil {
		return nil, err
	}
	if v.Sign() == 0 {
		return nil, fmt.Errorf("%w %q: must be greater than zero", ErrInvalid, s)
	}
	return v, nil
}

func describeBadRune(r rune) string {
	switch r {
	case '-', '+':
		return "no sign allowed; amounts are positive"
	case 'e', 'E':
		return "no exponent allowed; write the digits out (1e18 wei is 1)"
	case ',', '_', ' ', '\'':
		return "no thousands separators or spaces"
	case '.':
		return "more than one decimal point"
	default:
		return fmt.Sprintf("unexpected character %q", r)
	}
}

// Format renders base units as a decimal string in whole units, with no
// trailing zeros ("1.5", "0.000000000000000001", "2").
func Format(v *big.Int, decimals uint8) string {
	if v == nil {
		return "0"
	}
	neg := v.Sign() < 0
	s := new(big.Int).Abs(v).String()
	if decimals > 0 {
		if len(s) <= int(decimals) {
			s = strings.Repeat("0", int(decimals)-len(s)+1) + s
		}
		point := len(s) - int(decimals)
		intPart, frac := s[:point], strings.TrimRight(s[point:], "0")
		s = intPart
		if frac != "" {
			s += "." + frac
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

// FormatUnits is Format followed by a symbol ("1.5 ETH").
func FormatUnits(v *big.Int, decimals uint8, symbol string) string {
	return Format(v, decimals) + " " + symbol
}

// GweiToWei parses a fee given in gwei ("1.5") into wei.
func GweiToWei(s string) (*big.Int, error) { return Parse(s, 9) }
