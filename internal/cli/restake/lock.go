package restake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// errBusy: another restake of the same account holds the lock.
var errBusy = errors.New("another restake of this account is running")

// lock takes an exclusive, non-blocking lock on path, so that two cron
// runs that overlap cannot both claim and stake. It is an OS file lock
// (flock, LockFileEx on Windows): the kernel drops it when the process
// ends, so a crash never leaves a stale one behind.
func lock(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("restake: %w", err)
	}
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("restake: lock %s: %w", path, err)
	}
	if !ok {
		return nil, errBusy
	}
	return func() { _ = l.Unlock() }, nil
}
