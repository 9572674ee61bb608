package protocol_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ethereum/go-ethereum/accounts/abi"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func mustABI(t *testing.T, json string) *abi.ABI {
	t.Helper()
	a, err := protocol.ParseABI("test", []byte(json))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const (
	erc20JSON = `[{"type":"function","name":"balanceOf","stateMutability":"view","inputs":[{"name":"a","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},
{"type":"event","name":"Transfer","anonymous":false,"inputs":[{"indexed":true,"name":"from","type":"address"},{"indexed":true,"name":"to","type":"address"},{"indexed":false,"name":"value","type":"uint256"}]},
{"type":"event","name":"Delegated","anonymous":false,"inputs":[{"indexed":true,"name":"who","type":"address"}]},
{"type":"error","name":"Paused","inputs":[]}]`
	erc721JSON = `[{"type":"function","name":"balanceOf","stateMutability":"view","inputs":[{"name":"owner","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},
{"type":"event","name":"Transfer","anonymous":false,"inputs":[{"indexed":true,"name":"from","type":"address"},{"indexed":true,"name":"to","type":"address"},{"indexed":true,"name":"id","type":"uint256"}]},
{"type":"event","name":"Delegated","anonymous":false,"inputs":[{"indexed":true,"name":"validator","type":"uint256"}]},
{"type":"error","name":"Paused","inputs":[]},
{"type":"error","name":"TooSmall","inputs":[{"name":"min","type":"uint256"}]}]`
	sameLayoutJSON = `[{"type":"event","name":"Transfer","anonymous":false,"inputs":[{"indexed":true,"name":"a","type":"address"},{"indexed":true,"name":"b","type":"address"},{"indexed":false,"name":"c","type":"uint256"}]},
{"type":"error","name":"TooSmall","inputs":[{"name":"min","type":"uint256"},{"name":"got","type":"uint256"}]}]`
)

// entries lists an ABI's keys with what they hold, sorted.
func entries(a *abi.ABI) string {
	var out []string
	for k, m := range a.Methods {
		out = append(out, "function "+k+"="+m.Sig)
	}
	for k, e := range a.Events {
		layout := ""
		for _, in := range e.Inputs {
			layout += map[bool]string{true: "i", false: "d"}[in.Indexed]
		}
		out = append(out, "event "+k+"="+e.Sig+"/"+layout)
	}
	for k, e := range a.Errors {
		out = append(out, "error "+k+"="+e.Sig)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestMergeABIs: an entry in several ABIs is kept once; entries that share
// a name but not a signature, or an event signature but not its indexed
// layout, are all kept under keys fixed by the order of the ABIs.
func TestMergeABIs(t *testing.T) {
	a, b, c := mustABI(t, erc20JSON), mustABI(t, erc721JSON), mustABI(t, sameLayoutJSON)
	tests := []struct {
		name string
		abis []*abi.ABI
		want []string
	}{
		{"one ABI is itself", []*abi.ABI{a}, []string{
			"error Paused=Paused()",
			"event Delegated=Delegated(address)/i",
			"event Transfer=Transfer(address,address,uint256)/iid",
			"function balanceOf=balanceOf(address)",
		}},
		{"ERC-20 then ERC-721", []*abi.ABI{a, b}, []string{
			"error Paused=Paused()",
			"error TooSmall=TooSmall(uint256)",
			"event Delegated0=Delegated(uint256)/i",
			"event Delegated=Delegated(address)/i",
			"event Transfer0=Transfer(address,address,uint256)/iii",
			"event Transfer=Transfer(address,address,uint256)/iid",
			"function balanceOf=balanceOf(address)",
		}},
		{"ERC-721 then ERC-20", []*abi.ABI{b, a}, []string{
			"error Paused=Paused()",
			"error TooSmall=TooSmall(uint256)",
			"event Delegated0=Delegated(address)/i",
			"event Delegated=Delegated(uint256)/i",
			"event Transfer0=Transfer(address,address,uint256)/iid",
			"event Transfer=Transfer(address,address,uint256)/iii",
			"function balanceOf=balanceOf(address)",
		}},
		{"same layout kept once, errors by selector", []*abi.ABI{a, b, c}, []string{
			"error Paused=Paused()",
			"error TooSmall0=TooSmall(uint256,uint256)",
			"error TooSmall=TooSmall(uint256)",
			"event Delegated0=Delegated(uint256)/i",
			"event Delegated=Delegated(address)/i",
			"event Transfer0=Transfer(address,address,uint256)/iii",
			"event Transfer=Transfer(address,address,uint256)/iid",
			"function balanceOf=balanceOf(address)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 5 { // map order must not matter
				if got := entries(protocol.MergeABIs(tt.abis...)); got != strings.Join(tt.want, "\n") {
					t.Fatalf("run %d:\n%s\nwant\n%s", i, got, strings.Join(tt.want, "\n"))
				}
			}
		})
	}
}

func TestReadABI(t *testing.T) {
	fsys := fstest.MapFS{
		"abi/ok.json":  {Data: []byte(erc20JSON)},
		"abi/bad.json": {Data: []byte(`[{"type":"function","name":`)},
	}
	tests := []struct {
		path, wantErr string
	}{
		{"abi/ok.json", ""},
		{"abi/bad.json", "parse the built-in ABI abi/bad.json"},
		{"abi/missing.json", "read the built-in ABI abi/missing.json"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a, err := protocol.ReadABI(fsys, tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadABI = %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(len(a.Methods), len(a.Events), len(a.Errors)); got != "1 2 1" {
				t.Errorf("methods, events, errors = %s, want 1 2 1", got)
			}
		})
	}
}
