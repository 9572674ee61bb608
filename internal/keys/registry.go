package keys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/gofrs/flock"
)

// Backends a registry entry can name.
const (
	BackendKeystore = "keystore"
	BackendKeyring  = "keyring"
	BackendLedger   = "ledger"
)

// MaxNameLen bounds key names (and so the keyring account and file name).
const MaxNameLen = 64

// RegistryFile is the registry's file name inside the keys directory.
const RegistryFile = "registry.json"

// registryVersion is written to the file so a later format can be told
// apart from this one.
const registryVersion = 1

// Entry is one named key. It holds no secret: only where the secret is
// (backend, file) and what it is (address, derivation path).
type Entry struct {
	Name    string         `json:"name"`
	Backend string         `json:"backend"`
	Address common.Address `json:"address"`
	// Path is the BIP-32 derivation path when the key came from a mnemonic
	// or lives on a Ledger; empty for random or imported raw keys.
	Path string `json:"path,omitempty"`
	// File is the keystore file name, relative to the keys directory.
	File      string    `json:"file,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

type registryDoc struct {
	Version int     `json:"version"`
	Keys    []Entry `json:"keys"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ValidateName checks a key name: [A-Za-z0-9._-]{1,64}, not starting with
// '.', and not one of the names stakewallet uses itself.
func ValidateName(name string) error {
	switch {
	case name == "":
		return errors.New("key name is empty")
	case len(name) > MaxNameLen:
		return fmt.Errorf("key name is %d characters long; at most %d", len(name), MaxNameLen)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("key name %q must not start with '.'", name)
	case !nameRE.MatchString(name):
		return fmt.Errorf("key name %q may only contain letters, digits, '.', '_' and '-'", name)
	case strings.HasSuffix(strings.ToLower(name), ".json"):
		// keystore:NAME.json would be read as a file path.
		return fmt.Errorf("key name %q must not end in .json", name)
	}
	switch strings.ToLower(name) {
	case "ledger", "keystore", "keyring":
		// --signer ledger / keystore:… / keyring:… would shadow the key.
		return fmt.Errorf("key name %q is reserved (it is a --signer scheme)", name)
	case strings.TrimSuffix(RegistryFile, ".json"):
		// Its keystore file would be registry.json.
		return fmt.Errorf("key name %q is reserved", name)
	}
	return nil
}

// registry is the in-memory copy of registry.json.
type registry struct {
	path    string
	entries []Entry
}

func loadRegistry(dir string) (*registry, error) {
	r := &registry{path: filepath.Join(dir, RegistryFile)}
	data, err := os.ReadFile(r.path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read key registry: %w", err)
	}
	var doc registryDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("key registry %s is corrupt (%w); restore it from a backup or remove it and re-import your keys", r.path, err)
	}
	if doc.Version > registryVersion {
		return nil, fmt.Errorf("key registry %s has format version %d; this stakewallet understands up to %d, upgrade it", r.path, doc.Version, registryVersion)
	}
	r.entries = doc.Keys
	return r, nil
}

func (r *registry) save() error {
	sort.Slice(r.entries, func(i, j int) bool { return r.entries[i].Name < r.entries[j].Name })
	data, err := json.MarshalIndent(registryDoc{Version: registryVersion, Keys: r.entries}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(r.path, append(data, '\n')); err != nil {
		return fmt.Errorf("write key registry: %w", err)
	}
	return nil
}

func (r *registry) get(name string) (Entry, bool) {
	for _, e := range r.entries {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// conflict returns the entry whose name equals name ignoring case: file
// systems of macOS and Windows would put their keystore files in one.
func (r *registry) conflict(name string) (Entry, bool) {
	for _, e := range r.entries {
		if strings.EqualFold(e.Name, name) {
			return e, true
		}
	}
	return Entry{}, false
}

func (r *registry) add(e Entry) { r.entries = append(r.entries, e) }

func (r *registry) remove(name string) {
	out := r.entries[:0]
	for _, e := range r.entries {
		if e.Name != name {
			out = append(out, e)
		}
	}
	r.entries = out
}

func (r *registry) names() []string {
	names := make([]string, len(r.entries))
	for i, e := range r.entries {
		names[i] = e.Name
	}
	sort.Strings(names)
	return names
}

// lockTimeout bounds the wait for another stakewallet process that is
// changing the registry.
const lockTimeout = 10 * time.Second

// withLock runs fn holding an exclusive lock on the keys directory, so two
// processes importing at once cannot lose each other's entries.
func withLock(ctx context.Context, dir string, fn func() error) error {
	if err := ensureDir(dir); err != nil {
		return err
	}
	l := flock.New(filepath.Join(dir, ".lock"), flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	ok, err := l.TryLockContext(ctx, 50*time.Millisecond)
	if err != nil || !ok {
		return fmt.Errorf("another stakewallet process is changing the key registry in %s (waited %s): %w", dir, lockTimeout, errors.Join(err, ctx.Err()))
	}
	defer l.Unlock()
	return fn()
}
