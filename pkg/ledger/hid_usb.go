//go:build cgo && (linux || (darwin && !ios) || windows || freebsd)

package ledger

import (
	"fmt"
	"sync"

	"github.com/karalabe/usb"
)

// USBSupported reports whether this binary can talk to USB devices.
func USBSupported() bool { return usb.Supported() }

// ListHID lists the Ledger APDU interfaces attached. EnumerateHid, not
// Enumerate: the latter also inits raw libusb, which fails with "could not
// find usbfs" in containers, and returns WebUSB interfaces we cannot use.
// With nothing attached it returns no devices and no error.
func ListHID() ([]TransportInfo, error) {
	cands, err := usbCandidates()
	if err != nil {
		return nil, err
	}
	var out []TransportInfo
	for _, c := range cands {
		if isAPDUInterface(c.usagePage, c.iface) {
			out = append(out, c.info)
		}
	}
	return out, nil
}

// OpenHID opens the first Ledger found.
func OpenHID() (*HIDTransport, error) {
	cands, err := usbCandidates()
	if err != nil {
		return nil, err
	}
	return openFirstHID(cands)
}

func usbCandidates() ([]hidCandidate, error) {
	if !usb.Supported() {
		return nil, newError(ErrNoUSB, MsgNoUSB, nil)
	}
	infos, err := usb.EnumerateHid(ledgerVendorID, 0)
	if err != nil {
		return nil, fmt.Errorf("ledger: enumerating USB HID devices: %w", err)
	}
	cands := make([]hidCandidate, 0, len(infos))
	for _, info := range infos {
		cands = append(cands, hidCandidate{
			info:      TransportInfo{Kind: "hid", Model: modelName(info.ProductID), Path: info.Path, ProductID: info.ProductID},
			usagePage: info.UsagePage,
			iface:     info.Interface,
			open: func() (HIDDevice, error) {
				dev, err := info.Open()
				if err != nil {
					return nil, err
				}
				return &usbDevice{dev: dev}, nil
			},
		})
	}
	return cands, nil
}

// usbDevice defers hid_close while a Read is blocked in hid_read: hidapi's
// libusb backend frees the device (and the mutex the reader waits on) in
// hid_close, so closing under a blocked reader is a use-after-free. The
// reader finishes when the device answers or is unplugged; the process
// exiting releases the handle in any case.
type usbDevice struct {
	dev usb.Device

	mu       sync.Mutex
	inflight int
	closing  bool
	closed   bool
}

func (d *usbDevice) Write(p []byte) (int, error) { return d.dev.Write(p) }

func (d *usbDevice) Read(p []byte) (int, error) {
	d.mu.Lock()
	if d.closing {
		d.mu.Unlock()
		return 0, usb.ErrDeviceClosed
	}
	d.inflight++
	d.mu.Unlock()

	n, err := d.dev.Read(p)

	d.mu.Lock()
	d.inflight--
	closeNow := d.closing && d.inflight == 0 && !d.closed
	if closeNow {
		d.closed = true
	}
	d.mu.Unlock()
	if closeNow {
		_ = d.dev.Close()
	}
	return n, err
}

func (d *usbDevice) Close() error {
	d.mu.Lock()
	d.closing = true
	closeNow := d.inflight == 0 && !d.closed
	if closeNow {
		d.closed = true
	}
	d.mu.Unlock()
	if closeNow {
		return d.dev.Close()
	}
	return nil
}
