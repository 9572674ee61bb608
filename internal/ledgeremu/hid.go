package ledgeremu

import (
	"encoding/binary"
	"errors"
	"sync"
)

// HID framing as the device sees it (app-ethereum doc/ethapp.adoc,
// "Transport protocol"). Written independently of pkg/ledger's host side so
// that the two check each other.
const (
	reportSize = 64
	channel    = 0x0101
	tagAPDU    = 0x05
)

// ErrClosed is returned by HIDDevice reads and writes after Close.
var ErrClosed = errors.New("ledgeremu: HID device closed")

// Handler answers one command APDU with response data and a status word.
type Handler func(apdu []byte) (data []byte, sw uint16)

// HIDDevice is an in-memory USB HID Ledger: what the host writes is
// reassembled into APDUs, handed to a Handler, and the answer comes back as
// 64-byte reports from Read. It satisfies pkg/ledger's HIDDevice.
type HIDDevice struct {
	handler Handler

	mu     sync.Mutex
	cmd    []byte // the command being reassembled
	want   int    // its length, -1 before the first report
	seq    uint16
	out    chan []byte
	closed chan struct{}
	once   sync.Once
	// Written records every report the host wrote, for tests.
	written [][]byte
}

// NewHIDDevice returns a device that answers with h.
func NewHIDDevice(h Handler) *HIDDevice {
	return &HIDDevice{handler: h, want: -1, out: make(chan []byte, 1024), closed: make(chan struct{})}
}

// Write takes one report from the host. Reports that do not follow the
// framing are ignored, as a device drops them.
func (d *HIDDevice) Write(p []byte) (int, error) {
	select {
	case <-d.closed:
		return 0, ErrClosed
	default:
	}
	d.mu.Lock()
	d.written = append(d.written, append([]byte(nil), p...))
	apdu := d.assemble(p)
	d.mu.Unlock()
	if apdu != nil {
		// Answer asynchronously: a command that waits for the user must
		// not block the host's writes.
		go d.respond(apdu)
	}
	return len(p), nil
}

func (d *HIDDevice) assemble(p []byte) []byte {
	if len(p) < 5 || binary.BigEndian.Uint16(p) != channel || p[2] != tagAPDU {
		return nil
	}
	seq := binary.BigEndian.Uint16(p[3:])
	body := p[5:]
	if seq == 0 {
		if len(body) < 2 {
			return nil
		}
		d.want = int(binary.BigEndian.Uint16(body))
		d.cmd = d.cmd[:0]
		d.seq = 0
		body = body[2:]
	} else if d.want < 0 || seq != d.seq {
		d.want = -1 // out of order: drop the message
		return nil
	}
	d.seq = seq + 1
	d.cmd = append(d.cmd, body[:min(len(body), d.want-len(d.cmd))]...)
	if len(d.cmd) < d.want {
		return nil
	}
	apdu := append([]byte(nil), d.cmd...)
	d.want = -1
	return apdu
}

func (d *HIDDevice) respond(apdu []byte) {
	data, sw := d.handler(apdu)
	msg := make([]byte, 2, 2+len(data)+2)
	binary.BigEndian.PutUint16(msg, uint16(len(data)+2))
	msg = append(msg, data...)
	msg = binary.BigEndian.AppendUint16(msg, sw)
	for seq := 0; len(msg) > 0; seq++ {
		r := make([]byte, reportSize)
		binary.BigEndian.PutUint16(r, channel)
		r[2] = tagAPDU
		binary.BigEndian.PutUint16(r[3:], uint16(seq))
		n := copy(r[5:], msg)
		msg = msg[n:]
		d.Inject(r)
	}
}

// Inject queues a raw report for the host to read, for tests of stale,
// spurious or malformed reports.
func (d *HIDDevice) Inject(report []byte) {
	select {
	case d.out <- append([]byte(nil), report...):
	case <-d.closed:
	}
}

// Read blocks until a report is available or the device is closed.
func (d *HIDDevice) Read(p []byte) (int, error) {
	select {
	case r := <-d.out:
		return copy(p, r), nil
	case <-d.closed:
		return 0, ErrClosed
	}
}

// Close unblocks pending reads.
func (d *HIDDevice) Close() error {
	d.once.Do(func() { close(d.closed) })
	return nil
}

// Written returns copies of the reports the host wrote so far.
func (d *HIDDevice) Written() [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([][]byte(nil), d.written...)
}
