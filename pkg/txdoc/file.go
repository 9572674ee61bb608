package txdoc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrExists: WriteNew refuses to replace a file.
var ErrExists = errors.New("file exists")

// WriteNew writes data to a new file at path (0600), fsynced; an existing
// file is never replaced (a signed document overwritten by an unsigned one,
// or the reverse, could lose a transaction).
func WriteNew(path string, data []byte) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; refusing to overwrite it (choose another --out, or remove it): %w", path, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", path, cerr)
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
