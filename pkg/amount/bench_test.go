package amount

import (
	"math/big"
	"testing"
)

// BenchmarkParse: a decimal amount with all 18 decimals to base units.
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("1234.5678901234567890123", 18); err == nil {
			b.Fatal("want the 19th decimal refused")
		}
		if _, err := ParsePositive("1234.567890123456789", 18); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormat: base units back to a decimal string with a symbol.
func BenchmarkFormat(b *testing.B) {
	v, _ := new(big.Int).SetString("1234567890123456789", 10)
	for b.Loop() {
		if FormatUnits(v, 18, "ETH") != "1.234567890123456789 ETH" {
			b.Fatal("wrong format")
		}
	}
}
