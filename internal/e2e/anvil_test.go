package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
	"github.com/stakewallet/stakewallet/internal/testutil/rpcproxy"
)

// devnetTool runs the built stakewallet-devnet binary.
func devnetTool(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.devnet, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("stakewallet-devnet %v: %v\n%s\n%s", args, err, out.String(), errOut.String())
	}
	return out.String()
}

// The demo cycle on anvil, a second node implementation: the model
// contracts are deployed with `stakewallet-devnet deploy`, the network
// comes from the config file that deploy's output goes into, and the
// bonding period is crossed with evm_increaseTime before the model oracle
// finalizes.
func TestAnvilCycle(t *testing.T) {
	node := anvil.Start(t)
	const bonding = 72 * time.Hour

	// deploy prints the network entry for the config file.
	entry := devnetTool(t, "deploy", "--rpc-url", node.URL(), "--name", "anvil")
	if !strings.Contains(entry, "[networks.anvil.protocols.lido]") {
		t.Fatalf("deploy printed no network entry:\n%s", entry)
	}
	var deployed struct {
		ChainID   uint64                       `json:"chainId"`
		Protocols map[string]map[string]string `json:"protocols"`
	}
	// The JSON form of the same entry, to learn the addresses.
	if err := json.Unmarshal([]byte(devnetTool(t, "deploy", "--rpc-url", node.URL(), "--name", "anvil", "--json")), &deployed); err != nil {
		t.Fatal(err)
	}
	// The second deploy made a second set of contracts; use the first (the
	// TOML entry) and check the JSON shape only.
	if deployed.ChainID != anvil.DefaultChainID || deployed.Protocols["lido"]["steth"] == "" {
		t.Fatalf("deploy --json: %+v", deployed)
	}
	steth := common.HexToAddress(tomlValue(t, entry, "steth"))

	w := newWallet(t)
	cfg := filepath.Join(w.Home, "config.toml")
	if err := os.WriteFile(cfg, []byte("[defaults]\nnetwork = \"anvil\"\n\n"+entry), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Env = append(w.Env, "STAKEWALLET_CONFIG="+cfg)
	alice, bob := testAccount(t, 0), testAccount(t, 1) // anvil funds the same test accounts
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, node.URL())
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}

	nets := w.MustJSON("networks")
	found := false
	for _, n := range field(t, nets, "networks").([]any) {
		if field(t, n, "name") == "anvil" && field(t, n, "default") == true {
			found = true
		}
	}
	if !found {
		t.Fatalf("anvil network not configured as default: %v", nets)
	}

	out := w.MustJSON(append([]string{"stake", "2"}, sign...)...)
	if field(t, out, "network") != "anvil" || field(t, out, "chainId").(json.Number).String() != "31337" {
		t.Fatalf("stake went to %v/%v", field(t, out, "network"), field(t, out, "chainId"))
	}
	if got := chain.tokenBalance(steth, alice.Address); !near(got, eth("2"), 2) {
		t.Fatalf("stETH after stake %s", got)
	}

	out = w.MustJSON(append([]string{"unstake", "1.5"}, sign...)...)
	ids := field(t, out, "requestIds").([]any)
	if len(ids) != 1 {
		t.Fatalf("requestIds %v", ids)
	}
	id := ids[0].(string)

	// Not old enough: the oracle finalizes nothing and it stays pending.
	devnetTool(t, "oracle", "--rpc-url", node.URL(), "--bonding-period", bonding.String(), "--locator", tomlValue(t, entry, "locator"), "--once")
	list := w.MustJSON("withdrawals", "--signer", "alice")
	if st := field(t, list, "withdrawals", 0, "status"); st != "pending" {
		t.Fatalf("before the bonding period: %v", st)
	}
	// A bounded wait ends with exit 5 and the resume command.
	r := w.Run("", "withdrawals", "wait", id, "--signer", "alice", "--interval", "200ms", "--timeout", "1s")
	if r.Code != 5 || !strings.Contains(r.Stderr, "stakewallet withdrawals wait "+id) {
		t.Fatalf("bounded wait: exit %d, %s", r.Code, r.Stderr)
	}

	// Cross the bonding period with anvil's clock, then report.
	node.IncreaseTime(t, bonding+time.Hour)
	node.Mine(t, 1)
	devnetTool(t, "oracle", "--rpc-url", node.URL(), "--bonding-period", bonding.String(), "--locator", tomlValue(t, entry, "locator"), "--once")

	out = w.MustJSON("withdrawals", "wait", id, "--signer", "alice", "--interval", "200ms", "--timeout", "30s")
	claimable := bigOf(t, field(t, out, "withdrawals", 0, "claimable"))
	if claimable.Sign() <= 0 || claimable.Cmp(eth("1.5")) > 0 {
		t.Fatalf("claimable %s", claimable)
	}

	// The claim on anvil in as few round trips as on geth: the queue's lens
	// (creation code in eth_call, answer in revert data) runs here too.
	before := chain.balance(alice.Address)
	proxy := rpcproxy.Start(t, node.URL())
	out, trips := measure(t, w, proxy, append([]string{"claim", id}, sign...)...)
	if trips.requests != 3 {
		t.Errorf("claim on anvil: %s, want 3 (the lens, the batch, the send)", trips)
	}
	tx := field(t, out, "transactions", 0).(map[string]any)
	fee := new(big.Int).Mul(bigOf(t, tx["gasUsed"]), bigOf(t, tx["effectiveGasPrice"]))
	if gained := new(big.Int).Sub(chain.balance(alice.Address), before); gained.Cmp(new(big.Int).Sub(claimable, fee)) != 0 {
		t.Errorf("ETH gained %s, want %s - %s", gained, claimable, fee)
	}

	bobBefore := chain.tokenBalance(steth, bob.Address)
	w.MustJSON(append([]string{"transfer", "0.25", "stETH", "--to", bob.Address.Hex()}, sign...)...)
	if got := new(big.Int).Sub(chain.tokenBalance(steth, bob.Address), bobBefore); !near(got, eth("0.25"), 2) {
		t.Errorf("bob received %s", got)
	}

	// The same keys on the wrong network: refused before signing (exit 3).
	r = w.Run("", append([]string{"stake", "1", "--network", "devnet", "--rpc-url", node.URL()}, sign...)...)
	if r.Code != 3 || !strings.Contains(r.Stderr, "chain 31337") {
		t.Errorf("wrong chain: exit %d, %s", r.Code, r.Stderr)
	}
}

// tomlValue finds `key = "value"` in deploy's TOML output.
func tomlValue(t *testing.T, toml, key string) string {
	t.Helper()
	for _, line := range strings.Split(toml, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == key {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	t.Fatalf("no %s in:\n%s", key, toml)
	return ""
}
