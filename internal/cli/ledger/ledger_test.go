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
		o    addressesOptions
		ok   bool
	}{
		{"defaults", addressesOptions{count: 5, scheme: "live"}, true},
		{"legacy from 10", addressesOptions{count: 3, start: 10, scheme: "legacy"}, true},
		{"most", addressesOptions{count: maxCount, scheme: "live"}, true},
		{"zero", addressesOptions{count: 0, scheme: "live"}, false},
		{"too many", addressesOptions{count: maxCount + 1, scheme: "live"}, false},
		{"negative start", addressesOptions{count: 1, start: -1, scheme: "live"}, false},
		{"past the hardened range", addressesOptions{count: 2, start: 1<<31 - 1, scheme: "live"}, false},
		{"unknown scheme", addressesOptions{count: 1, scheme: "bip44"}, false},
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
