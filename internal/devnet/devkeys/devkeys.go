// Package devkeys holds the publicly known keys of the stakewallet devnet:
// the ten accounts of the standard test mnemonic (the same ones anvil and
// Hardhat fund) and the devnet oracle account. None of these keys is secret;
// never send real funds to them.
package devkeys

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Mnemonic is the well-known test mnemonic the test accounts derive from
// (BIP-44 path m/44'/60'/0'/0/i).
const Mnemonic = "test test test test test test test test test test test junk"

// DerivationPath is the BIP-32 path template of test account i.
const DerivationPath = "m/44'/60'/0'/0/%d"

// NumTestAccounts is how many test accounts the devnet funds.
const NumTestAccounts = 10

// testKeyHex returns the private key of m/44'/60'/0'/0/i of Mnemonic, as
// printed by anvil and Hardhat. Hard-coded so that starting the devnet needs
// no HD derivation; a test checks them against anvil's addresses. A function,
// not a variable, so nothing can overwrite them.
func testKeyHex(i int) string {
	return [NumTestAccounts]string{
		"ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
		"59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
		"5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
		"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
		"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
		"8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
		"92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
		"4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
		"dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
		"2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
	}[i]
}

// oracleKeySeed derives the oracle key: keccak256 of this string. A derived
// key makes it obvious the key is public and devnet-only.
const oracleKeySeed = "stakewallet-devnet oracle (public devnet-only key)"

// Account is a devnet account with its (public, test-only) private key.
type Account struct {
	// Index is the mnemonic index, or -1 for the oracle.
	Index      int
	Address    common.Address
	PrivateKey *ecdsa.PrivateKey
}

// KeyHex returns the private key as 0x-prefixed hex.
func (a Account) KeyHex() string {
	return fmt.Sprintf("0x%x", crypto.FromECDSA(a.PrivateKey))
}

// TestAccount returns test account i (0 ≤ i < NumTestAccounts).
func TestAccount(i int) (Account, error) {
	if i < 0 || i >= NumTestAccounts {
		return Account{}, fmt.Errorf("test account index %d out of range [0, %d)", i, NumTestAccounts)
	}
	key, err := crypto.HexToECDSA(testKeyHex(i))
	if err != nil {
		return Account{}, fmt.Errorf("test key %d: %w", i, err)
	}
	return Account{Index: i, Address: crypto.PubkeyToAddress(key.PublicKey), PrivateKey: key}, nil
}

// TestAccounts returns the ten funded test accounts in mnemonic order.
func TestAccounts() []Account {
	accs := make([]Account, NumTestAccounts)
	for i := range accs {
		acc, err := TestAccount(i)
		if err != nil {
			// The keys are constants covered by tests.
			panic(err)
		}
		accs[i] = acc
	}
	return accs
}

// Oracle returns the devnet oracle account: it signs the model oracle reports
// and pays the rewards they credit. Public and devnet-only.
func Oracle() Account {
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte(oracleKeySeed)))
	if err != nil {
		// keccak256 of a constant is a valid scalar; covered by tests.
		panic(err)
	}
	return Account{Index: -1, Address: crypto.PubkeyToAddress(key.PublicKey), PrivateKey: key}
}
