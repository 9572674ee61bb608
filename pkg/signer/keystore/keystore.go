// Package keystore signs with a key kept in a Web3 Secret Storage v3 file
// (scrypt + aes-128-ctr), the format of geth's keystore and Foundry's
// `cast wallet import`. It uses go-ethereum's accounts/keystore primitives
// so that the files we write open in geth and theirs open here.
//
// The private key is decrypted only while opening (to check the passphrase
// and learn the address) and while signing, and its bytes are zeroed as soon
// as they are no longer needed.
package keystore

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strings"
	"sync"

	gethkeystore "github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
	"github.com/google/uuid"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// Params are the scrypt cost parameters used when encrypting.
type Params struct{ N, P int }

// StandardParams are geth's default (about 256 MB and 1 s per operation);
// every file written for a user uses them.
func StandardParams() Params {
	return Params{N: gethkeystore.StandardScryptN, P: gethkeystore.StandardScryptP}
}

// LightParams are geth's --lightkdf parameters: only for tests, where the
// standard cost would make every test take seconds.
func LightParams() Params {
	return Params{N: gethkeystore.LightScryptN, P: gethkeystore.LightScryptP}
}

// ErrWrongPassphrase is wrapped (together with signer.ErrUnavailable) when
// the MAC check fails.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// fileV3 is the Web3 Secret Storage v3 layout, as geth writes it (address
// lower-case hex without 0x, version a number).
type fileV3 struct {
	Address string                  `json:"address"`
	Crypto  gethkeystore.CryptoJSON `json:"crypto"`
	ID      string                  `json:"id"`
	Version int                     `json:"version"`
}

// Encrypt returns the v3 JSON of key under passphrase. The caller keeps
// ownership of key and passphrase (and zeroes them).
func Encrypt(key *ecdsa.PrivateKey, passphrase []byte, p Params) ([]byte, error) {
	if key == nil {
		return nil, errors.New("no key to encrypt")
	}
	keyBytes := make([]byte, 32)
	defer clear(keyBytes)
	fromECDSA := crypto.FromECDSA(key)
	copy(keyBytes, fromECDSA)
	clear(fromECDSA)
	cj, err := gethkeystore.EncryptDataV3(keyBytes, passphrase, p.N, p.P)
	if err != nil {
		return nil, fmt.Errorf("encrypt key: %w", err)
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("key id: %w", err)
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	return json.Marshal(fileV3{
		Address: hex.EncodeToString(addr[:]),
		Crypto:  cj,
		ID:      id.String(),
		Version: 3,
	})
}

// Decrypt returns the private key of a keystore file's JSON. label names the
// key in errors ("keystore:alice"). A wrong passphrase yields an error that
// wraps both ErrWrongPassphrase and signer.ErrUnavailable. The caller must
// ZeroKey the result.
func Decrypt(data, passphrase []byte, label string) (*ecdsa.PrivateKey, error) {
	// version is a number in v3 files and the string "1" in v1 files.
	var f struct {
		Address string                  `json:"address"`
		Crypto  gethkeystore.CryptoJSON `json:"crypto"`
		Version json.RawMessage         `json:"version"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: not a keystore file: %w", label, err)
	}
	var (
		keyBytes []byte
		err      error
	)
	switch strings.TrimSpace(string(f.Version)) {
	case "3":
		if err := checkCrypto(f.Crypto, false); err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		// DecryptDataV3 hands us the plaintext, which we can zero; the
		// higher-level DecryptKey would leave a copy behind.
		keyBytes, err = gethkeystore.DecryptDataV3(f.Crypto, string(passphrase))
	case `"1"`:
		if err := checkCrypto(f.Crypto, true); err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		// 2015-era geth files, only through DecryptKey.
		var k *gethkeystore.Key
		if k, err = gethkeystore.DecryptKey(data, string(passphrase)); err == nil {
			return k.PrivateKey, nil
		}
	default:
		return nil, fmt.Errorf("%s: unsupported keystore version %s (want 3)", label, f.Version)
	}
	defer clear(keyBytes)
	if errors.Is(err, gethkeystore.ErrDecrypt) {
		return nil, fmt.Errorf("%w for %s: %w", ErrWrongPassphrase, label, signer.ErrUnavailable)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	key, err := crypto.ToECDSA(keyBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid key: %w", label, err)
	}
	if want, ok := ReadAddress(data); ok {
		if got := crypto.PubkeyToAddress(key.PublicKey); got != want {
			ZeroKey(key)
			return nil, fmt.Errorf("%s: file says address %s but the key is %s; the file is corrupt", label, want.Hex(), got.Hex())
		}
	}
	return key, nil
}

// Bounds on the key derivation a keystore file may ask for. A file can come
// from anywhere, and its scrypt or PBKDF2 parameters set how much memory
// and time opening it takes: unbounded, one file could hang the CLI for
// hours or exhaust memory before the passphrase is even checked.
const (
	// maxScryptMemory caps scrypt's 128·N·r·p bytes: 1 GiB, four times
	// geth's standard parameters (N=2^18, r=8, p=1), which every wallet we
	// know of stays within.
	maxScryptMemory = 1 << 30
	// maxPBKDF2Rounds caps PBKDF2-SHA256's iteration count (geth writes
	// 262144); ten million take a few seconds.
	maxPBKDF2Rounds = 10_000_000
)

// checkCrypto checks a file's crypto section before go-ethereum's decoder,
// which trusts its types and lengths (a missing salt, a string where a
// number belongs, a short IV or a dklen under 32 make it panic) and runs
// whatever key derivation the file names. cbc is the version-1 layout.
func checkCrypto(c gethkeystore.CryptoJSON, cbc bool) error {
	const reencrypt = "re-encrypt the key with standard parameters (e.g. `geth account update`), or import its private key with `stakewallet keys import --private-key-file`"
	bad := func(format string, args ...any) error {
		return fmt.Errorf("not a usable keystore file: "+format, args...)
	}
	for _, h := range []struct {
		name, hex string
		want      int // decoded length; 0 = any
	}{{"cipherparams.iv", c.CipherParams.IV, 16}, {"mac", c.MAC, 32}, {"ciphertext", c.CipherText, 0}} {
		b, err := hex.DecodeString(h.hex)
		switch {
		case err != nil:
			return bad("%s is not hex", h.name)
		case h.want != 0 && len(b) != h.want:
			return bad("%s is %d bytes, want %d", h.name, len(b), h.want)
		case h.name == "ciphertext" && cbc && (len(b) == 0 || len(b)%16 != 0):
			return bad("ciphertext of %d bytes is not whole AES blocks", len(b))
		}
	}
	if salt, ok := c.KDFParams["salt"].(string); !ok {
		return bad("kdfparams.salt is missing")
	} else if _, err := hex.DecodeString(salt); err != nil {
		return bad("kdfparams.salt is not hex")
	}
	// JSON numbers decode as float64; each must be a whole number in range.
	num := func(name string, lo, hi float64) (float64, error) {
		v, ok := c.KDFParams[name].(float64)
		if !ok || v < lo || v > hi || v != math.Trunc(v) {
			return 0, bad("kdfparams.%s must be a whole number from %.0f to %.0f", name, lo, hi)
		}
		return v, nil
	}
	if _, err := num("dklen", 32, 64); err != nil {
		return err
	}
	switch c.KDF {
	case "scrypt":
		n, err := num("n", 2, 1<<30)
		if err != nil {
			return err
		}
		r, err := num("r", 1, 1<<20)
		if err != nil {
			return err
		}
		p, err := num("p", 1, 1<<20)
		if err != nil {
			return err
		}
		if mem := 128 * n * r * p; mem > maxScryptMemory {
			return fmt.Errorf("the file's scrypt parameters (n=%.0f, r=%.0f, p=%.0f) would take %.0f MiB of work, more than the %d MiB stakewallet allows: %s",
				n, r, p, mem/(1<<20), maxScryptMemory>>20, reencrypt)
		}
	case "pbkdf2":
		if prf, _ := c.KDFParams["prf"].(string); prf != "hmac-sha256" {
			return bad("kdfparams.prf %q is not supported (want hmac-sha256)", prf)
		}
		if _, err := num("c", 1, maxPBKDF2Rounds); err != nil {
			return fmt.Errorf("%w: %s", err, reencrypt)
		}
	default:
		return bad("key derivation %q is not supported (want scrypt or pbkdf2)", c.KDF)
	}
	return nil
}

// ZeroKey overwrites the private scalar in place. Go offers no guarantee
// that no copy survives elsewhere, but this removes the one we own.
func ZeroKey(key *ecdsa.PrivateKey) {
	//lint:ignore SA1019 see below
	if key == nil || key.D == nil {
		return
	}
	// The deprecated field is the only handle on the scalar's memory:
	// PrivateKey.Bytes returns a copy, which would leave the original.
	//lint:ignore SA1019 zeroing in place has no replacement API
	clear(key.D.Bits())
	//lint:ignore SA1019 see above
	key.D.SetInt64(0)
}

// SignWithKey signs tx with key for chainID and checks that the signature
// recovers to want. Every local-key backend signs through it.
func SignWithKey(key *ecdsa.PrivateKey, tx *types.Transaction, chainID *big.Int, want common.Address) (*types.Transaction, error) {
	if chainID == nil || chainID.Sign() <= 0 {
		return nil, errors.New("refusing to sign without a chain ID (replay protection)")
	}
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(chainID), key)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if err := signer.VerifySender(signed, chainID, want); err != nil {
		return nil, err
	}
	return signed, nil
}

// Signer signs with the key of one keystore file. It decrypts once, in
// Open (so a wrong passphrase fails before any preview), and holds the key
// until Close zeroes it. Holding the passphrase instead would be no safer
// (it unlocks the same key) and would cost a full scrypt run per signature.
type Signer struct {
	label string
	path  string
	addr  common.Address

	mu  sync.Mutex
	key *ecdsa.PrivateKey
}

var (
	_ signer.Signer = (*Signer)(nil)
	_ signer.Closer = (*Signer)(nil)
)

// Open reads the keystore file at path and decrypts it with passphrase.
// label is how the signer names itself ("keystore:alice"). The caller may
// zero its passphrase slice afterwards.
func Open(path, label string, passphrase []byte) (*Signer, error) {
	data, err := ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: keystore file %s does not exist: %w", label, path, signer.ErrNotFound)
		}
		// A directory, or a file we may not read: no key to use here.
		return nil, fmt.Errorf("%s: cannot read keystore file %s (check the path and its permissions): %w: %w", label, path, err, signer.ErrUnavailable)
	}
	key, err := Decrypt(data, passphrase, label)
	if err != nil {
		return nil, err
	}
	return &Signer{label: label, path: path, addr: crypto.PubkeyToAddress(key.PublicKey), key: key}, nil
}

// Address is the account of the file.
func (s *Signer) Address() common.Address { return s.addr }

// String is the label given to Open.
func (s *Signer) String() string { return s.label }

// Path is the keystore file.
func (s *Signer) Path() string { return s.path }

// SignTx signs and verifies the sender.
func (s *Signer) SignTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		return nil, fmt.Errorf("%s: signer is closed: %w", s.label, signer.ErrUnavailable)
	}
	return SignWithKey(s.key, tx, chainID, s.addr)
}

// PrivateKey returns a copy of the key, for an explicit export only. The
// caller must ZeroKey it.
func (s *Signer) PrivateKey() (*ecdsa.PrivateKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		return nil, fmt.Errorf("%s: signer is closed: %w", s.label, signer.ErrUnavailable)
	}
	return crypto.ToECDSA(crypto.FromECDSA(s.key))
}

// Close zeroes the key.
func (s *Signer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		ZeroKey(s.key)
		s.key = nil
	}
	return nil
}

// ReadAddress returns the address recorded in a keystore file without
// decrypting it, or false when the file has none (the field is optional).
func ReadAddress(data []byte) (common.Address, bool) {
	var f struct {
		Address string `json:"address"`
	}
	if json.Unmarshal(data, &f) != nil {
		return common.Address{}, false
	}
	a := strings.TrimPrefix(strings.ToLower(f.Address), "0x")
	if len(a) != 40 || !common.IsHexAddress(a) {
		return common.Address{}, false
	}
	return common.HexToAddress(a), true
}

// MaxFileSize bounds what is read of a keystore file. geth and Foundry
// write under 1 KiB; the bound keeps a mistaken path (a device such as
// /dev/zero, a huge file) from reading forever or filling memory.
const MaxFileSize = 1 << 20

// ReadFile reads the keystore file at path: a regular file of at most
// MaxFileSize bytes.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a keystore file", path, MaxFileSize)
	}
	return data, nil
}

var _ signer.TypedDataSigner = (*Signer)(nil)

// SignTypedDataWithKey signs td's EIP-712 digest with key and checks that
// the signature recovers to want. Returns r ‖ s ‖ v with v = 27/28.
func SignTypedDataWithKey(key *ecdsa.PrivateKey, td apitypes.TypedData, want common.Address) ([]byte, error) {
	digest, err := signer.TypedDataDigest(td)
	if err != nil {
		return nil, err
	}
	sig, err := crypto.Sign(digest[:], key)
	if err != nil {
		return nil, fmt.Errorf("sign typed data: %w", err)
	}
	sig[64] += 27
	if err := signer.VerifyTypedData(digest, sig, want); err != nil {
		return nil, err
	}
	return sig, nil
}

// SignTypedData implements signer.TypedDataSigner.
func (s *Signer) SignTypedData(ctx context.Context, td apitypes.TypedData) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		return nil, fmt.Errorf("%s: signer is closed: %w", s.label, signer.ErrUnavailable)
	}
	return SignTypedDataWithKey(s.key, td, s.addr)
}
