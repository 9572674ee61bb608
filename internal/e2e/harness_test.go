// Package e2e drives the built stakewallet binaries against real nodes:
// the in-process devnet and anvil. Every test asserts on-chain state read
// independently of the CLI (balances, nonces, request status), not just
// exit codes.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
)

// bins holds the binaries built once by TestMain.
var bins struct{ wallet, devnet string }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stakewallet-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins.wallet = filepath.Join(dir, "stakewallet")
	bins.devnet = filepath.Join(dir, "stakewallet-devnet")
	for out, pkg := range map[string]string{bins.wallet: "./cmd/stakewallet", bins.devnet: "./cmd/stakewallet-devnet"} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Dir = repoRoot()
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, b)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("go.mod not found")
		}
		dir = parent
	}
}

// Wallet runs the stakewallet binary with an isolated home directory.
type Wallet struct {
	t        *testing.T
	Home     string
	Env      []string
	Password string // path of the throwaway passphrase file
}

func newWallet(t *testing.T, extraEnv ...string) *Wallet {
	t.Helper()
	home := t.TempDir()
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("e2e throwaway passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + home,
		"STAKEWALLET_HOME=" + filepath.Join(home, "stakewallet"),
		"PATH=" + os.Getenv("PATH"),
		"NO_COLOR=1",
	}
	return &Wallet{t: t, Home: home, Env: append(env, extraEnv...), Password: pw}
}

// Result of one CLI run.
type Result struct {
	Code   int
	Stdout string
	Stderr string
}

// JSON decodes stdout, failing the test if it is not one JSON document.
func (r Result) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not JSON: %v\nstdout: %s\nstderr: %s", err, r.Stdout, r.Stderr)
	}
	if dec.More() {
		t.Fatalf("stdout has more than one JSON document:\n%s", r.Stdout)
	}
	return m
}

// Run executes stakewallet with args and stdin.
func (w *Wallet) Run(stdin string, args ...string) Result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.wallet, args...)
	cmd.Env = w.Env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("run stakewallet %v: %v", args, err)
	}
	return Result{Code: code, Stdout: out.String(), Stderr: errOut.String()}
}

// MustJSON runs with --json and requires exit 0.
func (w *Wallet) MustJSON(args ...string) map[string]any {
	w.t.Helper()
	r := w.Run("", append(args, "--json")...)
	if r.Code != 0 {
		w.t.Fatalf("stakewallet %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.JSON(w.t)
}

// ImportKey imports a (public test) private key through stdin, never a file.
func (w *Wallet) ImportKey(name, hexKey string) {
	w.t.Helper()
	r := w.Run(hexKey+"\n", "keys", "import", name, "--private-key-file", "-", "--password-file", w.Password, "--json")
	if r.Code != 0 {
		w.t.Fatalf("keys import: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
}

// bigOf reads a decimal-string field.
func bigOf(t *testing.T, v any) *big.Int {
	t.Helper()
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	default:
		t.Fatalf("not a decimal string: %#v", v)
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("not a decimal string: %q", s)
	}
	return b
}

// field walks a path of map keys / slice indexes.
func field(t *testing.T, m any, path ...any) any {
	t.Helper()
	cur := m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			mm, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("path %v: %#v is not an object", path, cur)
			}
			cur, ok = mm[k]
			if !ok {
				t.Fatalf("path %v: no key %q in %v", path, k, mm)
			}
		case int:
			s, ok := cur.([]any)
			if !ok || k >= len(s) {
				t.Fatalf("path %v: %#v has no index %d", path, cur, k)
			}
			cur = s[k]
		}
	}
	return cur
}

// chainReader reads state independently of the CLI.
type chainReader struct {
	t  *testing.T
	ec *ethclient.Client
}

func dialChain(t *testing.T, url string) *chainReader {
	t.Helper()
	ec, err := ethclient.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ec.Close)
	return &chainReader{t: t, ec: ec}
}

func (c *chainReader) nonce(a common.Address) uint64 {
	c.t.Helper()
	n, err := c.ec.NonceAt(context.Background(), a, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

func (c *chainReader) balance(a common.Address) *big.Int {
	c.t.Helper()
	b, err := c.ec.BalanceAt(context.Background(), a, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

func (c *chainReader) tokenBalance(token, owner common.Address) *big.Int {
	c.t.Helper()
	data := append(common.FromHex("0x70a08231"), common.LeftPadBytes(owner.Bytes(), 32)...)
	out, err := c.ec.CallContract(context.Background(), ethereumCall(token, data), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return new(big.Int).SetBytes(out)
}

func eth(whole string) *big.Int {
	v, ok := new(big.Rat).SetString(whole)
	if !ok {
		panic(whole)
	}
	v.Mul(v, new(big.Rat).SetInt(big.NewInt(1e18)))
	if !v.IsInt() {
		panic(whole)
	}
	return v.Num()
}

// near reports whether a and b differ by at most tol wei (stETH's share
// rounding loses 1-2 wei).
func near(a, b *big.Int, tol int64) bool {
	d := new(big.Int).Sub(a, b)
	return d.Abs(d).Cmp(big.NewInt(tol)) <= 0
}
