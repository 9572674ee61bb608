package devnetcmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet"
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

func TestParseChains(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr []string // every part must be in the error
	}{
		{"devnet", "devnet", nil},
		{"devnet,devnet-avalanche,devnet-sonic", "devnet devnet-avalanche devnet-sonic", nil},
		{" devnet-sonic , devnet ", "devnet-sonic devnet", nil},
		{"devnet,,devnet-sonic,", "devnet devnet-sonic", nil},
		{"devnet-moon", "", []string{`"devnet-moon"`, "devnet", "devnet-avalanche", "devnet-sonic"}},
		{"devnet,Devnet", "", []string{`"Devnet"`, "devnet-avalanche"}},
		{"devnet,devnet", "", []string{"devnet given twice"}},
		{"", "", []string{"no chain given", "devnet-sonic"}},
		{",", "", []string{"no chain given"}},
	}
	for _, tt := range tests {
		got, err := parseChains(tt.in)
		if tt.wantErr != nil {
			if err == nil {
				t.Errorf("parseChains(%q) = %v, want an error", tt.in, got)
				continue
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("parseChains(%q) error %q lacks %q", tt.in, err, part)
				}
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("parseChains(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestChainConfigs(t *testing.T) {
	base := devnet.Config{BondingPeriod: time.Minute, APR: 4, DataDir: "/tmp/dd"}
	all := devnet.ChainNames()
	tests := []struct {
		name     string
		base     devnet.Config
		chains   []string
		http     string
		wantHTTP []string
		wantDir  []string
		usage    bool
	}{
		{"defaults", base, all, "", []string{"127.0.0.1:8545", "127.0.0.1:8546", "127.0.0.1:8547", "127.0.0.1:8548"},
			[]string{"/tmp/dd/devnet", "/tmp/dd/devnet-avalanche", "/tmp/dd/devnet-sonic", "/tmp/dd/devnet-bsc"}, false},
		{"--http moves all", base, all, "127.0.0.1:18545", []string{"127.0.0.1:18545", "127.0.0.1:18546", "127.0.0.1:18547", "127.0.0.1:18548"}, nil, false},
		{"--ws with one chain", devnet.Config{WSAddr: "127.0.0.1:9999"}, []string{"devnet-sonic"}, "", []string{"127.0.0.1:8547"}, []string{""}, false},
		{"--ws with several chains", devnet.Config{WSAddr: "127.0.0.1:9999"}, all, "", nil, nil, true},
		{"bad --http", base, all, "10.0.0.1:8545", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfgs, err := chainConfigs(tt.base, tt.chains, tt.http)
			if tt.usage {
				var ue usageError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range cfgs {
				if c.Chain != tt.chains[i] || c.HTTPAddr != tt.wantHTTP[i] || c.BondingPeriod != tt.base.BondingPeriod || c.APR != tt.base.APR || c.WSAddr != tt.base.WSAddr {
					t.Errorf("config %d = %+v", i, c)
				}
				if tt.wantDir != nil && c.DataDir != tt.wantDir[i] {
					t.Errorf("config %d datadir %q, want %q", i, c.DataDir, tt.wantDir[i])
				}
			}
		})
	}
}

// TestChainsFlagErrors: a bad --chains is a usage error (exit 2) that names
// the known chains, before anything starts.
func TestChainsFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--chains", "devnet-moon"},
		{"--chains", ""},
		{"--chains", "devnet", "--chains", "devnet-mars"},
	} {
		var stdout, stderr bytes.Buffer
		code := Execute(context.Background(), args, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), "devnet, devnet-avalanche, devnet-sonic") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and the known chains", args, code, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: printed %q", args, stdout.String())
		}
	}
}
