package devnetcmd

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
)

func TestDurationValue(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"60s", time.Minute, false},
		{"2m", 2 * time.Minute, false},
		{"60", time.Minute, false},
		{"0", 0, false},
		{"1.5", 1500 * time.Millisecond, false},
		{"-1", 0, true},
		{"-1s", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		var d time.Duration
		err := durationValue{&d}.Set(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && d != tt.want) {
			t.Errorf("Set(%q) = %s, %v; want %s, error %v", tt.in, d, err, tt.want, tt.wantErr)
		}
	}
}

func TestReadKeyFile(t *testing.T) {
	acc := devkeys.Oracle()
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		wantErr bool
	}{
		{"hex with 0x and newline", acc.KeyHex() + "\n", false},
		{"bare hex", acc.KeyHex()[2:], false},
		{"first line only", acc.KeyHex() + "\nsomething else\n", false},
		{"not a key", "hello\n", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i)))
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			key, err := readKeyFile(path)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !key.Equal(acc.PrivateKey) {
				t.Error("read a different key")
			}
		})
	}
	if _, err := readKeyFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file must fail")
	}
}
