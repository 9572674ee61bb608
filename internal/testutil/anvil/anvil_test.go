package anvil

import (
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestStartAndHelpers(t *testing.T) {
	n := Start(t, WithChainID(4242))

	var id hexutil.Uint64
	n.Call(t, &id, "eth_chainId")
	if id != 4242 || n.ChainID() != 4242 {
		t.Fatalf("eth_chainId = %d, ChainID() = %d, want 4242", id, n.ChainID())
	}
	if !strings.HasPrefix(n.URL(), "http://127.0.0.1:") || !strings.HasPrefix(n.WSURL(), "ws://127.0.0.1:") {
		t.Errorf("URL() = %s, WSURL() = %s, want loopback", n.URL(), n.WSURL())
	}

	type block struct {
		Number    hexutil.Uint64 `json:"number"`
		Timestamp hexutil.Uint64 `json:"timestamp"`
	}
	latest := func() block {
		var b block
		n.Call(t, &b, "eth_getBlockByNumber", "latest", false)
		return b
	}

	before := latest()
	n.IncreaseTime(t, time.Hour)
	n.Mine(t, 1)
	after := latest()
	if after.Number != before.Number+1 {
		t.Errorf("block %d after Mine(1) from %d", after.Number, before.Number)
	}
	if after.Timestamp < before.Timestamp+3600 {
		t.Errorf("timestamp %d after IncreaseTime(1h) from %d", after.Timestamp, before.Timestamp)
	}

	snap := n.Snapshot(t)
	n.Mine(t, 5)
	if got := latest().Number; got != after.Number+5 {
		t.Errorf("block %d after Mine(5) from %d", got, after.Number)
	}
	addr := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	n.SetBalance(t, addr, big.NewInt(12345))
	var bal hexutil.Big
	n.Call(t, &bal, "eth_getBalance", addr, "latest")
	if bal.ToInt().Int64() != 12345 {
		t.Errorf("balance %s after SetBalance(12345)", bal.ToInt())
	}
	n.Revert(t, snap)
	if got := latest().Number; got != after.Number {
		t.Errorf("block %d after Revert, want %d", got, after.Number)
	}

	n.Call(t, &bal, "eth_getBalance", DefaultAccount, "latest")
	if bal.ToInt().Sign() <= 0 {
		t.Errorf("DefaultAccount has no balance")
	}
	if got := crypto.PubkeyToAddress(DefaultKey().PublicKey); got != DefaultAccount {
		t.Errorf("DefaultKey is for %s, want %s", got, DefaultAccount)
	}
}

func TestTwoNodesAtOnce(t *testing.T) {
	a, b := Start(t), Start(t, WithChainID(1337))
	if a.URL() == b.URL() {
		t.Fatalf("both on %s", a.URL())
	}
	var id hexutil.Uint64
	b.Call(t, &id, "eth_chainId")
	if id != 1337 {
		t.Errorf("second node on chain %d, want 1337", id)
	}
}

func TestFindBinary(t *testing.T) {
	platformDir := filepath.Join("scripts", "node_modules", "@foundry-rs", "anvil-"+runtime.GOOS+"-"+runtime.GOARCH, "bin")
	binLink := filepath.Join("scripts", "node_modules", ".bin")
	noPath := func(string) (string, error) { return "", os.ErrNotExist }

	tests := []struct {
		name             string
		files            map[string]os.FileMode // relative to root
		anvilBin         string                 // relative to root; "" = unset
		lookPath         func(string) (string, error)
		want             string // relative to root; "" = error
		wantNotInstalled bool
	}{
		{name: "npm .bin link", files: map[string]os.FileMode{
			filepath.Join(binLink, "anvil"): 0o755, filepath.Join(platformDir, "anvil"): 0o755,
		}, lookPath: noPath, want: filepath.Join(binLink, "anvil")},
		{name: "platform package without .bin", files: map[string]os.FileMode{
			filepath.Join(platformDir, "anvil"): 0o755,
		}, lookPath: noPath, want: filepath.Join(platformDir, "anvil")},
		{name: "ANVIL_BIN wins", files: map[string]os.FileMode{
			"custom-anvil": 0o755, filepath.Join(binLink, "anvil"): 0o755,
		}, anvilBin: "custom-anvil", lookPath: noPath, want: "custom-anvil"},
		{name: "ANVIL_BIN missing is an error, not a skip", anvilBin: "nope", lookPath: noPath},
		{name: "not executable is skipped", files: map[string]os.FileMode{
			filepath.Join(binLink, "anvil"): 0o644,
		}, lookPath: noPath, wantNotInstalled: true},
		{name: "PATH", lookPath: func(string) (string, error) { return "/usr/local/bin/anvil", nil }, want: "/usr/local/bin/anvil"},
		{name: "nowhere", lookPath: noPath, wantNotInstalled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" {
				t.Skip("layout uses the unix binary name")
			}
			root := t.TempDir()
			for p, mode := range tt.files {
				full := filepath.Join(root, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte("#!/bin/sh\n"), mode); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{}
			if tt.anvilBin != "" {
				env["ANVIL_BIN"] = filepath.Join(root, tt.anvilBin)
			}
			got, err := findBinary(root, func(k string) string { return env[k] }, tt.lookPath)
			want := tt.want
			if want != "" && !filepath.IsAbs(want) {
				want = filepath.Join(root, want)
			}
			switch {
			case tt.want != "" && (err != nil || got != want):
				t.Errorf("findBinary = %q, %v; want %q", got, err, want)
			case tt.want == "" && err == nil:
				t.Errorf("findBinary = %q, want an error", got)
			case tt.want == "" && (err == errNotInstalled) != tt.wantNotInstalled:
				t.Errorf("err = %v, want errNotInstalled: %v", err, tt.wantNotInstalled)
			}
		})
	}
}

// recordingTB records Skip and Fatal instead of stopping the goroutine.
type recordingTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordingTB) Helper()                        {}
func (r *recordingTB) Skip(args ...any)               { r.skipped = fmt.Sprint(args...) }
func (r *recordingTB) Fatal(args ...any)              { r.fatal = fmt.Sprint(args...) }
func (r *recordingTB) Fatalf(format string, a ...any) { r.fatal = fmt.Sprintf(format, a...) }

func TestMissingBinarySkipsOrFailsUnderCI(t *testing.T) {
	missing := func() (string, error) { return "", errNotInstalled }
	tests := []struct {
		name      string
		ci        string
		find      func() (string, error)
		wantSkip  bool
		wantFatal bool
	}{
		{name: "missing: skip", find: missing, wantSkip: true},
		{name: "missing under CI: fail", ci: "true", find: missing, wantFatal: true},
		{name: "bad ANVIL_BIN: fail", find: func() (string, error) { return "", os.ErrNotExist }, wantFatal: true},
		{name: "found", ci: "true", find: func() (string, error) { return "/x/anvil", nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &recordingTB{}
			getenv := func(k string) string {
				if k == "CI" {
					return tt.ci
				}
				return ""
			}
			bin, ok := requireBinary(tb, getenv, tt.find)
			if (tb.skipped != "") != tt.wantSkip || (tb.fatal != "") != tt.wantFatal {
				t.Fatalf("skipped %q, fatal %q; want skip %v, fatal %v", tb.skipped, tb.fatal, tt.wantSkip, tt.wantFatal)
			}
			if ok != (!tt.wantSkip && !tt.wantFatal) || (ok && bin != "/x/anvil") {
				t.Errorf("requireBinary = %q, %v", bin, ok)
			}
			if msg := tb.skipped + tb.fatal; errorsIsNotInstalled(tt.find) && !strings.Contains(msg, "npm ci --prefix scripts") {
				t.Errorf("message %q does not say how to install anvil", msg)
			}
		})
	}
}

func errorsIsNotInstalled(find func() (string, error)) bool {
	_, err := find()
	return err == errNotInstalled
}

func TestLaunchReportsTakenPort(t *testing.T) {
	bin, ok := requireBinary(t, os.Getenv, func() (string, error) {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		return findBinary(root, os.Getenv, exec.LookPath)
	})
	if !ok {
		return
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = launch(t, bin, l.Addr().(*net.TCPAddr).Port, config{chainID: DefaultChainID})
	if !errors.Is(err, errPortTaken) {
		t.Fatalf("launch on a taken port: %v, want errPortTaken (so Start retries)", err)
	}
}
