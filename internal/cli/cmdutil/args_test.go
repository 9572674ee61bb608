package cmdutil

import (
	"errors"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
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
	p, err := lido.New(protocol.Env{
		Network: "devnet", Addresses: lido.Deployments["devnet"], Backend: nopBackend{},
		Native: protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := ParseIDs(p, []string{"3", "1", "#20"})
	if err != nil || JoinIDs(ids) != "3, 1, 20" {
		t.Fatalf("ParseIDs = %v, %v", ids, err)
	}
	if ids, err := ParseIDs(p, nil); err != nil || ids != nil {
		t.Errorf("ParseIDs(nil) = %v, %v", ids, err)
	}
	for _, bad := range [][]string{{"0"}, {"-1"}, {"1.5"}, {"abc"}, {"0x10"}, {"2", "2"}, {"2", "#2"}} {
		_, err := ParseIDs(p, bad)
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != ExitBadInput {
			t.Errorf("ParseIDs(%v) = %v, want exit 2", bad, err)
		}
	}
	if _, err := ParseIDs(instant{p}, []string{"1"}); err == nil || !strings.Contains(err.Error(), "pays out in the same transaction") {
		t.Errorf("ParseIDs on a protocol without requests: %v", err)
	}
}

// instant hides every optional capability of the protocol it wraps, as an
// instant-unstake adapter would have none.
type instant struct{ protocol.Protocol }

type nopBackend struct{ protocol.Backend }
