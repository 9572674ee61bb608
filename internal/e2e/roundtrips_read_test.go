package e2e

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
	"github.com/stakewallet/stakewallet/pkg/ens"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// manyRequests is how many Lido withdrawal requests the scale test makes,
// perTx per requestWithdrawals call.
const manyRequests, perTx = 1000, 100

// TestReadRoundTrips asserts the exact round trips of the read-only
// commands on the devnet through the counting proxy: balance of one and of
// 100 accounts is one round trip (chain ID, every balance, token and rate
// packed by Multicall3, and the Lido queue's lens: each account's request
// ids, statuses, checkpoint hints and claimable ETH in one eth_call, 25
// accounts per call), with a claimable request too; withdrawals likewise.
// An owner with 1,000 requests takes a second round trip for the pages
// after the first (250 requests per call, 10 per account when listing
// many).
func TestReadRoundTrips(t *testing.T) {
	d := startDevnetWith(t, devnet.Config{BondingPeriod: 2 * time.Second})
	url := d.HTTPEndpoint()
	// The scenario is Lido's: the network here has the devnet's
	// Lido (and Rocket Pool, for a token with a rate); the whole devnet
	// network (with Polygon) is checked below.
	cfg := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfg, []byte(lidoNetwork("lidonet", url)), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWallet(t, "STAKEWALLET_NETWORK=lidonet", "STAKEWALLET_CONFIG="+cfg)
	full := newWallet(t, "STAKEWALLET_NETWORK=devnet")
	alice := testAccount(t, 0)
	proxy := rpcproxy.Start(t, url)

	hundred := []string{alice.Address.Hex()}
	for i := 1; i < 100; i++ {
		hundred = append(hundred, common.BigToAddress(big.NewInt(int64(0x5000+i))).Hex())
	}
	read := func(name string, want int, args ...string) map[string]any {
		t.Helper()
		out, got := measure(t, w, proxy, args...)
		t.Logf("%-40s %s", name, got)
		if got.requests != want {
			t.Errorf("%s: %s, want %d", name, got, want)
		}
		return out
	}
	read("balance, 1 account", 1, "balance", alice.Address.Hex())
	out := read("balance, 100 accounts", 1, append([]string{"balance"}, hundred...)...)
	if n := len(field(t, out, "balances").([]any)); n != 100 {
		t.Fatalf("%d balances, want 100", n)
	}
	read("withdrawals, none", 1, "withdrawals", "--owner", alice.Address.Hex())
	traceSummary(t, w, proxy, alice.Address.Hex())
	// Every devnet protocol at once (Lido, Rocket Pool, Polygon): Polygon's
	// lens reads validators, shares, stakes, rewards and unbonds in one
	// eth_call beside Lido's.
	for _, args := range [][]string{{"balance", alice.Address.Hex()}, {"withdrawals", "--owner", alice.Address.Hex()}} {
		_, got := measure(t, full, proxy, args...)
		t.Logf("%-40s %s", "every devnet protocol: "+args[0], got)
		if got.requests != 1 {
			t.Errorf("every devnet protocol: %s: %s, want 1", args[0], got)
		}
	}

	chain := dialChain(t, url)
	// The scenario: stETH and one claimable request.
	chain.waitFinalized(2*time.Minute, makeManyRequests(t, d, alice.PrivateKey, 1))
	out = read("balance, stETH and a claimable request", 1, "balance", alice.Address.Hex())
	if n := field(t, out, "withdrawals", "claimable", "count"); n != json.Number("1") {
		t.Errorf("balance counts %v claimable requests, want 1", n)
	}
	read("withdrawals, a claimable request", 1, "withdrawals", "--owner", alice.Address.Hex(), "--protocol", "lido")

	chain.waitFinalized(2*time.Minute, makeManyRequests(t, d, alice.PrivateKey, manyRequests-1))
	out = read("withdrawals, 1,000 claimable", 2, "withdrawals", "--owner", alice.Address.Hex(), "--protocol", "lido")
	ws := field(t, out, "withdrawals").([]any)
	if len(ws) != manyRequests {
		t.Fatalf("%d requests listed, want %d", len(ws), manyRequests)
	}
	for i, w := range ws {
		if s := field(t, w, "status"); s != "claimable" {
			t.Fatalf("request %d: status %v", i, s)
		}
	}
	out = read("balance, 1 account with 1,000 claimable", 2, "balance", alice.Address.Hex())
	if n := field(t, out, "withdrawals", "claimable", "count"); n != json.Number(strconv.Itoa(manyRequests)) {
		t.Errorf("balance counts %v claimable requests, want %d", n, manyRequests)
	}
	read("balance, 100 accounts, one with requests", 2, append([]string{"balance"}, hundred...)...)

	// What a full lens page costs: 250 finalized requests of one owner, and
	// 25 owners (one with 1,000 requests) at 10 each, against geth's 50M
	// eth_call cap and providers' lower ones.
	art, err := os.ReadFile(filepath.Join("..", "..", "pkg", "protocol", "lido", "lens", "LidoQueueLens.json"))
	if err != nil {
		t.Fatal(err)
	}
	lens, err := protocol.NewLens(art, "QueueState")
	if err != nil {
		t.Fatal(err)
	}
	owners := []common.Address{}
	for _, h := range hundred[:25] {
		owners = append(owners, common.HexToAddress(h))
	}
	for _, page := range []struct {
		name   string
		owners []common.Address
		limit  int64
	}{{"one owner, 250 requests", []common.Address{alice.Address}, 250}, {"25 owners, 10 requests each", owners, 10}} {
		msg, err := lens.Msg(lido.DevnetWithdrawalQueue, lido.DevnetStETH, page.owners, []*big.Int{}, new(big.Int), big.NewInt(page.limit))
		if err != nil {
			t.Fatal(err)
		}
		gas := chain.lensGas(lens, msg)
		t.Logf("lens gas, %s: %d", page.name, gas)
		if gas == 0 || gas > 15_000_000 {
			t.Errorf("lens gas, %s: %d, want a page under 15M", page.name, gas)
		}
	}
}

// lensGas is the least gas with which msg's lens still answers (binary
// search over eth_call's gas, up to 50M).
func (c *chainReader) lensGas(lens *protocol.Lens, msg ethereum.CallMsg) uint64 {
	c.t.Helper()
	answers := func(gas uint64) bool {
		m := msg
		m.Gas = gas
		ret, err := c.ec.CallContract(context.Background(), m, nil)
		_, ok := lens.Answer(ret, err)
		return ok
	}
	lo, hi := uint64(21_000), uint64(50_000_000)
	if !answers(hi) {
		return 0
	}
	for lo+1000 < hi {
		mid := (lo + hi) / 2
		if answers(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// makeManyRequests stakes and requests manyRequests withdrawals of 0.01 stETH
// for the key's account, perTx per transaction, and returns the last id.
func makeManyRequests(t testing.TB, d *devnet.Devnet, key *ecdsa.PrivateKey, n int) *big.Int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := devtx.NewSender(ctx, d.Client(), key)
	if err != nil {
		t.Fatal(err)
	}
	lidoABI, queueABI := &contracts.Lido().ABI, &contracts.WithdrawalQueue().ABI
	send := func(to common.Address, value *big.Int, a interface {
		Pack(string, ...any) ([]byte, error)
	}, method string, args ...any) {
		t.Helper()
		data, err := a.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Send(ctx, &to, value, data)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if r.Status != 1 {
			t.Fatalf("%s reverted", method)
		}
	}
	each := eth("0.01")
	total := new(big.Int).Mul(each, big.NewInt(int64(n)))
	send(lido.DevnetStETH, new(big.Int).Add(total, eth("1")), lidoABI, "submit", common.Address{})
	send(lido.DevnetStETH, nil, lidoABI, "approve", lido.DevnetWithdrawalQueue, total)
	for done := 0; done < n; done += perTx {
		amounts := make([]*big.Int, min(perTx, n-done))
		for i := range amounts {
			amounts[i] = each
		}
		send(lido.DevnetWithdrawalQueue, nil, queueABI, "requestWithdrawals", amounts, s.From())
	}
	vals, err := devtx.Call(ctx, d.Client(), queueABI, lido.DevnetWithdrawalQueue, "getLastRequestId")
	if err != nil {
		t.Fatal(err)
	}
	return vals[0].(*big.Int)
}

// traceSummary: --trace-rpc shows each round trip the proxy counts and a
// closing summary on stderr, with the key in the URL masked, and leaves
// stdout one JSON document.
func traceSummary(t *testing.T, w *Wallet, proxy *rpcproxy.Proxy, owner string) {
	t.Helper()
	const key = "0123456789abcdef0123456789abcdef"
	proxy.Reset()
	r := w.Run("", "balance", owner, "--json", "--trace-rpc", "--rpc-url", proxy.URL()+"/v3/"+key)
	if r.Code != 0 {
		t.Fatalf("balance --trace-rpc: exit %d\n%s", r.Code, r.Stderr)
	}
	r.JSON(t)
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	want := fmt.Sprintf("rpc: %d round trip", proxy.Requests())
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, want) || !strings.HasSuffix(last, " in RPC") {
		t.Errorf("last stderr line %q, want %q… in RPC", last, want)
	}
	if len(lines) != proxy.Requests()+1 || !strings.Contains(lines[0], "/v3/***") {
		t.Errorf("trace of %d round trips:\n%s", proxy.Requests(), r.Stderr)
	}
	if strings.Contains(r.Stderr, key) {
		t.Errorf("the trace shows the key:\n%s", r.Stderr)
	}
}

// BenchmarkWithdrawalsDevnet: the built binary lists 1,000 claimable Lido
// requests from the devnet over loopback (`withdrawals --json`), start-up,
// chain-ID check and rendering included. The bound is 1 s.
func BenchmarkWithdrawalsDevnet(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, err := devnet.Start(ctx, devnet.Config{HTTPAddr: "127.0.0.1:0", BondingPeriod: 2 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	alice, err := devkeys.TestAccount(0)
	if err != nil {
		b.Fatal(err)
	}
	last := makeManyRequests(b, d, alice.PrivateKey, manyRequests)
	queueABI := &contracts.WithdrawalQueue().ABI
	for {
		fin, err := devtx.CallBig(ctx, d.Client(), queueABI, lido.DevnetWithdrawalQueue, "getLastFinalizedRequestId")
		if err != nil {
			b.Fatal(err)
		}
		if fin.Cmp(last) >= 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	home := b.TempDir()
	env := []string{"HOME=" + home, "STAKEWALLET_HOME=" + home, "STAKEWALLET_NETWORK=devnet", "NO_COLOR=1", "PATH=" + os.Getenv("PATH")}
	for b.Loop() {
		cmd := exec.CommandContext(ctx, bins.wallet, "withdrawals", "--owner", alice.Address.Hex(), "--protocol", "lido", "--json", "--rpc-url", d.HTTPEndpoint())
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("withdrawals: %v", err)
		}
		var doc struct{ Withdrawals []json.RawMessage }
		if err := json.Unmarshal(out, &doc); err != nil || len(doc.Withdrawals) != manyRequests {
			b.Fatalf("%d requests, %v", len(doc.Withdrawals), err)
		}
	}
}

// lidoNetwork is a config file's network on the devnet chain with Lido and
// Rocket Pool at their devnet addresses, and the devnet's ENS registry.
func lidoNetwork(name, url string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[networks.%s]\nchain-id = 1337\nrpc-urls = [%q]\ndefault-protocol = \"lido\"\nens-registry = %q\n", name, url, ens.Registry.Hex())
	for _, p := range []struct {
		name  string
		addrs map[string]common.Address
	}{{"lido", lido.Deployments["devnet"]}, {"rocketpool", rocketpool.Deployments["devnet"]}} {
		fmt.Fprintf(&b, "\n[networks.%s.protocols.%s]\n", name, p.name)
		roles := make([]string, 0, len(p.addrs))
		for r := range p.addrs {
			roles = append(roles, r)
		}
		sort.Strings(roles)
		for _, r := range roles {
			fmt.Fprintf(&b, "%s = %q\n", r, p.addrs[r].Hex())
		}
	}
	return b.String()
}
