package bnb

import (
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func TestParseRequestID(t *testing.T) {
	op := "0x773760b0708a5Cc369c346993a0c225D8e4043B1"
	tests := []struct {
		in, want string
	}{
		{op + "/0", op + "/0"},
		{strings.ToLower(op) + "/17", op + "/17"},
		{" " + op + "/3 ", op + "/3"},
		{op, ""},
		{op + "/", ""},
		{op + "/-1", ""},
		{op + "/1.5", ""},
		{op + "/18446744073709551616", ""},
		{"0x1234/1", ""},
		{"Alpha/1", ""},
		{"/1", ""},
		{"", ""},
	}
	a := &BNB{}
	for _, tc := range tests {
		got, err := a.ParseRequestID(tc.in)
		if tc.want == "" {
			if _, ok := err.(*protocol.LimitError); !ok || got != "" {
				t.Errorf("ParseRequestID(%q) = %q, %v; want a LimitError", tc.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("ParseRequestID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseRequestID(f *testing.F) {
	f.Add("0x773760b0708a5Cc369c346993a0c225D8e4043B1/0")
	f.Add("x/1")
	f.Fuzz(func(t *testing.T, s string) {
		a := &BNB{}
		id, err := a.ParseRequestID(s)
		if err != nil {
			return
		}
		again, err := a.ParseRequestID(string(id))
		if err != nil || again != id {
			t.Fatalf("%q → %q → %q, %v: not a fixed point", s, id, again, err)
		}
	})
}

func TestCommission(t *testing.T) {
	for rate, want := range map[uint64]string{700: "7", 250: "2.5", 1: "0.01", 0: "0", 10000: "100"} {
		if got := Commission(rate); got != want {
			t.Errorf("Commission(%d) = %q, want %q", rate, got, want)
		}
	}
}
