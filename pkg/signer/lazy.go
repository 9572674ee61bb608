package signer

import (
	"context"
	"fmt"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
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
