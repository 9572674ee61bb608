package ledger

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// splitReports cuts raw into HID reports of size bytes (the last shorter).
func splitReports(raw []byte, size int) [][]byte {
	var out [][]byte
	for len(raw) > 0 {
		n := min(size, len(raw))
		out = append(out, raw[:n])
		raw = raw[n:]
	}
	return out
}

// wantReply reassembles reports the simple way, as the oracle: the message
// length from the first report, then payloads in order. ok is false when
// the reports do not hold a whole message; framed is true when, besides,
// every report used has the channel, tag and sequence number it must have.
func wantReply(reports [][]byte) (msg []byte, used int, ok bool) {
	msg, used, ok, _ = wantFramedReply(reports)
	return msg, used, ok
}

func wantFramedReply(reports [][]byte) (msg []byte, used int, ok, framed bool) {
	total := -1
	framed = true
	for i, p := range reports {
		if len(p) < hidHeaderLen {
			return nil, 0, false, false
		}
		framed = framed && binary.BigEndian.Uint16(p) == hidChannel && p[2] == hidTagAPDU && binary.BigEndian.Uint16(p[3:]) == uint16(i)
		payload := p[hidHeaderLen:]
		if i == 0 {
			if len(payload) < 2 {
				return nil, 0, false, false
			}
			total = int(binary.BigEndian.Uint16(payload))
			payload = payload[2:]
		}
		msg = append(msg, payload...)
		if len(msg) >= total {
			return msg[:total], i + 1, total >= 2, framed && total >= 2
		}
		// Only the last report may be short.
		framed = framed && len(p) == hidPacketSize
	}
	return nil, 0, false, false
}

// FuzzHIDFrames checks the HID framing both ways. Any APDU framed by
// frameCommand reassembles to itself, with or without the last report's
// padding. Arbitrary reports never panic the reassembler, it never holds
// more than the length it was told, and a message it completes is exactly
// the bytes the reports carry, split into data and status word.
func FuzzHIDFrames(f *testing.F) {
	f.Add([]byte{0x90, 0x00}, []byte{0x01, 0x01, 0x05, 0, 0, 0, 2, 0x90, 0x00}, uint8(63), uint8(0))
	f.Add(bytes.Repeat([]byte{0xab}, 300), bytes.Repeat([]byte{0x01, 0x01, 0x05, 0, 0}, 40), uint8(63), uint8(7))
	f.Add([]byte{1}, []byte{0x01, 0x01, 0x05, 0, 0, 0xff, 0xff}, uint8(4), uint8(200))
	f.Add([]byte{}, []byte{0x01, 0x01, 0x05, 0, 1, 0, 2, 0x90, 0x00}, uint8(63), uint8(0))
	f.Fuzz(func(t *testing.T, apdu, raw []byte, size, cut uint8) {
		// Round trip of a framed message (bounded for speed).
		if len(apdu) >= 2 && len(apdu) <= 4096 {
			packets, err := frameCommand(apdu)
			if err != nil {
				t.Fatalf("frameCommand(%d bytes): %v", len(apdu), err)
			}
			last := packets[len(packets)-1]
			inLast := (2 + len(apdu)) - (hidPacketSize-hidHeaderLen)*(len(packets)-1)
			packets[len(packets)-1] = last[:max(hidHeaderLen+inLast, len(last)-int(cut))]
			asm := newReplyAssembler()
			for i, p := range packets {
				done, err := asm.add(p)
				if err != nil || done != (i == len(packets)-1) {
					t.Fatalf("report %d of %d: done %v, %v", i+1, len(packets), done, err)
				}
			}
			data, sw := asm.result()
			if !bytes.Equal(data, apdu[:len(apdu)-2]) || sw != binary.BigEndian.Uint16(apdu[len(apdu)-2:]) {
				t.Fatalf("%d bytes framed and reassembled to %x %04x", len(apdu), data, sw)
			}
		}

		// Arbitrary reports.
		reports := splitReports(raw, int(size)%80+1)
		asm := newReplyAssembler()
		for i, p := range reports {
			done, err := asm.add(p)
			if err != nil {
				if !errors.Is(err, errMalformed) {
					t.Fatalf("report %d: error %v is not errMalformed", i, err)
				}
				return
			}
			if asm.total >= 0 && len(asm.buf) > asm.total {
				t.Fatalf("holds %d bytes of a %d-byte message", len(asm.buf), asm.total)
			}
			if !done {
				continue
			}
			want, used, ok := wantReply(reports)
			data, sw := asm.result()
			if !ok || used != i+1 || !bytes.Equal(append(append([]byte(nil), data...), byte(sw>>8), byte(sw)), want) {
				t.Fatalf("completed after report %d with %x %04x; the reports hold %x (complete after %d: %v)", i+1, data, sw, want, used, ok)
			}
			return
		}
	})
}

// reportDevice plays back HID reports; Read fails once they run out.
type reportDevice struct{ reports [][]byte }

func (d *reportDevice) Write(p []byte) (int, error) { return len(p), nil }
func (d *reportDevice) Close() error                { return nil }
func (d *reportDevice) Read(p []byte) (int, error) {
	if len(d.reports) == 0 {
		return 0, io.EOF
	}
	n := copy(p, d.reports[0])
	d.reports = d.reports[1:]
	return n, nil
}

// FuzzHIDExchange runs a whole exchange against a device that answers with
// arbitrary 64-byte reports (all-zero ones, which some devices send, are
// skipped). It returns what the non-zero reports carry or an error, and an
// exchange that failed marks the transport for draining.
func FuzzHIDExchange(f *testing.F) {
	f.Add([]byte{0x01, 0x01, 0x05, 0, 0, 0, 2, 0x90, 0x00})
	f.Add(append(make([]byte, 64), 0x01, 0x01, 0x05, 0, 0, 0, 3, 0x01, 0x69, 0x85))
	f.Add(append(append([]byte{0x01, 0x01, 0x05, 0, 0, 0, 70}, bytes.Repeat([]byte{7}, 57)...), 0x01, 0x01, 0x05, 0, 1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0x90, 0x00))
	f.Add([]byte{0x01, 0x01, 0x05, 0, 1, 0, 2, 0x90, 0x00})
	f.Fuzz(func(t *testing.T, raw []byte) {
		reports := splitReports(raw, hidPacketSize)
		var nonZero [][]byte
		for _, r := range reports {
			if !isZeroPacket(r) {
				nonZero = append(nonZero, r)
			}
		}
		tr := NewHIDTransport(&reportDevice{reports: reports}, TransportInfo{})
		tr.dirty = false // no drain: the device has no stale reports
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		data, sw, err := tr.Exchange(ctx, []byte{claEth, insGetConfig, 0, 0, 0})
		want, _, ok, framed := wantFramedReply(nonZero)
		if err != nil {
			if !tr.dirty {
				t.Fatalf("failed exchange (%v) left the transport clean", err)
			}
			if framed {
				t.Fatalf("Exchange failed (%v) on well-framed reports holding %x", err, want)
			}
			return
		}
		if !ok || !bytes.Equal(append(append([]byte(nil), data...), byte(sw>>8), byte(sw)), want) {
			t.Fatalf("Exchange = %x %04x; the reports hold %x (%v)", data, sw, want, ok)
		}
	})
}

// scriptedTransport answers GET APP AND VERSION and GET CONFIGURATION as
// an unlocked Ethereum app 1.10.0 with blind signing on, and every other
// command with the bytes under test.
type scriptedTransport struct {
	data []byte
	sw   uint16
	cmds int
}

func (s *scriptedTransport) Info() TransportInfo { return TransportInfo{Kind: "fuzz"} }
func (s *scriptedTransport) Close() error        { return nil }
func (s *scriptedTransport) Exchange(_ context.Context, apdu []byte) ([]byte, uint16, error) {
	s.cmds++
	switch {
	case apdu[0] == claBolos && apdu[1] == insAppVersion:
		return append([]byte{1, 8}, "Ethereum\x061.10.0"...), SWOK, nil
	case apdu[0] == claEth && apdu[1] == insGetConfig:
		return []byte{configFlagData, 1, 10, 0}, SWOK, nil
	}
	return append([]byte(nil), s.data...), s.sw, nil
}

// fixedTransport answers every command with the bytes under test.
type fixedTransport struct {
	data []byte
	sw   uint16
}

func (s *fixedTransport) Info() TransportInfo { return TransportInfo{Kind: "fuzz"} }
func (s *fixedTransport) Close() error        { return nil }
func (s *fixedTransport) Exchange(context.Context, []byte) ([]byte, uint16, error) {
	return append([]byte(nil), s.data...), s.sw, nil
}

// checkLedgerError asserts what the CLI relies on in a device error: an
// *Error of a known kind, carrying the status word the device sent, with
// advice, and classified for the exit code.
func checkLedgerError(t *testing.T, what string, err error, sw uint16) {
	t.Helper()
	var le *Error
	if !errors.As(err, &le) || le.Msg == "" {
		t.Fatalf("%s: %T %v is not a *ledger.Error with a message", what, err, err)
	}
	if sw != SWOK && le.SW != sw {
		t.Fatalf("%s: status 0x%04x reported as 0x%04x: %v", what, sw, le.SW, err)
	}
	if sw == SWOK && le.Kind != ErrProtocol {
		t.Fatalf("%s: a malformed answer is %v, want ErrProtocol", what, le.Kind)
	}
	known := false
	for _, k := range []error{ErrBusy, ErrLocked, ErrAppNotOpen, ErrRejected, ErrPluginMissing, ErrUnsupported, ErrInvalidData, ErrProtocol} {
		known = known || errors.Is(err, k)
	}
	if !known {
		t.Fatalf("%s: error of unknown kind %v", what, err)
	}
	if errors.Is(err, ErrRejected) != errors.Is(err, signer.ErrDeclined) {
		t.Fatalf("%s: a rejection must be signer.ErrDeclined: %v", what, err)
	}
}

// FuzzAPDUReply answers GET ADDRESS, GET CONFIGURATION and GET APP AND
// VERSION with arbitrary data and status words. A non-9000 status word is
// an *Error carrying it; 9000 with data that does not parse is ErrProtocol;
// an address is returned only when it is the one the public key gives, and
// the configuration and app name are the bytes the device sent.
func FuzzAPDUReply(f *testing.F) {
	key, _ := crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
	pub := crypto.FromECDSAPub(&key.PublicKey)
	addr := crypto.PubkeyToAddress(key.PublicKey)
	ascii := strings.TrimPrefix(addr.Hex(), "0x")
	good := append(append(append([]byte{65}, pub...), 40), ascii...)
	f.Add(uint8(0), uint16(SWOK), good)
	f.Add(uint8(0), uint16(SWOK), append(append(append([]byte{65}, pub...), 42), ("0x"+strings.ToLower(ascii))...))
	f.Add(uint8(0), uint16(SWOK), append(append(append([]byte{65}, pub...), 40), strings.Repeat("0", 40)...))
	f.Add(uint8(0), uint16(swConditions), []byte{})
	f.Add(uint8(0), uint16(SWOK), []byte{200, 1})
	f.Add(uint8(1), uint16(SWOK), []byte{1, 1, 10, 0})
	f.Add(uint8(1), uint16(swLockedNanoX), []byte{})
	f.Add(uint8(1), uint16(SWOK), []byte{1, 1})
	f.Add(uint8(2), uint16(SWOK), append([]byte{1, 8}, "Ethereum\x061.10.0"...))
	f.Add(uint8(2), uint16(SWOK), []byte{1, 255, 'B'})
	f.Add(uint8(2), uint16(swNoApp), []byte{})
	path := accounts.DerivationPath{0x8000002c, 0x8000003c, 0x80000000, 0, 0}
	f.Fuzz(func(t *testing.T, cmd uint8, sw uint16, data []byte) {
		app := NewApp(&fixedTransport{data: data, sw: sw}, Options{CommandTimeout: time.Second, ReviewTimeout: time.Second})
		ctx := context.Background()
		switch cmd % 3 {
		case 0:
			acct, err := app.Address(ctx, path, false)
			if err != nil {
				checkLedgerError(t, "Address", err, sw)
				return
			}
			k, perr := crypto.UnmarshalPubkey(acct.PublicKey)
			if sw != SWOK || perr != nil || crypto.PubkeyToAddress(*k) != acct.Address || !bytes.Contains(data, acct.PublicKey) {
				t.Fatalf("Address = %s (key %x) from status 0x%04x, data %x", acct.Address.Hex(), acct.PublicKey, sw, data)
			}
			if !strings.Contains(strings.ToLower(string(data)), strings.ToLower(strings.TrimPrefix(acct.Address.Hex(), "0x"))) {
				t.Fatalf("Address = %s, which the device did not spell out", acct.Address.Hex())
			}
		case 1:
			cfg, err := app.Config(ctx)
			if err != nil {
				checkLedgerError(t, "Config", err, sw)
				return
			}
			if sw != SWOK || len(data) < 4 || cfg.Version != (Version{int(data[1]), int(data[2]), int(data[3])}) ||
				cfg.Flags != data[0] || cfg.BlindSigning != (data[0]&configFlagData != 0) {
				t.Fatalf("Config = %+v from status 0x%04x, data %x", cfg, sw, data)
			}
		case 2:
			name, version, err := app.CurrentApp(ctx)
			if err != nil {
				checkLedgerError(t, "CurrentApp", err, sw)
				return
			}
			if sw != SWOK || len(data) < 2 || name != string(data[2:2+int(data[1])]) || !strings.Contains(string(data), version) {
				t.Fatalf("CurrentApp = %q %q from status 0x%04x, data %x", name, version, sw, data)
			}
		}
	})
}

// FuzzSignReply answers SIGN with arbitrary data and status words, for a
// legacy and an EIP-1559 transfer. A signed transaction comes back only
// when its signature is low-S and recovers to the expected account on the
// right chain; anything else is an *Error (a status word, or ErrProtocol).
func FuzzSignReply(f *testing.F) {
	key, _ := crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
	from := crypto.PubkeyToAddress(key.PublicKey)
	chainID := big.NewInt(1337)
	to := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	txs := []*types.Transaction{
		types.NewTx(&types.LegacyTx{Nonce: 1, GasPrice: big.NewInt(1e9), Gas: 21000, To: &to, Value: big.NewInt(1)}),
		types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: 1, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(1e9), Gas: 21000, To: &to, Value: big.NewInt(1)}),
	}
	n := crypto.S256().Params().N
	for i, tx := range txs {
		sig, err := crypto.Sign(types.LatestSignerForChainID(chainID).Hash(tx).Bytes(), key)
		if err != nil {
			f.Fatal(err)
		}
		v := func(parity byte) byte {
			if tx.Type() == types.LegacyTxType {
				return parity + byte((1337*2+35)&0xff) // the app's one-byte v, truncated
			}
			return parity
		}
		reply := append([]byte{v(sig[64])}, sig[:64]...)
		f.Add(uint8(i), uint16(SWOK), reply)
		// The same signature in high-S form, which the app may return.
		high := append([]byte{v(sig[64] ^ 1)}, sig[:64]...)
		new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:64])).FillBytes(high[33:65])
		f.Add(uint8(i), uint16(SWOK), high)
		f.Add(uint8(i), uint16(SWOK), reply[:64])
		f.Add(uint8(i), uint16(swConditions), []byte{})
	}
	halfN := new(big.Int).Rsh(n, 1)
	f.Fuzz(func(t *testing.T, which uint8, sw uint16, data []byte) {
		tx := txs[int(which)%len(txs)]
		tr := &scriptedTransport{data: data, sw: sw}
		app := NewApp(tr, Options{CommandTimeout: time.Second, ReviewTimeout: time.Second})
		path := accounts.DerivationPath{0x8000002c, 0x8000003c, 0x80000000, 0, 0}
		signed, err := app.SignTx(context.Background(), path, tx, chainID, from)
		if err != nil {
			checkLedgerError(t, "SignTx", err, sw)
			return
		}
		if sw != SWOK {
			t.Fatalf("signed despite status 0x%04x", sw)
		}
		got, err := types.Sender(types.LatestSignerForChainID(chainID), signed)
		if err != nil || got != from || signed.Hash() == tx.Hash() {
			t.Fatalf("signed transaction recovers to %s (%v), want %s", got.Hex(), err, from.Hex())
		}
		if _, _, s := signed.RawSignatureValues(); s.Cmp(halfN) > 0 {
			t.Fatalf("high-S signature s=%x", s)
		}
		if signed.ChainId().Cmp(chainID) != 0 {
			t.Fatalf("signed for chain %s, want %s", signed.ChainId(), chainID)
		}
	})
}

// FuzzTCPReply answers one command on the Speculos TCP transport with
// arbitrary bytes. The transport returns exactly the data and status word
// the length header frames, refuses a header over its limit, and after
// any failure refuses further commands (the stream position is lost).
func FuzzTCPReply(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 0xab, 0xcd, 0x90, 0x00})
	f.Add([]byte{0, 0, 0, 0, 0x69, 0x85})
	f.Add([]byte{0, 1, 0, 1, 0x90, 0x00})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0, 0, 0, 9, 1, 2})
	f.Fuzz(func(t *testing.T, reply []byte) {
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			var hdr [4]byte
			if _, err := io.ReadFull(server, hdr[:]); err != nil {
				return
			}
			if _, err := io.ReadFull(server, make([]byte, binary.BigEndian.Uint32(hdr[:]))); err != nil {
				return
			}
			_, _ = server.Write(reply)
		}()
		tr := &TCPTransport{addr: "fuzz:1", conn: client}
		defer tr.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		data, sw, err := tr.Exchange(ctx, []byte{claEth, insGetConfig, 0, 0, 0})
		if err != nil {
			if _, _, again := tr.Exchange(ctx, []byte{claEth, insGetConfig, 0, 0, 0}); again == nil {
				t.Fatalf("after %v, the transport took another command", err)
			}
			return
		}
		if len(reply) < 6 {
			t.Fatalf("Exchange = %x %04x from a %d-byte reply", data, sw, len(reply))
		}
		n := binary.BigEndian.Uint32(reply)
		if n > maxTCPReply || uint64(len(reply)) < 6+uint64(n) || !bytes.Equal(data, reply[4:4+n]) || sw != binary.BigEndian.Uint16(reply[4+n:]) {
			t.Fatalf("Exchange = %x %04x from reply %x", data, sw, reply)
		}
	})
}
