package signer

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// TypedDataSigner is implemented by signers that can sign EIP-712 typed
// data (an EIP-2612 permit, for instance). It is optional: callers check
// for it with a type assertion and fall back to transactions otherwise.
type TypedDataSigner interface {
	Signer
	// SignTypedData returns the 65-byte signature r || s || v (v = 27 or
	// 28) of td's EIP-712 hash. Implementations verify that it recovers to
	// Address() before returning it.
	SignTypedData(ctx context.Context, td apitypes.TypedData) ([]byte, error)
}

// ErrTypedDataUnsupported is wrapped when a signer that implements
// TypedDataSigner cannot sign this typed data after all (a device app too
// old for EIP-712); the caller falls back to a transaction.
var ErrTypedDataUnsupported = errors.New("typed data signing not supported")

// TypedDataHashes returns the domain separator and the message's struct
// hash of td, the two hashes an EIP-712 signature covers.
func TypedDataHashes(td apitypes.TypedData) (domain, message common.Hash, err error) {
	d, err := td.HashStruct("EIP712Domain", td.Domain.Map())
	if err != nil {
		return common.Hash{}, common.Hash{}, fmt.Errorf("hash EIP-712 domain: %w", err)
	}
	m, err := td.HashStruct(td.PrimaryType, td.Message)
	if err != nil {
		return common.Hash{}, common.Hash{}, fmt.Errorf("hash EIP-712 %s: %w", td.PrimaryType, err)
	}
	return common.BytesToHash(d), common.BytesToHash(m), nil
}

// TypedDataDigest is keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)),
// the digest an EIP-712 signature signs.
func TypedDataDigest(td apitypes.TypedData) (common.Hash, error) {
	d, m, err := TypedDataHashes(td)
	if err != nil {
		return common.Hash{}, err
	}
	return DigestOf(d, m), nil
}

// DigestOf combines a domain separator and a struct hash into the EIP-712
// digest.
func DigestOf(domain, message common.Hash) common.Hash {
	return crypto.Keccak256Hash([]byte{0x19, 0x01}, domain[:], message[:])
}

// VerifyTypedData checks that sig (r ‖ s ‖ v, v 27/28 or 0/1) over digest
// recovers to want.
func VerifyTypedData(digest common.Hash, sig []byte, want common.Address) error {
	if len(sig) != 65 {
		return fmt.Errorf("typed-data signature is %d bytes, want 65", len(sig))
	}
	s := append([]byte(nil), sig...)
	if s[64] >= 27 {
		s[64] -= 27
	}
	pub, err := crypto.SigToPub(digest[:], s)
	if err != nil {
		return fmt.Errorf("recover typed-data signer: %w", err)
	}
	if got := crypto.PubkeyToAddress(*pub); got != want {
		return &WrongSenderError{Got: got, Want: want}
	}
	return nil
}
