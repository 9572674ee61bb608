package cmdutil

import (
	"fmt"
	"testing"

	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	ledgersigner "github.com/stakewallet/stakewallet/pkg/signer/ledger"
)

// Ledger failures reach the exit codes of SPEC.md through the signer
// sentinels (6 declined, 7 unavailable) and ErrBadRef (2), also when
// commands wrap them.
func TestClassifyLedgerErrors(t *testing.T) {
	_, badRef := ledgersigner.ParseRef("ledger:x")
	tests := []struct {
		name string
		err  error
		code int
		kind string
	}{
		{"bad ref", badRef, ExitBadInput, "bad_input"},
		{"rejected", &ledgerapp.Error{Kind: ledgerapp.ErrRejected, SW: 0x6985, Msg: ledgerapp.MsgTxRejected}, ExitNeedsInput, "declined"},
		{"locked", &ledgerapp.Error{Kind: ledgerapp.ErrLocked, SW: 0x5515, Msg: ledgerapp.MsgLocked}, ExitSignerUnavl, "signer_unavailable"},
		{"app not open", &ledgerapp.Error{Kind: ledgerapp.ErrAppNotOpen, Msg: ledgerapp.MsgAppNotOpen}, ExitSignerUnavl, "signer_unavailable"},
		{"blind signing off", &ledgerapp.Error{Kind: ledgerapp.ErrBlindSigningDisabled, Msg: ledgerapp.MsgBlindSigning}, ExitSignerUnavl, "signer_unavailable"},
		{"no device", &ledgerapp.Error{Kind: ledgerapp.ErrNoDevice, Msg: ledgerapp.MsgNoDevice}, ExitSignerUnavl, "signer_unavailable"},
		{"review timeout", &ledgerapp.Error{Kind: ledgerapp.ErrTimeout, Msg: "timed out"}, ExitSignerUnavl, "signer_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error to classify")
			}
			for _, err := range []error{tt.err, fmt.Errorf("sign stake: %w", tt.err)} {
				code, kind := Classify(err)
				if code != tt.code || kind != tt.kind {
					t.Errorf("classify(%q) = %d %s, want %d %s", err, code, kind, tt.code, tt.kind)
				}
			}
		})
	}
}
