package keys

import (
	"errors"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// The flags of `keys add` are checked before any device is opened.
func TestAddDerivationPath(t *testing.T) {
	tests := []struct {
		name string
		o    AddOptions
		want string // path, or "" for exit 2
	}{
		{"default is Ledger Live 0", AddOptions{Name: "cold", Ledger: true}, "m/44'/60'/0'/0/0"},
		{"index is a Ledger Live account", AddOptions{Name: "cold", Ledger: true, Index: 3, IndexSet: true}, "m/44'/60'/3'/0/0"},
		{"legacy path", AddOptions{Name: "cold", Ledger: true, Path: "m/44'/60'/0'/3"}, "m/44'/60'/0'/3"},
		{"no --ledger", AddOptions{Name: "cold"}, ""},
		{"index and path", AddOptions{Name: "cold", Ledger: true, Index: 1, IndexSet: true, Path: "m/44'/60'/0'/1"}, ""},
		{"relative path", AddOptions{Name: "cold", Ledger: true, Path: "44'/60'"}, ""},
		{"path too long", AddOptions{Name: "cold", Ledger: true, Path: "m/1/2/3/4/5/6/7/8/9/10/11"}, ""},
		{"negative index", AddOptions{Name: "cold", Ledger: true, Index: -1, IndexSet: true}, ""},
		{"reserved name", AddOptions{Name: "ledger", Ledger: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.o.derivationPath()
			if tt.want == "" {
				var ee *cmdutil.ExitError
				if !errors.As(err, &ee) || ee.Code != cmdutil.ExitBadInput {
					t.Fatalf("got %v, %v; want exit 2", p, err)
				}
				return
			}
			if err != nil || p.String() != tt.want {
				t.Fatalf("got %v, %v; want %s", p, err, tt.want)
			}
		})
	}
}
