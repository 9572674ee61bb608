package config

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

var testProto = protocol.Descriptor{
	Name:  "lido",
	Roles: []string{"steth", "wsteth", "withdrawalQueue", "locator"},
	Deployments: map[string]protocol.Addresses{
		"mainnet": {"steth": common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")},
		"devnet":  {"steth": common.HexToAddress("0x1100000000000000000000000000000000000001")},
	},
}

func load(t *testing.T, content string) (*Config, error) {
	t.Helper()
	t.Setenv("STAKEWALLET_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "config.toml")
	if content != "" {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return Load(path, []protocol.Descriptor{testProto})
}

func TestBuiltins(t *testing.T) {
	c, err := load(t, "")
	if err != nil {
		t.Fatal(err)
	}
	// SPEC.md's built-in networks: chain id, native coin, default RPC.
	want := []struct {
		name   string
		id     uint64
		native string
		rpc    string
	}{
		{"mainnet", 1, "ETH", ""},
		{"hoodi", 560048, "ETH", ""},
		{"holesky", 17000, "ETH", ""},
		{"sepolia", 11155111, "ETH", ""},
		{"bsc", 56, "BNB", ""},
		{"bsc-testnet", 97, "BNB", ""},
		{"avalanche", 43114, "AVAX", ""},
		{"sonic", 146, "S", ""},
		{"devnet", 1337, "ETH", "http://127.0.0.1:8545"},
		{"devnet-avalanche", 43112, "AVAX", "http://127.0.0.1:8546"},
		{"devnet-sonic", 4003, "S", "http://127.0.0.1:8547"},
		{"devnet-bsc", 714, "BNB", "http://127.0.0.1:8548"},
	}
	for _, w := range want {
		n, err := c.Network(w.name)
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if n.ChainID != w.id || !n.Builtin || n.NativeSymbol != w.native || n.NativeDecimals != 18 {
			t.Errorf("%s: chain %d builtin %v native %s/%d; want chain %d, %s/18", w.name, n.ChainID, n.Builtin, n.NativeSymbol, n.NativeDecimals, w.id, w.native)
		}
		if got := strings.Join(n.RPCURLs, ","); got != w.rpc {
			t.Errorf("%s: rpc %q, want %q", w.name, got, w.rpc)
		}
	}
	if got, want := len(c.NetworkNames()), len(want); got != want {
		t.Errorf("%d built-in networks, want %d", got, want)
	}
	dev, _ := c.Network("devnet")
	if dev.DefaultProtocol != "lido" || dev.Protocols["lido"]["steth"] != common.HexToAddress("0x1100000000000000000000000000000000000001") {
		t.Errorf("devnet protocols = %v default %q", dev.Protocols, dev.DefaultProtocol)
	}
	if c.DefaultNetwork != "devnet" {
		t.Errorf("default network %q", c.DefaultNetwork)
	}
	if _, err := c.Network("nope"); err == nil || !strings.Contains(err.Error(), "unknown network") {
		t.Errorf("unknown network error = %v", err)
	}
}

func TestConfigFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		errPart string
		check   func(t *testing.T, c *Config)
	}{
		{
			name: "new network",
			content: `
[defaults]
network = "local"
signer = "alice"

[networks.local]
chain-id = 31337
rpc-urls = ["http://127.0.0.1:9545", "http://127.0.0.1:9546"]

[networks.local.protocols.lido]
steth = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
withdrawalQueue = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
`,
			check: func(t *testing.T, c *Config) {
				n, err := c.Network("local")
				if err != nil {
					t.Fatal(err)
				}
				if n.ChainID != 31337 || len(n.RPCURLs) != 2 || n.DefaultProtocol != "lido" || n.Builtin {
					t.Errorf("local = %+v", n)
				}
				if n.Protocols["lido"]["withdrawalQueue"] != common.HexToAddress("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512") {
					t.Errorf("queue = %v", n.Protocols["lido"])
				}
				if c.DefaultNetwork != "local" || c.DefaultSigner != "alice" {
					t.Errorf("defaults %q %q", c.DefaultNetwork, c.DefaultSigner)
				}
			},
		},
		{
			name: "override builtin rpc",
			content: `
[networks.mainnet]
rpc-urls = ["https://eth.example.invalid"]
`,
			check: func(t *testing.T, c *Config) {
				n, _ := c.Network("mainnet")
				if n.ChainID != 1 || n.RPCURLs[0] != "https://eth.example.invalid" || n.Protocols["lido"]["steth"] == (common.Address{}) {
					t.Errorf("mainnet = %+v", n)
				}
			},
		},
		{name: "builtin chain id changed", content: "[networks.mainnet]\nchain-id = 5\n", errPart: "built-in network has chain-id 1"},
		{name: "missing chain id", content: "[networks.x]\nrpc-urls = [\"http://a\"]\n", errPart: "chain-id is required"},
		{name: "unknown key", content: "[networks.x]\nchain-id = 5\nrpc-url = \"http://a\"\n", errPart: "unknown keys: networks.x.rpc-url"},
		{name: "unknown protocol", content: "[networks.x]\nchain-id = 5\n[networks.x.protocols.foo]\na = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n", errPart: `unknown protocol "foo"`},
		{name: "unknown role", content: "[networks.x]\nchain-id = 5\n[networks.x.protocols.lido]\nstake = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n", errPart: `unknown contract "stake"`},
		{name: "bad address", content: "[networks.x]\nchain-id = 5\n[networks.x.protocols.lido]\nsteth = \"0x123\"\n", errPart: "is not an address"},
		{name: "bad default network", content: "[defaults]\nnetwork = \"nowhere\"\n", errPart: "not a known network"},
		{name: "syntax", content: "[networks\n", errPart: "config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.content)
			if tt.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestDirs(t *testing.T) {
	home := t.TempDir()
	t.Setenv("STAKEWALLET_HOME", home)
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != filepath.Join(home, "config.toml") || c.KeysDir() != filepath.Join(home, "keys") || c.JournalDir() != filepath.Join(home, "journal") {
		t.Errorf("paths: %s %s %s", c.Path, c.KeysDir(), c.JournalDir())
	}
}

// TestMaxFeeCap: the built-in caps, and max-fee-cap in the config file (gwei,
// exact, or "none"); a bad value names the key.
func TestMaxFeeCap(t *testing.T) {
	gwei := func(s string) *big.Int {
		v, err := amount.Parse(s, 9)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name    string
		content string
		network string
		want    *big.Int // nil: no cap
		errPart string
	}{
		{"mainnet built in", "", "mainnet", gwei("500"), ""},
		{"hoodi built in", "", "hoodi", gwei("1000"), ""},
		{"sepolia built in", "", "sepolia", gwei("1000"), ""},
		{"devnet built in", "", "devnet", gwei("1000"), ""},
		{"lowered for mainnet", "[networks.mainnet]\nmax-fee-cap = \"300\"\n", "mainnet", gwei("300"), ""},
		{"a fraction of a gwei", "[networks.devnet]\nmax-fee-cap = \"0.5\"\n", "devnet", gwei("0.5"), ""},
		{"none", "[networks.devnet]\nmax-fee-cap = \"none\"\n", "devnet", nil, ""},
		{"a new network gets the testnet default", "[networks.local]\nchain-id = 31337\n", "local", gwei("1000"), ""},
		{"a new network with its own", "[networks.local]\nchain-id = 31337\nmax-fee-cap = \"5000\"\n", "local", gwei("5000"), ""},
		{"negative", "[networks.devnet]\nmax-fee-cap = \"-3\"\n", "", nil, `max-fee-cap = "-3"`},
		{"zero", "[networks.devnet]\nmax-fee-cap = \"0\"\n", "", nil, `max-fee-cap = "0"`},
		{"not a number", "[networks.devnet]\nmax-fee-cap = \"lots\"\n", "", nil, `max-fee-cap = "lots"`},
		{"a TOML number is not taken", "[networks.devnet]\nmax-fee-cap = 300\n", "", nil, "max-fee-cap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.content)
			if tt.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n, err := c.Network(tt.network)
			if err != nil {
				t.Fatal(err)
			}
			if (n.MaxFeeCap == nil) != (tt.want == nil) || (tt.want != nil && n.MaxFeeCap.Cmp(tt.want) != 0) {
				t.Errorf("MaxFeeCap = %v, want %v", n.MaxFeeCap, tt.want)
			}
		})
	}
}

// TestBuiltinDefaultProtocol: each built-in network prefers its chain's
// own protocol (lido on Ethereum, savax on Avalanche, sts on Sonic) when
// that protocol is registered and deployed there, else the first
// registered one that is, else none, never one without addresses.
func TestBuiltinDefaultProtocol(t *testing.T) {
	at := func(networks ...string) map[string]protocol.Addresses {
		m := map[string]protocol.Addresses{}
		for _, n := range networks {
			m[n] = protocol.Addresses{"x": common.HexToAddress("0x1")}
		}
		return m
	}
	rocketpool := protocol.Descriptor{Name: "rocketpool", Roles: []string{"x"}, Deployments: at("mainnet", "devnet")}
	lidoD := protocol.Descriptor{Name: "lido", Roles: []string{"x"}, Deployments: at("mainnet", "devnet")}
	savax := protocol.Descriptor{Name: "savax", Roles: []string{"x"}, Deployments: at("avalanche", "devnet-avalanche")}
	other := protocol.Descriptor{Name: "other", Roles: []string{"x"}, Deployments: at("avalanche", "sonic")}
	tests := []struct {
		name        string
		descriptors []protocol.Descriptor
		want        map[string]string
	}{
		{"preferred listed after another", []protocol.Descriptor{rocketpool, lidoD, other, savax},
			map[string]string{"mainnet": "lido", "devnet": "lido", "avalanche": "savax", "devnet-avalanche": "savax", "sonic": "other", "devnet-sonic": "", "bsc": ""}},
		{"preferred not registered", []protocol.Descriptor{rocketpool, other},
			map[string]string{"mainnet": "rocketpool", "devnet": "rocketpool", "avalanche": "other", "devnet-avalanche": "", "sonic": "other"}},
		{"nothing registered", nil,
			map[string]string{"mainnet": "", "devnet": "", "avalanche": "", "sonic": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("STAKEWALLET_HOME", t.TempDir())
			c, err := Load(filepath.Join(t.TempDir(), "config.toml"), tt.descriptors)
			if err != nil {
				t.Fatal(err)
			}
			for network, want := range tt.want {
				n, err := c.Network(network)
				if err != nil {
					t.Fatal(err)
				}
				if n.DefaultProtocol != want {
					t.Errorf("%s: default protocol %q, want %q", network, n.DefaultProtocol, want)
				}
				if want != "" && n.Protocols[want] == nil {
					t.Errorf("%s: default %s has no addresses", network, want)
				}
			}
		})
	}
}
