package ledgeremu

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestMnemonic is the well-known development mnemonic (Hardhat, Foundry,
// the stakewallet devnet): m/44'/60'/0'/0/0 is
// 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266.
const TestMnemonic = "test test test test test test test test test test test junk"

// seedFromMnemonic is BIP-39's PBKDF2-HMAC-SHA512, 2048 rounds, salt
// "mnemonic". The words are not checked against the word list: this is
// test code and only needs to reproduce what a device derives.
func seedFromMnemonic(mnemonic string) ([]byte, error) {
	for _, r := range mnemonic {
		if r > 0x7f {
			// Non-ASCII needs NFKD normalisation, which this emulator skips.
			return nil, errors.New("ledgeremu: only ASCII mnemonics are supported")
		}
	}
	m := strings.Join(strings.Fields(mnemonic), " ")
	return pbkdf2.Key(sha512.New, m, []byte("mnemonic"), 2048, 64)
}

// extKey is a BIP-32 extended private key.
type extKey struct {
	key   *big.Int
	chain []byte
}

func masterKey(seed []byte) (extKey, error) {
	mac := hmac.New(sha512.New, []byte("Bitcoin seed"))
	mac.Write(seed)
	i := mac.Sum(nil)
	k := new(big.Int).SetBytes(i[:32])
	if k.Sign() == 0 || k.Cmp(crypto.S256().Params().N) >= 0 {
		return extKey{}, errors.New("ledgeremu: invalid master key")
	}
	return extKey{key: k, chain: i[32:]}, nil
}

// child is BIP-32 CKDpriv.
func (k extKey) child(index uint32) (extKey, error) {
	n := crypto.S256().Params().N
	var data []byte
	if index >= 0x80000000 {
		data = append([]byte{0}, k.key.FillBytes(make([]byte, 32))...)
	} else {
		priv, err := crypto.ToECDSA(k.key.FillBytes(make([]byte, 32)))
		if err != nil {
			return extKey{}, err
		}
		data = crypto.CompressPubkey(&priv.PublicKey)
	}
	data = binary.BigEndian.AppendUint32(data, index)
	mac := hmac.New(sha512.New, k.chain)
	mac.Write(data)
	i := mac.Sum(nil)
	il := new(big.Int).SetBytes(i[:32])
	if il.Cmp(n) >= 0 {
		return extKey{}, fmt.Errorf("ledgeremu: index %d gives an invalid key", index)
	}
	ki := il.Add(il, k.key)
	ki.Mod(ki, n)
	if ki.Sign() == 0 {
		return extKey{}, fmt.Errorf("ledgeremu: index %d gives an invalid key", index)
	}
	return extKey{key: ki, chain: i[32:]}, nil
}

// derive walks a path from the master key.
func derive(master extKey, path []uint32) (*ecdsa.PrivateKey, []byte, error) {
	k := master
	for _, idx := range path {
		var err error
		if k, err = k.child(idx); err != nil {
			return nil, nil, err
		}
	}
	priv, err := crypto.ToECDSA(k.key.FillBytes(make([]byte, 32)))
	if err != nil {
		return nil, nil, err
	}
	return priv, k.chain, nil
}
