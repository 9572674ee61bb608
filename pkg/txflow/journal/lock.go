package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/gofrs/flock"
)

// ErrAccountBusy: another process held the account's lock for longer than
// the caller would wait.
var ErrAccountBusy = errors.New("another stakewallet run is signing for this account")

// Holder describes the process that holds an account lock, for the
// message of the runs that wait for it.
type Holder struct {
	PID     int
	Command string // "stakewallet stake 0.01"
	Doing   string // "signing with ledger m/44'/60'/0'/0/0", updated while held
	Since   time.Time
}

func (h Holder) String() string {
	s := fmt.Sprintf("pid %d", h.PID)
	if h.Command != "" {
		s += " (" + h.Command + ")"
	}
	if h.Doing != "" {
		s += ", " + h.Doing
	}
	if !h.Since.IsZero() {
		s += fmt.Sprintf(", for %s", time.Since(h.Since).Round(time.Second))
	}
	return s
}

// AccountLock is a held lock on one account on one chain. Every command
// that signs for the account holds it from choosing a nonce to the node's
// acceptance of the transaction, so concurrent runs get consecutive
// nonces. It is an OS file lock (flock, LockFileEx on Windows): the kernel
// releases it when the process ends, so a crash never leaves it behind.
type AccountLock struct {
	fl     *flock.Flock
	info   string
	holder Holder
}

// LockAccount takes the lock of from on chainID, waiting up to wait while
// another process holds it; onWait (may be nil) is told once who that is,
// so the user knows why nothing happens.
func (j *Journal) LockAccount(ctx context.Context, chainID uint64, from common.Address, command string, wait time.Duration, onWait func(Holder)) (*AccountLock, error) {
	dir := filepath.Join(j.dir, "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("account lock: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("%d-%s", chainID, strings.ToLower(from.Hex())))
	fl := flock.New(base+".lock", flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("account lock %s: %w", fl.Path(), err)
	}
	if !ok {
		holder := readHolder(base + ".holder")
		if onWait != nil {
			onWait(holder)
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		ok, err = fl.TryLockContext(wctx, 50*time.Millisecond)
		if !ok || err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			holder = readHolder(base + ".holder")
			return nil, fmt.Errorf("%w: %s on chain %d is held by %s; waited %s. Let it finish (a Ledger may be waiting for approval), or stop it, then run again: %w",
				ErrAccountBusy, from.Hex(), chainID, holder, wait, errors.Join(err, wctx.Err()))
		}
	}
	l := &AccountLock{fl: fl, info: base + ".holder", holder: Holder{PID: os.Getpid(), Command: command, Since: time.Now()}}
	l.writeHolder()
	return l, nil
}

// Doing records what the holder is doing now ("signing with …"), for the
// message of waiting runs.
func (l *AccountLock) Doing(what string) {
	l.holder.Doing = what
	l.writeHolder()
}

// Unlock releases the lock. It is safe to call more than once.
func (l *AccountLock) Unlock() {
	if l == nil || !l.fl.Locked() {
		return
	}
	_ = os.Remove(l.info)
	_ = l.fl.Unlock()
}

// writeHolder leaves the holder's description beside the lock. It is
// advice for messages only: a stale one (a crashed holder) is harmless,
// since the lock itself is what excludes.
func (l *AccountLock) writeHolder() {
	h := l.holder
	line := fmt.Sprintf("%d\t%s\t%s\t%s\n", h.PID, h.Since.UTC().Format(time.RFC3339), oneLine(h.Command), oneLine(h.Doing))
	_ = os.WriteFile(l.info, []byte(line), 0o600)
}

func oneLine(s string) string { return strings.NewReplacer("\t", " ", "\n", " ").Replace(s) }

func readHolder(path string) Holder {
	data, err := os.ReadFile(path)
	if err != nil {
		return Holder{Command: "another stakewallet run"}
	}
	parts := strings.SplitN(strings.TrimRight(string(data), "\n"), "\t", 4)
	var h Holder
	if len(parts) == 4 {
		fmt.Sscan(parts[0], &h.PID)
		h.Since, _ = time.Parse(time.RFC3339, parts[1])
		h.Command, h.Doing = parts[2], parts[3]
	}
	return h
}

// NextNonce is the nonce a new transaction of from must take, given the
// node's pending nonce: the larger of that and one past the highest nonce
// of the account's open entries (signed or broadcast, not known mined). A
// node that lost our transaction from its pool must not make us reuse its
// nonce while the transaction can still be mined elsewhere. gap lists the
// open entries the node's nonce does not account for.
func (j *Journal) NextNonce(chainID uint64, from common.Address, pending uint64) (next uint64, gap []*Entry, err error) {
	open, err := j.Pending(chainID, from)
	if err != nil {
		return 0, nil, err
	}
	next = pending
	for _, e := range open {
		if e.Nonce >= pending {
			gap = append(gap, e)
			next = max(next, e.Nonce+1)
		}
	}
	return next, gap, nil
}
