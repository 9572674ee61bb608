package ledgeremu

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
)

// ServeTCP serves Speculos's APDU protocol on addr (e.g. "127.0.0.1:0")
// until ctx ends or the emulator is closed, and returns the address it
// listens on. Framing (speculos/mcu/apdu.py): the client sends a 4-byte
// big-endian length and the APDU; the reply is a 4-byte big-endian length
// of the data without the status word, the data, then the status word.
func (e *Emulator) ServeTCP(ctx context.Context, addr string) (string, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	var (
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
	)
	stop := func() {
		_ = l.Close()
		mu.Lock()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	}
	go func() {
		select {
		case <-ctx.Done():
		case <-e.done:
		}
		stop()
	}()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = struct{}{}
			mu.Unlock()
			go func() {
				e.serveConn(c)
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
				_ = c.Close()
			}()
		}
	}()
	return l.Addr().String(), nil
}

func (e *Emulator) serveConn(c net.Conn) {
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if n > 1<<16 {
			return
		}
		apdu := make([]byte, n)
		if _, err := io.ReadFull(c, apdu); err != nil {
			return
		}
		data, sw := e.Exchange(apdu)
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(out, data...)
		out = binary.BigEndian.AppendUint16(out, sw)
		// One write: ledgerjs's Speculos transport decodes each 'data'
		// event as a whole reply.
		if _, err := c.Write(out); err != nil && !errors.Is(err, net.ErrClosed) {
			return
		}
	}
}
