package lido

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func TestParseRequestID(t *testing.T) {
	maxUint256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	twoTo256 := new(big.Int).Lsh(big.NewInt(1), 256)
	tests := []struct {
		name string
		in   string
		want protocol.RequestID // "" = refused
	}{
		{"plain", "1", "1"},
		{"as the human output prints it", "#12", "12"},
		{"surrounding space", " 7 ", "7"},
		{"leading zeros normalized", "007", "7"},
		{"largest uint256", maxUint256.String(), protocol.RequestID(maxUint256.String())},
		{"zero", "0", ""},
		{"negative", "-1", ""},
		{"explicit plus", "+3", ""},
		{"letters", "abc", ""},
		{"fraction", "1.5", ""},
		{"empty", "", ""},
		{"hash only", "#", ""},
		{"space after hash", "# 12", ""},
		{"hex", "0x10", ""},
		{"digit separators", "1_000", ""},
		{"2^256", twoTo256.String(), ""},
		{"78 digits over 2^256", "2" + strings.Repeat("0", 77), ""},
	}
	l := newFake(t).adapter(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.ParseRequestID(tt.in)
			if tt.want == "" {
				// A bad id is the user's input error: exit 2, and the
				// message repeats what they typed.
				wantLimit(t, err, "Lido request id")
				if err != nil && !strings.Contains(err.Error(), `"`+tt.in+`"`) {
					t.Errorf("error %q does not quote the input %q", err, tt.in)
				}
				if got != "" {
					t.Errorf("ParseRequestID(%q) = %q with an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRequestID(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRequestID(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// What the adapter formats must parse back to itself.
			if again, err := l.ParseRequestID(string(got)); err != nil || again != got {
				t.Errorf("ParseRequestID(%q) = %q, %v: not a fixed point", got, again, err)
			}
		})
	}
}
