package ledger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// TCPTransport speaks Speculos's APDU port protocol (speculos/mcu/apdu.py):
// the command is a 4-byte big-endian length and the raw APDU; the answer is
// a 4-byte big-endian length of the data *without* the status word, then
// the data, then the 2-byte status word. No HID framing.
type TCPTransport struct {
	addr string

	mu   sync.Mutex
	conn net.Conn
	// broken is set once an exchange was cut mid-way: the stream position is
	// then unknown and later answers could belong to the abandoned command.
	broken error
}

// maxTCPReply bounds what we accept; Ethereum app answers are far smaller.
const maxTCPReply = 1 << 16

// DialTCP connects to a Speculos APDU port at addr (HOST:PORT).
func DialTCP(ctx context.Context, addr string) (*TCPTransport, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, newError(ErrNoDevice, "cannot connect to the Ledger emulator at tcp://"+addr+": is Speculos running with its APDU port there?", err)
	}
	return &TCPTransport{addr: addr, conn: conn}, nil
}

// Info implements Transport.
func (t *TCPTransport) Info() TransportInfo {
	return TransportInfo{Kind: "tcp", Model: "Speculos", Path: "tcp://" + t.addr}
}

// Close implements Transport. It does not wait for an exchange in
// progress: closing the connection ends it.
func (t *TCPTransport) Close() error {
	err := t.conn.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil // closed after a failed exchange
	}
	return err
}

// Exchange implements Transport.
func (t *TCPTransport) Exchange(ctx context.Context, apdu []byte) ([]byte, uint16, error) {
	if len(apdu) == 0 || len(apdu) > maxTCPReply {
		return nil, 0, fmt.Errorf("ledger: APDU of %d bytes cannot be sent", len(apdu))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken != nil {
		return nil, 0, fmt.Errorf("ledger: tcp://%s unusable after an earlier failure: %w", t.addr, t.broken)
	}
	data, sw, err := t.exchange(ctx, apdu)
	if err != nil {
		t.broken = err
		_ = t.conn.Close()
		// A deadline we set from ctx surfaces as a net timeout; report the
		// context's error so callers can tell "too slow" from "broken".
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("ledger: tcp://%s: %w", t.addr, ctx.Err())
		}
		// The socket deadline can fire a moment before the context notices.
		var ne net.Error
		if _, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() {
			return nil, 0, fmt.Errorf("ledger: tcp://%s: %w", t.addr, context.DeadlineExceeded)
		}
		return nil, 0, fmt.Errorf("ledger: tcp://%s: %w", t.addr, err)
	}
	return data, sw, nil
}

func (t *TCPTransport) exchange(ctx context.Context, apdu []byte) ([]byte, uint16, error) {
	if dl, ok := ctx.Deadline(); ok {
		if err := t.conn.SetDeadline(dl); err != nil {
			return nil, 0, err
		}
	} else if err := t.conn.SetDeadline(time.Time{}); err != nil {
		return nil, 0, err
	}
	// Cancellation without a deadline still has to unblock the read.
	stop := context.AfterFunc(ctx, func() { _ = t.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	msg := make([]byte, 4+len(apdu))
	binary.BigEndian.PutUint32(msg, uint32(len(apdu)))
	copy(msg[4:], apdu)
	if _, err := t.conn.Write(msg); err != nil {
		return nil, 0, err
	}
	var hdr [4]byte
	if _, err := io.ReadFull(t.conn, hdr[:]); err != nil {
		return nil, 0, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxTCPReply {
		return nil, 0, fmt.Errorf("%w: reply length %d", errMalformed, n)
	}
	buf := make([]byte, int(n)+2)
	if _, err := io.ReadFull(t.conn, buf); err != nil {
		return nil, 0, err
	}
	return buf[:n], binary.BigEndian.Uint16(buf[n:]), nil
}
