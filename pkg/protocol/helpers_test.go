package protocol_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

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

// TestEnvRequire: a backend, every role's address and the native coin, or
// an error naming what is missing, prefixed by the adapter.
func TestEnvRequire(t *testing.T) {
	var b protocol.Backend = struct{ protocol.Backend }{}
	coin := protocol.Token{Symbol: "ETH", Decimals: 18}
	full := protocol.Addresses{"a": common.HexToAddress("0x1"), "b": common.HexToAddress("0x2")}
	for _, tt := range []struct {
		name string
		env  protocol.Env
		err  string
	}{
		{"complete", protocol.Env{Network: "n", Addresses: full, Backend: b, Native: coin}, ""},
		{"no backend", protocol.Env{Network: "n", Addresses: full, Native: coin}, "x: nil backend"},
		{"no role b", protocol.Env{Network: "n", Addresses: protocol.Addresses{"a": full["a"]}, Backend: b, Native: coin}, `x: missing address for contract role "b" on network "n"`},
		{"zero address", protocol.Env{Network: "n", Addresses: protocol.Addresses{"a": full["a"], "b": {}}, Backend: b, Native: coin}, `role "b"`},
		{"no native coin", protocol.Env{Network: "n", Addresses: full, Backend: b}, `x: network "n" has no native coin`},
	} {
		err := tt.env.Require("x", "a", "b")
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
		}
	}
	if n := (protocol.Env{Native: protocol.Token{Symbol: "S", Decimals: 18, Address: common.HexToAddress("0x9")}}).NativeToken(); n.Role != protocol.RoleNative || n.Address != (common.Address{}) || n.Symbol != "S" {
		t.Errorf("NativeToken = %+v", n)
	}
}
