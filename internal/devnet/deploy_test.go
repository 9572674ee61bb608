package devnet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/deploy"
	"github.com/stakewallet/stakewallet/internal/devnet/devnetcmd"
)

// otherNode is a node without the model: anvil when scripts/node_modules
// has it, else a second devnet. advance moves its clock forward.
type otherNode struct {
	url     string
	chainID uint64
	advance func(t *testing.T, c *chain, seconds int)
}

func startOtherNode(t *testing.T) otherNode {
	t.Helper()
	matches, _ := filepath.Glob("../../scripts/node_modules/@foundry-rs/anvil-*/bin/anvil")
	if len(matches) == 0 {
		t.Log("anvil not installed (npm ci in scripts/); deploying onto a second devnet")
		d, _ := startDevnet(t, devnet.Config{DisableOracle: true})
		return otherNode{url: d.HTTPEndpoint(), chainID: devnet.ChainID, advance: func(t *testing.T, c *chain, seconds int) {
			// Each on-demand block is at least a second after its parent.
			for range seconds {
				c.sendRaw(account(t, 9), account(t, 9).Address, nil, nil)
			}
		}}
	}
	port := freePort(t)
	cmd := exec.Command(matches[0], "--port", strconv.Itoa(port), "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start anvil: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		client, err := ethclient.DialContext(ctx, url)
		if err == nil {
			_, err = client.ChainID(ctx)
			client.Close()
		}
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("anvil did not come up: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return otherNode{url: url, chainID: 31337, advance: func(t *testing.T, c *chain, seconds int) {
		var res any
		if err := c.rpc.CallContext(c.ctx, &res, "evm_increaseTime", seconds); err != nil {
			t.Fatalf("evm_increaseTime: %v", err)
		}
		if err := c.rpc.CallContext(c.ctx, &res, "evm_mine"); err != nil {
			t.Fatalf("evm_mine: %v", err)
		}
	}}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// run executes stakewallet-devnet in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	code := devnetcmd.Execute(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestDeployAndOracleOnAnotherNode deploys the model with the deploy command
// and finalizes a request with `oracle --once` after moving the node's clock.
func TestDeployAndOracleOnAnotherNode(t *testing.T) {
	t.Parallel()
	node := startOtherNode(t)

	code, out, errOut := run(t, "deploy", "--rpc-url", node.url, "--json", "--name", "other")
	if code != 0 {
		t.Fatalf("deploy exited %d: %s", code, errOut)
	}
	var netw deploy.Network
	if err := json.Unmarshal([]byte(out), &netw); err != nil {
		t.Fatalf("deploy output is not the JSON network entry: %v\n%s", err, out)
	}
	if netw.Name != "other" || netw.ChainID != node.chainID || len(netw.RPCURLs) != 1 || netw.RPCURLs[0] != node.url {
		t.Errorf("network entry %+v", netw)
	}
	lidoAddrs := netw.Protocols["lido"]
	dep := contracts.Deployment{
		StETH:           common.HexToAddress(lidoAddrs["steth"]),
		WstETH:          common.HexToAddress(lidoAddrs["wsteth"]),
		WithdrawalQueue: common.HexToAddress(lidoAddrs["withdrawalQueue"]),
		Locator:         common.HexToAddress(lidoAddrs["locator"]),
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	c := dialChain(t, ctx, node.url, dep)
	lidoA, queue, loc := contracts.Lido(), contracts.WithdrawalQueue(), contracts.Locator()
	for method, want := range map[string]common.Address{"lido": dep.StETH, "wstETH": dep.WstETH, "withdrawalQueue": dep.WithdrawalQueue, "accountingOracle": account(t, 0).Address} {
		if got := c.call(loc, dep.Locator, method)[0]; got != want {
			t.Errorf("locator.%s() = %v, want %v", method, got, want)
		}
	}

	user := account(t, 1)
	c.send(user, dep.StETH, ether(5), lidoA, "submit", common.Address{})
	c.send(user, dep.StETH, nil, lidoA, "approve", dep.WithdrawalQueue, ether(2))
	c.send(user, dep.WithdrawalQueue, nil, queue, "requestWithdrawals", []*big.Int{ether(2)}, common.Address{})

	oracleArgs := []string{"oracle", "--rpc-url", node.url, "--locator", dep.Locator.Hex(), "--bonding-period", "1h", "--once", "--json"}
	type onceOutput struct {
		TxHash        string  `json:"txHash"`
		FinalizedFrom *uint64 `json:"finalizedFrom"`
		FinalizedTo   *uint64 `json:"finalizedTo"`
		EthLocked     string  `json:"ethLocked"`
	}
	once := func() onceOutput {
		t.Helper()
		code, out, errOut := run(t, oracleArgs...)
		if code != 0 {
			t.Fatalf("oracle --once exited %d: %s", code, errOut)
		}
		var o onceOutput
		if err := json.Unmarshal([]byte(out), &o); err != nil {
			t.Fatalf("oracle --once --json output: %v\n%s", err, out)
		}
		return o
	}
	if o := once(); o.FinalizedTo != nil || o.TxHash == "" {
		t.Fatalf("finalized %+v before the bonding period", o)
	}
	if node.chainID == 31337 {
		// On a fresh anvil the oracle finds deploy's locator by itself.
		code, _, errOut := run(t, "oracle", "--rpc-url", node.url, "--bonding-period", "1h", "--once")
		if code != 0 || !strings.Contains(errOut, dep.Locator.Hex()) {
			t.Errorf("oracle without --locator: exit %d, %q", code, errOut)
		}
	}
	node.advance(t, c, 3601)
	o := once()
	if o.FinalizedFrom == nil || *o.FinalizedFrom != 1 || *o.FinalizedTo != 1 || o.EthLocked != ether(2).String() {
		t.Fatalf("after the bonding period: %+v, want request 1 finalized with 2 ETH", o)
	}
	r := c.send(user, dep.WithdrawalQueue, nil, queue, "claimWithdrawal", big.NewInt(1))
	wantEvent(t, r.Logs, queue, dep.WithdrawalQueue, "WithdrawalClaimed", event{"requestId": 1, "amountOfETH": ether(2)})

	// Signing with a key the deployment does not trust fails before sending.
	if code, _, errOut := run(t, "oracle", "--rpc-url", node.url, "--locator", dep.Locator.Hex(), "--bonding-period", "0", "--once", "--from-index", "5"); code != 1 || !strings.Contains(errOut, "not the oracle") {
		t.Errorf("oracle with the wrong key: exit %d, %q", code, errOut)
	}
}

func TestCommandLineUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"deploy without rpc url", []string{"deploy"}},
		{"oracle without bonding period", []string{"oracle", "--rpc-url", "http://127.0.0.1:1"}},
		{"non-loopback http", []string{"--http", "0.0.0.0:0"}},
		{"bad duration", []string{"--bonding-period", "soon"}},
		{"bad network name", []string{"deploy", "--rpc-url", "http://127.0.0.1:1", "--name", "a b"}},
		{"both key flags", []string{"deploy", "--rpc-url", "http://127.0.0.1:1", "--from-index", "1", "--private-key-file", "k"}},
		{"key index out of range", []string{"deploy", "--rpc-url", "http://127.0.0.1:1", "--from-index", "10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, errOut := run(t, tt.args...); code != 2 {
				t.Errorf("exit %d (%s), want 2", code, strings.TrimSpace(errOut))
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the node's goroutines to write while
// the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRunCommand starts the devnet through its command line, waits for the
// ready line, and stops it the way Ctrl-C does: by cancelling the context.
func TestRunCommand(t *testing.T) {
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- devnetcmd.Execute(ctx, []string{"--http", "127.0.0.1:0", "--bonding-period", "30", "--apr", "0", "--log-level", "error"}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "stakewallet-devnet ready: http=") {
		select {
		case code := <-done:
			t.Fatalf("exited %d before ready: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready line: %s", stdout.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{
		"Chain ID        1337",
		"Bonding period  30s",
		"(0) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
		"(0) 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
		"LidoLocator             0x1100000000000000000000000000000000000004",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q", want)
		}
	}
	// The printed endpoint is the bound one and answers.
	line := out[strings.Index(out, "ready: http=")+len("ready: http="):]
	url := strings.Fields(line)[0]
	client, err := ethclient.DialContext(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := client.ChainID(ctx); err != nil || id.Uint64() != devnet.ChainID {
		t.Errorf("chain id over %s: %v, %v", url, id, err)
	}
	client.Close()

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after interrupt, want 0: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("did not stop after interrupt")
	}
}
