package signer

import (
	"context"
	"fmt"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// Lazy is a signer whose key is opened only when it first signs. A
// wallet builds and previews a plan from the address alone, and unlocks
// the key (asks the passphrase, reads the keyring, opens the device) only
// after the user confirmed: a dry run or a declined preview never asks
// for a secret.
type Lazy struct {
	addr  common.Address
	name  string
	open  func(ctx context.Context) (Signer, error)
	mu    sync.Mutex
	inner Signer
	// noTyped, when set, is why l's key cannot sign typed data.
	noTyped string
}

// NewLazy returns a signer for addr named name (for previews) that opens
// its key with open on first use. open's signer must sign for addr: Lazy
// checks it before signing anything.
func NewLazy(addr common.Address, name string, open func(ctx context.Context) (Signer, error)) *Lazy {
	return &Lazy{addr: addr, name: name, open: open}
}

// Opened wraps a signer that is already open (a Ledger, whose address can
// only be read from the device anyway).
func Opened(s Signer) *Lazy {
	return &Lazy{addr: s.Address(), name: s.String(), inner: s}
}

// Address implements Signer without opening the key.
func (l *Lazy) Address() common.Address { return l.addr }

// String implements Signer.
func (l *Lazy) String() string { return l.name }

// IsOpen reports whether the key was opened.
func (l *Lazy) IsOpen() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner != nil
}

// Open opens the key now (once) and returns the signer behind l.
func (l *Lazy) Open(ctx context.Context) (Signer, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inner != nil {
		return l.inner, nil
	}
	s, err := l.open(ctx)
	if err != nil {
		return nil, err
	}
	if s.Address() != l.addr {
		if c, ok := s.(Closer); ok {
			_ = c.Close()
		}
		return nil, fmt.Errorf("%s: the key opened is %s, but the plan was built for %s: %w", l.name, s.Address().Hex(), l.addr.Hex(), ErrUnavailable)
	}
	l.inner = s
	return s, nil
}

// SignTx implements Signer: it opens the key on first use.
func (l *Lazy) SignTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	s, err := l.Open(ctx)
	if err != nil {
		return nil, err
	}
	return s.SignTx(ctx, tx, chainID)
}

// Inner is the opened signer, or nil while the key is closed; previews use
// it to ask an open device how it will present a transaction.
func (l *Lazy) Inner() Signer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner
}

// Close implements Closer: it releases the opened signer, if any.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.inner.(Closer); ok {
		return c.Close()
	}
	return nil
}

// TypedDataChecker is implemented by typed-data signers that can tell
// before signing whether they will manage (a Ledger app too old for
// EIP-712): nil, or an error saying why not.
type TypedDataChecker interface {
	TypedDataSupport() error
}

var _ TypedDataSigner = (*Lazy)(nil)

// NoTypedData marks l's key as one that cannot sign typed data (a key
// kind with no EIP-712 support), with the reason the wallet shows. Keys
// opened lazily (keystore files, the keyring) sign typed data unless
// marked.
func (l *Lazy) NoTypedData(reason string) *Lazy {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.noTyped = reason
	return l
}

// TypedDataSupport reports, without opening a closed key, whether l will
// sign EIP-712 typed data: nil, or an error wrapping
// ErrTypedDataUnsupported that says why not.
func (l *Lazy) TypedDataSupport() error {
	l.mu.Lock()
	inner, reason := l.inner, l.noTyped
	l.mu.Unlock()
	if reason != "" {
		return fmt.Errorf("%s: %s: %w", l.name, reason, ErrTypedDataUnsupported)
	}
	if inner == nil {
		return nil
	}
	if _, ok := inner.(TypedDataSigner); !ok {
		return fmt.Errorf("%s cannot sign EIP-712 typed data: %w", l.name, ErrTypedDataUnsupported)
	}
	if c, ok := inner.(TypedDataChecker); ok {
		return c.TypedDataSupport()
	}
	return nil
}

// SignTypedData implements TypedDataSigner: it opens the key on first use.
func (l *Lazy) SignTypedData(ctx context.Context, td apitypes.TypedData) ([]byte, error) {
	if err := l.TypedDataSupport(); err != nil {
		return nil, err
	}
	s, err := l.Open(ctx)
	if err != nil {
		return nil, err
	}
	tds, ok := s.(TypedDataSigner)
	if !ok {
		return nil, fmt.Errorf("%s cannot sign EIP-712 typed data: %w", l.name, ErrTypedDataUnsupported)
	}
	return tds.SignTypedData(ctx, td)
}
