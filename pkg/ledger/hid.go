package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// HIDDevice is a raw HID handle that reads and writes whole reports.
// github.com/karalabe/usb's Device satisfies it, and so does the in-memory
// device of the emulator used in tests.
type HIDDevice interface {
	Write(report []byte) (int, error)
	// Read blocks until a report arrives; there is no timeout (karalabe/usb
	// has no ReadTimeout), so HIDTransport runs reads in a goroutine.
	Read(report []byte) (int, error)
	Close() error
}

// drainWait is how long a possibly stale report is waited for before a
// command is sent. Short: it is only spent after a failed exchange.
const drainWait = 30 * time.Millisecond

// maxStale bounds how many leftover reports one drain discards; the
// Ethereum app's longest answer (an address with chain code) takes 3.
const maxStale = 64

type readResult struct {
	packet []byte
	err    error
}

// HIDTransport frames APDUs into 64-byte HID reports.
type HIDTransport struct {
	dev  HIDDevice
	info TransportInfo

	mu sync.Mutex // one exchange at a time
	// pending is a Read still in flight from an exchange that gave up
	// (timeout, cancel). Its report belongs to the next reader, which
	// treats it as stale if it arrives before a new command is sent.
	pending chan readResult
	// dirty is set when the previous exchange did not end cleanly, so the
	// device may still send reports that answer an older command.
	dirty bool

	// closed is outside mu so that Close never waits for an exchange that
	// waits for the user; closing the device ends that exchange's read.
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// NewHIDTransport wraps an open HID device.
func NewHIDTransport(dev HIDDevice, info TransportInfo) *HIDTransport {
	if info.Kind == "" {
		info.Kind = "hid"
	}
	return &HIDTransport{dev: dev, info: info, dirty: true}
}

// Info implements Transport.
func (t *HIDTransport) Info() TransportInfo { return t.info }

// Close implements Transport.
func (t *HIDTransport) Close() error {
	t.closed.Store(true)
	t.closeOnce.Do(func() { t.closeErr = t.dev.Close() })
	return t.closeErr
}

// Exchange implements Transport.
func (t *HIDTransport) Exchange(ctx context.Context, apdu []byte) ([]byte, uint16, error) {
	packets, err := frameCommand(apdu)
	if err != nil {
		return nil, 0, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Load() {
		return nil, 0, errors.New("ledger: HID transport is closed")
	}
	data, sw, err := t.exchange(ctx, packets)
	t.dirty = err != nil
	return data, sw, err
}

func (t *HIDTransport) exchange(ctx context.Context, packets [][]byte) ([]byte, uint16, error) {
	if t.dirty {
		if err := t.drain(ctx); err != nil {
			return nil, 0, err
		}
	}
	for _, p := range packets {
		n, err := t.dev.Write(p)
		if err != nil {
			return nil, 0, fmt.Errorf("ledger: HID write: %w", err)
		}
		if n != len(p) {
			return nil, 0, fmt.Errorf("ledger: HID write: wrote %d of %d bytes", n, len(p))
		}
	}
	asm := newReplyAssembler()
	for {
		p, err := t.read(ctx)
		if err != nil {
			return nil, 0, err
		}
		if isZeroPacket(p) {
			continue
		}
		done, err := asm.add(p)
		if err != nil {
			return nil, 0, err
		}
		if done {
			data, sw := asm.result()
			return data, sw, nil
		}
	}
}

// drain discards reports that arrive before a new command is sent: answers
// to an abandoned command would otherwise be taken for the new answer.
func (t *HIDTransport) drain(ctx context.Context) error {
	// A device that never stops sending is broken, not stale.
	for range maxStale {
		wctx, cancel := context.WithTimeout(ctx, drainWait)
		_, err := t.read(wctx)
		cancel()
		switch {
		case err == nil:
			continue // a stale report: drop it and look for more
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
			return nil // quiet: the read stays pending for the answer
		default:
			return err
		}
	}
	return fmt.Errorf("%w: more than %d unsolicited reports", errMalformed, maxStale)
}

// read returns the next report, starting a Read unless one is pending.
func (t *HIDTransport) read(ctx context.Context) ([]byte, error) {
	if t.pending == nil {
		ch := make(chan readResult, 1)
		dev := t.dev
		go func() {
			buf := make([]byte, hidPacketSize)
			n, err := dev.Read(buf)
			ch <- readResult{packet: buf[:max(n, 0)], err: err}
		}()
		t.pending = ch
	}
	select {
	case r := <-t.pending:
		t.pending = nil
		if r.err != nil {
			return nil, fmt.Errorf("ledger: HID read: %w", r.err)
		}
		return r.packet, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
