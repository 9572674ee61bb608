package ledger

import (
	"fmt"

	"github.com/ethereum/go-ethereum/accounts"
)

// Scheme is a family of derivation paths indexed by an account number.
type Scheme string

const (
	// SchemeLive is Ledger Live's m/44'/60'/N'/0/0.
	SchemeLive Scheme = "live"
	// SchemeLegacy is the old Ledger Chrome app / MEW m/44'/60'/0'/N.
	SchemeLegacy Scheme = "legacy"
)

// ParseScheme accepts "live" or "legacy".
func ParseScheme(s string) (Scheme, error) {
	switch Scheme(s) {
	case SchemeLive, SchemeLegacy:
		return Scheme(s), nil
	}
	return "", fmt.Errorf("unknown derivation scheme %q: want live or legacy", s)
}

const hardened = 0x80000000

// Path returns the scheme's path for account index i.
func (s Scheme) Path(i int) (accounts.DerivationPath, error) {
	if i < 0 || i >= hardened {
		return nil, fmt.Errorf("account index %d out of range", i)
	}
	switch s {
	case SchemeLive:
		return accounts.DerivationPath{hardened + 44, hardened + 60, hardened + uint32(i), 0, 0}, nil
	case SchemeLegacy:
		return accounts.DerivationPath{hardened + 44, hardened + 60, hardened + 0, uint32(i)}, nil
	}
	return nil, fmt.Errorf("unknown derivation scheme %q", s)
}
