package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HID framing of the Ledger APDU protocol (app-ethereum doc/ethapp.adoc,
// "Transport protocol"): every 64-byte report starts with channel (2 bytes
// BE), tag (1 byte) and sequence index (2 bytes BE); the first report of a
// message then carries the message length (2 bytes BE).
const (
	hidPacketSize = 64
	// hidChannel is 0x0101 rather than 0 because hidapi's libusb backend
	// strips a leading 0x00 byte as a report id.
	hidChannel   = 0x0101
	hidTagAPDU   = 0x05
	hidHeaderLen = 5
	// maxMessage is what the 2-byte length prefix can express.
	maxMessage = 0xffff
)

// errMalformed marks replies that break the framing; they are protocol
// errors, never panics.
var errMalformed = errors.New("malformed reply from the Ledger")

// frameCommand splits an APDU into zero-padded 64-byte HID reports.
func frameCommand(apdu []byte) ([][]byte, error) {
	if len(apdu) == 0 || len(apdu) > maxMessage {
		return nil, fmt.Errorf("APDU of %d bytes cannot be framed", len(apdu))
	}
	msg := make([]byte, 2+len(apdu))
	binary.BigEndian.PutUint16(msg, uint16(len(apdu)))
	copy(msg[2:], apdu)

	var packets [][]byte
	for seq := 0; len(msg) > 0; seq++ {
		if seq > 0xffff {
			return nil, fmt.Errorf("APDU of %d bytes needs too many packets", len(apdu))
		}
		p := make([]byte, hidPacketSize)
		binary.BigEndian.PutUint16(p[0:], hidChannel)
		p[2] = hidTagAPDU
		binary.BigEndian.PutUint16(p[3:], uint16(seq))
		n := copy(p[hidHeaderLen:], msg)
		msg = msg[n:]
		packets = append(packets, p)
	}
	return packets, nil
}

// replyAssembler rebuilds a response message from HID reports.
type replyAssembler struct {
	seq   uint16
	total int // message length from the first report; -1 until known
	buf   []byte
}

func newReplyAssembler() *replyAssembler { return &replyAssembler{total: -1} }

// add consumes one report and reports whether the message is complete.
func (r *replyAssembler) add(p []byte) (bool, error) {
	if len(p) < hidHeaderLen {
		return false, fmt.Errorf("%w: short packet of %d bytes", errMalformed, len(p))
	}
	if ch := binary.BigEndian.Uint16(p); ch != hidChannel {
		return false, fmt.Errorf("%w: channel 0x%04x, want 0x%04x", errMalformed, ch, hidChannel)
	}
	if p[2] != hidTagAPDU {
		return false, fmt.Errorf("%w: tag 0x%02x, want 0x%02x", errMalformed, p[2], hidTagAPDU)
	}
	if seq := binary.BigEndian.Uint16(p[3:]); seq != r.seq {
		return false, fmt.Errorf("%w: packet sequence %d, want %d", errMalformed, seq, r.seq)
	}
	payload := p[hidHeaderLen:]
	if r.seq == 0 {
		if len(payload) < 2 {
			return false, fmt.Errorf("%w: short packet of %d bytes", errMalformed, len(p))
		}
		r.total = int(binary.BigEndian.Uint16(payload))
		if r.total < 2 {
			return false, fmt.Errorf("%w: reply of %d bytes has no status word", errMalformed, r.total)
		}
		payload = payload[2:]
		r.buf = make([]byte, 0, r.total)
	}
	need := r.total - len(r.buf)
	// A device may omit the padding of the last report, but a report that
	// is short and not the last one lost data.
	if len(payload) < need && len(p) < hidPacketSize {
		return false, fmt.Errorf("%w: short packet of %d bytes", errMalformed, len(p))
	}
	r.buf = append(r.buf, payload[:min(need, len(payload))]...)
	r.seq++
	return len(r.buf) == r.total, nil
}

// result splits the completed message into data and status word.
func (r *replyAssembler) result() ([]byte, uint16) {
	n := len(r.buf)
	return r.buf[:n-2], binary.BigEndian.Uint16(r.buf[n-2:])
}

// isZeroPacket reports an all-zero report, which a Nano X on macOS emits
// spuriously (noted in Zondax/ledger-go); such reports are skipped.
func isZeroPacket(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}
