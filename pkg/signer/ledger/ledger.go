// Package ledger is the Signer backed by a Ledger hardware wallet running
// the Ethereum app. Signer references:
//
//	ledger                       = ledger:0
//	ledger:N                     Ledger Live account N, m/44'/60'/N'/0/0
//	ledger:m/44'/60'/0'/0/N      any BIP-32 path
//
// The transport is "hid" (USB, the default) or "tcp://HOST:PORT" (the
// Speculos emulator's APDU port).
package ledger

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// ErrBadRef reports a malformed ledger signer reference (bad input).
var ErrBadRef = errors.New("invalid Ledger signer reference")

// IsRef reports whether ref names a Ledger signer.
func IsRef(ref string) bool { return ref == "ledger" || strings.HasPrefix(ref, "ledger:") }

// ParseRef returns the derivation path a reference names.
func ParseRef(ref string) (accounts.DerivationPath, error) {
	if !IsRef(ref) {
		return nil, fmt.Errorf("%w %q: want ledger, ledger:N or ledger:m/44'/60'/…", ErrBadRef, ref)
	}
	arg, _ := strings.CutPrefix(strings.TrimPrefix(ref, "ledger"), ":")
	if ref == "ledger" {
		arg = "0"
	}
	if strings.HasPrefix(arg, "m/") {
		p, err := accounts.ParseDerivationPath(arg)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrBadRef, ref, err)
		}
		if len(p) > 10 {
			return nil, fmt.Errorf("%w %q: a Ledger path has at most 10 components", ErrBadRef, ref)
		}
		return p, nil
	}
	n, err := strconv.ParseUint(arg, 10, 31)
	if err != nil {
		return nil, fmt.Errorf("%w %q: want ledger:N with N a Ledger Live account number, or ledger:m/44'/60'/…", ErrBadRef, ref)
	}
	return ledgerapp.SchemeLive.Path(int(n))
}

// Options configure Open. The zero value uses USB and default timeouts.
type Options struct {
	// Transport is "hid" (default) or "tcp://HOST:PORT".
	Transport string
	// CommandTimeout and ReviewTimeout: see ledger.Options.
	CommandTimeout time.Duration
	ReviewTimeout  time.Duration
	// OnEvent receives status updates, e.g. ledger.EventReview with
	// "Review and approve on your Ledger" while the device waits.
	OnEvent func(ledgerapp.Event)
	// Expect, when set, is the address registered for this path (keys add
	// --ledger): another device or passphrase deriving a different one is
	// refused before anything is signed.
	Expect common.Address
}

// Signer signs with one account of a Ledger.
type Signer struct {
	app  *ledgerapp.App
	path accounts.DerivationPath
	addr common.Address
}

var _ signer.Signer = (*Signer)(nil)
var _ signer.Closer = (*Signer)(nil)

// OpenApp opens the transport and checks that the device is unlocked with
// the Ethereum app open; for `ledger info` and `ledger addresses`.
func OpenApp(ctx context.Context, opts Options) (*ledgerapp.App, error) {
	t, err := ledgerapp.OpenTransport(ctx, opts.Transport)
	if err != nil {
		return nil, err
	}
	app := ledgerapp.NewApp(t, ledgerapp.Options{CommandTimeout: opts.CommandTimeout, ReviewTimeout: opts.ReviewTimeout, OnEvent: opts.OnEvent})
	if _, err := app.Ready(ctx); err != nil {
		_ = t.Close()
		return nil, err
	}
	return app, nil
}

// Open connects to the device and derives the account ref names.
func Open(ctx context.Context, ref string, opts Options) (*Signer, error) {
	path, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	app, err := OpenApp(ctx, opts)
	if err != nil {
		return nil, err
	}
	s, err := New(ctx, app, path, opts.Expect)
	if err != nil {
		_ = app.Close()
		return nil, err
	}
	return s, nil
}

// New makes a Signer from an App that is already open, deriving the
// address at path and checking it against expect when that is set.
func New(ctx context.Context, app *ledgerapp.App, path accounts.DerivationPath, expect common.Address) (*Signer, error) {
	acct, err := app.Address(ctx, path, false)
	if err != nil {
		return nil, err
	}
	if expect != (common.Address{}) && acct.Address != expect {
		return nil, fmt.Errorf("the Ledger derives %s at %s, not the registered %s: is this the right device and passphrase? %w",
			acct.Address.Hex(), path, expect.Hex(), signer.ErrUnavailable)
	}
	return &Signer{app: app, path: append(accounts.DerivationPath(nil), path...), addr: acct.Address}, nil
}

// Address implements signer.Signer.
func (s *Signer) Address() common.Address { return s.addr }

// Path is the account's derivation path.
func (s *Signer) Path() accounts.DerivationPath { return s.path }

// App gives access to the device for info and address listing.
func (s *Signer) App() *ledgerapp.App { return s.app }

// String implements signer.Signer.
func (s *Signer) String() string { return "ledger " + s.path.String() }

// Plan tells whether the device can show tx in clear or will blind-sign it.
func (s *Signer) Plan(tx *types.Transaction, chainID *big.Int) ledgerapp.SignPlan {
	return ledgerapp.Plan(tx, chainID)
}

// VerifyAddress shows the address on the device and waits for the user to
// confirm it matches (for `keys add --ledger`).
func (s *Signer) VerifyAddress(ctx context.Context) error {
	acct, err := s.app.Address(ctx, s.path, true)
	if err != nil {
		return err
	}
	if acct.Address != s.addr {
		return fmt.Errorf("the Ledger now derives %s at %s, not %s: %w", acct.Address.Hex(), s.path, s.addr.Hex(), signer.ErrUnavailable)
	}
	return nil
}

// SignTx implements signer.Signer: the device shows the transaction, the
// user approves, and the signature is checked to recover to Address().
func (s *Signer) SignTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	signed, err := s.app.SignTx(ctx, s.path, tx, chainID, s.addr)
	if err != nil {
		return nil, err
	}
	// The app client already verified; this is the contract of Signer and
	// cheap, so it stays even if that code changes.
	if err := signer.VerifySender(signed, chainID, s.addr); err != nil {
		return nil, err
	}
	return signed, nil
}

// Close implements signer.Closer.
func (s *Signer) Close() error { return s.app.Close() }

var (
	_ signer.TypedDataSigner  = (*Signer)(nil)
	_ signer.TypedDataChecker = (*Signer)(nil)
)

// TypedDataSupport implements signer.TypedDataChecker: nil when the app
// signs EIP-712 in full mode (or v0 with blind signing on), else why not.
func (s *Signer) TypedDataSupport() error {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerapp.DefaultCommandTimeout)
	defer cancel()
	_, err := s.app.TypedDataSupport(ctx)
	return err
}

// SignTypedData implements signer.TypedDataSigner: full EIP-712 mode (the
// device shows the fields), v0 hashes on apps too old for it.
func (s *Signer) SignTypedData(ctx context.Context, td apitypes.TypedData) ([]byte, error) {
	return s.app.SignTypedData(ctx, s.path, td, s.addr)
}
