package ledger

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// fakeSpeculos accepts one connection, checks the command framing and
// writes the scripted reply bytes.
func fakeSpeculos(t *testing.T, wantAPDU []byte, reply []byte) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		hdr := make([]byte, 4)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		got := make([]byte, binary.BigEndian.Uint32(hdr))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, wantAPDU) {
			t.Errorf("server got % x, want % x", got, wantAPDU)
			return
		}
		_, _ = c.Write(reply)
		time.Sleep(time.Second) // keep the connection open while the client reads
	}()
	return l.Addr().String()
}

func TestTCPFraming(t *testing.T) {
	apdu := []byte{0xe0, 0x06, 0, 0, 0}
	tests := []struct {
		name  string
		reply []byte
		data  []byte
		sw    uint16
		ok    bool
	}{
		// Speculos: the length counts the data only, the status word follows.
		{"data and status", []byte{0, 0, 0, 4, 0x03, 1, 22, 0, 0x90, 0x00}, []byte{0x03, 1, 22, 0}, 0x9000, true},
		{"status only", []byte{0, 0, 0, 0, 0x69, 0x85}, []byte{}, 0x6985, true},
		{"truncated", []byte{0, 0, 0, 4, 0x03, 1}, nil, 0, false},
		{"absurd length", []byte{0x7f, 0, 0, 0}, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := fakeSpeculos(t, apdu, tt.reply)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			tr, err := DialTCP(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			data, sw, err := tr.Exchange(ctx, apdu)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v", err)
			}
			if tt.ok && (!bytes.Equal(data, tt.data) || sw != tt.sw) {
				t.Errorf("got % x %04x", data, sw)
			}
			if !tt.ok {
				// The stream position is lost: the transport refuses to go on.
				if _, _, err := tr.Exchange(context.Background(), apdu); err == nil {
					t.Error("exchange after a failure succeeded")
				}
			}
		})
	}
}

func TestTCPCancelWithoutDeadline(t *testing.T) {
	addr := fakeSpeculos(t, []byte{0xe0, 0x04, 0, 0, 0}, nil) // never answers
	tr, err := DialTCP(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, _, err = tr.Exchange(ctx, []byte{0xe0, 0x04, 0, 0, 0})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
