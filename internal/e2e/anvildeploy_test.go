package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stakewallet/stakewallet/internal/devnet/deploy"
	"github.com/stakewallet/stakewallet/internal/testutil/anvil"
)

// anvilNet is one devnet chain's models deployed to a fresh anvil with
// `stakewallet-devnet deploy --json`, and a wallet whose default network is
// the entry deploy printed.
type anvilNet struct {
	node    *anvil.Node
	chain   string         // the devnet chain whose models were deployed
	depFile string         // deploy's JSON, for `oracle --deployment`
	dep     deploy.Network // the same, parsed
	w       *Wallet
	c       *chainReader
}

// deployToAnvil starts anvil with opts, deploys devnet chain's models to it
// as network name, and writes a config whose default network is that
// entry, with only protocols (the first the default; none: every model
// deployed, in deploy's order).
func deployToAnvil(t *testing.T, chain, name string, protocols []string, opts ...anvil.Option) *anvilNet {
	t.Helper()
	node := anvil.Start(t, opts...)
	raw := devnetTool(t, "deploy", "--chain", chain, "--rpc-url", node.URL(), "--name", name, "--json")
	depFile := filepath.Join(t.TempDir(), name+".json")
	if err := os.WriteFile(depFile, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	dep, err := deploy.ParseJSON([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	entry := dep
	if len(protocols) > 0 {
		entry.Protocols, entry.Order = map[string]map[string]string{}, slices.Clone(protocols)
		for _, p := range protocols {
			roles, ok := dep.Protocols[p]
			if !ok {
				t.Fatalf("deploy --chain %s made no %s model: %s", chain, p, raw)
			}
			entry.Protocols[p] = roles
		}
		entry.DefaultProtocol = protocols[0]
	}
	w := newWallet(t)
	cfg := filepath.Join(w.Home, "config.toml")
	if err := os.WriteFile(cfg, []byte("[defaults]\nnetwork = \""+name+"\"\n\n"+entry.TOML()), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Env = append(w.Env, "STAKEWALLET_CONFIG="+cfg)
	return &anvilNet{node: node, chain: chain, depFile: depFile, dep: dep, w: w, c: dialChain(t, node.URL())}
}

// oracle runs the chain's model oracle once against the deployment, with
// args (--bonding-period, --apr, …).
func (a *anvilNet) oracle(t *testing.T, args ...string) {
	t.Helper()
	devnetTool(t, append([]string{"oracle", "--chain", a.chain, "--rpc-url", a.node.URL(), "--deployment", a.depFile, "--once"}, args...)...)
}
