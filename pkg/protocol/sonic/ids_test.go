package sonic_test

import (
	"errors"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/sonic"
)

func TestParseRequestID(t *testing.T) {
	p := adapterWithoutChain(t)
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1/0", "1/0", true},
		{" 12/31 ", "12/31", true},
		{"3/18446744073709551615", "3/18446744073709551615", true},
		{"007/01", "7/1", true},
		{"0/1", "", false},
		{"1", "", false},
		{"1/", "", false},
		{"/1", "", false},
		{"1/-1", "", false},
		{"+1/1", "", false},
		{"1/+1", "", false},
		{"a/1", "", false},
		{"1/2/3", "", false},
		{"1/18446744073709551616", "", false},
	}
	for _, tt := range tests {
		got, err := p.ParseRequestID(tt.in)
		if tt.ok != (err == nil) || string(got) != tt.want {
			t.Errorf("ParseRequestID(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		var le *protocol.LimitError
		if err != nil && !errors.As(err, &le) {
			t.Errorf("ParseRequestID(%q): %T, want a *protocol.LimitError (bad input)", tt.in, err)
		}
	}
}

func FuzzParseRequestID(f *testing.F) {
	for _, s := range []string{"1/0", "7/31", "0/0", "x", "1/2/3", "99999999999999999999/1"} {
		f.Add(s)
	}
	p := adapterWithoutChain(f)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := p.ParseRequestID(s)
		if err != nil {
			return
		}
		again, err := p.ParseRequestID(string(id))
		if err != nil || again != id {
			t.Fatalf("ParseRequestID(%q) = %q does not round-trip: %q, %v", s, id, again, err)
		}
	})
}

func TestParseValidatorID(t *testing.T) {
	p := adapterWithoutChain(t)
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{{"1", "1", true}, {" 015 ", "15", true}, {"0", "", false}, {"-1", "", false}, {"0xabc", "", false}, {"val", "", false}} {
		got, ok := p.ParseValidatorID(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseValidatorID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// adapterWithoutChain binds the adapter to a backend it never reads.
func adapterWithoutChain(t testing.TB) *sonic.Sonic {
	t.Helper()
	p, err := sonic.New(protocol.Env{Network: "sonic", Addresses: sonic.Deployments["sonic"], Backend: noBackend{}, Native: nativeS})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*sonic.Sonic)
}
