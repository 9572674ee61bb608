package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
)

// Helpers for tests that need a devnet chain other than "devnet": start one
// in-process (startChain) or run the built stakewallet-devnet with several
// (startDevnetBinary), and get each chain's RPC URL.

// startChain runs one devnet chain in-process (loopback, a free port, no
// rewards) and returns it; its URL is HTTPEndpoint(). cfg.Chain names the
// chain ("devnet-avalanche"); the other fields as for startDevnetWith.
func startChain(t *testing.T, chain string, cfg devnet.Config) *devnet.Devnet {
	t.Helper()
	cfg.Chain = chain
	return startDevnetWith(t, cfg)
}

// devnetProcess is the built stakewallet-devnet running several chains.
type devnetProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	// URLs maps each chain to its HTTP endpoint (WebSocket shares it).
	URLs map[string]string
	// ChainIDs maps each chain to the chain id its ready line names.
	ChainIDs map[string]uint64
	done     chan struct{}
	stopOnce sync.Once
}

// readyLine is one line per chain in the banner of stakewallet-devnet.
var readyLine = regexp.MustCompile(`^stakewallet-devnet ready: http=(\S+) ws=\S+ chain=(\S+) chain-id=(\d+)$`)

// startDevnetBinary runs the built stakewallet-devnet with args (add
// --chains to pick chains; every chain takes a free port unless args say
// --http) and waits until every chain is ready. It stops on cleanup.
func startDevnetBinary(t *testing.T, args ...string) *devnetProcess {
	t.Helper()
	full := append([]string{"--http", "127.0.0.1:0", "--log-level", "error", "--apr", "0"}, args...)
	cmd := exec.Command(bins.devnet, full...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &devnetProcess{cmd: cmd, stderr: &lockedBuffer{}, URLs: map[string]string{}, ChainIDs: map[string]uint64{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(t) })

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("stakewallet-devnet %v exited %d before it was ready:\n%s", full, cmd.ProcessState.ExitCode(), p.stderr.String())
			}
			if m := readyLine.FindStringSubmatch(line); m != nil {
				id, _ := strconv.ParseUint(m[3], 10, 64)
				p.URLs[m[2]], p.ChainIDs[m[2]] = m[1], id
			}
			if line == "Ctrl-C to stop" {
				// The rest of stdout ("Shutting down") is read away.
				go func() {
					for range lines {
					}
				}()
				go func() { _ = cmd.Wait(); close(p.done) }()
				return p
			}
		case <-deadline:
			t.Fatalf("stakewallet-devnet not ready after 2 minutes:\n%s", p.stderr.String())
		}
	}
}

// URL is the HTTP endpoint of chain, failing the test if it is not running.
func (p *devnetProcess) URL(t *testing.T, chain string) string {
	t.Helper()
	u, ok := p.URLs[chain]
	if !ok {
		t.Fatalf("chain %s is not running (running: %v)", chain, p.URLs)
	}
	return u
}

// stop interrupts the process as Ctrl-C does and requires a clean exit.
func (p *devnetProcess) stop(t *testing.T) {
	p.stopOnce.Do(func() {
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			return // already gone
		}
		select {
		case <-p.done:
			if code := p.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("stakewallet-devnet exited %d after Ctrl-C:\n%s", code, p.stderr.String())
			}
		case <-time.After(time.Minute):
			_ = p.cmd.Process.Kill()
			t.Errorf("stakewallet-devnet did not stop within a minute of Ctrl-C")
		}
	})
}

// lockedBuffer collects a process's stderr while tests read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var _ io.Writer = (*lockedBuffer)(nil)

// TestDevnetBinaryRunsEveryChain: the built stakewallet-devnet with no
// --chains runs every chain; each endpoint answers with its chain id and
// holds Multicall3, and the wallet reads a balance in the chain's coin on
// devnet-avalanche through its built-in network with --rpc-url.
func TestDevnetBinaryRunsEveryChain(t *testing.T) {
	p := startDevnetBinary(t)
	mc, err := contracts.Load(devnet.NameMulticall3)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	chains := devnet.Chains()
	if len(p.URLs) != len(chains) {
		t.Errorf("%d chains ready, want %d: %v", len(p.URLs), len(chains), p.URLs)
	}
	for _, ch := range chains {
		url := p.URL(t, ch.Name)
		c, err := ethclient.DialContext(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		id, err := c.ChainID(ctx)
		if err != nil || id.Uint64() != ch.ChainID || p.ChainIDs[ch.Name] != ch.ChainID {
			t.Errorf("%s at %s: eth_chainId %v, %v; ready line says %d; want %d", ch.Name, url, id, err, p.ChainIDs[ch.Name], ch.ChainID)
		}
		code, err := c.CodeAt(ctx, devnet.Multicall3Address, nil)
		if err != nil || !bytes.Equal(code, mc.DeployedBytecode) {
			t.Errorf("%s: Multicall3 code %d bytes, %v", ch.Name, len(code), err)
		}
		c.Close()
	}

	w := newWallet(t)
	acc0 := devkeys.TestAccounts()[0].Address
	url := p.URL(t, "devnet-avalanche")
	got := w.MustJSON("--network", "devnet-avalanche", "--rpc-url", url, "balance", acc0.Hex())
	if id, ok := field(t, got, "chainId").(json.Number); !ok || id.String() != "43112" || field(t, got, "native", "symbol") != "AVAX" {
		t.Errorf("balance on devnet-avalanche: %v", got)
	}
	chain := dialChain(t, url)
	if have := bigOf(t, field(t, got, "native", "amount")); have.Cmp(chain.balance(acc0)) != 0 || have.Cmp(devnet.TestAccountBalance()) != 0 {
		t.Errorf("native balance %s, chain says %s, genesis %s", have, chain.balance(acc0), devnet.TestAccountBalance())
	}
}

// TestStartChainInProcess: one chain in-process through startChain, and
// the wallet's built-in network of the same name reads it in its coin.
func TestStartChainInProcess(t *testing.T) {
	d := startChain(t, "devnet-sonic", devnet.Config{DisableOracle: true})
	if d.Chain().ChainID != 4003 || d.Native() != "S" {
		t.Fatalf("started %+v", d.Chain())
	}
	w := newWallet(t)
	acc1 := devkeys.TestAccounts()[1].Address
	got := w.MustJSON("--network", "devnet-sonic", "--rpc-url", d.HTTPEndpoint(), "balance", acc1.Hex())
	if field(t, got, "network") != "devnet-sonic" || field(t, got, "native", "symbol") != "S" {
		t.Errorf("balance on devnet-sonic: %v", got)
	}
	if have := bigOf(t, field(t, got, "native", "amount")); have.Cmp(dialChain(t, d.HTTPEndpoint()).balance(acc1)) != 0 {
		t.Errorf("native balance %s differs from the chain's", have)
	}
	// The wrong chain behind the URL is refused, not read as if it were
	// devnet-sonic.
	if r := w.Run("", "--network", "devnet-avalanche", "--rpc-url", d.HTTPEndpoint(), "balance", acc1.Hex(), "--json"); r.Code == 0 {
		t.Errorf("devnet-avalanche over a devnet-sonic node: exit 0\n%s", r.Stdout)
	}
}
