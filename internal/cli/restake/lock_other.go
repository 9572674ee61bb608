//go:build !unix

package restake

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// errBusy: another restake of the same account holds the lock.
var errBusy = errors.New("another restake of this account is running (or one crashed: delete the .lock file next to its state)")

// lock creates path exclusively. Without flock, a crashed run leaves the
// file behind, which errBusy tells the user how to clear.
func lock(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("restake: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, errBusy
	}
	if err != nil {
		return nil, fmt.Errorf("restake: %w", err)
	}
	f.Close()
	return func() { os.Remove(path) }, nil
}
