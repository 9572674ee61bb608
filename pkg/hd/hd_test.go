package hd

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

const testMnemonic = "test test test test test test test test test test test junk"

// The official BIP-39 vectors (Trezor), passphrase "TREZOR": seed and the
// BIP-32 master key of each must match.
func TestTrezorVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "bip39", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		English [][4]string `json:"english"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.English) != 24 {
		t.Fatalf("%d vectors, want 24", len(v.English))
	}
	for _, vec := range v.English {
		entropy, mnemonic, seedHex, xprv := vec[0], vec[1], vec[2], vec[3]
		t.Run(entropy, func(t *testing.T) {
			seed, err := Seed([]byte(mnemonic), []byte("TREZOR"))
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(seed); got != seedHex {
				t.Fatalf("seed %s, want %s", got, seedHex)
			}
			master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
			if err != nil {
				t.Fatal(err)
			}
			if master.String() != xprv {
				t.Fatalf("master %s, want %s", master, xprv)
			}
		})
	}
}

// The well-known development mnemonic (Hardhat, anvil, our devnet).
func TestTestMnemonicAddresses(t *testing.T) {
	tests := []struct {
		index uint32
		addr  string
	}{
		{0, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},
		{1, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"},
		{2, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"},
	}
	for _, tt := range tests {
		key, err := KeyFromMnemonic([]byte(testMnemonic), nil, PathForIndex(tt.index))
		if err != nil {
			t.Fatal(err)
		}
		if got := crypto.PubkeyToAddress(key.PublicKey); got != common.HexToAddress(tt.addr) {
			t.Errorf("index %d: %s, want %s", tt.index, got.Hex(), tt.addr)
		}
	}
	// An explicit path equals the index shorthand.
	p, err := ParsePath("m/44'/60'/0'/0/1")
	if err != nil {
		t.Fatal(err)
	}
	key, err := KeyFromMnemonic([]byte(testMnemonic), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := crypto.PubkeyToAddress(key.PublicKey); got != common.HexToAddress(tests[1].addr) {
		t.Errorf("explicit path: %s", got.Hex())
	}
}

// A BIP-39 passphrase selects a different wallet.
func TestPassphraseChangesKey(t *testing.T) {
	a, err := KeyFromMnemonic([]byte(testMnemonic), nil, PathForIndex(0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := KeyFromMnemonic([]byte(testMnemonic), []byte("extra"), PathForIndex(0))
	if err != nil {
		t.Fatal(err)
	}
	if crypto.PubkeyToAddress(a.PublicKey) == crypto.PubkeyToAddress(b.PublicKey) {
		t.Fatal("passphrase ignored")
	}
}

func TestNormalizeMnemonic(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
		msg     string
	}{
		{"canonical", testMnemonic, testMnemonic, nil, ""},
		{"messy whitespace and case", "  Test test\ttest\ntest test test test test test test test JUNK \n", testMnemonic, nil, ""},
		{"bad word", "test test tset test test test test test test test test junk", "", nil, `word 3 of 12 ("tset") is not in the BIP-39 English word list`},
		{"bad checksum", "test test test test test test test test test test test test", "", ErrChecksum, "checksum"},
		{"too few", "test test test", "", ErrWordCount, "has 3 words"},
		{"empty", "", "", ErrWordCount, "has 0 words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeMnemonic([]byte(tt.in))
			if tt.msg == "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("got %q, %v", got, err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("%v is not %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("%q lacks %q", err, tt.msg)
			}
			// Only an invalid word may be named, never a valid one.
			if strings.Contains(err.Error(), "junk") || strings.Contains(err.Error(), `"test"`) {
				t.Errorf("error names a mnemonic word: %q", err)
			}
		})
	}
	var we *WordError
	_, err := NormalizeMnemonic([]byte("test test tset test test test test test test test test junk"))
	if !errors.As(err, &we) || we.Position != 3 {
		t.Errorf("WordError: %v", err)
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"m/44'/60'/0'/0/0", "m/44'/60'/0'/0/0", true},
		{" m/44'/60'/3'/0/7 ", "m/44'/60'/3'/0/7", true},
		{"44'/60'/0'/0/0", "", false},
		{"m/x", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		p, err := ParsePath(tt.in)
		if (err == nil) != tt.ok || (tt.ok && p.String() != tt.want) {
			t.Errorf("ParsePath(%q) = %v, %v", tt.in, p, err)
		}
	}
	if got := PathForIndex(5).String(); got != "m/44'/60'/0'/0/5" {
		t.Errorf("PathForIndex(5) = %s", got)
	}
	if PathForIndex(0).String() != DefaultPath {
		t.Error("DefaultPath mismatch")
	}
}
