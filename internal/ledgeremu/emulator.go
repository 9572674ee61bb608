// Package ledgeremu emulates a Ledger device running the Ethereum app, for
// tests. It implements the APDUs stakewallet uses the way app-ethereum does
// (doc/ethapp.adoc and src/features/*): GET APP AND VERSION, GET APP
// CONFIGURATION, GET ADDRESS, PROVIDE ERC 20 TOKEN INFORMATION, SET
// EXTERNAL PLUGIN and SIGN TRANSACTION with the app's chunk rules, its
// streaming RLP parser and its v encoding, and EIP-712 (struct definitions,
// struct implementations and SIGN ETH EIP 712 in full and v0 mode, hashing
// on the device and recording the fields shown: eip712.go). It serves Speculos's TCP APDU
// protocol and an in-memory USB HID device, and has switches for a locked
// device, another app, a user who rejects or is slow, and blind signing off.
//
// It is test support code: keys come from a mnemonic in memory.
package ledgeremu

import (
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Status words the app and the OS return (ledger-secure-sdk status_words.h).
const (
	SWOK                = 0x9000
	SWLocked            = 0x5515
	SWWrongLength       = 0x6700
	SWConditions        = 0x6985 // user rejected
	SWCommandNotAllowed = 0x6986
	SWInvalidData       = 0x6a80
	SWFileNotFound      = 0x6a82 // plugin not installed
	SWWrongP1P2         = 0x6b00
	SWInvalidINS        = 0x6d00
	SWInvalidCLA        = 0x6e00
	SWTxTypeUnsupported = 0x6501
)

// Options configure the emulated device. The zero value is an unlocked
// device with the Ethereum app open, blind signing off, and a user who
// approves at once.
type Options struct {
	// Mnemonic seeds the keys; default TestMnemonic.
	Mnemonic string
	// AppName is the open app: default "Ethereum"; "BOLOS" is the dashboard.
	AppName string
	// Version of the Ethereum app; default "1.22.0".
	Version string
	// BlindSigning is the app's "Blind signing" setting.
	BlindSigning bool
	// Locked makes every command answer LockedSW (default 0x5515).
	Locked   bool
	LockedSW uint16
	// NotOpenSW is what Ethereum commands get when another app or the
	// dashboard is open; default 0x6e00.
	NotOpenSW uint16
	// Reject makes the user refuse every review (0x6985).
	Reject bool
	// UserDelay is how long the user takes to review.
	UserDelay time.Duration
	// LegacyEarlyFinish reproduces app-ethereum #409 (fixed in later
	// versions): a legacy transaction whose chunk ends at v is taken as a
	// pre-EIP-155 one and signed at once with v = 27/28.
	LegacyEarlyFinish bool
	// CALKey verifies ERC-20 descriptors; default Ledger's production key.
	CALKey []byte
	// Plugins lists installed plugins (SET EXTERNAL PLUGIN names).
	Plugins []string
	// Trace, when set, receives a copy of every command APDU (for tests
	// that compare what two hosts send).
	Trace func(apdu []byte)
}

// calProductionKey is Ledger's production CAL key (app-ethereum
// src/public_keys.h).
const calProductionKey = "045e6c1020c14dc46442fe89f97c0b68cdb15976dc24f24c316e7b30fe4e8cc76b1489150c21514ebf440ff5dea5393d83de5358cd098fce8fd0f81daa94979183"

// Screen is what the device showed for one review, for test assertions.
type Screen struct {
	// Kind is "address", "transaction" or "typed data".
	Kind    string
	Address common.Address // address shown (Kind "address") or sender
	To      *common.Address
	Value   *big.Int
	ChainID *big.Int
	// Token is the ticker when an ERC-20 transfer/approve was clear-signed;
	// Recipient and Amount are then the decoded call arguments.
	Token     string
	Recipient common.Address
	Amount    *big.Int
	// Blind is set when the device could show only a hash of the calldata.
	Blind bool
	// Approved reports the user's answer.
	Approved bool
	// Fields are the typed data's values the device showed (Kind "typed
	// data", full mode); DomainHash and MessageHash what it signed.
	Fields                  []TypedField
	DomainHash, MessageHash common.Hash
}

type token struct {
	ticker   string
	address  common.Address
	decimals uint8
	chainID  uint64
}

// Emulator is an emulated Ledger with the Ethereum app.
type Emulator struct {
	master extKey

	mu      sync.Mutex // one APDU at a time, as on a device
	opts    Options
	version [3]byte
	sign    signState
	eip712  eip712State
	tokens  []token
	screens []Screen
	keys    map[string]derived

	closeOnce sync.Once
	done      chan struct{}
}

// New creates an emulator.
func New(opts Options) (*Emulator, error) {
	if opts.Mnemonic == "" {
		opts.Mnemonic = TestMnemonic
	}
	seed, err := seedFromMnemonic(opts.Mnemonic)
	if err != nil {
		return nil, err
	}
	master, err := masterKey(seed)
	if err != nil {
		return nil, err
	}
	e := &Emulator{master: master, keys: map[string]derived{}, done: make(chan struct{})}
	if err := e.setOptions(opts); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Emulator) setOptions(o Options) error {
	if o.AppName == "" {
		o.AppName = "Ethereum"
	}
	if o.Version == "" {
		o.Version = "1.22.0"
	}
	if o.LockedSW == 0 {
		o.LockedSW = SWLocked
	}
	if o.NotOpenSW == 0 {
		o.NotOpenSW = SWInvalidCLA
	}
	if o.CALKey == nil {
		o.CALKey = common.FromHex(calProductionKey)
	}
	parts := strings.Split(o.Version, ".")
	if len(parts) != 3 {
		return fmt.Errorf("ledgeremu: version %q is not MAJOR.MINOR.PATCH", o.Version)
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return fmt.Errorf("ledgeremu: version %q: %w", o.Version, err)
		}
		e.version[i] = byte(n)
	}
	e.opts = o
	return nil
}

// Update changes options of a running emulator (mnemonic excepted), e.g.
// to lock it or to have the user reject.
func (e *Emulator) Update(f func(*Options)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	o := e.opts
	f(&o)
	o.Mnemonic = e.opts.Mnemonic
	return e.setOptions(o)
}

// Screens returns what the device showed so far.
func (e *Emulator) Screens() []Screen {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Screen(nil), e.screens...)
}

// Address derives the address at path, as the device would.
func (e *Emulator) Address(path []uint32) (common.Address, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k, _, err := e.key(path)
	if err != nil {
		return common.Address{}, err
	}
	return addressOf(k), nil
}

// Close stops the emulator's servers and cuts short a slow user.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() { close(e.done) })
	return nil
}

// HID returns a new in-memory USB HID device backed by the emulator.
func (e *Emulator) HID() *HIDDevice { return NewHIDDevice(e.Exchange) }

// derived caches a key: BIP-32 costs an EC multiplication per level.
type derived struct {
	key   *ecdsa.PrivateKey
	chain []byte
}

func (e *Emulator) key(path []uint32) (*ecdsa.PrivateKey, []byte, error) {
	id := fmt.Sprint(path)
	if d, ok := e.keys[id]; ok {
		return d.key, d.chain, nil
	}
	k, chain, err := derive(e.master, path)
	if err != nil {
		return nil, nil, err
	}
	e.keys[id] = derived{k, chain}
	return k, chain, nil
}

// userReview waits for the emulated user and returns whether they approved.
func (e *Emulator) userReview() bool {
	if d := e.opts.UserDelay; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-e.done:
			t.Stop()
		}
	}
	return !e.opts.Reject
}

// Exchange processes one command APDU and returns data and status word.
func (e *Emulator) Exchange(apdu []byte) ([]byte, uint16) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.opts.Trace != nil {
		e.opts.Trace(append([]byte(nil), apdu...))
	}
	if len(apdu) < 4 {
		return nil, SWWrongLength
	}
	cla, ins, p1, p2 := apdu[0], apdu[1], apdu[2], apdu[3]
	var data []byte
	if len(apdu) > 4 {
		if int(apdu[4]) != len(apdu)-5 {
			return nil, SWWrongLength
		}
		data = apdu[5:]
	}
	if e.opts.Locked {
		return nil, e.opts.LockedSW
	}
	if cla == 0xb0 && ins == 0x01 {
		return e.appAndVersion(), SWOK
	}
	if e.opts.AppName != "Ethereum" {
		return nil, e.opts.NotOpenSW
	}
	if cla != 0xe0 {
		return nil, SWInvalidCLA
	}
	switch ins {
	case 0x06:
		return e.appConfiguration(), SWOK
	case 0x02:
		e.tokens = nil // forget_known_assets()
		return e.getAddress(p1, p2, data)
	case 0x0a:
		return e.provideToken(p1, p2, data)
	case 0x12:
		return e.setExternalPlugin(data)
	case 0x04:
		return e.signTx(p1, p2, data)
	case 0x1a:
		if !e.fullEIP712() {
			return nil, SWInvalidINS
		}
		return e.eip712StructDef(p1, p2, data)
	case 0x1c:
		if !e.fullEIP712() {
			return nil, SWInvalidINS
		}
		return e.eip712StructImpl(p1, p2, data)
	case 0x0c:
		if e.version[0] == 1 && e.version[1] < 5 {
			return nil, SWInvalidINS
		}
		if p2 == 1 && !e.fullEIP712() {
			return nil, SWWrongP1P2
		}
		return e.eip712Sign(p1, p2, data)
	}
	return nil, SWInvalidINS
}

// fullEIP712 reports whether the app version has the full EIP-712
// implementation (1.9.19, ethapp.adoc).
func (e *Emulator) fullEIP712() bool {
	v := e.version
	return v[0] > 1 || v[0] == 1 && (v[1] > 9 || v[1] == 9 && v[2] >= 19)
}

// appAndVersion answers the SDK's GET APP AND VERSION (B0 01): format 1,
// name, version, flags.
func (e *Emulator) appAndVersion() []byte {
	name, ver := e.opts.AppName, e.opts.Version
	if name == "BOLOS" {
		ver = "2.2.3"
	}
	out := []byte{1, byte(len(name))}
	out = append(out, name...)
	out = append(out, byte(len(ver)))
	out = append(out, ver...)
	return append(out, 1, 0)
}

func (e *Emulator) appConfiguration() []byte {
	flags := byte(0x02) // APP_FLAG_EXTERNAL_TOKEN_NEEDED, always set
	if e.opts.BlindSigning {
		flags |= 0x01
	}
	return []byte{flags, e.version[0], e.version[1], e.version[2]}
}

// parseBIP32 reads count(1) and count big-endian indexes.
func parseBIP32(data []byte) ([]uint32, []byte, error) {
	if len(data) < 1 || data[0] < 1 || data[0] > 10 || len(data) < 1+4*int(data[0]) {
		return nil, nil, errors.New("bad BIP-32 path")
	}
	path := make([]uint32, data[0])
	for i := range path {
		path[i] = binary.BigEndian.Uint32(data[1+4*i:])
	}
	return path, data[1+4*len(path):], nil
}

func (e *Emulator) getAddress(p1, p2 byte, data []byte) ([]byte, uint16) {
	if p1 > 1 || p2 > 1 {
		return nil, SWWrongP1P2
	}
	path, rest, err := parseBIP32(data)
	if err != nil {
		return nil, SWInvalidData
	}
	if len(rest) >= 8 { // optional chain id for the display
		rest = rest[8:]
	}
	if len(rest) != 0 {
		return nil, SWInvalidData
	}
	k, chain, err := e.key(path)
	if err != nil {
		return nil, SWInvalidData
	}
	addr := addressOf(k)
	pub := elliptic65(k)
	out := append([]byte{65}, pub...)
	hexAddr := strings.TrimPrefix(addr.Hex(), "0x") // EIP-55, as getEthAddressStringFromRawKey
	out = append(out, 40)
	out = append(out, hexAddr...)
	if p2 == 1 {
		out = append(out, chain...)
	}
	if p1 == 1 {
		ok := e.userReview()
		e.screens = append(e.screens, Screen{Kind: "address", Address: addr, Approved: ok})
		if !ok {
			return nil, SWConditions
		}
	}
	return out, SWOK
}

func (e *Emulator) provideToken(p1, p2 byte, data []byte) ([]byte, uint16) {
	if p1 != 0 || p2 != 0 {
		return nil, SWWrongP1P2
	}
	if len(data) < 1 {
		return nil, SWInvalidData
	}
	tl := int(data[0])
	signedEnd := 1 + tl + 20 + 4 + 4
	if len(data) <= signedEnd {
		return nil, SWInvalidData
	}
	dec := binary.BigEndian.Uint32(data[1+tl+20:])
	if dec > 255 {
		return nil, SWInvalidData
	}
	if !verifyDER(e.opts.CALKey, data[1:signedEnd], data[signedEnd:]) {
		return nil, SWInvalidData
	}
	e.tokens = append(e.tokens, token{
		ticker:   string(data[1 : 1+tl]),
		address:  common.BytesToAddress(data[1+tl : 1+tl+20]),
		decimals: byte(dec),
		chainID:  uint64(binary.BigEndian.Uint32(data[1+tl+24:])),
	})
	return []byte{byte(len(e.tokens) - 1)}, SWOK
}

// setExternalPlugin checks only that the named plugin is installed: the
// emulator has no plugins to run, and the host must then fall back.
func (e *Emulator) setExternalPlugin(data []byte) ([]byte, uint16) {
	if len(data) < 1 || len(data) < 1+int(data[0])+20+4 {
		return nil, SWInvalidData
	}
	name := string(data[1 : 1+data[0]])
	for _, p := range e.opts.Plugins {
		if p == name {
			return nil, SWOK
		}
	}
	return nil, SWFileNotFound
}
