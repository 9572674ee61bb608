package ledger

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// Default time limits. Commands the device answers by itself are quick; a
// review waits for a person reading a screen, so it gets minutes.
const (
	DefaultCommandTimeout = 15 * time.Second
	DefaultReviewTimeout  = 5 * time.Minute
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventReview: the device shows a transaction and waits for the user.
	EventReview EventKind = iota + 1
	// EventVerifyAddress: the device shows an address to compare.
	EventVerifyAddress
	// EventDone: the wait that EventReview or EventVerifyAddress started ended.
	EventDone
	// EventBlindSigning: the device will show only a hash of the call.
	EventBlindSigning
	// EventClearSigning: a token descriptor was sent; the device shows
	// token, amount and recipient.
	EventClearSigning
)

// Event is a status update for the user interface (spinner, notices).
type Event struct {
	Kind    EventKind
	Message string
}

// Messages of the events, for a CLI that prefers its own wording to match.
const (
	MsgReview          = "Review and approve on your Ledger"
	MsgVerifyAddress   = "Check that your Ledger shows the same address, then approve"
	MsgBlindSignNotice = "The Ledger cannot show this contract call in clear: it will be blind-signed"
)

// Options tune an App. The zero value is usable.
type Options struct {
	// CommandTimeout bounds commands that need no user action.
	CommandTimeout time.Duration
	// ReviewTimeout bounds the wait for the user to review and approve.
	ReviewTimeout time.Duration
	// OnEvent, when set, receives status updates. It is called on the
	// goroutine that called the App and must not block for long.
	OnEvent func(Event)
}

// App is a client of the Ethereum app on one device.
type App struct {
	t    Transport
	opts Options
}

// NewApp returns a client speaking to the device behind t.
func NewApp(t Transport, opts Options) *App {
	if opts.CommandTimeout <= 0 {
		opts.CommandTimeout = DefaultCommandTimeout
	}
	if opts.ReviewTimeout <= 0 {
		opts.ReviewTimeout = DefaultReviewTimeout
	}
	return &App{t: t, opts: opts}
}

// Transport returns the transport the App uses.
func (a *App) Transport() Transport { return a.t }

// Close closes the transport.
func (a *App) Close() error { return a.t.Close() }

func (a *App) emit(kind EventKind, msg string) {
	if a.opts.OnEvent != nil {
		a.opts.OnEvent(Event{Kind: kind, Message: msg})
	}
}

// call sends one APDU with a time limit and maps the status word.
func (a *App) call(ctx context.Context, o op, review bool, cla, ins, p1, p2 byte, data []byte) ([]byte, error) {
	apdu, err := buildAPDU(cla, ins, p1, p2, data)
	if err != nil {
		return nil, err
	}
	limit := a.opts.CommandTimeout
	if review {
		limit = a.opts.ReviewTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	resp, sw, err := a.t.Exchange(cctx, apdu)
	if err != nil {
		return nil, a.transportError(ctx, err, review, limit)
	}
	if sw != SWOK {
		return nil, statusError(o, sw)
	}
	return resp, nil
}

func (a *App) transportError(ctx context.Context, err error, review bool, limit time.Duration) error {
	var le *Error
	switch {
	case errors.As(err, &le):
		return err
	case errors.Is(err, context.DeadlineExceeded):
		if ctx.Err() == nil && !review {
			return newError(ErrTimeout, fmt.Sprintf("the Ledger did not answer within %s: unlock it, open the Ethereum app and close other applications that use it", limit), err)
		}
		if ctx.Err() == nil {
			return newError(ErrTimeout, fmt.Sprintf("timed out after %s waiting for approval on the Ledger; nothing was signed. Approve on the device sooner, or allow more time", limit), err)
		}
		return newError(ErrTimeout, "timed out waiting for the Ledger; nothing was signed", err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("ledger: %w", err)
	case errors.Is(err, errMalformed):
		return newError(ErrProtocol, "unexpected answer from the Ledger: reconnect it and retry", err)
	}
	return newError(ErrProtocol, "lost contact with the Ledger: reconnect it and retry", err)
}

// AppConfig is the answer to GET APP CONFIGURATION.
type AppConfig struct {
	Version Version
	// BlindSigning is the app's "Blind signing" setting ("contract data"
	// on old versions): needed to sign contract calls it cannot decode.
	BlindSigning bool
	Flags        byte
}

// Config reads the app's version and settings.
func (a *App) Config(ctx context.Context) (AppConfig, error) {
	resp, err := a.call(ctx, opOther, false, claEth, insGetConfig, 0, 0, nil)
	if err != nil {
		return AppConfig{}, err
	}
	if len(resp) < 4 {
		return AppConfig{}, newError(ErrProtocol, "unexpected answer from the Ledger to GET APP CONFIGURATION", fmt.Errorf("%d bytes", len(resp)))
	}
	return AppConfig{
		Version:      Version{int(resp[1]), int(resp[2]), int(resp[3])},
		BlindSigning: resp[0]&configFlagData != 0,
		Flags:        resp[0],
	}, nil
}

// CurrentApp asks the device which app is open ("BOLOS" for the dashboard)
// and its version string.
func (a *App) CurrentApp(ctx context.Context) (name, version string, err error) {
	resp, err := a.call(ctx, opOther, false, claBolos, insAppVersion, 0, 0, nil)
	if err != nil {
		return "", "", err
	}
	// format(1) nameLen name versionLen version [flagsLen flags]
	if len(resp) < 2 || int(resp[1])+2 > len(resp) {
		return "", "", newError(ErrProtocol, "unexpected answer from the Ledger to GET APP AND VERSION", nil)
	}
	// Lengths are bytes: add them as ints, or 2+255 wraps to 1.
	n := int(resp[1])
	name = string(resp[2 : 2+n])
	rest := resp[2+n:]
	if len(rest) >= 1 && int(rest[0])+1 <= len(rest) {
		version = string(rest[1 : 1+int(rest[0])])
	}
	return name, version, nil
}

// Ready checks that the device is unlocked with the Ethereum app open and
// returns the app configuration.
func (a *App) Ready(ctx context.Context) (AppConfig, error) {
	_, cfg, err := a.ready(ctx)
	return cfg, err
}

func (a *App) ready(ctx context.Context) (string, AppConfig, error) {
	name, _, err := a.CurrentApp(ctx)
	var le *Error
	switch {
	case err == nil && name == dashboardName:
		return "", AppConfig{}, &Error{Kind: ErrAppNotOpen, Msg: MsgAppNotOpen}
	case err == nil && name != ethereumApp:
		return "", AppConfig{}, &Error{Kind: ErrAppNotOpen, Msg: fmt.Sprintf("the %q app is open on the Ledger, not Ethereum: close it, open the Ethereum app and retry", name)}
	case err != nil && errors.As(err, &le) && (le.Kind == ErrLocked || le.Kind == ErrBusy || le.Kind == ErrTimeout || le.Kind == ErrProtocol):
		return "", AppConfig{}, err
	case err != nil:
		// Other answers to the OS command (old firmware) are not
		// conclusive: the app's own command below decides.
		name = ethereumApp
	}
	cfg, err := a.Config(ctx)
	return name, cfg, err
}

// Info is what `ledger info` shows.
type Info struct {
	Transport TransportInfo
	AppName   string
	Config    AppConfig
}

// Info describes the device and its Ethereum app.
func (a *App) Info(ctx context.Context) (Info, error) {
	name, cfg, err := a.ready(ctx)
	if err != nil {
		return Info{}, err
	}
	return Info{Transport: a.t.Info(), AppName: name, Config: cfg}, nil
}

// Account is an address the device derives.
type Account struct {
	Path      accounts.DerivationPath
	Address   common.Address
	PublicKey []byte // 65-byte uncompressed
}

// Address derives the address at path. With display set the device shows
// it and waits for the user to confirm.
func (a *App) Address(ctx context.Context, path accounts.DerivationPath, display bool) (Account, error) {
	data, err := encodePath(path)
	if err != nil {
		return Account{}, err
	}
	p1 := byte(p1NoDisplay)
	if display {
		p1 = p1Display
		a.emit(EventVerifyAddress, MsgVerifyAddress)
		defer a.emit(EventDone, "")
	}
	resp, err := a.call(ctx, opAddress, display, claEth, insGetAddress, p1, p2NoChainCode, data)
	if err != nil {
		return Account{}, err
	}
	acct, perr := parseAddressReply(resp)
	if perr != nil {
		return Account{}, newError(ErrProtocol, "unexpected answer from the Ledger to GET ADDRESS", perr)
	}
	acct.Path = append(accounts.DerivationPath(nil), path...)
	return acct, nil
}

// parseAddressReply decodes pubKeyLen pubKey addrLen addrASCII and checks
// that the address is the one the key gives.
func parseAddressReply(r []byte) (Account, error) {
	if len(r) < 1 || int(r[0])+2 > len(r) {
		return Account{}, errors.New("short reply")
	}
	// Lengths are bytes: add them as ints, or 1+255 wraps to 0.
	pub := r[1 : 1+int(r[0])]
	rest := r[1+int(r[0]):]
	if int(rest[0])+1 > len(rest) {
		return Account{}, errors.New("short reply")
	}
	ascii := string(rest[1 : 1+int(rest[0])])
	key, err := crypto.UnmarshalPubkey(pub)
	if err != nil {
		return Account{}, fmt.Errorf("public key: %w", err)
	}
	addr := crypto.PubkeyToAddress(*key)
	raw, err := hex.DecodeString(strings.TrimPrefix(ascii, "0x"))
	if err != nil || len(raw) != common.AddressLength || common.BytesToAddress(raw) != addr {
		return Account{}, fmt.Errorf("address %q does not match the public key (%s)", ascii, addr.Hex())
	}
	return Account{Address: addr, PublicKey: append([]byte(nil), pub...)}, nil
}

// Addresses derives count addresses of a scheme starting at index start.
func (a *App) Addresses(ctx context.Context, s Scheme, start, count int) ([]Account, error) {
	out := make([]Account, 0, count)
	for i := start; i < start+count; i++ {
		p, err := s.Path(i)
		if err != nil {
			return nil, err
		}
		acct, err := a.Address(ctx, p, false)
		if err != nil {
			return nil, err
		}
		out = append(out, acct)
	}
	return out, nil
}

// ProvideToken sends an ERC-20 descriptor so that the next signature shows
// the token. The app forgets it on GET ADDRESS, so send it right before
// signing.
func (a *App) ProvideToken(ctx context.Context, t Token) error {
	_, err := a.call(ctx, opToken, false, claEth, insProvideERC20, 0, 0, t.Descriptor)
	return err
}

// SignTx has the device sign tx for chainID with the key at path, and
// returns the signed transaction after checking that it recovers to from.
// Contract calls the device cannot decode are refused up front when blind
// signing is off, with the steps to turn it on.
func (a *App) SignTx(ctx context.Context, path accounts.DerivationPath, tx *types.Transaction, chainID *big.Int, from common.Address) (*types.Transaction, error) {
	if chainID == nil || chainID.Sign() <= 0 {
		return nil, &Error{Kind: ErrUnsupported, Msg: "a chain ID is required: the Ledger does not sign replayable pre-EIP-155 transactions"}
	}
	if tx.Type() != types.LegacyTxType && tx.ChainId().Cmp(chainID) != 0 {
		return nil, fmt.Errorf("ledger: transaction is for chain %s, not %s", tx.ChainId(), chainID)
	}
	pathBytes, err := encodePath(path)
	if err != nil {
		return nil, err
	}
	payload, err := signingPayload(tx, chainID)
	if err != nil {
		return nil, err
	}
	cfg, err := a.Ready(ctx)
	if err != nil {
		return nil, err
	}
	if tx.Type() != types.LegacyTxType && !cfg.Version.AtLeast(minTypedTx) {
		return nil, &Error{Kind: ErrAppTooOld, Msg: fmt.Sprintf("the Ledger's Ethereum app is version %s; EIP-1559 transactions need %s or newer: update the Ethereum app with Ledger Live", cfg.Version, minTypedTx)}
	}
	plan := Plan(tx, chainID)
	if plan.Blind && !cfg.BlindSigning {
		return nil, &Error{Kind: ErrBlindSigningDisabled, Msg: MsgBlindSigning}
	}
	forbidden, err := forbiddenBoundaries(payload, tx.Type())
	if err != nil {
		return nil, fmt.Errorf("ledger: internal error: %w", err)
	}
	if plan.Token != nil {
		if err := a.ProvideToken(ctx, *plan.Token); err != nil {
			return nil, err
		}
		a.emit(EventClearSigning, fmt.Sprintf("The Ledger will show the %s amount and recipient", plan.Token.Ticker))
	}
	if plan.Blind {
		a.emit(EventBlindSigning, MsgBlindSignNotice)
	}

	chunks := chunkSign(pathBytes, payload, forbidden)
	// Any chunk may stop for the user (the app can ask to confirm calldata
	// parameters), so the review starts with the first one.
	a.emit(EventReview, MsgReview)
	var resp []byte
	for i, c := range chunks {
		p1 := byte(p1First)
		if i > 0 {
			p1 = p1More
		}
		resp, err = a.call(ctx, opSign, true, claEth, insSignTx, p1, signModeBasic, c)
		if err != nil {
			a.emit(EventDone, "")
			return nil, err
		}
		if i < len(chunks)-1 && len(resp) != 0 {
			a.emit(EventDone, "")
			return nil, newError(ErrProtocol, "the Ledger answered before the whole transaction was sent", nil)
		}
	}
	a.emit(EventDone, "")
	return assembleSigned(tx, chainID, resp, from)
}

// assembleSigned turns the app's v|r|s into a signed transaction.
func assembleSigned(tx *types.Transaction, chainID *big.Int, resp []byte, from common.Address) (*types.Transaction, error) {
	if len(resp) != 65 {
		return nil, newError(ErrProtocol, "unexpected answer from the Ledger to SIGN", fmt.Errorf("%d bytes, want 65", len(resp)))
	}
	parity, err := recoveryID(tx.Type(), resp[0], chainID)
	if err != nil {
		return nil, newError(ErrProtocol, "unexpected signature from the Ledger", err)
	}
	sig := make([]byte, 65)
	copy(sig, resp[1:])
	sig[64] = parity
	normalizeLowS(sig)
	s := types.LatestSignerForChainID(chainID)
	signed, err := tx.WithSignature(s, sig)
	if err != nil {
		return nil, fmt.Errorf("ledger: attaching the signature: %w", err)
	}
	if err := signer.VerifySender(signed, chainID, from); err != nil {
		return nil, newError(ErrProtocol, "the Ledger signed with another key than expected (another device or passphrase?)", err)
	}
	return signed, nil
}

// recoveryID undoes the app's v encoding. Typed transactions get the
// parity. Legacy ones get (chainId*2+35+parity) in one byte, computed from
// at most the 4 leading bytes of the chain id and truncated mod 256
// (ui_common_sign_tx.c), so the parity is the byte minus that base, mod 256.
func recoveryID(txType byte, v byte, chainID *big.Int) (byte, error) {
	if txType != types.LegacyTxType {
		if v > 1 {
			return 0, fmt.Errorf("v = %d for a typed transaction", v)
		}
		return v, nil
	}
	cb := chainID.Bytes()
	var c uint32
	for _, b := range cb[:min(4, len(cb))] {
		c = c<<8 | uint32(b)
	}
	p := v - byte(c*2+35)
	if p > 1 {
		return 0, fmt.Errorf("v = %d does not encode chain %s", v, chainID)
	}
	return p, nil
}

// normalizeLowS rewrites (r, s, parity) to the low-S form Ethereum requires
// (EIP-2): (r, n-s) is the same signature with the other parity.
func normalizeLowS(sig []byte) {
	n := crypto.S256().Params().N
	s := new(big.Int).SetBytes(sig[32:64])
	if s.Cmp(new(big.Int).Rsh(n, 1)) <= 0 {
		return
	}
	s.Sub(n, s).FillBytes(sig[32:64])
	sig[64] ^= 1
}

// SetExternalPlugin asks the app to hand the next transaction to a plugin
// (SET EXTERNAL PLUGIN): payload is nameLen|name|contract|selector and
// signature Ledger's signature over it. A missing plugin is ErrPluginMissing.
func (a *App) SetExternalPlugin(ctx context.Context, payload, signature []byte) error {
	_, err := a.call(ctx, opPlugin, false, claEth, insSetPlugin, 0, 0, append(append([]byte(nil), payload...), signature...))
	return err
}
