package protocol_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// TestParseIDs: ids parse in order, a duplicate is kept once, the first
// bad id is the error.
func TestParseIDs(t *testing.T) {
	parse := func(s string) (int, error) { return strconv.Atoi(s) }
	got, err := protocol.ParseIDs([]protocol.RequestID{"3", "1", "3", "2"}, parse)
	if err != nil || !slices.Equal(got, []int{3, 1, 2}) {
		t.Errorf("ParseIDs = %v, %v; want [3 1 2]", got, err)
	}
	if got, err := protocol.ParseIDs(nil, parse); err != nil || len(got) != 0 {
		t.Errorf("ParseIDs(nil) = %v, %v", got, err)
	}
	var numErr *strconv.NumError
	if _, err := protocol.ParseIDs([]protocol.RequestID{"1", "x", "y"}, parse); !errors.As(err, &numErr) || numErr.Num != "x" {
		t.Errorf("ParseIDs with a bad id: %v, want the error of \"x\"", err)
	}
}

// TestCommonTarget: the one validator of the claimed requests, case aside;
// several, or none, ask for --validator.
func TestCommonTarget(t *testing.T) {
	w := func(target string) protocol.Withdrawal { return protocol.Withdrawal{Target: target} }
	for _, tt := range []struct {
		name    string
		claimed []protocol.Withdrawal
		want    string
		err     string
	}{
		{"one validator", []protocol.Withdrawal{w("4"), w(""), w("4")}, "4", ""},
		{"an address in two spellings", []protocol.Withdrawal{w("0xAbC1"), w("0xabc1")}, "0xAbC1", ""},
		{"two validators", []protocol.Withdrawal{w("4"), w("5")}, "", "several Polygon validators (4, 5): pass --validator"},
		{"none named", []protocol.Withdrawal{w("")}, "", "name no validator: pass --validator"},
		{"nothing claimed", nil, "", "name no validator"},
	} {
		got, err := protocol.CommonTarget(tt.claimed, "Polygon validators")
		var lim *protocol.LimitError
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		case tt.err != "" && (!errors.As(err, &lim) || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: %v, want a LimitError with %q", tt.name, err, tt.err)
		}
	}
}
