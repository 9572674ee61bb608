// Package signer defines the one interface every key backend (keystore file,
// OS keyring, Ledger) implements, modelled on go-ethereum's accounts.Wallet
// but reduced to what a transaction-sending CLI needs.
package signer

import (
	"context"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Signer signs transactions for exactly one account.
type Signer interface {
	// Address is the account whose key signs.
	Address() common.Address
	// SignTx returns tx signed for chainID. Implementations must verify that
	// the signature recovers to Address() before returning it, so that a
	// wrong device account or corrupted key never reaches the network.
	SignTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error)
	// String names the signer for previews and errors, e.g.
	// "keystore:alice" or "ledger m/44'/60'/0'/0/0". Never a secret.
	String() string
}

// Closer is implemented by signers that hold a resource (a USB handle, a
// TCP connection) that must be released.
type Closer interface {
	Close() error
}

// Sentinel errors that backends wrap (with %w) so the CLI can map them to
// exit codes without knowing the backend.
var (
	// ErrUnavailable: the signer cannot be used right now (no device,
	// locked, app not open, blind signing off, keyring unreachable, wrong
	// passphrase). Exit code 7.
	ErrUnavailable = errors.New("signer unavailable")
	// ErrDeclined: the user refused on the device or at a prompt. Exit code 6.
	ErrDeclined = errors.New("declined by the user")
	// ErrNotFound: the named key does not exist. Exit code 2.
	ErrNotFound = errors.New("key not found")
)

// VerifySender checks that signed recovers to want; backends call it before
// returning a signed transaction.
func VerifySender(signed *types.Transaction, chainID *big.Int, want common.Address) error {
	from, err := types.Sender(types.LatestSignerForChainID(chainID), signed)
	if err != nil {
		return err
	}
	if from != want {
		return &WrongSenderError{Got: from, Want: want}
	}
	return nil
}

// WrongSenderError reports a signature from an unexpected account.
type WrongSenderError struct{ Got, Want common.Address }

func (e *WrongSenderError) Error() string {
	return "signature recovers to " + e.Got.Hex() + ", expected " + e.Want.Hex() + "; refusing to broadcast"
}
