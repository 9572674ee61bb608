package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// Address resolves the account of ref without unlocking anything: read-only
// commands (balance, withdrawals) must not ask for a passphrase. Registered
// keys answer from the registry, keystore files from their plaintext
// "address" field; only an unregistered Ledger ref has to ask the device.
func (s *Store) Address(ctx context.Context, ref string) (common.Address, error) {
	a, _, ok, err := s.knownAddress(ref)
	if err != nil || ok {
		return a, err
	}
	sg, err := s.Signer(ctx, ref)
	if err != nil {
		return common.Address{}, err
	}
	if c, ok := sg.(signer.Closer); ok {
		defer c.Close()
	}
	return sg.Address(), nil
}

// Account resolves ref to a signer whose key opens only when it first
// signs (signer.Lazy): a plan is built and previewed from the address, and
// the passphrase is asked after the user confirmed. A Ledger is opened at
// once, since its address is read from the device and its preview notes
// come from the app; opening it asks nothing of the user.
func (s *Store) Account(ctx context.Context, ref string) (*signer.Lazy, error) {
	ref = strings.TrimSpace(ref)
	addr, label, ok, err := s.knownAddress(ref)
	if err != nil {
		return nil, err
	}
	if !ok {
		sg, err := s.Signer(ctx, ref)
		if err != nil {
			return nil, err
		}
		return signer.Opened(sg), nil
	}
	return signer.NewLazy(addr, label, func(ctx context.Context) (signer.Signer, error) {
		return s.Signer(ctx, ref)
	}), nil
}

// knownAddress is ref's address and signer label when they are known
// without opening a key: from the registry, or a keystore file's address
// field. Ledger keys are never "known": the device must confirm them.
func (s *Store) knownAddress(ref string) (addr common.Address, label string, ok bool, err error) {
	ref = strings.TrimSpace(ref)
	scheme, rest, hasScheme := strings.Cut(ref, ":")
	fromEntry := func(name string) (common.Address, string, bool, error) {
		e, err := s.Get(name)
		if err != nil {
			return common.Address{}, "", false, err
		}
		switch e.Backend {
		case BackendKeystore:
			return e.Address, "keystore:" + e.Name, true, nil
		case BackendKeyring:
			return e.Address, keyring.Label(e.Name), true, nil
		}
		return common.Address{}, "", false, nil
	}
	switch {
	case ref == BackendLedger || (hasScheme && scheme == BackendLedger):
		return common.Address{}, "", false, nil
	case hasScheme && scheme == BackendKeystore && looksLikePath(rest):
		path, err := expandHome(rest)
		if err != nil {
			return common.Address{}, "", false, err
		}
		data, err := keystore.ReadFile(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return common.Address{}, "", false, fmt.Errorf("keystore file %s is missing: %w", path, signer.ErrNotFound)
			}
			return common.Address{}, "", false, fmt.Errorf("keystore:%s: cannot read the keystore file (check the path and its permissions): %w: %w", rest, err, signer.ErrUnavailable)
		}
		if a, ok := keystore.ReadAddress(data); ok {
			return a, "keystore:" + rest, true, nil
		}
		// A file without its address field: only unlocking tells.
		return common.Address{}, "", false, nil
	case hasScheme && scheme == BackendKeystore:
		if e, err := s.Get(rest); err == nil && e.Backend == BackendKeystore {
			return e.Address, "keystore:" + e.Name, true, nil
		}
		// Unknown, or another backend's key: Signer says which.
		return common.Address{}, "", false, nil
	case hasScheme && scheme == BackendKeyring:
		if e, err := s.Get(rest); err == nil && e.Backend == BackendKeyring {
			return e.Address, keyring.Label(e.Name), true, nil
		}
		// Not registered (or registered as another backend, which Signer
		// explains): the keyring entry itself must be read.
		return common.Address{}, "", false, nil
	case hasScheme:
		return common.Address{}, "", false, nil // Signer names the valid schemes
	}
	return fromEntry(ref)
}
