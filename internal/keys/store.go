// Package keys is stakewallet's key registry: names mapped to a backend
// (keystore file, OS keyring, Ledger), an address and a derivation path,
// kept in <keys dir>/registry.json with no secret in it. Store resolves
// --signer references to signers and manages keys for the `keys` commands.
//
// Files: registry.json (0600) and one Web3 Secret Storage file per keystore
// key, <name>.json (0600), in a 0700 directory. Writes are atomic (temp
// file, fsync, rename) under a lock file, so concurrent runs cannot corrupt
// or lose entries.
package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// Backend opens signers for a scheme the Store does not implement itself.
// The Ledger package plugs in through Options.Ledger.
type Backend interface {
	// Open returns the signer for ref — "ledger", "ledger:N" or
	// "ledger:m/44'/60'/…" — over transport ("hid" or "tcp://HOST:PORT",
	// from --ledger-transport).
	Open(ctx context.Context, ref, transport string) (signer.Signer, error)
}

// DefaultKeyringTimeout bounds each OS keyring call.
const DefaultKeyringTimeout = keyring.DefaultTimeout

// Options configure a Store.
type Options struct {
	// Dir is the keys directory (config.Config.KeysDir()).
	Dir string
	// PasswordFile, when set, supplies every keystore passphrase (its
	// first line) instead of a prompt.
	PasswordFile string
	// Prompter asks for passphrases on a terminal; nil means never ask.
	Prompter Prompter
	// KeyringTimeout bounds each OS keyring call; 0 means 30 s.
	KeyringTimeout time.Duration
	// Keyring replaces the OS keyring (tests); nil means go-keyring.
	Keyring keyring.Provider
	// Ledger opens ledger refs and registered Ledger keys; nil means
	// Ledger support is not built in.
	Ledger Backend
	// LedgerTransport is handed to Ledger.Open.
	LedgerTransport string
	// Scrypt are the cost parameters of keystore files we write; zero
	// means geth's standard parameters. Tests use keystore.LightParams().
	Scrypt keystore.Params
}

// Store is the key registry plus the backends that hold the secrets.
type Store struct {
	opts    Options
	dir     string
	keyring *keyring.Keyring
}

// Open returns a Store over opts.Dir. It creates nothing: the directory
// appears with the first key.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("keys: no keys directory configured")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("keys directory: %w", err)
	}
	if opts.KeyringTimeout <= 0 {
		opts.KeyringTimeout = DefaultKeyringTimeout
	}
	if opts.Scrypt == (keystore.Params{}) {
		opts.Scrypt = keystore.StandardParams()
	}
	return &Store{opts: opts, dir: dir, keyring: keyring.New(opts.Keyring, opts.KeyringTimeout)}, nil
}

// Dir is the absolute keys directory.
func (s *Store) Dir() string { return s.dir }

// FilePath is the absolute path of an entry's keystore file ("" if none).
func (s *Store) FilePath(e Entry) string {
	if e.File == "" {
		return ""
	}
	return filepath.Join(s.dir, e.File)
}

// Entries lists the registry, sorted by name.
func (s *Store) Entries() ([]Entry, error) {
	r, err := loadRegistry(s.dir)
	if err != nil {
		return nil, err
	}
	out := append([]Entry(nil), r.entries...)
	return out, nil
}

// Get returns the entry called name, or an error wrapping
// signer.ErrNotFound that lists the known names.
func (s *Store) Get(name string) (Entry, error) {
	r, err := loadRegistry(s.dir)
	if err != nil {
		return Entry{}, err
	}
	return s.lookup(r, name)
}

func (s *Store) lookup(r *registry, name string) (Entry, error) {
	if e, ok := r.get(name); ok {
		return e, nil
	}
	return Entry{}, notFound(r, name)
}

func notFound(r *registry, name string) error {
	known := "none yet"
	if names := r.names(); len(names) > 0 {
		known = strings.Join(names, ", ")
	}
	return fmt.Errorf("no key named %q (known: %s); see `stakewallet keys list`, or add it with `stakewallet keys import %s …` or `stakewallet keys new %s`: %w",
		name, known, name, name, signer.ErrNotFound)
}

// Signer resolves a --signer reference:
//
//	NAME                      a registered key, any backend
//	keystore:NAME             a registered keystore key
//	keystore:/path/file.json  any Web3 Secret Storage file
//	keyring:NAME              an OS keyring entry (registered or not)
//	ledger, ledger:N, ledger:m/…  delegated to Options.Ledger
func (s *Store) Signer(ctx context.Context, ref string) (signer.Signer, error) {
	ref = strings.TrimSpace(ref)
	scheme, rest, hasScheme := strings.Cut(ref, ":")
	switch {
	case ref == "":
		return nil, fmt.Errorf("empty signer reference: %w", signer.ErrNotFound)
	case ref == BackendLedger || (hasScheme && scheme == BackendLedger):
		return s.openLedger(ctx, ref, nil)
	case hasScheme && scheme == BackendKeystore:
		if looksLikePath(rest) {
			path, err := expandHome(rest)
			if err != nil {
				return nil, err
			}
			return s.openKeystoreFile(path, "keystore:"+rest)
		}
		e, err := s.Get(rest)
		if err != nil {
			return nil, err
		}
		if e.Backend != BackendKeystore {
			return nil, fmt.Errorf("key %q is a %s key, not a keystore file; use --signer %s: %w", rest, e.Backend, rest, signer.ErrNotFound)
		}
		return s.openEntry(ctx, e)
	case hasScheme && scheme == BackendKeyring:
		return s.openKeyringRef(ctx, rest)
	case hasScheme:
		return nil, fmt.Errorf("unknown signer %q: use NAME, keystore:NAME, keystore:/path/file.json, keyring:NAME, ledger, ledger:N or ledger:m/44'/60'/…: %w", ref, signer.ErrNotFound)
	}
	e, err := s.Get(ref)
	if err != nil {
		return nil, err
	}
	return s.openEntry(ctx, e)
}

func (s *Store) openEntry(ctx context.Context, e Entry) (signer.Signer, error) {
	switch e.Backend {
	case BackendKeystore:
		return s.openKeystoreFile(s.FilePath(e), "keystore:"+e.Name)
	case BackendKeyring:
		want := e.Address
		return s.keyring.Open(ctx, e.Name, &want)
	case BackendWatch:
		return NewWatchOnly(e.Address, watchLabel(e.Name)), nil
	case BackendLedger:
		ref := "ledger"
		if e.Path != "" {
			ref = "ledger:" + e.Path
		}
		want := e.Address
		return s.openLedger(ctx, ref, &want)
	}
	return nil, fmt.Errorf("key %q has unknown backend %q in %s", e.Name, e.Backend, RegistryFile)
}

func (s *Store) openKeyringRef(ctx context.Context, name string) (signer.Signer, error) {
	if err := ValidateName(name); err != nil {
		return nil, fmt.Errorf("keyring:%s: %w: %w", name, err, signer.ErrNotFound)
	}
	r, err := loadRegistry(s.dir)
	if err != nil {
		return nil, err
	}
	var want *common.Address
	if e, ok := r.get(name); ok {
		if e.Backend != BackendKeyring {
			return nil, fmt.Errorf("key %q is a %s key, not in the OS keyring; use --signer %s: %w", name, e.Backend, name, signer.ErrNotFound)
		}
		want = &e.Address
	}
	sg, err := s.keyring.Open(ctx, name, want)
	if errors.Is(err, signer.ErrNotFound) && want == nil {
		// Neither registered nor in the keyring: say what exists.
		return nil, fmt.Errorf("%w (and the OS keyring has no entry %q)", notFound(r, name), name)
	}
	if errors.Is(err, signer.ErrNotFound) {
		return nil, fmt.Errorf("%w; the registry still lists it: remove it with `stakewallet keys delete %s` or import it again", err, name)
	}
	return sg, err
}

func (s *Store) openLedger(ctx context.Context, ref string, want *common.Address) (signer.Signer, error) {
	if s.opts.Ledger == nil {
		return nil, fmt.Errorf("%s: Ledger support is not available in this build: %w", ref, signer.ErrUnavailable)
	}
	sg, err := s.opts.Ledger.Open(ctx, ref, s.opts.LedgerTransport)
	if err != nil {
		return nil, err
	}
	if want != nil && sg.Address() != *want {
		if c, ok := sg.(signer.Closer); ok {
			c.Close()
		}
		return nil, fmt.Errorf("%s: the device derives %s but the registry expects %s; is this the right Ledger (and BIP-39 passphrase)? %w", ref, sg.Address().Hex(), want.Hex(), signer.ErrUnavailable)
	}
	return sg, nil
}

// openKeystoreFile asks for the passphrase (retrying on a terminal) and
// opens the file.
func (s *Store) openKeystoreFile(path, label string) (signer.Signer, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: keystore file %s is missing; restore it or remove the key with `stakewallet keys delete`: %w", label, path, signer.ErrNotFound)
		}
		// A path the OS refuses (permissions, a NUL byte, too long) names
		// no usable key: classify it like the other signer failures.
		return nil, fmt.Errorf("%s: cannot read the keystore file (check the path and its permissions): %w: %w", label, err, signer.ErrUnavailable)
	}
	for attempt := 1; ; attempt++ {
		pass, fromFile, err := s.passphrase(label, attempt)
		if err != nil {
			return nil, err
		}
		sg, err := keystore.Open(path, label, pass)
		clear(pass)
		if errors.Is(err, keystore.ErrWrongPassphrase) && !fromFile && attempt < maxPromptAttempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		return sg, nil
	}
}

// looksLikePath tells keystore:FILE from keystore:NAME. Names cannot
// contain separators, and a name ending in .json would be unusual.
func looksLikePath(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasSuffix(strings.ToLower(s), ".json") || s == "~"
}

func expandHome(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("expand %s: %w", p, err)
		}
		return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
	}
	return p, nil
}
