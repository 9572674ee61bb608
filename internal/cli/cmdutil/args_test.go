package cmdutil

import (
	"errors"
	"testing"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", true},
		{"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", true},
		{"0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266", true},
		{"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267", false}, // bad checksum
		{"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb9226", false},  // short
		{"f39Fd6e51aad88F6F4ce6aB8827279cffFb92266", false},   // no 0x
		{"alice.eth", false},
		{"", false},
	}
	for _, tt := range tests {
		_, err := ParseAddress("--to", tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseAddress(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
		}
		var ee *ExitError
		if err != nil && (!errors.As(err, &ee) || ee.Code != ExitBadInput) {
			t.Errorf("ParseAddress(%q) error is not exit 2: %v", tt.in, err)
		}
	}
}

func TestParseIDs(t *testing.T) {
	ids, err := ParseIDs([]string{"3", "1", "20"})
	if err != nil || JoinIDs(ids) != "3, 1, 20" {
		t.Fatalf("ParseIDs = %v, %v", ids, err)
	}
	for _, bad := range [][]string{{"0"}, {"-1"}, {"1.5"}, {"abc"}, {"0x10"}, {"2", "2"}} {
		if _, err := ParseIDs(bad); err == nil {
			t.Errorf("ParseIDs(%v) accepted", bad)
		}
	}
}
