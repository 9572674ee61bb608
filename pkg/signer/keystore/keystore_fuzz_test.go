package keystore

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// fuzzPass is the passphrase of the seed files.
const fuzzPass = "fuzz-passphrase"

// keystoreSeeds are files to mutate: ours (cheap scrypt), cast's, and
// variants that reach the other key derivations and versions.
func keystoreSeeds(f *testing.F) [][]byte {
	k, err := crypto.HexToECDSA(testKeyHex)
	if err != nil {
		f.Fatal(err)
	}
	ours, err := Encrypt(k, []byte(fuzzPass), Params{N: 2, P: 1})
	if err != nil {
		f.Fatal(err)
	}
	cast, err := os.ReadFile(filepath.Join("testdata", "cast-1.7.1.json"))
	if err != nil {
		f.Fatal(err)
	}
	s := string(ours)
	// The MAC does not cover the IV: a short one reaches AES with the
	// right passphrase.
	shortIV := regexp.MustCompile(`"iv":"[0-9a-f]*"`).ReplaceAllString(s, `"iv":"0011223344556677"`)
	return [][]byte{
		[]byte(shortIV),
		[]byte(strings.Replace(shortIV, `"version":3`, `"version":"1"`, 1)),
		ours, cast,
		[]byte(strings.Replace(s, `"version":3`, `"version":"1"`, 1)),
		[]byte(strings.Replace(s, `"kdf":"scrypt"`, `"kdf":"pbkdf2"`, 1)),
		[]byte(strings.Replace(s, `"kdfparams":{`, `"kdfparams":{"c":2,"prf":"hmac-sha256",`, 1)),
		[]byte(strings.Replace(s, `"n":2`, `"n":1048576`, 1)),
		[]byte(strings.Replace(s, `"dklen":32`, `"dklen":16`, 1)),
		[]byte(strings.Replace(s, `"n":2`, `"n":"2"`, 1)),
		[]byte(`{"version":3,"crypto":{}}`),
		[]byte(`{"version":3,"crypto":{"cipher":"aes-128-ctr","kdf":"scrypt","kdfparams":{}}}`),
		[]byte(`{"address":"f39fd6e51aad88f6f4ce6ab8827279cfffb92266"}`),
	}
}

// fuzzCost is what the file's key derivation asks for, read independently
// of the package: scrypt's memory traffic 128·n·r·p in bytes, or PBKDF2's
// rounds; ok is false when the parameters are not numbers.
func fuzzCost(data []byte) (kdf string, cost float64, ok bool) {
	var f struct {
		Crypto struct {
			KDF       string         `json:"kdf"`
			KDFParams map[string]any `json:"kdfparams"`
		} `json:"crypto"`
	}
	if json.Unmarshal(data, &f) != nil {
		return "", 0, false
	}
	num := func(k string) (float64, bool) { v, ok := f.Crypto.KDFParams[k].(float64); return v, ok }
	switch f.Crypto.KDF {
	case "scrypt":
		n, ok1 := num("n")
		r, ok2 := num("r")
		p, ok3 := num("p")
		return "scrypt", 128 * n * r * p, ok1 && ok2 && ok3
	case "pbkdf2":
		c, ok := num("c")
		return "pbkdf2", c, ok
	}
	return f.Crypto.KDF, 0, false
}

// FuzzDecrypt opens arbitrary JSON as a keystore file. Whatever the file
// holds, Decrypt returns a key or an error, never a panic (go-ethereum's
// decoder trusts the file's types, lengths and sizes), and refuses key
// derivations beyond its bounds before running them. A key it returns is
// the file's "address" when the file has one; a wrong passphrase is
// ErrWrongPassphrase and signer.ErrUnavailable; no error repeats the
// passphrase.
func FuzzDecrypt(f *testing.F) {
	for _, s := range keystoreSeeds(f) {
		f.Add(s, fuzzPass)
		f.Add(s, "wrong")
	}
	f.Fuzz(func(t *testing.T, data []byte, pass string) {
		if kdf, cost, ok := fuzzCost(data); ok {
			// Keep each run fast: costs between a cheap one and the limit
			// are real work, not a finding.
			cheap := (kdf == "scrypt" && cost <= 128*(1<<12)) || (kdf == "pbkdf2" && cost <= 1<<14)
			over := (kdf == "scrypt" && cost > maxScryptMemory) || (kdf == "pbkdf2" && cost > maxPBKDF2Rounds)
			if !cheap && !over {
				return
			}
			if over {
				if _, err := Decrypt(data, []byte(pass), "keystore:fuzz"); err == nil {
					t.Fatalf("a %s costing %.0f (limit %d / %d) was run", kdf, cost, maxScryptMemory, maxPBKDF2Rounds)
				}
				return
			}
		}
		key, err := Decrypt(data, []byte(pass), "keystore:fuzz")
		if (key == nil) == (err == nil) {
			t.Fatalf("Decrypt = %v, %v: want exactly one of key and error", key, err)
		}
		if err != nil {
			// The passphrase must not show in the error, unless the error
			// for another passphrase has the same text anyway.
			if len(pass) >= 4 && strings.Contains(err.Error(), pass) {
				if _, other := Decrypt(data, []byte{1}, "keystore:fuzz"); other == nil || !strings.Contains(other.Error(), pass) {
					t.Fatalf("error shows the passphrase: %v", err)
				}
			}
			if errors.Is(err, ErrWrongPassphrase) != errors.Is(err, signer.ErrUnavailable) {
				t.Fatalf("wrong passphrase and signer.ErrUnavailable must come together: %v", err)
			}
			if !strings.Contains(err.Error(), "keystore:fuzz") {
				t.Fatalf("error %q does not name the key", err)
			}
			return
		}
		defer ZeroKey(key)
		addr := crypto.PubkeyToAddress(key.PublicKey)
		if want, ok := ReadAddress(data); ok && want != addr {
			t.Fatalf("Decrypt returned the key of %s for a file of %s", addr.Hex(), want.Hex())
		}
		if strings.Contains(string(data), hex.EncodeToString(crypto.FromECDSA(key))) {
			t.Logf("the file holds its key in the clear")
		}
	})
}

// FuzzReadAddress: the address field is read without the passphrase, so
// it is plain input. ReadAddress never panics, accepts only valid JSON with
// 40 hex digits, and gives the address those digits spell.
func FuzzReadAddress(f *testing.F) {
	for _, s := range keystoreSeeds(f) {
		f.Add(s)
	}
	for _, s := range []string{
		`{"address":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"}`, `{"address":"F39FD6E51AAD88F6F4CE6AB8827279CFFFB92266"}`,
		`{"address":"f39fd6e51aad88f6f4ce6ab8827279cfffb9226"}`, `{"address":"0x0xf39fd6e51aad88f6f4ce6ab8827279cfffb922"}`,
		`{"address":12}`, `{"Address":"f39fd6e51aad88f6f4ce6ab8827279cfffb92266"}`, `[]`, `{"address":"\u006639fd6e51aad88f6f4ce6ab8827279cfffb92266"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, ok := ReadAddress(data)
		if !ok {
			if a != (common.Address{}) {
				t.Fatalf("ReadAddress = %s with ok false", a.Hex())
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("ReadAddress accepted invalid JSON %q", data)
		}
		var doc struct {
			Address string `json:"address"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		digits := strings.TrimPrefix(strings.ToLower(doc.Address), "0x")
		raw, err := hex.DecodeString(digits)
		if err != nil || len(raw) != common.AddressLength || common.BytesToAddress(raw) != a {
			t.Fatalf("ReadAddress = %s from the field %q", a.Hex(), doc.Address)
		}
	})
}
