package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

func TestOpenFirstHID(t *testing.T) {
	ok := func() (HIDDevice, error) { return ledgeremu.NewHIDDevice(echo), nil }
	busy := func() (HIDDevice, error) { return nil, errors.New("hidapi: failed to open device") }
	fido := hidCandidate{info: TransportInfo{Path: "fido"}, usagePage: 0xf1d0, iface: 1, open: ok}
	tests := []struct {
		name  string
		cands []hidCandidate
		path  string
		kind  error
		says  string
	}{
		{"nothing attached", nil, "", ErrNoDevice, "Connect and unlock your Ledger; close Ledger Live"},
		{"only the FIDO interface", []hidCandidate{fido}, "", ErrNoDevice, "Connect and unlock your Ledger"},
		{"linux interface 0", []hidCandidate{fido, {info: TransportInfo{Path: "1-1:1.0"}, iface: 0, open: ok}}, "1-1:1.0", nil, ""},
		{"macOS usage page", []hidCandidate{fido, {info: TransportInfo{Path: "mac"}, usagePage: 0xffa0, iface: -1, open: ok}}, "mac", nil, ""},
		{"held by another program", []hidCandidate{{iface: 0, open: busy}}, "", ErrBusy, "Close Ledger Live"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := openFirstHID(tt.cands)
			if tt.kind == nil {
				if err != nil || tr.Info().Path != tt.path {
					t.Fatalf("got %v, %v", tr, err)
				}
				_ = tr.Close()
				return
			}
			if !errors.Is(err, tt.kind) || !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v", err)
			}
		})
	}
}
