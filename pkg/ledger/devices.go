package ledger

// hidCandidate is one enumerated HID interface of a Ledger.
type hidCandidate struct {
	info      TransportInfo
	usagePage uint16
	iface     int
	open      func() (HIDDevice, error)
}

// openFirstHID opens the first APDU interface among cands. Opening fails
// when another program (Ledger Live, a browser wallet) holds the device or,
// on Linux, when udev rules do not grant access.
func openFirstHID(cands []hidCandidate) (*HIDTransport, error) {
	for _, c := range cands {
		if !isAPDUInterface(c.usagePage, c.iface) {
			continue
		}
		dev, err := c.open()
		if err != nil {
			return nil, newError(ErrBusy, MsgOpenFailed, err)
		}
		return NewHIDTransport(dev, c.info), nil
	}
	return nil, newError(ErrNoDevice, MsgNoDevice, nil)
}

// ledgerVendorID is Ledger's USB vendor id.
const ledgerVendorID = 0x2c97

// APDU interface selection (ledger.md §1.1): usage page 0xffa0 where the
// OS reports usage pages (Windows, macOS), interface 0 on Linux, whose
// libusb hidapi backend leaves the usage page at 0.
const (
	apduUsagePage = 0xffa0
	apduInterface = 0
)

func isAPDUInterface(usagePage uint16, iface int) bool {
	return usagePage == apduUsagePage || iface == apduInterface
}

// modelName names a device from its product id: old firmware reports the
// model number itself, newer firmware 0xMMII (model, interface bits).
func modelName(pid uint16) string {
	legacy := map[uint16]string{
		0x0000: "Blue", 0x0001: "Nano S", 0x0004: "Nano X", 0x0005: "Nano S Plus",
		0x0006: "Stax", 0x0007: "Flex", 0x0008: "Nano Gen5",
	}
	byMM := map[uint16]string{
		0x10: "Nano S", 0x40: "Nano X", 0x50: "Nano S Plus", 0x60: "Stax", 0x70: "Flex", 0x80: "Nano Gen5",
	}
	if m, ok := legacy[pid]; ok {
		return m
	}
	if m, ok := byMM[pid>>8]; ok {
		return m
	}
	return "Ledger"
}
