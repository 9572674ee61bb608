package keystore

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gethkeystore "github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// Hardhat/anvil test accounts: public knowledge, never real funds.
const (
	testKeyHex  = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	testAddrHex = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	// testdata/cast-1.7.1.json was written by `cast wallet import castkey
	// --private-key <anvil key 2> --unsafe-password cast-fixture-pass`
	// (Foundry 1.7.1); it has no "address" field and n=8192.
	castPass = "cast-fixture-pass"
	castAddr = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
)

func testKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(testKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func testTx() *types.Transaction {
	to := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	return types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(1337), Nonce: 3, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(3e9),
		Gas: 21000, To: &to, Value: big.NewInt(12345),
	})
}

// A file we write must open with the go-ethereum API geth itself uses.
func TestEncryptOpensInGeth(t *testing.T) {
	data, err := Encrypt(testKey(t), []byte("hunter2"), cheapParams())
	if err != nil {
		t.Fatal(err)
	}
	k, err := gethkeystore.DecryptKey(data, "hunter2")
	if err != nil {
		t.Fatalf("geth cannot decrypt our file: %v", err)
	}
	if k.Address != common.HexToAddress(testAddrHex) {
		t.Fatalf("geth sees address %s", k.Address.Hex())
	}
	if got := common.Bytes2Hex(crypto.FromECDSA(k.PrivateKey)); got != testKeyHex {
		t.Fatal("geth decrypted a different key")
	}
	// geth's KeyStore (what `geth account list/update` uses) finds and
	// unlocks it too.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "UTC--2026-01-01T00-00-00.000000000Z--f39fd6e51aad88f6f4ce6ab8827279cfffb92266"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	ks := gethkeystore.NewKeyStore(dir, gethkeystore.LightScryptN, gethkeystore.LightScryptP)
	accts := ks.Accounts()
	if len(accts) != 1 || accts[0].Address != common.HexToAddress(testAddrHex) {
		t.Fatalf("geth keystore lists %v", accts)
	}
	if err := ks.Unlock(accts[0], "hunter2"); err != nil {
		t.Fatalf("geth unlock: %v", err)
	}
}

func TestEncryptUsesRequestedParams(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("standard scrypt takes seconds (a minute under -race); skipped with -short and -race")
	}
	data, err := Encrypt(testKey(t), []byte("pw"), StandardParams())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"n":262144`, `"p":1`, `"r":8`, `"kdf":"scrypt"`, `"cipher":"aes-128-ctr"`, `"version":3`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("standard file lacks %s: %s", want, data)
		}
	}
	if strings.Contains(string(data), testKeyHex) {
		t.Fatal("plaintext key in the file")
	}
}

// Files made by geth (KeyStore.NewAccount) and by cast must open and sign.
func TestOpenForeignFiles(t *testing.T) {
	gethDir := t.TempDir()
	ks := gethkeystore.NewKeyStore(gethDir, gethkeystore.LightScryptN, gethkeystore.LightScryptP)
	acct, err := ks.NewAccount("geth-pass")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, pass string
		want             common.Address
	}{
		{"geth NewAccount", acct.URL.Path, "geth-pass", acct.Address},
		{"cast wallet import", "testdata/cast-1.7.1.json", castPass, common.HexToAddress(castAddr)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.path, "keystore:x", []byte(tt.pass))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Address() != tt.want {
				t.Fatalf("address %s, want %s", s.Address().Hex(), tt.want.Hex())
			}
			signed, err := s.SignTx(context.Background(), testTx(), big.NewInt(1337))
			if err != nil {
				t.Fatal(err)
			}
			if err := signer.VerifySender(signed, big.NewInt(1337), tt.want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	good, err := Encrypt(testKey(t), []byte("right"), cheapParams())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string
		pass     string
		sentinel error
		msg      string
	}{
		{"wrong passphrase", writeFile(t, good), "wrong", signer.ErrUnavailable, "wrong passphrase for keystore:alice"},
		{"missing file", filepath.Join(t.TempDir(), "nope.json"), "x", signer.ErrNotFound, "does not exist"},
		{"not json", writeFile(t, []byte("hello")), "x", nil, "not a keystore file"},
		{"unsupported version", writeFile(t, []byte(`{"version":4,"crypto":{}}`)), "x", nil, "unsupported keystore version 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.path, "keystore:alice", []byte(tt.pass))
			if err == nil {
				t.Fatal("no error")
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q lacks %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), "right") || strings.Contains(err.Error(), testKeyHex) {
				t.Errorf("error leaks a secret: %q", err)
			}
		})
	}
}

func TestSignerSignsAndVerifies(t *testing.T) {
	data, err := Encrypt(testKey(t), []byte("pw"), cheapParams())
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, data)
	s, err := Open(path, "keystore:alice", []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "keystore:alice" || s.Path() != path {
		t.Fatalf("String %q Path %q", s.String(), s.Path())
	}
	chainID := big.NewInt(1337)
	signed, err := s.SignTx(context.Background(), testTx(), chainID)
	if err != nil {
		t.Fatal(err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(chainID), signed)
	if err != nil || from != common.HexToAddress(testAddrHex) {
		t.Fatalf("sender %s, %v", from.Hex(), err)
	}
	if _, err := s.SignTx(context.Background(), testTx(), nil); err == nil {
		t.Error("signed without a chain ID")
	}

	// The file swapped for another key after Open: the signer keeps the
	// key it decrypted, so it still signs as the account the user saw.
	other, _ := crypto.GenerateKey()
	otherData, err := Encrypt(other, []byte("pw"), cheapParams())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, otherData, 0o600); err != nil {
		t.Fatal(err)
	}
	signed, err = s.SignTx(context.Background(), testTx(), chainID)
	if err != nil {
		t.Fatalf("sign after the file was swapped: %v", err)
	}
	if from, _ := types.Sender(types.LatestSignerForChainID(chainID), signed); from != common.HexToAddress(testAddrHex) {
		t.Errorf("signed as %s after the file was swapped", from.Hex())
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignTx(context.Background(), testTx(), chainID); !errors.Is(err, signer.ErrUnavailable) {
		t.Errorf("closed signer signed: %v", err)
	}
}

func TestDecryptDetectsMismatchedAddress(t *testing.T) {
	data, err := Encrypt(testKey(t), []byte("pw"), cheapParams())
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(string(data), "f39fd6e51aad88f6f4ce6ab8827279cfffb92266", "70997970c51812dc3a010c7d01b50e0d17dc79c8", 1)
	if _, err := Decrypt([]byte(tampered), []byte("pw"), "keystore:t"); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("tampered address accepted: %v", err)
	}
}

func TestZeroKey(t *testing.T) {
	k := testKey(t)
	//lint:ignore SA1019 the test inspects the memory ZeroKey must clear
	words := k.D.Bits()
	ZeroKey(k)
	for _, w := range words {
		if w != 0 {
			t.Fatal("key words survive ZeroKey")
		}
	}
	//lint:ignore SA1019 see above
	if k.D.Sign() != 0 {
		t.Fatal("D not zero")
	}
	ZeroKey(nil) // must not panic
}

func TestReadAddress(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{`{"address":"f39fd6e51aad88f6f4ce6ab8827279cfffb92266"}`, testAddrHex, true},
		{`{"address":"0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266"}`, testAddrHex, true},
		{`{"crypto":{}}`, "", false},
		{`{"address":"xyz"}`, "", false},
		{`nope`, "", false},
	}
	for _, tt := range tests {
		got, ok := ReadAddress([]byte(tt.in))
		if ok != tt.ok || (ok && got != common.HexToAddress(tt.want)) {
			t.Errorf("ReadAddress(%s) = %s, %v", tt.in, got.Hex(), ok)
		}
	}
}

// cheapParams make scrypt nearly free; the format is the same.
func cheapParams() Params { return Params{N: 16, P: 1} }
