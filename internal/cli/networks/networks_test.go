package networks

import (
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/all"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// TestNewCmdFlags: networks and protocols take --json and nothing else of
// their own; the transaction flags and arguments are usage errors.
func TestNewCmdFlags(t *testing.T) {
	// parsed is what the table checks of either command's options.
	type parsed struct{ json, depsSet bool }
	bothCmds := func(f *cmdutil.Factory, runF func(*parsed) error) *cobra.Command {
		f.Config = func() (*config.Config, error) {
			t.Error("parsing flags loaded the config")
			return nil, errors.New("no config in a flags test")
		}
		parent := &cobra.Command{Use: "list"}
		parent.AddCommand(
			NewCmdNetworks(f, func(o *NetworksOptions) error { return runF(&parsed{o.JSON, o.IO != nil && o.Config != nil}) }),
			NewCmdProtocols(f, func(o *ProtocolsOptions) error { return runF(&parsed{o.JSON, o.IO != nil && o.Config != nil}) }),
		)
		return parent
	}
	clitest.RunFlagCases(t, bothCmds, []clitest.FlagCase[parsed]{
		{Name: "networks", Args: []string{"networks"}},
		{Name: "networks json", Args: []string{"networks", "--json"}, Want: parsed{json: true}},
		{Name: "networks --dry-run", Args: []string{"networks", "--dry-run"}, WantCode: cmdutil.ExitBadInput},
		{Name: "networks --nonce", Args: []string{"networks", "--nonce", "1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "networks an argument", Args: []string{"networks", "mainnet"}, WantCode: cmdutil.ExitBadInput},
		{Name: "protocols", Args: []string{"protocols"}},
		{Name: "protocols json", Args: []string{"protocols", "--json"}, Want: parsed{json: true}},
		{Name: "protocols --yes", Args: []string{"protocols", "--yes"}, WantCode: cmdutil.ExitBadInput},
		{Name: "protocols an argument", Args: []string{"protocols", "lido"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *parsed) {
		if !got.depsSet || got.json != want.json {
			t.Errorf("deps set %v, JSON %v (want %v)", got.depsSet, got.json, want.json)
		}
	})
}

const secret = "s3cret-token"

// testConfig is a config file that adds a network (the default, with an
// RPC URL carrying a credential) and one where lido lacks contracts.
var testConfig = `
[defaults]
network = "mychain"

[networks.mychain]
chain-id = 99
rpc-urls = ["https://user:` + secret + `@rpc.example/x", "https://backup.example"]
native-symbol = "MYC"

[networks.mychain.protocols.lido]
steth = "0x1100000000000000000000000000000000000001"
wsteth = "0x1100000000000000000000000000000000000002"
withdrawalQueue = "0x1100000000000000000000000000000000000003"

[networks.partial]
chain-id = 98

[networks.partial.protocols.lido]
steth = "0x1100000000000000000000000000000000000004"
`

// loadConfig loads the built-in networks plus content as config file,
// with the given adapters.
func loadConfig(t *testing.T, content string, descriptors []protocol.Descriptor) func() (*config.Config, error) {
	t.Helper()
	t.Setenv("STAKEWALLET_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "config.toml")
	if content != "" {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(path, descriptors)
	if err != nil {
		t.Fatal(err)
	}
	return func() (*config.Config, error) { return cfg, nil }
}

// TestNetworks: the document lists every configured network with the keys
// it always had, credentials masked, the default marked; people get one
// table row per network.
func TestNetworks(t *testing.T) {
	cfgFn := loadConfig(t, testConfig, all.Descriptors())
	cfg, _ := cfgFn()

	f, streams := clitest.NewFactory("")
	f.Config = cfgFn
	if err := networksRun(&NetworksOptions{IO: f.IO, Config: cfgFn, JSON: true}); err != nil {
		t.Fatal(err)
	}
	out := streams.Out.String()
	if strings.Contains(out, secret) {
		t.Errorf("the RPC credential is printed:\n%s", out)
	}
	var doc map[string]any
	clitest.DecodeJSON(t, out, &doc)
	if clitest.JSONKeys(doc) != "config,networks" || doc["config"] != cfg.Path {
		t.Errorf("document %v", doc)
	}
	var res NetworksResult
	clitest.DecodeJSON(t, out, &res)
	nets := cfg.Networks()
	if len(res.Networks) != len(nets) {
		t.Fatalf("%d networks, config has %d", len(res.Networks), len(nets))
	}
	for i, n := range doc["networks"].([]any) {
		if got := clitest.JSONKeys(n.(map[string]any)); got != "chainId,default,defaultProtocol,name,nativeSymbol,protocols,rpcUrls,source" {
			t.Errorf("network %d keys %s", i, got)
		}
	}
	for i, n := range nets {
		got := res.Networks[i]
		wantURLs := []string{}
		for _, u := range n.RPCURLs {
			wantURLs = append(wantURLs, chain.Redact(u))
		}
		source := map[bool]string{true: "built-in", false: "config"}[n.Builtin]
		if got.Name != n.Name || got.ChainID != n.ChainID || !reflect.DeepEqual(got.RPCURLs, wantURLs) || got.NativeSymbol != n.NativeSymbol ||
			got.DefaultProtocol != n.DefaultProtocol || got.Source != source || got.Default != (n.Name == "mychain") {
			t.Errorf("network %s: %+v", n.Name, got)
		}
		if len(got.Protocols) != len(n.Protocols) {
			t.Errorf("network %s: protocols %v", n.Name, got.Protocols)
		}
		for p, addrs := range n.Protocols {
			for role, a := range addrs {
				if got.Protocols[p][role] != a.Hex() {
					t.Errorf("%s %s %s = %q, want %s", n.Name, p, role, got.Protocols[p][role], a.Hex())
				}
			}
		}
	}
	var mainnet Network
	for _, n := range res.Networks {
		if n.Name == "mainnet" {
			mainnet = n
		}
	}
	if mainnet.Protocols["lido"][lido.RoleStETH] != lido.Deployments["mainnet"][lido.RoleStETH].Hex() {
		t.Errorf("mainnet %+v", mainnet)
	}

	f, streams = clitest.NewFactory("")
	if err := networksRun(&NetworksOptions{IO: f.IO, Config: cfgFn}); err != nil {
		t.Fatal(err)
	}
	human := streams.Out.String()
	lines := strings.Split(strings.TrimRight(human, "\n"), "\n")
	if len(lines) != len(nets)+1 || strings.Join(strings.Fields(lines[0]), " ") != "NETWORK CHAIN ID PROTOCOLS RPC SOURCE" {
		t.Fatalf("table:\n%s", human)
	}
	rows := map[string]string{}
	for _, l := range lines[1:] {
		rows[strings.Fields(l)[0]] = l
	}
	for name, want := range map[string][]string{
		"mainnet": {"1", "lido", "(none: use --rpc-url)", "built-in"},
		"devnet":  {"1337", "lido", "http://127.0.0.1:8545", "built-in"},
		"mychain": {"mychain *", "99", "lido", "https://***@rpc.example/x, https://backup.example", "config"},
		"partial": {"98", "lido", "config"},
	} {
		for _, w := range want {
			if !strings.Contains(rows[name], w) {
				t.Errorf("row %s lacks %q: %q", name, w, rows[name])
			}
		}
	}
	if strings.Contains(human, secret) {
		t.Error("the RPC credential is in the table")
	}
	if strings.Contains(rows["mainnet"], "*") {
		t.Errorf("mainnet marked default: %q", rows["mainnet"])
	}
}

// TestProtocols: each protocol with its networks, contract roles and, new,
// its unstake kind, target rule and capabilities, read from its adapter
// bound without a node.
func TestProtocols(t *testing.T) {
	cfgFn := loadConfig(t, testConfig, all.Descriptors())
	cfg, _ := cfgFn()

	f, streams := clitest.NewFactory("")
	if err := protocolsRun(context.Background(), &ProtocolsOptions{IO: f.IO, Config: cfgFn, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Protocols []map[string]any `json:"protocols"`
	}
	clitest.DecodeJSON(t, streams.Out.String(), &doc)
	if len(doc.Protocols) != len(cfg.ProtocolNames()) {
		t.Fatalf("%d protocols, want %v", len(doc.Protocols), cfg.ProtocolNames())
	}
	for _, p := range doc.Protocols {
		if got := clitest.JSONKeys(p); got != "capabilities,contracts,name,networks,targets,unstaking" {
			t.Errorf("protocol keys %s", got)
		}
	}
	var res ProtocolsResult
	clitest.DecodeJSON(t, streams.Out.String(), &res)
	i := slices.IndexFunc(res.Protocols, func(p Protocol) bool { return p.Name == "lido" })
	if i < 0 {
		t.Fatalf("no lido in %+v", res.Protocols)
	}
	l := res.Protocols[i]
	var wantNets []string
	for _, n := range cfg.Networks() {
		if _, ok := n.Protocols["lido"]; ok {
			wantNets = append(wantNets, n.Name)
		}
	}
	// Lido queues withdrawals and pools the stake; its capabilities are
	// the ones its Descriptor declares (pkg/protocol/all holds the two
	// equal), though here they were asked of the adapter.
	if l.Name != "lido" || !reflect.DeepEqual(l.Networks, wantNets) || !reflect.DeepEqual(l.Contracts, lido.Descriptor.Roles) ||
		l.Unstaking != protocol.UnstakeQueued || l.Targets != protocol.TargetNone || !reflect.DeepEqual(l.Capabilities, lido.Descriptor.Capabilities) {
		t.Errorf("lido %+v", l)
	}
	if !slices.Contains(l.Networks, "partial") || !slices.Contains(l.Networks, "mychain") {
		t.Errorf("networks %v lack the config file's", l.Networks)
	}

	f, streams = clitest.NewFactory("")
	if err := protocolsRun(context.Background(), &ProtocolsOptions{IO: f.IO, Config: cfgFn}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(streams.Out.String(), "\n"), "\n")
	if len(lines) != 1+len(cfg.ProtocolNames()) || strings.Join(strings.Fields(lines[0]), " ") != "PROTOCOL NETWORKS UNSTAKING TARGETS CAPABILITIES" ||
		!strings.HasPrefix(lines[1+i], "lido ") {
		t.Fatalf("table:\n%s", streams.Out.String())
	}
	caps := make([]string, len(l.Capabilities))
	for i, c := range l.Capabilities {
		caps[i] = string(c)
	}
	for _, w := range []string{"lido", strings.Join(wantNets, ", "), "queued", "none", strings.Join(caps, ", ")} {
		if !strings.Contains(lines[1+i], w) {
			t.Errorf("row lacks %q: %q", w, lines[1+i])
		}
	}
}

// fakeAdapter is a protocol with an instant unstake, a required validator
// and the wrap capability only. Its methods beyond those are never called
// (the nil embedded interface would panic).
type fakeAdapter struct{ protocol.Protocol }

func (fakeAdapter) Unstaking() protocol.UnstakeKind { return protocol.UnstakeInstant }
func (fakeAdapter) Targets() protocol.TargetRule    { return protocol.TargetRequired }
func (fakeAdapter) Wrap(context.Context, common.Address, *big.Int) ([]protocol.Call, error) {
	return nil, nil
}
func (fakeAdapter) Unwrap(context.Context, common.Address, *big.Int) ([]protocol.Call, error) {
	return nil, nil
}

// TestProtocolsWithoutNode: adapters are bound with a backend that refuses
// every read, so `protocols` never reaches a node; an adapter configured on
// no network still gets a row, with its declared capabilities.
func TestProtocolsWithoutNode(t *testing.T) {
	var readErr error
	fake := protocol.Descriptor{
		Name:         "fake",
		Roles:        []string{"pool"},
		Deployments:  map[string]protocol.Addresses{"devnet": {"pool": common.HexToAddress("0x1100000000000000000000000000000000000009")}},
		Capabilities: []protocol.Capability{protocol.CapWrap},
		New: func(env protocol.Env) (protocol.Protocol, error) {
			// What a misbehaving adapter would do: read the chain.
			_, readErr = env.Backend.CallContract(context.Background(), ethereum.CallMsg{}, nil)
			return fakeAdapter{}, nil
		},
	}
	nowhere := protocol.Descriptor{
		Name:         "nowhere",
		Roles:        []string{"hub"},
		Deployments:  map[string]protocol.Addresses{"elsewhere": {"hub": common.HexToAddress("0x110000000000000000000000000000000000000a")}},
		Capabilities: []protocol.Capability{protocol.CapValidators},
		New: func(protocol.Env) (protocol.Protocol, error) {
			t.Error("an adapter on no network was bound")
			return nil, errors.New("unreachable")
		},
	}
	cfgFn := loadConfig(t, "", []protocol.Descriptor{fake, nowhere})

	f, streams := clitest.NewFactory("")
	if err := protocolsRun(context.Background(), &ProtocolsOptions{IO: f.IO, Config: cfgFn, JSON: true}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(readErr, errNoChain) {
		t.Errorf("a read while describing got %v, want errNoChain", readErr)
	}
	var res ProtocolsResult
	clitest.DecodeJSON(t, streams.Out.String(), &res)
	want := []Protocol{
		{Name: "fake", Networks: []string{"devnet"}, Contracts: []string{"pool"}, Unstaking: protocol.UnstakeInstant, Targets: protocol.TargetRequired, Capabilities: []protocol.Capability{protocol.CapWrap}},
		{Name: "nowhere", Networks: []string{}, Contracts: []string{"hub"}, Capabilities: []protocol.Capability{protocol.CapValidators}},
	}
	if !reflect.DeepEqual(res.Protocols, want) {
		t.Errorf("protocols %+v\nwant      %+v", res.Protocols, want)
	}

	f, streams = clitest.NewFactory("")
	if err := protocolsRun(context.Background(), &ProtocolsOptions{IO: f.IO, Config: cfgFn}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(streams.Out.String(), "\n"), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[1]), " ") != "fake devnet instant required wrap" ||
		strings.Join(strings.Fields(lines[2]), " ") != "nowhere - - - validators" {
		t.Errorf("table:\n%s", streams.Out.String())
	}
}
