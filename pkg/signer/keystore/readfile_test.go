package keystore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileBounds: a mistaken keystore path (a device, a directory, a
// huge file) is refused at once instead of read forever.
func TestReadFileBounds(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(strings.Repeat(" ", MaxFileSize+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok.json")
	if err := os.WriteFile(ok, []byte(`{"address":"f39fd6e51aad88f6f4ce6ab8827279cfffb92266"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		msg  string
	}{
		{"/dev/zero", "not a regular file"},
		{dir, "not a regular file"},
		{big, "larger than"},
		{filepath.Join(dir, "missing.json"), "no such file"},
	}
	for _, tt := range tests {
		if _, err := ReadFile(tt.path); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ReadFile(%s) = %v, want %q", tt.path, err, tt.msg)
		}
	}
	if data, err := ReadFile(ok); err != nil || !strings.Contains(string(data), "f39fd6") {
		t.Errorf("a real file: %q, %v", data, err)
	}
}
