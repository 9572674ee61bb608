package ledger

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
)

func echo(apdu []byte) ([]byte, uint16) { return apdu, SWOK }

func TestHIDRoundTrip(t *testing.T) {
	tests := []struct {
		size    int
		packets int // reports the command needs: 57 bytes in the first, 59 after
	}{
		{5, 1},
		{57, 1},
		{58, 2},
		{116, 2},
		{117, 3},
		{255, 5},
		{600, 11},
	}
	for _, tt := range tests {
		dev := ledgeremu.NewHIDDevice(echo)
		tr := NewHIDTransport(dev, TransportInfo{})
		apdu := make([]byte, tt.size)
		for i := range apdu {
			apdu[i] = byte(i*7 + 1)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		data, sw, err := tr.Exchange(ctx, apdu)
		cancel()
		if err != nil {
			t.Fatalf("size %d: %v", tt.size, err)
		}
		if sw != SWOK || !bytes.Equal(data, apdu) {
			t.Errorf("size %d: got sw %04x, %d bytes back, want the APDU echoed", tt.size, sw, len(data))
		}
		written := dev.Written()
		if len(written) != tt.packets {
			t.Errorf("size %d: wrote %d reports, want %d", tt.size, len(written), tt.packets)
		}
		for i, r := range written {
			if len(r) != hidPacketSize || binary.BigEndian.Uint16(r) != 0x0101 || r[2] != 0x05 || binary.BigEndian.Uint16(r[3:]) != uint16(i) {
				t.Errorf("size %d: report %d has a bad header: % x", tt.size, i, r[:5])
			}
		}
		if got := int(binary.BigEndian.Uint16(written[0][5:])); got != tt.size {
			t.Errorf("size %d: length prefix %d", tt.size, got)
		}
		_ = tr.Close()
	}
}

// scripted is a HID device that answers every read with the next scripted
// report, then io.EOF.
type scripted struct{ replies [][]byte }

func (s *scripted) Write(p []byte) (int, error) { return len(p), nil }
func (s *scripted) Close() error                { return nil }
func (s *scripted) Read(p []byte) (int, error) {
	if len(s.replies) == 0 {
		return 0, io.EOF
	}
	r := s.replies[0]
	s.replies = s.replies[1:]
	return copy(p, r), nil
}

// report builds a reply report with the given header and payload.
func report(ch uint16, tag byte, seq uint16, payload []byte, size int) []byte {
	r := make([]byte, max(size, 5))
	binary.BigEndian.PutUint16(r, ch)
	r[2] = tag
	binary.BigEndian.PutUint16(r[3:], seq)
	copy(r[5:], payload)
	return r[:size]
}

func TestHIDMalformedReplies(t *testing.T) {
	okFirst := func(total int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(total)) }
	long := bytes.Repeat([]byte{0xaa}, 100) // needs two reports
	first := report(0x0101, 0x05, 0, append(okFirst(102), long...), 64)
	tests := []struct {
		name    string
		replies [][]byte
	}{
		{"wrong channel", [][]byte{report(0x0102, 0x05, 0, okFirst(2), 64)}},
		{"zero channel", [][]byte{report(0x0000, 0x05, 0, okFirst(2), 64)}},
		{"wrong tag", [][]byte{report(0x0101, 0x02, 0, okFirst(2), 64)}},
		{"first sequence not zero", [][]byte{report(0x0101, 0x05, 1, okFirst(2), 64)}},
		{"out-of-order sequence", [][]byte{first, report(0x0101, 0x05, 2, long[57:], 64)}},
		{"short packet", [][]byte{{0x01, 0x01, 0x05}}},
		{"first packet without length", [][]byte{report(0x0101, 0x05, 0, nil, 6)}},
		{"truncated continuation", [][]byte{first, report(0x0101, 0x05, 1, long[57:60], 8)}},
		{"reply without status word", [][]byte{report(0x0101, 0x05, 0, okFirst(1), 64)}},
		{"device stops mid-reply", [][]byte{first}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewHIDTransport(&scripted{replies: tt.replies}, TransportInfo{})
			tr.dirty = false // no drain: it would eat the scripted reports
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, _, err := tr.Exchange(ctx, []byte{0xe0, 0x06, 0, 0, 0})
			if err == nil {
				t.Fatal("malformed reply accepted")
			}
			if tt.name != "device stops mid-reply" && !errors.Is(err, errMalformed) {
				t.Errorf("error %v does not wrap errMalformed", err)
			}
		})
	}
}

func TestHIDShortFinalReportAccepted(t *testing.T) {
	// go-ethereum's driver writes an unpadded last report; a device doing
	// the same must be understood.
	payload := append(binary.BigEndian.AppendUint16(nil, 4), 0xde, 0xad, 0x90, 0x00)
	tr := NewHIDTransport(&scripted{replies: [][]byte{report(0x0101, 0x05, 0, payload, 5+len(payload))}}, TransportInfo{})
	tr.dirty = false
	data, sw, err := tr.Exchange(context.Background(), []byte{0xe0, 0x06, 0, 0, 0})
	if err != nil || sw != SWOK || !bytes.Equal(data, []byte{0xde, 0xad}) {
		t.Fatalf("got % x %04x %v", data, sw, err)
	}
}

func TestHIDSkipsStaleAndZeroReports(t *testing.T) {
	dev := ledgeremu.NewHIDDevice(echo)
	// A reply to a command some earlier program abandoned, and the all-zero
	// report a Nano X on macOS emits, are waiting before we send anything.
	dev.Inject(report(0x0101, 0x05, 0, []byte{0, 4, 1, 2, 0x90, 0x00}, 64))
	dev.Inject(make([]byte, 64))
	tr := NewHIDTransport(dev, TransportInfo{})
	defer tr.Close()
	apdu := []byte{0xe0, 0x02, 0, 0, 1, 0}
	data, sw, err := tr.Exchange(context.Background(), apdu)
	if err != nil || sw != SWOK || !bytes.Equal(data, apdu) {
		t.Fatalf("got % x %04x %v, want the echo of our command", data, sw, err)
	}
}

func TestHIDTimeoutThenRecover(t *testing.T) {
	release := make(chan struct{})
	slowFirst := true
	dev := ledgeremu.NewHIDDevice(func(apdu []byte) ([]byte, uint16) {
		if apdu[1] == 0x04 && slowFirst { // the "sign" waits for the user
			<-release
		}
		return apdu, SWOK
	})
	tr := NewHIDTransport(dev, TransportInfo{})
	defer tr.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	_, _, err := tr.Exchange(ctx, []byte{0xe0, 0x04, 0, 0, 0})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	// The user approves late: that answer must not be taken for the next.
	close(release)
	time.Sleep(20 * time.Millisecond)
	apdu := []byte{0xe0, 0x06, 0, 0, 0}
	data, _, err := tr.Exchange(context.Background(), apdu)
	if err != nil || !bytes.Equal(data, apdu) {
		t.Fatalf("after a timeout got % x, %v; want the echo of the new command", data, err)
	}
}

func TestHIDCloseDuringReview(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	dev := ledgeremu.NewHIDDevice(func(apdu []byte) ([]byte, uint16) { <-block; return nil, SWOK })
	tr := NewHIDTransport(dev, TransportInfo{})
	done := make(chan error, 1)
	go func() {
		_, _, err := tr.Exchange(context.Background(), []byte{0xe0, 0x04, 0, 0, 0})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	closed := make(chan struct{})
	go func() { _ = tr.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(time.Second):
		t.Fatal("Close waited for the exchange")
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("exchange succeeded on a closed device")
		}
	case <-time.After(time.Second):
		t.Fatal("exchange still blocked after Close")
	}
}
