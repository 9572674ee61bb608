// Package ledgerbackend plugs the Ledger into the CLI. It is the
// keys.Backend that internal/keys hands ledger refs and registered Ledger
// keys to, and it turns the device's events into the CLI's progress line
// and notices on stderr, so every command that signs with a Ledger tells
// the user when to look at the device without knowing it is one.
package ledgerbackend

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/keys"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
	ledgersigner "github.com/stakewallet/stakewallet/pkg/signer/ledger"
)

// Backend opens Ledger signers and apps for the CLI.
type Backend struct {
	io *iostreams.IOStreams
}

var _ keys.Backend = (*Backend)(nil)

// New returns a Backend that reports device events on io's stderr.
func New(io *iostreams.IOStreams) *Backend { return &Backend{io: io} }

// Open implements keys.Backend. The reference is checked before the
// transport is touched, so a typo is bad input (exit 2) even with no device
// attached.
func (b *Backend) Open(ctx context.Context, ref, transport string) (signer.Signer, error) {
	if _, err := ledgersigner.ParseRef(ref); err != nil {
		return nil, err
	}
	opts, err := b.Options(transport)
	if err != nil {
		return nil, err
	}
	s, err := ledgersigner.Open(ctx, ref, opts)
	if err != nil {
		return nil, err
	}
	return &Signer{s}, nil
}

// OpenApp connects to the device and checks that the Ethereum app is open,
// for commands that talk to the device without an account (ledger info,
// ledger addresses).
func (b *Backend) OpenApp(ctx context.Context, transport string) (*ledgerapp.App, error) {
	opts, err := b.Options(transport)
	if err != nil {
		return nil, err
	}
	return ledgersigner.OpenApp(ctx, opts)
}

// Options are the signer options for transport with the CLI's event
// handler. A malformed transport is bad input, not an unavailable device:
// retrying cannot fix it.
func (b *Backend) Options(transport string) (ledgersigner.Options, error) {
	spec, err := ledgerapp.ParseTransport(transport)
	if err != nil {
		return ledgersigner.Options{}, cmdutil.BadInput(fmt.Errorf("--ledger-transport: %w", err))
	}
	return ledgersigner.Options{Transport: spec.String(), OnEvent: b.onEvent}, nil
}

// onEvent shows what the device waits for. On a terminal the wait is a
// spinner that the next progress message or EventDone replaces; in a pipe
// or log it is one line, so a script's log still says why nothing happens.
// Notices print as lines, with any spinner stopped first so they are not
// overwritten.
func (b *Backend) onEvent(e ledgerapp.Event) {
	switch e.Kind {
	case ledgerapp.EventReview, ledgerapp.EventVerifyAddress:
		msg := e.Message
		if msg == "" {
			msg = ledgerapp.MsgReview
		}
		if b.io.IsStderrTTY() {
			b.io.StartProgress(msg)
			return
		}
		fmt.Fprintln(b.io.ErrOut, msg)
	case ledgerapp.EventDone:
		b.io.StopProgress()
	case ledgerapp.EventBlindSigning, ledgerapp.EventClearSigning:
		if e.Message == "" {
			return
		}
		b.io.StopProgress()
		fmt.Fprintln(b.io.ErrOut, "Note: "+e.Message)
	}
}

// Signer is a Ledger signer that can also tell the preview how the device
// will present each transaction.
type Signer struct {
	*ledgersigner.Signer
}

// SigningNote says whether the device will show tx in clear or only as a
// hash, so the user knows before confirming what the device will display
// and whether "Blind signing" must be on.
func (s *Signer) SigningNote(tx *types.Transaction, chainID *big.Int) string {
	return Note(s.Plan(tx, chainID), tx)
}

// Note renders the signing plan of tx for the preview.
func Note(p ledgerapp.SignPlan, tx *types.Transaction) string {
	const needs = ` ("Blind signing" must be on in its Ethereum app)`
	switch {
	case p.Token != nil:
		return fmt.Sprintf("clear-signed: the Ledger shows the %s amount and recipient", p.Token.Ticker)
	case !p.Blind:
		return "clear-signed: the Ledger shows recipient and amount"
	case tx.To() == nil:
		return "blind-signed: the Ledger shows only a hash of the contract deployment" + needs
	case len(tx.Data()) >= 4:
		return fmt.Sprintf("blind-signed: the Ledger shows only a hash of call 0x%x", tx.Data()[:4]) + needs
	}
	return "blind-signed: the Ledger shows only a hash of the call data" + needs
}
