package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
)

// runConcurrently starts n copies of stakewallet ARGS at once and returns
// each run's result, in start order.
func (w *Wallet) runConcurrently(n int, args ...string) []Result {
	w.t.Helper()
	results := make([]Result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bins.wallet, args...)
			cmd.Env = w.Env
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			<-start
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
				errOut.WriteString(err.Error())
			}
			results[i] = Result{Code: code, Stdout: out.String(), Stderr: errOut.String()}
		}()
	}
	close(start)
	wg.Wait()
	return results
}

// checkConcurrentStakes: every run exited 0 with its own transaction, and
// the transactions took consecutive nonces from first on.
func checkConcurrentStakes(t *testing.T, c *chainReader, results []Result, first uint64) {
	t.Helper()
	consecutive(t, stakeNonces(t, c, results), first)
}

// stakeNonces checks that every run exited 0 with a transaction of its own
// and returns their nonces, read from the chain.
func stakeNonces(t *testing.T, c *chainReader, results []Result) []int {
	t.Helper()
	seen := map[string]bool{}
	var nonces []int
	for i, r := range results {
		if r.Code != 0 {
			t.Fatalf("run %d: exit %d\nstdout: %s\nstderr: %s", i, r.Code, r.Stdout, r.Stderr)
		}
		var doc struct {
			Transactions []struct{ TxHash, Status string }
		}
		if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || len(doc.Transactions) != 1 || doc.Transactions[0].Status != "success" {
			t.Fatalf("run %d: %v\n%s", i, err, r.Stdout)
		}
		h := doc.Transactions[0].TxHash
		if seen[h] {
			t.Fatalf("two runs report the same transaction %s", h)
		}
		seen[h] = true
		tx, _, err := c.ec.TransactionByHash(context.Background(), common.HexToHash(h))
		if err != nil {
			t.Fatalf("run %d: transaction %s is not on chain: %v", i, h, err)
		}
		nonces = append(nonces, int(tx.Nonce()))
	}
	return nonces
}

// consecutive checks that nonces are first, first+1, … in some order.
func consecutive(t *testing.T, nonces []int, first uint64) {
	t.Helper()
	sort.Ints(nonces)
	for i, n := range nonces {
		if n != int(first)+i {
			t.Fatalf("nonces %v are not consecutive from %d", nonces, first)
		}
	}
}

// Eight stakes started at once from one keystore key: each lands with its
// own transaction, the nonces consecutive, on the devnet and on anvil.
// The race showed in about half the runs before the account lock, so each
// node gets several rounds.
func TestConcurrentStakesFromOneKey(t *testing.T) {
	const runs, rounds = 8, 3
	nodes := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"devnet", func(t *testing.T) string { return startDevnet(t, time.Hour) }},
		{"anvil", func(t *testing.T) string { return anvil.Start(t).URL() }},
	}
	for _, n := range nodes {
		t.Run(n.name, func(t *testing.T) {
			url := n.url(t)
			w := newWallet(t, "ETH_RPC_URL="+url)
			if n.name == "anvil" {
				// anvil has none of our contracts: deploy the models and
				// point a config-file network at them.
				entry := devnetTool(t, "deploy", "--rpc-url", url, "--name", "anvil")
				cfg := filepath.Join(w.Home, "config.toml")
				if err := os.WriteFile(cfg, []byte("[defaults]\nnetwork = \"anvil\"\n\n"+entry), 0o600); err != nil {
					t.Fatal(err)
				}
				w.Env = append(w.Env, "STAKEWALLET_CONFIG="+cfg)
			} else {
				w.Env = append(w.Env, "STAKEWALLET_NETWORK=devnet")
			}
			alice := testAccount(t, 0)
			w.ImportKey("alice", alice.KeyHex())
			chain := dialChain(t, url)
			for round := range rounds {
				first := chain.nonce(alice.Address)
				results := w.runConcurrently(runs, "stake", "0.01", "--signer", "alice", "--password-file", w.Password, "--yes", "--json")
				checkConcurrentStakes(t, chain, results, first)
				if got := chain.nonce(alice.Address); got != first+runs {
					t.Fatalf("round %d: nonce went from %d to %d, want +%d", round, first, got, runs)
				}
			}
		})
	}
}

// A run killed while it holds the account's lock does not block the next:
// the kernel drops the lock with the process. The first run is held inside
// the lock by a proxy that stalls its send (the one request made under the
// lock: the nonce comes from the batch before it and the journal), and
// killed there; its signed transaction, journaled before the send, is sent
// again with `tx send` before the next stake.
func TestKilledLockHolder(t *testing.T) {
	url := startDevnet(t, time.Hour)
	proxy := rpcproxy.Start(t, url)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	holder := filepath.Join(w.Home, "stakewallet", "journal", "locks", fmt.Sprintf("1337-%s.holder", strings.ToLower(alice.Address.Hex())))

	holding, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	proxy.SetHook(func(r rpcproxy.Request) rpcproxy.Mode {
		for _, c := range r.Calls {
			if strings.HasPrefix(c.Method, "eth_sendRawTransaction") {
				once.Do(func() { close(holding) })
				<-release
				return rpcproxy.Drop
			}
		}
		return rpcproxy.Pass
	})
	defer once.Do(func() { close(holding) })
	var released sync.Once
	unblock := func() { released.Do(func() { close(release) }) }
	defer unblock() // a failing test must not leave the proxy's hook blocked

	cmd := exec.Command(bins.wallet, "stake", "0.01", "--signer", "alice", "--password-file", w.Password, "--yes", "--json", "--rpc-url", proxy.URL())
	cmd.Env = w.Env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-holding:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("the stake never sent under the lock")
	}
	if _, err := os.Stat(holder); err != nil {
		t.Errorf("the holder's description is missing while it holds the lock: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	unblock()

	started := time.Now()
	rows := w.journal(t)
	if len(rows) != 1 || rows[0].State != "signed" {
		t.Fatalf("journal after the kill: %+v, want the one signed transaction", rows)
	}
	w.MustJSON("tx", "send", filepath.Join(w.Home, "stakewallet", "journal", "1337-"+rows[0].Hash+".json"), "--rpc-url", url, "--yes")
	out := w.MustJSON("stake", "0.01", "--signer", "alice", "--password-file", w.Password, "--yes", "--rpc-url", url)
	if field(t, out, "transactions", 0, "status") != "success" {
		t.Fatalf("after the kill: %v", out)
	}
	// The lock wait is minutes; a stale lock would have shown as one.
	if waited := time.Since(started); waited > time.Minute {
		t.Errorf("the next stake took %s", waited)
	}
}

// A stake while `withdrawals wait --claim` claims for the same account:
// both go through, with different nonces.
func TestStakeWhileWaitClaims(t *testing.T) {
	url := startDevnet(t, 2*time.Second)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	w.MustJSON(append([]string{"stake", "1"}, sign...)...)
	w.MustJSON(append([]string{"unstake", "0.5"}, sign...)...)

	first := chain.nonce(alice.Address)
	waitDone := make(chan Result, 1)
	go func() {
		waitDone <- w.Run("", append([]string{"withdrawals", "wait", "--claim", "--interval", "100ms", "--timeout", "90s", "--json"}, sign...)...)
	}()
	// Stake, a few at once, until the wait has claimed.
	var stakes []Result
	var wait Result
loop:
	for {
		stakes = append(stakes, w.runConcurrently(2, append([]string{"stake", "0.01", "--json"}, sign...)...)...)
		select {
		case wait = <-waitDone:
			break loop
		default:
		}
	}
	if wait.Code != 0 {
		t.Fatalf("wait --claim: exit %d\n%s\n%s", wait.Code, wait.Stdout, wait.Stderr)
	}
	var doc struct {
		Claims []struct {
			Transactions []struct{ TxHash, Status string }
		}
	}
	if err := json.Unmarshal([]byte(wait.Stdout), &doc); err != nil || len(doc.Claims) != 1 || len(doc.Claims[0].Transactions) != 1 {
		t.Fatalf("wait document: %v\n%s", err, wait.Stdout)
	}
	nonces := stakeNonces(t, chain, stakes)
	claim, _, err := chain.ec.TransactionByHash(context.Background(), common.HexToHash(doc.Claims[0].Transactions[0].TxHash))
	if err != nil || doc.Claims[0].Transactions[0].Status != "success" {
		t.Fatalf("the claim is not on chain: %v", err)
	}
	consecutive(t, append(nonces, int(claim.Nonce())), first)
	if got := chain.nonce(alice.Address); got != first+uint64(len(stakes))+1 {
		t.Fatalf("nonce went from %d to %d for %d stakes and one claim", first, got, len(stakes))
	}
}
