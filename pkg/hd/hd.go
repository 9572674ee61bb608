// Package hd turns a BIP-39 mnemonic into an Ethereum private key: mnemonic
// validation (word list and checksum), the BIP-39 seed with an optional
// passphrase, and BIP-32 derivation along a BIP-44 path, by default
// m/44'/60'/0'/0/N. internal/keys/DEPENDENCIES.md says which libraries do
// the work and why.
//
// Mnemonics and passphrases travel as []byte so callers can zero them; the
// libraries below take strings, and those copies Go cannot zero.
package hd

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	bip39 "github.com/cosmos/go-bip39"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/crypto"
	"golang.org/x/text/unicode/norm"
)

// DefaultPath is the BIP-44 path of account index 0 (MetaMask, geth,
// Foundry, Ledger Live all start here).
const DefaultPath = "m/44'/60'/0'/0/0"

// Errors of mnemonic validation. They never contain a valid word of the
// mnemonic: a WordError names only the word that is not in the list.
var (
	ErrWordCount = errors.New("a BIP-39 mnemonic has 12, 15, 18, 21 or 24 words")
	ErrChecksum  = errors.New("BIP-39 checksum mismatch: every word is in the list, but one is wrong or the words are out of order")
)

// WordError reports a word that is not in the BIP-39 English word list.
type WordError struct {
	Position int // 1-based
	Count    int
	Word     string
}

func (e *WordError) Error() string {
	return fmt.Sprintf("word %d of %d (%q) is not in the BIP-39 English word list", e.Position, e.Count, e.Word)
}

// PathForIndex is m/44'/60'/0'/0/index.
func PathForIndex(index uint32) accounts.DerivationPath {
	p := make(accounts.DerivationPath, len(accounts.DefaultBaseDerivationPath))
	copy(p, accounts.DefaultBaseDerivationPath)
	p[len(p)-1] = index
	return p
}

// ParsePath parses an absolute BIP-32 path such as m/44'/60'/0'/0/7.
// Relative paths are refused: they would silently be appended to a root
// the user did not write.
func ParsePath(s string) (accounts.DerivationPath, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "m/") {
		return nil, fmt.Errorf("derivation path %q must be absolute, like %s", s, DefaultPath)
	}
	p, err := accounts.ParseDerivationPath(s)
	if err != nil {
		return nil, fmt.Errorf("derivation path %q: %w", s, err)
	}
	return p, nil
}

// NormalizeMnemonic returns the canonical form of a typed or pasted
// mnemonic (NFKD, lower case, single spaces) after checking every word and
// the checksum. The result is a new slice the caller must zero.
func NormalizeMnemonic(mnemonic []byte) ([]byte, error) {
	words := strings.Fields(strings.ToLower(norm.NFKD.String(string(mnemonic))))
	defer clear(words) // drops references; the strings themselves stay until GC
	switch len(words) {
	case 12, 15, 18, 21, 24:
	default:
		return nil, fmt.Errorf("the mnemonic has %d words; %w", len(words), ErrWordCount)
	}
	for i, w := range words {
		if _, ok := bip39.ReverseWordMap[w]; !ok {
			return nil, &WordError{Position: i + 1, Count: len(words), Word: w}
		}
	}
	joined := []byte(strings.Join(words, " "))
	if _, err := bip39.MnemonicToByteArray(string(joined)); err != nil {
		clear(joined)
		return nil, ErrChecksum
	}
	return joined, nil
}

// Seed is the 64-byte BIP-39 seed of a valid mnemonic and passphrase
// (both NFKD-normalised, as BIP-39 requires). The caller must zero it.
func Seed(mnemonic, passphrase []byte) ([]byte, error) {
	m, err := NormalizeMnemonic(mnemonic)
	if err != nil {
		return nil, err
	}
	defer clear(m)
	return bip39.NewSeed(string(m), norm.NFKD.String(string(passphrase))), nil
}

// DeriveKey walks path from seed with BIP-32 private derivation.
func DeriveKey(seed []byte, path accounts.DerivationPath) (*ecdsa.PrivateKey, error) {
	// The network parameters only choose the xprv version bytes, which
	// never leave this function.
	k, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		return nil, fmt.Errorf("BIP-32 master key: %w", err)
	}
	for _, idx := range path {
		// Derive, not DeriveNonStandard: the latter reproduces btcutil's
		// old bug of dropping leading zero bytes of private keys, which
		// yields keys no other wallet derives.
		child, err := k.Derive(idx)
		k.Zero()
		if err != nil {
			return nil, fmt.Errorf("BIP-32 derivation at %s: %w", path, err)
		}
		k = child
	}
	defer k.Zero()
	priv, err := k.ECPrivKey()
	if err != nil {
		return nil, err
	}
	raw := priv.Serialize()
	priv.Zero()
	defer clear(raw)
	return crypto.ToECDSA(raw)
}

// KeyFromMnemonic validates mnemonic and derives the key at path. The
// caller must zero the key (keystore.ZeroKey).
func KeyFromMnemonic(mnemonic, passphrase []byte, path accounts.DerivationPath) (*ecdsa.PrivateKey, error) {
	seed, err := Seed(mnemonic, passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(seed)
	return DeriveKey(seed, path)
}
