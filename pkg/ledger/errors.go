package ledger

import (
	"errors"
	"fmt"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// Kinds of failure. Every *Error wraps exactly one of them, plus
// signer.ErrUnavailable or signer.ErrDeclined when that applies, so callers
// can test with errors.Is at either level.
var (
	ErrNoDevice             = errors.New("no Ledger found")
	ErrNoUSB                = errors.New("built without USB support")
	ErrBusy                 = errors.New("Ledger busy")
	ErrLocked               = errors.New("Ledger locked")
	ErrAppNotOpen           = errors.New("Ethereum app not open")
	ErrRejected             = errors.New("rejected on the Ledger")
	ErrBlindSigningDisabled = errors.New("blind signing disabled")
	ErrPluginMissing        = errors.New("Ledger plugin missing")
	ErrTimeout              = errors.New("timed out waiting for the Ledger")
	ErrAppTooOld            = errors.New("Ethereum app too old")
	ErrUnsupported          = errors.New("not supported by the Ledger")
	ErrInvalidData          = errors.New("Ledger refused the data")
	ErrProtocol             = errors.New("Ledger protocol error")
)

// User-facing advice, kept in one place so tests and docs quote the same text.
const (
	MsgNoDevice     = "no Ledger found. Connect and unlock your Ledger; close Ledger Live and any other wallet app that uses it"
	MsgNoUSB        = "built without USB support; use --ledger-transport tcp://… or a cgo build"
	MsgOpenFailed   = "cannot open the Ledger: another application is using it or access is denied. Close Ledger Live and browser wallets; on Linux install Ledger's udev rules (https://github.com/LedgerHQ/udev-rules)"
	MsgBusyUI       = "the Ledger is busy showing its own menu: go back to the Ethereum app on the device and retry"
	MsgLocked       = "the Ledger is locked: unlock it with your PIN, open the Ethereum app and retry"
	MsgAppNotOpen   = "the Ethereum app is not open on the Ledger: unlock the device, open the Ethereum app (install it with Ledger Live if it is missing) and retry"
	MsgTxRejected   = "transaction rejected on the Ledger"
	MsgAddrRejected = "address rejected on the Ledger"
	MsgBlindSigning = "blind signing is disabled in the Ledger's Ethereum app, and the device cannot show this contract call in clear. " +
		"To sign it: on the Ledger open the Ethereum app, go to Settings, turn on \"Blind signing\", then retry (you may turn it off again afterwards)"
	MsgPluginMissing = "the Ledger lacks the plugin needed to show this contract call: install it with Ledger Live (My Ledger, App catalog), or turn on \"Blind signing\" in the Ethereum app's settings"
	MsgInvalidData   = "the Ledger refused the transaction data. If it calls a contract, check that \"Blind signing\" is on in the Ethereum app's settings; otherwise update the Ethereum app with Ledger Live"
)

// Error is a Ledger failure that says what to do about it.
type Error struct {
	Kind error  // one of the Err* values above
	SW   uint16 // status word when the device answered, 0 otherwise
	Msg  string // what happened and what the user should do
	Err  error  // underlying cause, if any
}

func (e *Error) Error() string {
	s := e.Msg
	if e.SW != 0 {
		s += fmt.Sprintf(" (Ledger status 0x%04x)", e.SW)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes the kind, the signer-level class and the cause.
func (e *Error) Unwrap() []error {
	errs := []error{e.Kind}
	if c := class(e.Kind); c != nil {
		errs = append(errs, c)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// class maps a kind to the signer sentinel that decides the exit code:
// declined (6) or unavailable (7). Others fall through to "other error".
func class(kind error) error {
	switch kind {
	case ErrRejected:
		return signer.ErrDeclined
	case ErrNoDevice, ErrNoUSB, ErrBusy, ErrLocked, ErrAppNotOpen, ErrBlindSigningDisabled,
		ErrPluginMissing, ErrTimeout, ErrAppTooOld, ErrProtocol:
		return signer.ErrUnavailable
	}
	return nil
}

func newError(kind error, msg string, cause error) *Error {
	return &Error{Kind: kind, Msg: msg, Err: cause}
}

// op names the command a status word answered; some words mean different
// things depending on it.
type op int

const (
	opOther op = iota
	opAddress
	opSign
	opToken
	opPlugin
)

// Status words, from app-ethereum doc/ethapp.adoc, ledger-secure-sdk
// status_words.h and what devices are reported to return (ledger.md §2.2).
const (
	SWOK               = 0x9000
	swLocked           = 0x5515
	swLockedNanoX      = 0x6b0c
	swLockedOld        = 0x6804
	swSecurityStatus   = 0x6982
	swWrongINS         = 0x6d00
	swWrongCLA         = 0x6e00
	swBootloaderCLA    = 0x6e01
	swNoApp            = 0x6511
	swAppClosed        = 0x650f
	swUIForeground     = 0x6901
	swConditions       = 0x6985 // the user refused
	swInvalidData      = 0x6a80
	swFileNotFound     = 0x6a82 // plugin not installed (current app code)
	swPluginMissingDoc = 0x6984 // plugin not installed (ethapp.adoc)
	swTxTypeUnsupp     = 0x6501
	swChainIDTooLarge  = 0x6502
	swNoMemory         = 0x6a84
	swWrongP1P2        = 0x6b00
	swWrongLength      = 0x6700
)

// statusError turns a non-OK status word into an *Error with advice.
func statusError(o op, sw uint16) *Error {
	e := func(kind error, msg string) *Error { return &Error{Kind: kind, SW: sw, Msg: msg} }
	switch sw {
	case swLocked, swLockedNanoX, swLockedOld, swSecurityStatus:
		return e(ErrLocked, MsgLocked)
	case swWrongINS, swWrongCLA, swBootloaderCLA, swNoApp, swAppClosed:
		return e(ErrAppNotOpen, MsgAppNotOpen)
	case swUIForeground:
		return e(ErrBusy, MsgBusyUI)
	case swConditions:
		if o == opAddress {
			return e(ErrRejected, MsgAddrRejected)
		}
		return e(ErrRejected, MsgTxRejected)
	case swInvalidData:
		switch o {
		case opToken:
			return e(ErrInvalidData, "the Ledger refused the ERC-20 token descriptor: update the Ethereum app with Ledger Live")
		case opSign:
			return e(ErrInvalidData, MsgInvalidData)
		}
		return e(ErrInvalidData, "the Ledger refused the request as invalid")
	case swFileNotFound, swPluginMissingDoc:
		if o == opPlugin || o == opSign {
			return e(ErrPluginMissing, MsgPluginMissing)
		}
		return e(ErrInvalidData, "the Ledger did not find the requested data")
	case swTxTypeUnsupp:
		return e(ErrUnsupported, "this transaction type is not supported by the Ledger's Ethereum app: update the app with Ledger Live")
	case swChainIDTooLarge:
		return e(ErrUnsupported, "the chain ID is too large for the Ledger's Ethereum app")
	case swNoMemory:
		return e(ErrUnsupported, "the Ledger ran out of memory for this request")
	case swWrongP1P2, swWrongLength:
		return e(ErrUnsupported, "the Ledger's Ethereum app does not understand this command: update it with Ledger Live")
	}
	return e(ErrProtocol, "unexpected answer from the Ledger")
}
