package keys

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ensureDir creates dir (and parents) with mode 0700. An existing
// directory keeps its mode: the user may have chosen it.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create keys directory: %w", err)
	}
	return nil
}

// writeFileAtomic replaces path with data (mode 0600): a temporary file in
// the same directory is written and fsynced, renamed over path, and the
// directory fsynced, so a crash leaves either the old or the new file.
func writeFileAtomic(path string, data []byte) error {
	return writeViaTemp(path, data, func(tmp string) error { return os.Rename(tmp, path) })
}

// writeFileNew creates path with data (mode 0600) atomically and fails
// with fs.ErrExist if it exists: the final step is a hard link, which
// never replaces a file. Where hard links are unsupported it falls back to
// an exclusive create.
func writeFileNew(path string, data []byte) error {
	err := writeViaTemp(path, data, func(tmp string) error {
		err := os.Link(tmp, path)
		if err == nil || errors.Is(err, fs.ErrExist) {
			return err
		}
		return errLinkUnsupported
	})
	if errors.Is(err, errLinkUnsupported) {
		return writeFileExclusive(path, data)
	}
	return err
}

var errLinkUnsupported = errors.New("hard links unsupported")

func writeViaTemp(path string, data []byte, commit func(tmp string) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a rename this is a no-op; after a link it drops the temp name
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := commit(tmp); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeFileExclusive creates path (0600), refusing to replace a file.
func writeFileExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// syncDir makes a rename durable. Windows cannot open directories for
// syncing; there the rename is as durable as the OS makes it.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
