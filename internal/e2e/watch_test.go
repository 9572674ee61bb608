package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// statusCall is getWithdrawalStatus(uint256[]) as the proxy counts it.
const statusCall = "eth_call:0xb8c4b85a"

// startDevnetWith runs an in-process devnet with cfg (loopback, free port,
// no rewards) and returns it.
func startDevnetWith(t *testing.T, cfg devnet.Config) *devnet.Devnet {
	t.Helper()
	// The context bounds start-up only: a devnet that cannot start fails
	// the test in a minute instead of hanging the suite.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg.HTTPAddr, cfg.APR = "127.0.0.1:0", 0
	d, err := devnet.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// makeRequests has acct stake and request n withdrawals of `each` wei
// owned by acct, straight through the contracts (40 per transaction), and
// returns their ids: the cheap way to a long queue.
func makeRequests(t *testing.T, d *devnet.Devnet, acct devkeys.Account, n int, each *big.Int) []*big.Int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := devtx.NewSender(ctx, d.Client(), acct.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	lidoABI, qABI := &contracts.Lido().ABI, &contracts.WithdrawalQueue().ABI
	total := new(big.Int).Mul(each, big.NewInt(int64(n)))
	send := func(to common.Address, value *big.Int, abiData func() ([]byte, error)) []*big.Int {
		data, err := abiData()
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Send(ctx, &to, value, data)
		if err != nil {
			t.Fatal(err)
		}
		var ids []*big.Int
		topic := qABI.Events["WithdrawalRequested"].ID
		for _, l := range r.Logs {
			if l.Address == lido.DevnetWithdrawalQueue && len(l.Topics) == 4 && l.Topics[0] == topic {
				ids = append(ids, l.Topics[1].Big())
			}
		}
		return ids
	}
	// A little extra stETH covers share rounding.
	send(lido.DevnetStETH, new(big.Int).Add(total, big.NewInt(1e9)), func() ([]byte, error) { return lidoABI.Pack("submit", common.Address{}) })
	send(lido.DevnetStETH, nil, func() ([]byte, error) { return lidoABI.Pack("approve", lido.DevnetWithdrawalQueue, total) })
	var ids []*big.Int
	for done := 0; done < n; done += 40 {
		amounts := make([]*big.Int, min(40, n-done))
		for i := range amounts {
			amounts[i] = each
		}
		ids = append(ids, send(lido.DevnetWithdrawalQueue, nil, func() ([]byte, error) {
			return qABI.Pack("requestWithdrawals", amounts, acct.Address)
		})...)
	}
	if len(ids) != n {
		t.Fatalf("made %d requests, want %d", len(ids), n)
	}
	return ids
}

// events decodes the JSON objects a --json wait wrote to stderr.
func events(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stderr line is not a JSON object: %q", line)
		}
		out = append(out, m)
	}
	return out
}

// statusSeq is the sequence of statuses the events report for id.
func statusSeq(evs []map[string]any, id string) []string {
	var out []string
	for _, e := range evs {
		if e["event"] == "status" && e["id"] == id {
			out = append(out, e["status"].(string))
		}
	}
	return out
}

func (c *chainReader) blockNumber() uint64 {
	c.t.Helper()
	n, err := c.ec.BlockNumber(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

// waitFinalized waits up to within for the devnet's oracle to finalize
// every one of ids (Lido requests).
func (c *chainReader) waitFinalized(within time.Duration, ids ...*big.Int) {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for _, id := range ids {
		for {
			if fin, _, _ := c.requestState(lido.DevnetWithdrawalQueue, id); fin {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("request %s not finalized in %s", id, within)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// requestState reads isFinalized/isClaimed of id independently of the CLI.
func (c *chainReader) requestState(queue common.Address, id *big.Int) (finalized, claimed bool, ts uint64) {
	c.t.Helper()
	qABI := &contracts.WithdrawalQueue().ABI
	data, err := qABI.Pack("getWithdrawalStatus", []*big.Int{id})
	if err != nil {
		c.t.Fatal(err)
	}
	out, err := c.ec.CallContract(context.Background(), ethereumCall(queue, data), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	vals, err := qABI.Unpack("getWithdrawalStatus", out)
	if err != nil {
		c.t.Fatal(err)
	}
	var st []struct {
		AmountOfStETH, AmountOfShares *big.Int
		Owner                         common.Address
		Timestamp                     *big.Int
		IsFinalized, IsClaimed        bool
	}
	if err := qABI.Methods["getWithdrawalStatus"].Outputs.Copy(&st, vals); err != nil {
		c.t.Fatal(err)
	}
	return st[0].IsFinalized, st[0].IsClaimed, st[0].Timestamp.Uint64()
}

// mineEvery makes a block every interval (a transfer from acct to
// itself) until the test ends: regular blocks without the devnet's block
// period.
func mineEvery(t *testing.T, d *devnet.Devnet, acct devkeys.Account, interval time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-done
	})
	s, err := devtx.NewSender(ctx, d.Client(), acct.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		self := acct.Address
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
				_, _ = s.Send(sctx, &self, big.NewInt(1), nil) // a failed tick only skips a block
				scancel()
			}
		}
	}()
}

// The polling budget through a counting proxy: while waiting, at most one
// status read per new block, for 1 request as for 200, although the block
// number is polled about five times per block.
func TestWaitPollingBudget(t *testing.T) {
	// Blocks get at least a second each, so chain time, which the bonding
	// period counts in, runs twice as fast as the clock here.
	d := startDevnetWith(t, devnet.Config{BondingPeriod: 10 * time.Second})
	mineEvery(t, d, testAccount(t, 9), 500*time.Millisecond)
	proxy := rpcproxy.Start(t, d.HTTPEndpoint())
	chain := dialChain(t, d.HTTPEndpoint())
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+proxy.URL())
	measured := map[int]int{}
	for i, n := range []int{1, 200} {
		t.Run(fmt.Sprintf("%d requests", n), func(t *testing.T) {
			owner := testAccount(t, 2+i)
			ids := makeRequests(t, d, owner, n, eth("0.01"))
			proxy.Reset()
			before := chain.blockNumber()
			r := w.Run("", "withdrawals", "wait", "--owner", owner.Address.Hex(), "--interval", "100ms", "--timeout", "60s", "--json")
			after := chain.blockNumber()
			if r.Code != 0 {
				t.Fatalf("wait: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
			}
			ws := field(t, r.JSON(t), "withdrawals").([]any)
			if len(ws) != n {
				t.Fatalf("waited for %d requests, want %d", len(ws), n)
			}
			for _, wd := range ws {
				if field(t, wd, "status") != "claimable" {
					t.Fatalf("ended with %v", wd)
				}
			}
			status, polls, blocks := proxy.Count(statusCall), proxy.Count("eth_blockNumber"), int(after-before)
			measured[n] = status
			t.Logf("%d requests: %d status reads, %d block-number polls, %d new blocks", n, status, polls, blocks)
			// The first block costs two reads (the list and the ETA's history
			// of the queue), then one per new block at most.
			if status > blocks+2 {
				t.Errorf("%d status reads over %d new blocks", status, blocks)
			}
			if polls < 2*status {
				t.Errorf("only %d block-number polls for %d status reads: the budget was not tested", polls, status)
			}
			final, _, _ := chain.requestState(lido.DevnetWithdrawalQueue, ids[len(ids)-1])
			if !final {
				t.Errorf("request %s not finalized on-chain", ids[len(ids)-1])
			}
		})
	}
	if measured[200] > measured[1]+3 {
		t.Errorf("status reads grow with the number of requests: %v", measured)
	}

	// Ctrl-C ends the wait cleanly with the command that resumes it.
	owner := testAccount(t, 5)
	id := makeRequests(t, d, owner, 1, eth("0.01"))[0]
	cmd := exec.Command(bins.wallet, "withdrawals", "wait", id.String(), "--owner", owner.Address.Hex(), "--interval", "100ms", "--json")
	cmd.Env = w.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("interrupted wait: %v\n%s", err, stderr.String())
	}
	doc := Result{Stdout: stdout.String()}.JSON(t)
	msg := field(t, doc, "error", "message").(string)
	if field(t, doc, "error", "code") != "interrupted" || !strings.Contains(msg, "resume with `stakewallet withdrawals wait "+id.String()+" --owner "+owner.Address.Hex()+"`") {
		t.Errorf("interrupted: %v", doc)
	}
}

// Dropped connections, 500s and 429s with Retry-After while waiting do
// not end the wait: the client retries them (honouring Retry-After), the
// wait backs off, and it still ends when the request is claimable.
func TestWaitSurvivesRPCErrors(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{BondingPeriod: 6 * time.Second})
	proxy := rpcproxy.Start(t, d.HTTPEndpoint())
	owner := testAccount(t, 4)
	makeRequests(t, d, owner, 1, eth("0.5"))

	script := []rpcproxy.Mode{}
	for range 6 {
		script = append(script, rpcproxy.Drop)
	}
	for range 6 {
		script = append(script, rpcproxy.HTTP500)
	}
	script = append(script, rpcproxy.HTTP429, rpcproxy.HTTP429)
	var (
		mu       sync.Mutex
		started  bool
		pos      int
		last429  time.Time
		gaps     []time.Duration // from each 429 to the next request
		injected int
	)
	proxy.SetHook(func(r rpcproxy.Request) rpcproxy.Mode {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if !last429.IsZero() {
			gaps = append(gaps, now.Sub(last429))
			last429 = time.Time{}
		}
		if !started {
			// Let the wait start, then break the next requests.
			for _, c := range r.Calls {
				if c.Method+":"+c.Selector == statusCall {
					started = true
				}
			}
			return rpcproxy.Pass
		}
		if pos >= len(script) {
			return rpcproxy.Pass
		}
		m := script[pos]
		pos++
		injected++
		if m == rpcproxy.HTTP429 {
			last429 = now
		}
		return m
	})
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+proxy.URL())
	r := w.Run("", "withdrawals", "wait", "--owner", owner.Address.Hex(), "--interval", "200ms", "--timeout", "60s", "--json")
	if r.Code != 0 {
		t.Fatalf("wait ended with exit %d despite retryable errors\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if st := field(t, r.JSON(t), "withdrawals", 0, "status"); st != "claimable" {
		t.Fatalf("status %v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if injected != len(script) {
		t.Fatalf("injected %d of %d faults: the wait ended before they ran", injected, len(script))
	}
	if len(gaps) != 2 {
		t.Fatalf("gaps after 429: %v", gaps)
	}
	for _, g := range gaps {
		if g < 950*time.Millisecond {
			t.Errorf("retried %v after a 429 with Retry-After: 1", g)
		}
	}
	retries := 0
	for _, e := range events(t, r.Stderr) {
		if e["event"] == "retry" {
			retries++
		}
	}
	// 6 drops and 6 errors are more than the client's 4 attempts per call:
	// the wait itself saw failures, reported them, and went on.
	if retries < 2 {
		t.Errorf("%d retry events on stderr:\n%s", retries, r.Stderr)
	}
}

// On the devnet over a websocket: requests of different ages, claimed by
// `withdrawals wait --claim` as they become claimable; the ETH arrives.
func TestWaitClaimDifferentAges(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{BondingPeriod: 4 * time.Second})
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+d.HTTPEndpoint())
	alice := testAccount(t, 0)
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, d.HTTPEndpoint())
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	w.MustJSON(append([]string{"stake", "3"}, sign...)...)
	var ids []string
	for i, amt := range []string{"0.5", "0.7", "0.9"} {
		if i > 0 {
			time.Sleep(1500 * time.Millisecond)
		}
		out := w.MustJSON(append([]string{"unstake", amt}, sign...)...)
		ids = append(ids, field(t, out, "requestIds", 0).(string))
	}
	// Without --yes and without a terminal: refused before anything.
	if r := w.Run("", "withdrawals", "wait", "--claim", "--signer", "alice", "--password-file", w.Password); r.Code != 6 {
		t.Fatalf("--claim without --yes, no terminal: exit %d\n%s", r.Code, r.Stderr)
	}

	before := chain.balance(alice.Address)
	r := w.Run("", append([]string{"withdrawals", "wait", "--claim", "--rpc-url", d.WSEndpoint(), "--interval", "200ms", "--timeout", "60s", "--json"}, sign...)...)
	if r.Code != 0 {
		t.Fatalf("wait --claim: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	doc := r.JSON(t)
	evs := events(t, r.Stderr)
	if len(evs) == 0 || evs[0]["event"] != "mode" || evs[0]["mode"] != "subscription" {
		t.Errorf("first event %v: want the subscription mode", evs[0])
	}
	claimed := new(big.Int)
	fees := new(big.Int)
	for _, c := range field(t, doc, "claims").([]any) {
		for _, tx := range field(t, c, "transactions").([]any) {
			if field(t, tx, "status") != "success" {
				t.Fatalf("claim tx %v", tx)
			}
			fees.Add(fees, new(big.Int).Mul(bigOf(t, field(t, tx, "gasUsed")), bigOf(t, field(t, tx, "effectiveGasPrice"))))
		}
		claimed.Add(claimed, bigOf(t, field(t, c, "amount")))
	}
	for i, id := range ids {
		seq := statusSeq(evs, id)
		if len(seq) < 2 || seq[len(seq)-1] != "claimed" || seq[len(seq)-2] != "claimable" {
			t.Errorf("request %s went %v, want … claimable, claimed", id, seq)
		}
		if st := field(t, doc, "withdrawals", i, "status"); st != "claimed" {
			t.Errorf("request %s ended %v", id, st)
		}
		idBig, _ := new(big.Int).SetString(id, 10)
		if _, isClaimed, _ := chain.requestState(lido.DevnetWithdrawalQueue, idBig); !isClaimed {
			t.Errorf("request %s not claimed on-chain", id)
		}
	}
	if claimed.Cmp(eth("2.1")) != 0 {
		t.Errorf("claimed %s, want 2.1 ETH", claimed)
	}
	if gained := new(big.Int).Sub(chain.balance(alice.Address), before); gained.Cmp(new(big.Int).Sub(claimed, fees)) != 0 {
		t.Errorf("ETH gained %s, want %s - fees %s", gained, claimed, fees)
	}
}

// On anvil, with the clock moved a day at a time like Lido's daily
// reports: the ETA follows the observed cadence and margin, the requests
// finalize when it says, and `wait --claim` claims them, in two rounds,
// as each becomes claimable.
func TestWaitAnvilETA(t *testing.T) {
	node := anvil.Start(t)
	const bonding = time.Hour
	entry := devnetTool(t, "deploy", "--rpc-url", node.URL(), "--name", "anvil")
	locator := tomlValue(t, entry, "locator")
	queue := common.HexToAddress(tomlValue(t, entry, "withdrawalQueue"))
	w := newWallet(t)
	cfg := filepath.Join(w.Home, "config.toml")
	if err := os.WriteFile(cfg, []byte("[defaults]\nnetwork = \"anvil\"\n\n"+entry), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Env = append(w.Env, "STAKEWALLET_CONFIG="+cfg)
	alice, bob := testAccount(t, 0), testAccount(t, 1)
	w.ImportKey("alice", alice.KeyHex())
	w.ImportKey("bob", bob.KeyHex())
	chain := dialChain(t, node.URL())
	signAs := func(who string) []string { return []string{"--signer", who, "--password-file", w.Password, "--yes"} }
	report := func() {
		devnetTool(t, "oracle", "--rpc-url", node.URL(), "--bonding-period", bonding.String(), "--locator", locator, "--once")
	}
	headTime := func() time.Time {
		h, err := chain.ec.HeaderByNumber(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return time.Unix(int64(h.Time), 0).UTC()
	}
	w.MustJSON(append([]string{"stake", "1"}, signAs("bob")...)...)
	w.MustJSON(append([]string{"stake", "3"}, signAs("alice")...)...)

	// No finalization seen yet: the ETA is unknown and says why.
	w.MustJSON(append([]string{"unstake", "0.1"}, signAs("bob")...)...)
	list := w.MustJSON("withdrawals", "--signer", "bob")
	if eta := field(t, list, "withdrawals", 0, "eta"); eta != nil || !strings.HasPrefix(field(t, list, "withdrawals", 0, "etaNote").(string), "unknown") {
		t.Fatalf("ETA without history: %v", field(t, list, "withdrawals", 0))
	}

	// Three daily reports; before each, bob's request is 70 minutes old, so
	// the youngest age seen finalized is 70 minutes.
	var reports []time.Time
	for i := 0; i < 3; i++ {
		if i > 0 {
			node.IncreaseTime(t, 24*time.Hour-bonding-10*time.Minute)
			w.MustJSON(append([]string{"unstake", "0.1"}, signAs("bob")...)...)
		}
		node.IncreaseTime(t, bonding+10*time.Minute)
		node.Mine(t, 1)
		report()
		reports = append(reports, headTime())
	}
	last := reports[2]

	// Alice's requests: two right after the report, one 23.5 h later (too
	// young for the next report by then).
	var ids []string
	for _, step := range []time.Duration{time.Minute, 6 * time.Hour, 17*time.Hour + 29*time.Minute} {
		node.IncreaseTime(t, step)
		out := w.MustJSON(append([]string{"unstake", "0.5"}, signAs("alice")...)...)
		ids = append(ids, field(t, out, "requestIds", 0).(string))
	}
	list = w.MustJSON("withdrawals", "--signer", "alice")
	etas := map[string]time.Time{}
	for _, wd := range field(t, list, "withdrawals").([]any) {
		eta, err := time.Parse(time.RFC3339, field(t, wd, "eta").(string))
		if err != nil {
			t.Fatalf("eta of %v: %v", wd, err)
		}
		etas[field(t, wd, "id").(string)] = eta
		if note := field(t, wd, "etaNote").(string); !strings.Contains(note, "every ~24h") || !strings.Contains(note, "~1h10m old") {
			t.Errorf("ETA note %q", note)
		}
	}
	// The cadence is 24 h plus the seconds each step's blocks add.
	near := func(a, b time.Time) bool { d := a.Sub(b); return d > -3*time.Minute && d < 3*time.Minute }
	for i, want := range []time.Time{last.Add(24 * time.Hour), last.Add(24 * time.Hour), last.Add(48 * time.Hour)} {
		if !near(etas[ids[i]], want) {
			t.Errorf("ETA of %s = %v, want ~%v", ids[i], etas[ids[i]], want)
		}
	}
	human := w.Run("", "withdrawals", "--signer", "alice")
	if !strings.Contains(human.Stdout, "(in ~") || !strings.Contains(human.Stdout, "ETA: Lido finalized every ~24h") {
		t.Errorf("human list:\n%s", human.Stdout)
	}

	// wait --claim in the background while the days pass.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.wallet, append([]string{"withdrawals", "wait", "--claim", "--interval", "200ms", "--timeout", "100s", "--json"}, signAs("alice")...)...)
	cmd.Env = w.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\nstderr: %s", what, stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	idBig := func(s string) *big.Int { v, _ := new(big.Int).SetString(s, 10); return v }

	// The next report: the first two are old enough, the third is not.
	node.IncreaseTime(t, last.Add(24*time.Hour).Sub(headTime()))
	node.Mine(t, 1)
	report()
	firstAt := headTime()
	for i := 0; i < 2; i++ {
		if !near(firstAt, etas[ids[i]]) {
			t.Errorf("request %s finalized at %v, ETA was %v", ids[i], firstAt, etas[ids[i]])
		}
	}
	waitFor("the first two claims", func() bool {
		_, c0, _ := chain.requestState(queue, idBig(ids[0]))
		_, c1, _ := chain.requestState(queue, idBig(ids[1]))
		return c0 && c1
	})
	if fin, _, _ := chain.requestState(queue, idBig(ids[2])); fin {
		t.Fatalf("request %s finalized at a report it was too young for", ids[2])
	}
	node.IncreaseTime(t, 24*time.Hour)
	node.Mine(t, 1)
	report()
	if at := headTime(); !near(at, etas[ids[2]]) {
		t.Errorf("request %s finalized at %v, ETA was %v", ids[2], at, etas[ids[2]])
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wait --claim: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	doc := Result{Stdout: stdout.String()}.JSON(t)
	if claims := field(t, doc, "claims").([]any); len(claims) != 2 {
		t.Errorf("%d claim rounds, want 2: %v", len(claims), claims)
	}
	for _, id := range ids {
		if _, c, _ := chain.requestState(queue, idBig(id)); !c {
			t.Errorf("request %s not claimed", id)
		}
	}
}
