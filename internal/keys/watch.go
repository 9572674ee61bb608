package keys

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// BackendWatch is a watch-only key: an address with no secret anywhere
// (`keys add NAME --address ADDR`). Read-only commands use its address;
// sending commands can only preview (--dry-run) or build the transaction
// unsigned (--unsigned) for `stakewallet tx sign` elsewhere.
const BackendWatch = "watch"

// WatchOnly is the signer of an address without a key: a watch-only key,
// or --from ADDR. It has an address and a name, and refuses to sign with
// signer.ErrUnavailable (exit 7), naming what would work instead.
type WatchOnly struct {
	addr  common.Address
	label string
}

var _ signer.Signer = (*WatchOnly)(nil)

// NewWatchOnly returns the keyless signer of addr; label names it in
// previews and errors ("watch:alice", "--from 0x…").
func NewWatchOnly(addr common.Address, label string) *WatchOnly {
	return &WatchOnly{addr: addr, label: label}
}

// Address implements signer.Signer.
func (w *WatchOnly) Address() common.Address { return w.addr }

// String implements signer.Signer.
func (w *WatchOnly) String() string { return w.label }

// SignTx implements signer.Signer: it never signs.
func (w *WatchOnly) SignTx(context.Context, *types.Transaction, *big.Int) (*types.Transaction, error) {
	return nil, w.Unavailable()
}

// Unavailable is the error of any attempt to sign with w: which signer to
// use instead, and that the transaction can be built unsigned.
func (w *WatchOnly) Unavailable() error {
	return fmt.Errorf("%s is watch-only: %s has no key here, so nothing can be signed with it; "+
		"pass --signer with a key that holds it (keystore:NAME, keyring:NAME, ledger), "+
		"or build the transaction unsigned with --unsigned --out FILE and sign it where the key is with `stakewallet tx sign FILE`: %w",
		w.label, w.addr.Hex(), signer.ErrUnavailable)
}

// IsWatchOnly reports whether s (or the signer inside a signer.Lazy)
// cannot sign because it has no key.
func IsWatchOnly(s signer.Signer) (*WatchOnly, bool) {
	if l, ok := s.(*signer.Lazy); ok {
		s = l.Inner()
	}
	w, ok := s.(*WatchOnly)
	return w, ok
}

// AddWatch registers address as a watch-only key named name, for
// `keys add NAME --address ADDR`.
func (s *Store) AddWatch(ctx context.Context, name string, address common.Address) (Entry, error) {
	if err := ValidateName(name); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if address == (common.Address{}) {
		return Entry{}, fmt.Errorf("%w: the zero address cannot be watched", ErrInvalid)
	}
	e := Entry{Name: name, Backend: BackendWatch, Address: address, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	err := s.register(ctx, &e, func(*Entry) (func(), error) { return func() {}, nil })
	return e, err
}

// watchLabel names a watch-only key in previews.
func watchLabel(name string) string { return "watch:" + name }
