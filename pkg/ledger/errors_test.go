package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

func TestStatusWordErrors(t *testing.T) {
	tests := []struct {
		name  string
		op    op
		sw    uint16
		kind  error
		class error // signer sentinel, nil for "other error"
		says  string
	}{
		{"locked", opOther, 0x5515, ErrLocked, signer.ErrUnavailable, "unlock it with your PIN"},
		{"locked nano x", opOther, 0x6b0c, ErrLocked, signer.ErrUnavailable, "unlock it with your PIN"},
		{"locked old firmware", opSign, 0x6982, ErrLocked, signer.ErrUnavailable, "locked"},
		{"wrong INS (dashboard)", opOther, 0x6d00, ErrAppNotOpen, signer.ErrUnavailable, "open the Ethereum app"},
		{"wrong CLA (dashboard)", opOther, 0x6e00, ErrAppNotOpen, signer.ErrUnavailable, "open the Ethereum app"},
		{"bootloader CLA", opOther, 0x6e01, ErrAppNotOpen, signer.ErrUnavailable, "open the Ethereum app"},
		{"no app open", opAddress, 0x6511, ErrAppNotOpen, signer.ErrUnavailable, "open the Ethereum app"},
		{"app closed", opSign, 0x650f, ErrAppNotOpen, signer.ErrUnavailable, "open the Ethereum app"},
		{"user rejected tx", opSign, 0x6985, ErrRejected, signer.ErrDeclined, MsgTxRejected},
		{"user rejected address", opAddress, 0x6985, ErrRejected, signer.ErrDeclined, MsgAddrRejected},
		{"invalid data while signing", opSign, 0x6a80, ErrInvalidData, nil, "Blind signing"},
		{"bad token descriptor", opToken, 0x6a80, ErrInvalidData, nil, "token descriptor"},
		{"plugin missing", opPlugin, 0x6a82, ErrPluginMissing, signer.ErrUnavailable, "install it with Ledger Live"},
		{"plugin missing (doc)", opPlugin, 0x6984, ErrPluginMissing, signer.ErrUnavailable, "install it with Ledger Live"},
		{"device UI busy", opOther, 0x6901, ErrBusy, signer.ErrUnavailable, "go back to the Ethereum app"},
		{"tx type unsupported", opSign, 0x6501, ErrUnsupported, nil, "update the app"},
		{"unknown", opOther, 0x6f42, ErrProtocol, signer.ErrUnavailable, "unexpected answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := error(statusError(tt.op, tt.sw))
			if !errors.Is(err, tt.kind) {
				t.Errorf("%v is not %v", err, tt.kind)
			}
			if tt.class != nil && !errors.Is(err, tt.class) {
				t.Errorf("%v does not wrap %v", err, tt.class)
			}
			if tt.class == nil && (errors.Is(err, signer.ErrUnavailable) || errors.Is(err, signer.ErrDeclined)) {
				t.Errorf("%v wraps a signer sentinel", err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("message %q does not say %q", err, tt.says)
			}
			if want := "0x" + hex4(tt.sw); !strings.Contains(err.Error(), want) {
				t.Errorf("message %q does not name the status word %s", err, want)
			}
		})
	}
}

func hex4(sw uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[sw>>12], digits[sw>>8&15], digits[sw>>4&15], digits[sw&15]})
}

func TestErrorWithoutStatusWord(t *testing.T) {
	err := error(newError(ErrNoDevice, MsgNoDevice, nil))
	if !errors.Is(err, ErrNoDevice) || !errors.Is(err, signer.ErrUnavailable) {
		t.Fatalf("%v: wrong kind or class", err)
	}
	if !strings.Contains(err.Error(), "Connect and unlock your Ledger; close Ledger Live") {
		t.Errorf("message %q lacks the advice", err)
	}
	if strings.Contains(err.Error(), "status") {
		t.Errorf("message %q mentions a status word there is none of", err)
	}
}
