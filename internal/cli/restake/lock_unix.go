//go:build unix

package restake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// errBusy: another restake of the same account holds the lock.
var errBusy = errors.New("another restake of this account is running")

// lock takes an exclusive, non-blocking lock on path, so that two cron
// runs that overlap cannot both claim and stake. The kernel drops the lock
// when the process ends, so a crash never leaves a stale one behind.
func lock(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("restake: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("restake: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errBusy
		}
		return nil, fmt.Errorf("restake: lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
