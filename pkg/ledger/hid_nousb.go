//go:build !cgo || !(linux || (darwin && !ios) || windows || freebsd)

package ledger

// karalabe/usb needs cgo; without it this file stands in so that the rest
// of the package (TCP transport, app client) still builds.

// USBSupported reports whether this binary can talk to USB devices.
func USBSupported() bool { return false }

// ListHID always fails: this build has no USB support.
func ListHID() ([]TransportInfo, error) {
	return nil, newError(ErrNoUSB, MsgNoUSB, nil)
}

// OpenHID always fails: this build has no USB support.
func OpenHID() (*HIDTransport, error) {
	return nil, newError(ErrNoUSB, MsgNoUSB, nil)
}
