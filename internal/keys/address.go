package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// Address resolves the account of ref without unlocking anything: read-only
// commands (balance, withdrawals) must not ask for a passphrase. Registered
// keys answer from the registry, keystore files from their plaintext
// "address" field; only an unregistered Ledger ref has to ask the device.
func (s *Store) Address(ctx context.Context, ref string) (common.Address, error) {
	ref = strings.TrimSpace(ref)
	scheme, rest, hasScheme := strings.Cut(ref, ":")
	name := ref
	switch {
	case hasScheme && scheme == BackendKeystore && looksLikePath(rest):
		path, err := expandHome(rest)
		if err != nil {
			return common.Address{}, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return common.Address{}, fmt.Errorf("keystore file %s is missing: %w", path, signer.ErrNotFound)
			}
			return common.Address{}, fmt.Errorf("keystore:%s: %w", rest, err)
		}
		if a, ok := keystore.ReadAddress(data); ok {
			return a, nil
		}
		// A file without its address field: only unlocking tells.
	case hasScheme && (scheme == BackendKeystore || scheme == BackendKeyring):
		name = rest
		if e, err := s.Get(name); err == nil {
			return e.Address, nil
		}
	case !hasScheme && ref != BackendLedger:
		e, err := s.Get(name)
		if err != nil {
			return common.Address{}, err
		}
		return e.Address, nil
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
