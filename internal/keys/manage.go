package keys

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// Errors for the CLI to map to "bad input".
var (
	// ErrExists: the name (or its keystore file, or keyring entry) is taken.
	ErrExists = errors.New("already exists")
	// ErrInvalid: a bad name, backend or key.
	ErrInvalid = errors.New("invalid")
	// ErrNotExportable: the key never leaves its device.
	ErrNotExportable = errors.New("key cannot be exported")
)

func checkBackend(b string) error {
	switch b {
	case BackendKeystore, BackendKeyring:
		return nil
	}
	return fmt.Errorf("%w backend %q: use keystore or keyring", ErrInvalid, b)
}

// Create generates a random key, stores it in backend under name and
// registers it.
func (s *Store) Create(ctx context.Context, name, backend string) (Entry, error) {
	key, err := crypto.GenerateKey()
	if err != nil {
		return Entry{}, fmt.Errorf("generate key: %w", err)
	}
	defer keystore.ZeroKey(key)
	return s.ImportKey(ctx, name, backend, key, "")
}

// ImportKey stores key in backend under name and registers it with its
// derivation path (empty when not derived). The caller keeps (and zeroes)
// key.
func (s *Store) ImportKey(ctx context.Context, name, backend string, key *ecdsa.PrivateKey, path string) (Entry, error) {
	if err := ValidateName(name); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := checkBackend(backend); err != nil {
		return Entry{}, err
	}
	if err := s.checkFree(name); err != nil {
		return Entry{}, err
	}
	e := Entry{Name: name, Backend: backend, Address: crypto.PubkeyToAddress(key.PublicKey), Path: path, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	var data []byte
	if backend == BackendKeystore {
		// Ask before taking the lock: a person may take a while to type.
		pass, err := s.newPassphrase("keystore:" + name)
		if err != nil {
			return Entry{}, err
		}
		data, err = keystore.Encrypt(key, pass, s.opts.Scrypt)
		clear(pass)
		if err != nil {
			return Entry{}, err
		}
	}
	err := s.register(ctx, &e, func(e *Entry) (func(), error) {
		if backend == BackendKeyring {
			if err := s.keyring.Put(ctx, name, key); err != nil {
				if errors.Is(err, keyring.ErrExists) {
					return nil, fmt.Errorf("%w: %w", ErrExists, err)
				}
				return nil, err
			}
			return func() { s.keyring.Delete(context.WithoutCancel(ctx), name) }, nil
		}
		return s.writeKeystore(e, data)
	})
	return e, err
}

// ImportKeystoreFile registers the key of a Web3 Secret Storage file. Into
// the keystore backend the file is copied as is, keeping its own
// passphrase (which is checked first); into the keyring its key is
// decrypted and stored.
func (s *Store) ImportKeystoreFile(ctx context.Context, name, backend, file string) (Entry, error) {
	if err := ValidateName(name); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := checkBackend(backend); err != nil {
		return Entry{}, err
	}
	if err := s.checkFree(name); err != nil {
		return Entry{}, err
	}
	data, err := keystore.ReadFile(file)
	if err != nil {
		return Entry{}, fmt.Errorf("read keystore file: %w", err)
	}
	label := "keystore:" + file
	var key *ecdsa.PrivateKey
	for attempt := 1; ; attempt++ {
		pass, fromFile, err := s.passphrase(label, attempt)
		if err != nil {
			return Entry{}, err
		}
		key, err = keystore.Decrypt(data, pass, label)
		clear(pass)
		if errors.Is(err, keystore.ErrWrongPassphrase) && !fromFile && attempt < maxPromptAttempts {
			continue
		}
		if err != nil {
			return Entry{}, err
		}
		break
	}
	defer keystore.ZeroKey(key)
	if backend == BackendKeyring {
		return s.ImportKey(ctx, name, backend, key, "")
	}
	e := Entry{Name: name, Backend: backend, Address: crypto.PubkeyToAddress(key.PublicKey), CreatedAt: time.Now().UTC().Truncate(time.Second)}
	err = s.register(ctx, &e, func(e *Entry) (func(), error) { return s.writeKeystore(e, data) })
	return e, err
}

// AddLedger registers a Ledger account (address and path only), for
// `keys add NAME --ledger`.
func (s *Store) AddLedger(ctx context.Context, name string, address common.Address, path accounts.DerivationPath) (Entry, error) {
	if err := ValidateName(name); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	e := Entry{Name: name, Backend: BackendLedger, Address: address, Path: path.String(), CreatedAt: time.Now().UTC().Truncate(time.Second)}
	err := s.register(ctx, &e, func(*Entry) (func(), error) { return func() {}, nil })
	return e, err
}

func (s *Store) checkFree(name string) error {
	r, err := loadRegistry(s.dir)
	if err != nil {
		return err
	}
	return checkFree(r, name)
}

func checkFree(r *registry, name string) error {
	if e, ok := r.conflict(name); ok {
		if e.Name == name {
			return fmt.Errorf("a key named %q %w (%s, %s); choose another name or delete it first", name, ErrExists, e.Backend, e.Address.Hex())
		}
		return fmt.Errorf("key name %q clashes with existing key %q (names differ only in case); choose another name: %w", name, e.Name, ErrExists)
	}
	return nil
}

// register stores the secret with put and adds e to the registry, under
// the lock. If writing the registry fails, the secret is removed again so
// that no orphan remains.
func (s *Store) register(ctx context.Context, e *Entry, put func(e *Entry) (undo func(), err error)) error {
	return withLock(ctx, s.dir, func() error {
		r, err := loadRegistry(s.dir)
		if err != nil {
			return err
		}
		if err := checkFree(r, e.Name); err != nil {
			return err
		}
		undo, err := put(e)
		if err != nil {
			return err
		}
		r.add(*e)
		if err := r.save(); err != nil {
			undo()
			return err
		}
		return nil
	})
}

// writeKeystore writes data as <name>.json, refusing to replace a file
// that is there without being registered.
func (s *Store) writeKeystore(e *Entry, data []byte) (func(), error) {
	e.File = e.Name + ".json"
	path := s.FilePath(*e)
	if err := writeFileNew(path, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s exists but is not in the registry; move it away, or register it with `stakewallet keys import %s --keystore %s` after moving it: %w", path, e.Name, path, ErrExists)
		}
		return nil, fmt.Errorf("write keystore file: %w", err)
	}
	return func() { os.Remove(path) }, nil
}

// Delete removes the key's secret (keystore file or keyring entry) and
// then its registry entry. A secret already gone is not an error; a
// keyring that cannot be reached is, and the registry is left as it was.
func (s *Store) Delete(ctx context.Context, name string) (Entry, error) {
	var deleted Entry
	err := withLock(ctx, s.dir, func() error {
		r, err := loadRegistry(s.dir)
		if err != nil {
			return err
		}
		e, err := s.lookup(r, name)
		if err != nil {
			return err
		}
		switch e.Backend {
		case BackendKeystore:
			if err := os.Remove(s.FilePath(e)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove keystore file: %w", err)
			}
		case BackendKeyring:
			if err := s.keyring.Delete(ctx, name); err != nil && !errors.Is(err, signer.ErrNotFound) {
				return fmt.Errorf("%w; the registry entry is kept", err)
			}
		}
		r.remove(name)
		if err := r.save(); err != nil {
			return err
		}
		deleted = e
		return nil
	})
	return deleted, err
}

// Status is an entry plus whether its secret is still where the registry
// says.
type Status struct {
	Entry
	// Missing: the keystore file or keyring entry is gone.
	Missing bool
	// Unchecked explains why presence could not be checked (keyring
	// unreachable); empty when it was checked.
	Unchecked string
}

// List returns every entry with its status. A keyring that cannot be
// reached is asked once; the remaining keyring entries are left unchecked
// rather than waiting for the timeout again.
func (s *Store) List(ctx context.Context) ([]Status, error) {
	entries, err := s.Entries()
	if err != nil {
		return nil, err
	}
	out := make([]Status, len(entries))
	var keyringErr error
	for i, e := range entries {
		out[i] = s.status(ctx, e, &keyringErr)
	}
	return out, nil
}

// Show returns one entry with its status.
func (s *Store) Show(ctx context.Context, name string) (Status, error) {
	e, err := s.Get(name)
	if err != nil {
		return Status{}, err
	}
	var keyringErr error
	return s.status(ctx, e, &keyringErr), nil
}

func (s *Store) status(ctx context.Context, e Entry, keyringErr *error) Status {
	st := Status{Entry: e}
	switch e.Backend {
	case BackendKeystore:
		if _, err := os.Stat(s.FilePath(e)); errors.Is(err, fs.ErrNotExist) {
			st.Missing = true
		}
	case BackendKeyring:
		if *keyringErr != nil {
			st.Unchecked = (*keyringErr).Error()
			break
		}
		ok, err := s.keyring.Exists(ctx, e.Name)
		if err != nil {
			*keyringErr = err
			st.Unchecked = err.Error()
			break
		}
		st.Missing = !ok
	}
	return st
}

// ExportKeystoreFile writes the key to out (0600; never replacing a file)
// as a Web3 Secret Storage file: a keystore key's file is copied as it is
// (same passphrase); a keyring key is encrypted under a new passphrase.
func (s *Store) ExportKeystoreFile(ctx context.Context, name, out string) (Entry, error) {
	e, err := s.Get(name)
	if err != nil {
		return Entry{}, err
	}
	var data []byte
	switch e.Backend {
	case BackendKeystore:
		if data, err = os.ReadFile(s.FilePath(e)); err != nil {
			return Entry{}, fmt.Errorf("read keystore file: %w", err)
		}
	case BackendKeyring:
		key, err := s.loadKeyringKey(ctx, e)
		if err != nil {
			return Entry{}, err
		}
		defer keystore.ZeroKey(key)
		pass, err := s.newPassphrase(out)
		if err != nil {
			return Entry{}, err
		}
		data, err = keystore.Encrypt(key, pass, s.opts.Scrypt)
		clear(pass)
		if err != nil {
			return Entry{}, err
		}
	default:
		return Entry{}, notExportable(e)
	}
	if err := writeFileExclusive(out, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Entry{}, fmt.Errorf("%s already exists; refusing to overwrite it: %w", out, ErrExists)
		}
		return Entry{}, fmt.Errorf("write %s: %w", out, err)
	}
	return e, nil
}

// ExportPrivateKey returns the bare key, for `keys export --unsafe-print`
// only. The caller must ZeroKey it.
func (s *Store) ExportPrivateKey(ctx context.Context, name string) (*ecdsa.PrivateKey, Entry, error) {
	e, err := s.Get(name)
	if err != nil {
		return nil, Entry{}, err
	}
	switch e.Backend {
	case BackendKeystore:
		sg, err := s.openKeystoreFile(s.FilePath(e), "keystore:"+e.Name)
		if err != nil {
			return nil, Entry{}, err
		}
		ks := sg.(*keystore.Signer)
		defer ks.Close()
		key, err := ks.PrivateKey()
		return key, e, err
	case BackendKeyring:
		key, err := s.loadKeyringKey(ctx, e)
		return key, e, err
	}
	return nil, Entry{}, notExportable(e)
}

// notExportable explains why e has no key to export.
func notExportable(e Entry) error {
	if e.Backend == BackendWatch {
		return fmt.Errorf("key %q is watch-only: it has no private key to export: %w", e.Name, ErrNotExportable)
	}
	return fmt.Errorf("key %q lives on a %s device and never leaves it: %w", e.Name, e.Backend, ErrNotExportable)
}

func (s *Store) loadKeyringKey(ctx context.Context, e Entry) (*ecdsa.PrivateKey, error) {
	key, err := s.keyring.Load(ctx, e.Name)
	if err != nil {
		return nil, err
	}
	if got := crypto.PubkeyToAddress(key.PublicKey); got != e.Address {
		keystore.ZeroKey(key)
		return nil, fmt.Errorf("keyring:%s holds the key of %s but the registry expects %s; the entry was replaced outside stakewallet: %w", e.Name, got.Hex(), e.Address.Hex(), signer.ErrUnavailable)
	}
	return key, nil
}

// CheckNewName reports whether name is valid and free, so a command can
// refuse before asking for secrets.
func (s *Store) CheckNewName(name string) error {
	if err := ValidateName(name); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return s.checkFree(name)
}
