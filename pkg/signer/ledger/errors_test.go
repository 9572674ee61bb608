package ledger

import (
	"context"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// expectErr checks the kind, the signer sentinel and the advice.
func expectErr(t *testing.T, err error, kind, class error, says ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, kind) {
		t.Errorf("%q is not %v", err, kind)
	}
	if class != nil && !errors.Is(err, class) {
		t.Errorf("%q does not wrap %v", err, class)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err, s)
		}
	}
}

func TestNoDeviceOverTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	_, err = Open(context.Background(), "ledger", Options{Transport: "tcp://" + addr})
	expectErr(t, err, ledgerapp.ErrNoDevice, signer.ErrUnavailable, "tcp://"+addr, "Speculos")
}

func TestBadTransport(t *testing.T) {
	_, err := Open(context.Background(), "ledger", Options{Transport: "usb://ledger"})
	if err == nil || !strings.Contains(err.Error(), "tcp://HOST:PORT") {
		t.Fatalf("got %v", err)
	}
}

func TestDeviceStateErrors(t *testing.T) {
	tests := []struct {
		name string
		opts ledgeremu.Options
		kind error
		says []string
	}{
		{"locked 0x5515", ledgeremu.Options{Locked: true}, ledgerapp.ErrLocked, []string{"locked", "unlock it with your PIN", "0x5515"}},
		{"locked 0x6b0c", ledgeremu.Options{Locked: true, LockedSW: 0x6b0c}, ledgerapp.ErrLocked, []string{"unlock it with your PIN", "0x6b0c"}},
		{"dashboard", ledgeremu.Options{AppName: "BOLOS"}, ledgerapp.ErrAppNotOpen, []string{"open the Ethereum app"}},
		{"another app", ledgeremu.Options{AppName: "Bitcoin"}, ledgerapp.ErrAppNotOpen, []string{`"Bitcoin" app is open`, "open the Ethereum app"}},
	}
	for _, dev := range devices {
		for _, tt := range tests {
			t.Run(dev.name+"/"+tt.name, func(t *testing.T) {
				emu := newEmu(t, tt.opts)
				app := dev.open(t, emu, Options{})
				_, err := app.Ready(context.Background())
				expectErr(t, err, tt.kind, signer.ErrUnavailable, tt.says...)
			})
		}
	}
}

func TestAppNotOpenStatusWords(t *testing.T) {
	// What devices answer to an Ethereum command when the app is not open
	// depends on firmware and on what is open instead.
	for _, sw := range []uint16{0x6d00, 0x6e00, 0x6e01, 0x6511, 0x650f} {
		emu := newEmu(t, ledgeremu.Options{AppName: "Other", NotOpenSW: sw})
		app := devices[0].open(t, emu, Options{})
		_, err := app.Config(context.Background())
		expectErr(t, err, ledgerapp.ErrAppNotOpen, signer.ErrUnavailable, ledgerapp.MsgAppNotOpen)
	}
}

func TestUserRejects(t *testing.T) {
	for _, dev := range devices {
		t.Run(dev.name, func(t *testing.T) {
			emu := newEmu(t, ledgeremu.Options{Reject: true})
			ctx := context.Background()
			s, err := New(ctx, dev.open(t, emu, Options{}), mustPath(t, "ledger"), common.Address{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.SignTx(ctx, dynTx(1, someone, nil), big.NewInt(1))
			expectErr(t, err, ledgerapp.ErrRejected, signer.ErrDeclined, ledgerapp.MsgTxRejected, "0x6985")
			if errors.Is(err, signer.ErrUnavailable) {
				t.Error("a refusal is not unavailability")
			}
			err = s.VerifyAddress(ctx)
			expectErr(t, err, ledgerapp.ErrRejected, signer.ErrDeclined, ledgerapp.MsgAddrRejected)
		})
	}
}

func TestPluginMissing(t *testing.T) {
	emu := newEmu(t, ledgeremu.Options{})
	app := devices[1].open(t, emu, Options{})
	payload := append(append([]byte{4}, "Lido"...), append(steth.Bytes(), 0xa1, 0x90, 0x3e, 0xab)...)
	err := app.SetExternalPlugin(context.Background(), payload, make([]byte, 70))
	expectErr(t, err, ledgerapp.ErrPluginMissing, signer.ErrUnavailable, "install it with Ledger Live", "0x6a82")
}

func TestReviewTimeout(t *testing.T) {
	for _, dev := range devices {
		t.Run(dev.name, func(t *testing.T) {
			emu := newEmu(t, ledgeremu.Options{UserDelay: 3 * time.Second})
			ctx := context.Background()
			app := dev.open(t, emu, Options{ReviewTimeout: 150 * time.Millisecond})
			s, err := New(ctx, app, mustPath(t, "ledger"), common.Address{})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = s.SignTx(ctx, dynTx(1, someone, nil), big.NewInt(1))
			expectErr(t, err, ledgerapp.ErrTimeout, signer.ErrUnavailable, "timed out after 150ms waiting for approval", "nothing was signed")
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("gave up after %s", d)
			}
		})
	}
}

// silent is a HID device that never answers.
type silent struct{ done chan struct{} }

func (s silent) Write(p []byte) (int, error) { return len(p), nil }
func (s silent) Read([]byte) (int, error)    { <-s.done; return 0, errors.New("closed") }
func (s silent) Close() error                { close(s.done); return nil }

func TestCommandTimeout(t *testing.T) {
	tr := ledgerapp.NewHIDTransport(silent{make(chan struct{})}, ledgerapp.TransportInfo{})
	defer tr.Close()
	app := ledgerapp.NewApp(tr, ledgerapp.Options{CommandTimeout: 100 * time.Millisecond})
	_, err := app.Config(context.Background())
	expectErr(t, err, ledgerapp.ErrTimeout, signer.ErrUnavailable, "did not answer within 100ms", "close other applications")
}

// splitBrain answers GET ADDRESS from one device and SIGN from another, as
// if the device had been swapped between opening and signing.
type splitBrain struct {
	ledgerapp.Transport
	other *ledgeremu.Emulator
}

func (s splitBrain) Exchange(ctx context.Context, apdu []byte) ([]byte, uint16, error) {
	if apdu[1] == 0x04 {
		d, sw := s.other.Exchange(apdu)
		return d, sw, nil
	}
	return s.Transport.Exchange(ctx, apdu)
}

func TestSignatureFromAnotherKeyRefused(t *testing.T) {
	emu := newEmu(t, ledgeremu.Options{})
	other := newEmu(t, ledgeremu.Options{Mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"})
	tr := ledgerapp.NewHIDTransport(emu.HID(), ledgerapp.TransportInfo{})
	defer tr.Close()
	app := ledgerapp.NewApp(splitBrain{tr, other}, ledgerapp.Options{})
	s, err := New(context.Background(), app, mustPath(t, "ledger"), account0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.SignTx(context.Background(), dynTx(1, someone, nil), big.NewInt(1))
	var wrong *signer.WrongSenderError
	if !errors.As(err, &wrong) || wrong.Want != account0 {
		t.Fatalf("got %v, want a WrongSenderError", err)
	}
	if !strings.Contains(err.Error(), "refusing to broadcast") {
		t.Errorf("message %q", err)
	}
}
