// Package keyring keeps secp256k1 keys in the OS keyring (Secret Service on
// Linux, Keychain on macOS, Credential Manager on Windows) through
// github.com/zalando/go-keyring, under service "stakewallet" and account =
// key name, and signs with them exactly as the keystore signer does.
//
// Every keyring call runs under a timeout: a locked collection or an unlock
// dialog nobody can see must not hang the CLI. Failures to reach the
// keyring wrap signer.ErrUnavailable and never fall back to anything else.
package keyring

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// Service is the keyring service name of every stakewallet entry.
const Service = "stakewallet"

// DefaultTimeout bounds each keyring call unless the caller sets another.
const DefaultTimeout = 30 * time.Second

// SecretLen is the length of what we store per key: the 32-byte scalar,
// hex-encoded. Never a mnemonic: that keeps every entry far below the
// smallest platform limit (Windows: 2560 bytes of secret; macOS: about
// 3000 bytes for service, account and secret together).
const SecretLen = 64

// Provider is the part of go-keyring we call. System() is the real one;
// tests may substitute another.
type Provider interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// goKeyring calls go-keyring's package functions.
type goKeyring struct{}

func (goKeyring) Set(s, u, p string) error        { return gokeyring.Set(s, u, p) }
func (goKeyring) Get(s, u string) (string, error) { return gokeyring.Get(s, u) }
func (goKeyring) Delete(s, u string) error        { return gokeyring.Delete(s, u) }

// GoKeyring is go-keyring's package functions as they are, so that tests
// can use go-keyring's MockInit without a D-Bus session bus.
func GoKeyring() Provider { return goKeyring{} }

// systemProvider is go-keyring behind a check that a session bus exists.
type systemProvider struct{ goKeyring }

func (p systemProvider) Set(s, u, pw string) error {
	if err := checkSessionBus(); err != nil {
		return err
	}
	return p.goKeyring.Set(s, u, pw)
}

func (p systemProvider) Get(s, u string) (string, error) {
	if err := checkSessionBus(); err != nil {
		return "", err
	}
	return p.goKeyring.Get(s, u)
}

func (p systemProvider) Delete(s, u string) error {
	if err := checkSessionBus(); err != nil {
		return err
	}
	return p.goKeyring.Delete(s, u)
}

// System is the OS keyring. On Linux and the BSDs it refuses to start a
// D-Bus session bus of its own (see checkSessionBus).
func System() Provider { return systemProvider{} }

// Keyring stores and loads keys with a timeout on every call.
type Keyring struct {
	p       Provider
	timeout time.Duration
}

// New returns a Keyring over p (nil = System()); timeout <= 0 means
// DefaultTimeout.
func New(p Provider, timeout time.Duration) *Keyring {
	if p == nil {
		p = System()
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Keyring{p: p, timeout: timeout}
}

// Errors that callers may test with errors.Is, besides the signer
// sentinels they are combined with.
var (
	// ErrTimeout: the keyring did not answer in time (wraps ErrUnavailable).
	ErrTimeout = errors.New("keyring did not answer in time")
	// ErrNoService: no Secret Service on the session bus, or no keyring on
	// this platform (wraps ErrUnavailable).
	ErrNoService = errors.New("no OS keyring available")
	// ErrExists: Put refused to overwrite an entry.
	ErrExists = errors.New("keyring entry already exists")
)

// Label is how a keyring key names itself: "keyring:NAME".
func Label(name string) string { return "keyring:" + name }

// Put stores key under name, refusing to overwrite an existing entry.
func (k *Keyring) Put(ctx context.Context, name string, key *ecdsa.PrivateKey) error {
	if _, err := k.get(ctx, name); err == nil {
		return fmt.Errorf("%s: %w (service %q, account %q); remove it first or choose another name", Label(name), ErrExists, Service, name)
	} else if !errors.Is(err, signer.ErrNotFound) {
		return err
	}
	secret := make([]byte, 32)
	defer clear(secret)
	fromECDSA := crypto.FromECDSA(key)
	copy(secret, fromECDSA)
	clear(fromECDSA)
	enc := make([]byte, SecretLen)
	defer clear(enc)
	hex.Encode(enc, secret)
	// go-keyring takes a string; that copy cannot be zeroed.
	value := string(enc)
	err := k.do(ctx, name, "store", func() error { return k.p.Set(Service, name, value) })
	if err != nil && strings.Contains(err.Error(), value) {
		// Never let a backend's error message carry the key onwards.
		return fmt.Errorf("%s: storing the key failed (details withheld because they contained the secret): %w", Label(name), signer.ErrUnavailable)
	}
	return err
}

// Load returns the key stored under name; the caller must ZeroKey it. A
// missing entry wraps signer.ErrNotFound.
func (k *Keyring) Load(ctx context.Context, name string) (*ecdsa.PrivateKey, error) {
	value, err := k.get(ctx, name)
	if err != nil {
		return nil, err
	}
	return decode(name, value)
}

// Exists reports whether name has an entry (reading it, then discarding).
func (k *Keyring) Exists(ctx context.Context, name string) (bool, error) {
	_, err := k.get(ctx, name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, signer.ErrNotFound):
		return false, nil
	}
	return false, err
}

// Delete removes name's entry; a missing entry wraps signer.ErrNotFound.
func (k *Keyring) Delete(ctx context.Context, name string) error {
	return k.do(ctx, name, "delete", func() error { return k.p.Delete(Service, name) })
}

func (k *Keyring) get(ctx context.Context, name string) (string, error) {
	return call(ctx, k.timeout, name, "read", func() (string, error) { return k.p.Get(Service, name) })
}

// call runs fn with the timeout. go-keyring cannot be cancelled, so on
// timeout the goroutine is abandoned (its result goes to a buffered
// channel nobody reads); the CLI exits soon after anyway.
func call[T any](ctx context.Context, timeout time.Duration, name, op string, fn func() (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	var zero T
	select {
	case r := <-done:
		if err := classify(name, op, r.err); err != nil {
			return zero, err
		}
		return r.v, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return zero, fmt.Errorf("%s: %w after %s while trying to %s the key (is the keyring locked, or waiting behind an unlock dialog you cannot see?); unlock it, raise defaults.keyring-timeout in the config file, or use --backend keystore: %w",
				Label(name), ErrTimeout, timeout, op, signer.ErrUnavailable)
		}
		return zero, fmt.Errorf("%s: %w", Label(name), ctx.Err())
	}
}

func (k *Keyring) do(ctx context.Context, name, op string, fn func() error) error {
	_, err := call(ctx, k.timeout, name, op, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// classify turns go-keyring errors into errors carrying our sentinels and
// advice. go-keyring reports D-Bus trouble as plain errors, so the Secret
// Service case is recognised by its text.
func classify(name, op string, err error) error {
	if err == nil {
		return nil
	}
	label := Label(name)
	msg := err.Error()
	switch {
	case errors.Is(err, gokeyring.ErrNotFound):
		return fmt.Errorf("%s: no entry in the OS keyring (service %q, account %q); it may have been removed outside stakewallet: %w", label, Service, name, signer.ErrNotFound)
	case errors.Is(err, gokeyring.ErrSetDataTooBig):
		return fmt.Errorf("%s: the OS keyring refused the entry as too big: %w", label, err)
	case errors.Is(err, gokeyring.ErrUnsupportedPlatform):
		return fmt.Errorf("%s: %w on this platform; use --backend keystore: %w", label, ErrNoService, signer.ErrUnavailable)
	case locked(msg):
		return fmt.Errorf("%s: the OS keyring is locked and could not be unlocked (%s); no unlock dialog can be shown here (headless, or dismissed): unlock the keyring in your desktop session or with `gnome-keyring-daemon --unlock` (password on stdin), or use --backend keystore: %w",
			label, oneLine(msg), signer.ErrUnavailable)
	case noSecretService(msg):
		return fmt.Errorf("%s: %w: no Secret Service reachable over D-Bus (%s); start one (e.g. `gnome-keyring-daemon --start --components=secrets` in your D-Bus session, unlocked) or use --backend keystore: %w",
			label, ErrNoService, oneLine(msg), signer.ErrUnavailable)
	}
	return fmt.Errorf("%s: OS keyring failed to %s the key (%s); unlock the keyring or use --backend keystore: %w", label, op, oneLine(msg), signer.ErrUnavailable)
}

func noSecretService(msg string) bool {
	for _, s := range []string{
		"org.freedesktop.secrets",  // "The name org.freedesktop.secrets was not provided by any .service files"
		"ServiceUnknown",           // same, as a D-Bus error name
		"DBUS_SESSION_BUS_ADDRESS", // no session bus at all (checkSessionBus, godbus)
		"autolaunch",               // "cannot autolaunch D-Bus without X11 $DISPLAY"
		"dial unix",                // bus socket gone
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// locked recognises go-keyring's report that Unlock failed: the collection
// is locked and no prompter could ask for the password.
func locked(msg string) bool {
	return strings.Contains(msg, "failed to unlock") || strings.Contains(msg, "SystemPrompter") || strings.Contains(msg, "dismissed")
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func decode(name, value string) (*ecdsa.PrivateKey, error) {
	v := strings.TrimSpace(value)
	if len(v) != SecretLen {
		return nil, fmt.Errorf("%s: the keyring entry is not a stakewallet key (expected %d hex characters); was it overwritten by another program?", Label(name), SecretLen)
	}
	raw := make([]byte, 32)
	defer clear(raw)
	if _, err := hex.Decode(raw, []byte(v)); err != nil {
		return nil, fmt.Errorf("%s: the keyring entry is not a stakewallet key (not hex)", Label(name))
	}
	key, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: the keyring entry is not a valid secp256k1 key", Label(name))
	}
	return key, nil
}

// Signer signs with the key stored under one name. It holds no secret:
// the key is read from the keyring for each signature and zeroed after.
type Signer struct {
	k    *Keyring
	name string
	addr common.Address
}

var _ signer.Signer = (*Signer)(nil)

// Open loads name's key once to learn (and, when want is non-nil, check)
// its address. A key that no longer matches the registry's address is
// refused rather than silently used.
func (k *Keyring) Open(ctx context.Context, name string, want *common.Address) (*Signer, error) {
	key, err := k.Load(ctx, name)
	if err != nil {
		return nil, err
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	keystore.ZeroKey(key)
	if want != nil && *want != addr {
		return nil, fmt.Errorf("%s: the keyring holds the key of %s but the registry expects %s; the entry was replaced outside stakewallet: %w", Label(name), addr.Hex(), want.Hex(), signer.ErrUnavailable)
	}
	return &Signer{k: k, name: name, addr: addr}, nil
}

// Address is the key's account.
func (s *Signer) Address() common.Address { return s.addr }

// String is "keyring:NAME".
func (s *Signer) String() string { return Label(s.name) }

// SignTx reads the key, signs through the keystore signer's code path,
// verifies the sender and zeroes the key.
func (s *Signer) SignTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	key, err := s.k.Load(ctx, s.name)
	if err != nil {
		return nil, err
	}
	defer keystore.ZeroKey(key)
	if got := crypto.PubkeyToAddress(key.PublicKey); got != s.addr {
		return nil, fmt.Errorf("%s: the keyring entry changed since it was opened (now %s, was %s): %w", s.String(), got.Hex(), s.addr.Hex(), signer.ErrUnavailable)
	}
	return keystore.SignWithKey(key, tx, chainID, s.addr)
}

var _ signer.TypedDataSigner = (*Signer)(nil)

// SignTypedData implements signer.TypedDataSigner: it reads the key, signs
// td's EIP-712 digest through the keystore signer's code path, verifies the
// signer and zeroes the key.
func (s *Signer) SignTypedData(ctx context.Context, td apitypes.TypedData) ([]byte, error) {
	key, err := s.k.Load(ctx, s.name)
	if err != nil {
		return nil, err
	}
	defer keystore.ZeroKey(key)
	if got := crypto.PubkeyToAddress(key.PublicKey); got != s.addr {
		return nil, fmt.Errorf("%s: the keyring entry changed since it was opened (now %s, was %s): %w", s.String(), got.Hex(), s.addr.Hex(), signer.ErrUnavailable)
	}
	return keystore.SignTypedDataWithKey(key, td, s.addr)
}
