//go:build cgo && (linux || (darwin && !ios) || windows || freebsd)

package ledger

import (
	"errors"
	"testing"
)

// With no Ledger attached (CI, containers without /dev/bus/usb),
// enumeration must return nothing and no error, and opening must say what
// to do. A developer with a Ledger plugged in gets the first half only.
func TestUSBEnumerationWithoutDevice(t *testing.T) {
	if !USBSupported() {
		t.Fatal("cgo build without USB support")
	}
	devs, err := ListHID()
	if err != nil {
		t.Fatalf("ListHID: %v", err)
	}
	if len(devs) > 0 {
		t.Skipf("a Ledger is attached (%+v); not testing the no-device path", devs[0])
	}
	_, err = OpenHID()
	if !errors.Is(err, ErrNoDevice) || err.Error() != MsgNoDevice {
		t.Errorf("OpenHID = %v, want %q", err, MsgNoDevice)
	}
}
