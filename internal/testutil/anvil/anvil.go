// Package anvil runs Foundry's anvil for end-to-end tests: a second,
// independent node implementation next to the go-ethereum devnet, so tests
// do not only pass against the node we built ourselves.
//
// The binary comes from $ANVIL_BIN, else from the npm package installed by
// `npm ci --prefix scripts`, else from PATH. Without it the tests skip —
// except under CI=true, where they fail, because CI must really run them.
package anvil

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// DefaultChainID is anvil's own default.
const DefaultChainID = 31337

// DefaultAccount is the first account of anvil's (and the devnet's) test
// mnemonic "test test … junk", funded with 10000 ETH.
var DefaultAccount = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")

// defaultKeyHex is the well-known, public private key of DefaultAccount.
const defaultKeyHex = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

// DefaultKey returns the private key of DefaultAccount.
func DefaultKey() *ecdsa.PrivateKey {
	k, err := crypto.HexToECDSA(defaultKeyHex)
	if err != nil {
		panic(err) // a constant: cannot happen
	}
	return k
}

const (
	startAttempts = 5                // new port after each collision
	readyTimeout  = 20 * time.Second // first start of a 40 MB binary on a busy CI box
	callTimeout   = 10 * time.Second
)

// Option configures Start.
type Option func(*config)

type config struct {
	chainID   uint64
	blockTime time.Duration
	args      []string
}

// WithChainID sets --chain-id (default 31337).
func WithChainID(id uint64) Option { return func(c *config) { c.chainID = id } }

// WithBlockTime makes anvil mine every d (whole seconds) instead of one
// block per transaction.
func WithBlockTime(d time.Duration) Option { return func(c *config) { c.blockTime = d } }

// WithArgs appends raw anvil flags, e.g. "--hardfork", "prague".
func WithArgs(args ...string) Option {
	return func(c *config) { c.args = append(c.args, args...) }
}

// Node is a running anvil, killed when the test that started it ends.
type Node struct {
	url, wsURL string
	chainID    uint64
	rc         *rpc.Client
}

// URL is the HTTP JSON-RPC endpoint, http://127.0.0.1:PORT.
func (n *Node) URL() string { return n.url }

// WSURL is the websocket endpoint on the same port.
func (n *Node) WSURL() string { return n.wsURL }

// ChainID is the chain ID anvil runs with.
func (n *Node) ChainID() uint64 { return n.chainID }

// Start launches anvil on 127.0.0.1 on a free port and waits until it
// answers eth_chainId. It skips the test when the binary is missing (fails
// under CI=true).
func Start(tb testing.TB, opts ...Option) *Node {
	tb.Helper()
	cfg := config{chainID: DefaultChainID}
	for _, o := range opts {
		o(&cfg)
	}
	bin, ok := requireBinary(tb, os.Getenv, func() (string, error) {
		root, err := RepoRoot()
		if err != nil && os.Getenv("ANVIL_BIN") == "" {
			return "", err
		}
		return findBinary(root, os.Getenv, exec.LookPath)
	})
	if !ok {
		return nil // tb.Skip or tb.Fatal stopped the test
	}
	var lastErr error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("anvil: %v", err)
		}
		n, err := launch(tb, bin, port, cfg)
		if err == nil {
			return n
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	tb.Fatalf("anvil: %v", lastErr)
	return nil
}

var errPortTaken = errors.New("port taken")

// launch starts anvil on port and registers its cleanup. Nothing here
// answers on the port except our own process: readiness is only declared
// while the process is alive, and anvil exits at once when it cannot bind.
func launch(tb testing.TB, bin string, port int, cfg config) (*Node, error) {
	tb.Helper()
	args := []string{
		"--host", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--chain-id", strconv.FormatUint(cfg.chainID, 10),
		"--silent",
	}
	if cfg.blockTime > 0 {
		args = append(args, "--block-time", strconv.FormatInt(int64(max(cfg.blockTime/time.Second, 1)), 10))
	}
	args = append(args, cfg.args...)

	cmd := exec.Command(bin, args...)
	out := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	// exited is closed (not sent on) so that both the readiness loop and the
	// cleanup can observe the exit; waitErr is set before the close.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		killProcessGroup(cmd)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
	}

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	n := &Node{url: "http://" + addr, wsURL: "ws://" + addr, chainID: cfg.chainID}
	rc, err := rpc.DialOptions(context.Background(), n.url)
	if err != nil {
		stop()
		return nil, fmt.Errorf("rpc client for %s: %w", n.url, err)
	}
	if err := waitReady(rc, cfg.chainID, exited, &waitErr, out); err != nil {
		rc.Close()
		stop()
		return nil, err
	}
	n.rc = rc
	tb.Cleanup(func() {
		rc.Close()
		stop()
		if tb.Failed() && out.Len() > 0 {
			tb.Logf("anvil output:\n%s", out.String())
		}
	})
	return n, nil
}

func waitReady(rc *rpc.Client, chainID uint64, exited <-chan struct{}, waitErr *error, out *tailBuffer) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-exited:
			if strings.Contains(strings.ToLower(out.String()), "in use") {
				return fmt.Errorf("%w: %s", errPortTaken, strings.TrimSpace(out.String()))
			}
			return fmt.Errorf("anvil exited before answering (%v): %s", *waitErr, strings.TrimSpace(out.String()))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		var id hexutil.Uint64
		err := rc.CallContext(ctx, &id, "eth_chainId")
		cancel()
		if err == nil {
			if uint64(id) != chainID {
				return fmt.Errorf("%w: something on chain %d answers there", errPortTaken, uint64(id))
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("anvil did not answer eth_chainId within %s: %w", readyTimeout, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before anvil binds it; Start retries on that.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Call runs any JSON-RPC method (anvil_*, evm_*, eth_*) and fails the test on
// error.
func (n *Node) Call(tb testing.TB, result any, method string, args ...any) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := n.rc.CallContext(ctx, result, method, args...); err != nil {
		tb.Fatalf("anvil %s: %v", method, err)
	}
}

// IncreaseTime moves the clock forward by d (whole seconds): the next mined
// block's timestamp is at least d later. It mines nothing itself.
func (n *Node) IncreaseTime(tb testing.TB, d time.Duration) {
	tb.Helper()
	n.Call(tb, nil, "evm_increaseTime", int64(d/time.Second))
}

// Mine mines blocks empty blocks.
func (n *Node) Mine(tb testing.TB, blocks uint64) {
	tb.Helper()
	n.Call(tb, nil, "anvil_mine", hexutil.Uint64(blocks))
}

// SetBalance sets the native balance of addr.
func (n *Node) SetBalance(tb testing.TB, addr common.Address, wei *big.Int) {
	tb.Helper()
	n.Call(tb, nil, "anvil_setBalance", addr, (*hexutil.Big)(wei))
}

// Snapshot saves the chain state; Revert goes back to it (once: anvil
// deletes a snapshot when reverting to it).
func (n *Node) Snapshot(tb testing.TB) string {
	tb.Helper()
	var id string
	n.Call(tb, &id, "evm_snapshot")
	return id
}

// Revert restores the state saved by Snapshot.
func (n *Node) Revert(tb testing.TB, id string) {
	tb.Helper()
	var ok bool
	n.Call(tb, &ok, "evm_revert", id)
	if !ok {
		tb.Fatalf("anvil evm_revert %s: no such snapshot", id)
	}
}

// requireBinary finds anvil or stops the test: Skip normally, Fatal when
// CI=true. It reports false when it stopped the test (fakes of testing.TB
// in tests may return from Skip/Fatal).
func requireBinary(tb testing.TB, getenv func(string) string, find func() (string, error)) (string, bool) {
	tb.Helper()
	bin, err := find()
	if err == nil {
		return bin, true
	}
	if errors.Is(err, errNotInstalled) {
		msg := fmt.Sprintf("anvil: %v", err)
		if getenv("CI") == "true" {
			tb.Fatal(msg + " (CI=true: these tests must run)")
			return "", false
		}
		tb.Skip(msg)
		return "", false
	}
	tb.Fatalf("anvil: %v", err)
	return "", false
}

var errNotInstalled = errors.New("binary not found: run `npm ci --prefix scripts` to install it, or set ANVIL_BIN")

// findBinary looks in $ANVIL_BIN, the npm install under root/scripts, then
// PATH. A set but unusable ANVIL_BIN is an error of its own, not a skip:
// someone asked for that binary.
func findBinary(root string, getenv func(string) string, lookPath func(string) (string, error)) (string, error) {
	if p := getenv("ANVIL_BIN"); p != "" {
		if err := isExecutable(p); err != nil {
			return "", fmt.Errorf("ANVIL_BIN=%s: %w", p, err)
		}
		return p, nil
	}
	exe := "anvil"
	if runtime.GOOS == "windows" {
		exe = "anvil.exe"
	}
	if root != "" {
		nm := filepath.Join(root, "scripts", "node_modules")
		for _, p := range []string{
			filepath.Join(nm, ".bin", exe),
			// The platform package itself, in case .bin links were not made
			// (npm ci --no-bin-links, copied node_modules).
			filepath.Join(nm, "@foundry-rs", "anvil-"+runtime.GOOS+"-"+runtime.GOARCH, "bin", exe),
		} {
			if isExecutable(p) == nil {
				return p, nil
			}
		}
	}
	if p, err := lookPath(exe); err == nil {
		return p, nil
	}
	return "", errNotInstalled
}

func isExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", p)
	}
	if runtime.GOOS != "windows" && fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not executable", p)
	}
	return nil
}

// RepoRoot walks up from the working directory (a test's package dir) to
// the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding the repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// tailBuffer keeps the last max bytes of anvil's output for diagnostics.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *tailBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}
