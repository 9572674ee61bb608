package ledger

import (
	"context"
	"fmt"
	"strings"
)

// Transport exchanges APDUs with a device. Implementations serialise
// exchanges: the Ledger protocol has no request ids, so two commands in
// flight would get each other's answers.
type Transport interface {
	// Exchange sends one command APDU (CLA INS P1 P2 Lc data) and returns
	// the response data and the status word. A non-0x9000 status word is not
	// an error at this layer; err reports only transport failures.
	Exchange(ctx context.Context, apdu []byte) (data []byte, sw uint16, err error)
	// Info describes the connection for `ledger info` and error messages.
	Info() TransportInfo
	// Close releases the device or connection.
	Close() error
}

// TransportInfo describes a connected device.
type TransportInfo struct {
	// Kind is "hid" or "tcp".
	Kind string
	// Model is the device model when known ("Nano X", "Speculos", …).
	Model string
	// Path is the OS device path (hid) or the address (tcp).
	Path      string
	ProductID uint16
}

// TransportSpec is the parsed form of --ledger-transport.
type TransportSpec struct {
	// Kind is "hid" or "tcp".
	Kind string
	// Addr is HOST:PORT for tcp.
	Addr string
}

// String gives the spec back in its flag form.
func (s TransportSpec) String() string {
	if s.Kind == "tcp" {
		return "tcp://" + s.Addr
	}
	return s.Kind
}

// ParseTransport parses a transport string: "" or "hid" for USB, or
// "tcp://HOST:PORT" for a Speculos APDU port.
func ParseTransport(s string) (TransportSpec, error) {
	switch {
	case s == "" || s == "hid":
		return TransportSpec{Kind: "hid"}, nil
	case strings.HasPrefix(s, "tcp://"):
		addr := strings.TrimPrefix(s, "tcp://")
		if i := strings.LastIndexByte(addr, ':'); i <= 0 || i == len(addr)-1 || strings.ContainsAny(addr, "/?#") {
			return TransportSpec{}, fmt.Errorf("invalid Ledger transport %q: want tcp://HOST:PORT", s)
		}
		return TransportSpec{Kind: "tcp", Addr: addr}, nil
	default:
		return TransportSpec{}, fmt.Errorf("invalid Ledger transport %q: want \"hid\" or tcp://HOST:PORT", s)
	}
}

// OpenTransport opens the transport a spec string names (see ParseTransport).
// For hid it opens the first Ledger found.
func OpenTransport(ctx context.Context, spec string) (Transport, error) {
	ts, err := ParseTransport(spec)
	if err != nil {
		return nil, err
	}
	if ts.Kind == "tcp" {
		return DialTCP(ctx, ts.Addr)
	}
	return OpenHID()
}
