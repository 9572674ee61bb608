package ledger

import (
	"errors"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	ledgersigner "github.com/stakewallet/stakewallet/pkg/signer/ledger"
)

func TestAddressesValidate(t *testing.T) {
	tests := []struct {
		name string
		o    AddressesOptions
		ok   bool
	}{
		{"defaults", AddressesOptions{Count: 5, Scheme: "live"}, true},
		{"legacy from 10", AddressesOptions{Count: 3, Start: 10, Scheme: "legacy"}, true},
		{"most", AddressesOptions{Count: maxCount, Scheme: "live"}, true},
		{"zero", AddressesOptions{Count: 0, Scheme: "live"}, false},
		{"too many", AddressesOptions{Count: maxCount + 1, Scheme: "live"}, false},
		{"negative start", AddressesOptions{Count: 1, Start: -1, Scheme: "live"}, false},
		{"past the hardened range", AddressesOptions{Count: 2, Start: 1<<31 - 1, Scheme: "live"}, false},
		{"unknown scheme", AddressesOptions{Count: 1, Scheme: "bip44"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.o.validate()
			if tt.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
			var ee *cmdutil.ExitError
			if err != nil && (!errors.As(err, &ee) || ee.Code != cmdutil.ExitBadInput) {
				t.Errorf("%v is not exit 2", err)
			}
		})
	}
}

// The SIGNER column must name the same account as the PATH column.
func TestSignerRefRoundTrips(t *testing.T) {
	for _, scheme := range []ledgerapp.Scheme{ledgerapp.SchemeLive, ledgerapp.SchemeLegacy} {
		for _, i := range []int{0, 1, 7} {
			p, err := scheme.Path(i)
			if err != nil {
				t.Fatal(err)
			}
			ref := signerRef(scheme, i, p.String())
			got, err := ledgersigner.ParseRef(ref)
			if err != nil || got.String() != p.String() {
				t.Errorf("%s %d: ref %q parses to %v, %v; want %s", scheme, i, ref, got, err, p)
			}
		}
	}
}
