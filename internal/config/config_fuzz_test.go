package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/all"
)

// fuzzFile is the part of config.toml the round trip below writes back:
// what each network is (chain, endpoints, coin, contracts). Fields added to
// the format later are left at their defaults on both sides.
type fuzzFile struct {
	Defaults struct {
		Network        string `toml:"network"`
		Signer         string `toml:"signer,omitempty"`
		KeyringTimeout string `toml:"keyring-timeout,omitempty"`
	} `toml:"defaults"`
	Networks map[string]fuzzNetwork `toml:"networks"`
}

type fuzzNetwork struct {
	ChainID         uint64                       `toml:"chain-id"`
	RPCURLs         []string                     `toml:"rpc-urls,omitempty"`
	NativeSymbol    string                       `toml:"native-symbol"`
	DefaultProtocol string                       `toml:"default-protocol,omitempty"`
	Protocols       map[string]map[string]string `toml:"protocols,omitempty"`
}

// FuzzLoad loads arbitrary bytes as the config file. Whatever it holds,
// Load returns a config or an error naming the file, never both or a
// panic. An accepted config keeps the built-in networks' chain IDs (a
// file must not turn "mainnet" into another chain), gives every network a
// chain ID, makes the default network and each default protocol exist,
// names only known protocols and contract roles, and is stable: written
// back as TOML it loads to the same networks.
func FuzzLoad(f *testing.F) {
	f.Setenv("STAKEWALLET_HOME", f.TempDir())
	path := filepath.Join(f.TempDir(), "config.toml")
	descriptors := all.Descriptors()
	for _, s := range []string{
		"",
		"[defaults]\nnetwork = \"mainnet\"\nsigner = \"alice\"\nkeyring-timeout = \"30s\"\n",
		"[defaults]\nnetwork = \"local\"\n[networks.local]\nchain-id = 31337\nrpc-urls = [\"http://127.0.0.1:8545\"]\ndefault-protocol = \"lido\"\n" +
			"[networks.local.protocols.lido]\nsteth = \"0x1100000000000000000000000000000000000001\"\nwsteth = \"0x1100000000000000000000000000000000000002\"\n" +
			"withdrawalQueue = \"0x1100000000000000000000000000000000000003\"\nlocator = \"0x1100000000000000000000000000000000000004\"\n",
		"[networks.mainnet]\nchain-id = 5\n",
		"[networks.mainnet]\nrpc-urls = [\"https://eth.example/v3/0123456789abcdef\"]\nnative-symbol = \"ETH\"\n",
		"[networks.x]\nrpc-urls = []\n",
		"[networks.x]\nchain-id = -1\n",
		"[networks.\"a b\"]\nchain-id = 9\n[networks.\"a b\".protocols.lido]\nsteth = \"nope\"\n",
		"[networks.x]\nchain-id = 9\n[networks.x.protocols.rocketpool]\nsteth = \"0x1100000000000000000000000000000000000001\"\n",
		"[networks.x]\nchain-id = 9\ndefault-protocol = \"lido\"\n",
		"[defaults]\nnetwork = \"nowhere\"\n",
		"unknown = 1\n",
		"[networks]\nx = 1\n",
		"[[networks.x]]\nchain-id = 1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		c, err := loadBytes(path, []byte(content), descriptors)
		if (c == nil) == (err == nil) {
			t.Fatalf("Load = %v, %v: want exactly one of config and error", c, err)
		}
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("Load error %q does not name the file", err)
			}
			return
		}
		checkConfig(t, c, descriptors)

		// Written back, the file loads to the same networks.
		var out fuzzFile
		out.Defaults.Network, out.Defaults.Signer, out.Defaults.KeyringTimeout = c.DefaultNetwork, c.DefaultSigner, c.KeyringTimeout
		out.Networks = map[string]fuzzNetwork{}
		for _, n := range c.Networks() {
			fn := fuzzNetwork{ChainID: n.ChainID, RPCURLs: n.RPCURLs, NativeSymbol: n.NativeSymbol, DefaultProtocol: n.DefaultProtocol, Protocols: map[string]map[string]string{}}
			for p, addrs := range n.Protocols {
				roles := map[string]string{}
				for role, a := range addrs {
					roles[role] = a.Hex()
				}
				fn.Protocols[p] = roles
			}
			out.Networks[n.Name] = fn
		}
		var buf bytes.Buffer
		if err := toml.NewEncoder(&buf).Encode(out); err != nil {
			t.Fatalf("encode the loaded config: %v", err)
		}
		c2, err := loadBytes(path, buf.Bytes(), descriptors)
		if err != nil {
			t.Fatalf("the loaded config, written back, does not load: %v\n%s", err, buf.String())
		}
		if c2.DefaultNetwork != c.DefaultNetwork || c2.DefaultSigner != c.DefaultSigner || c2.KeyringTimeout != c.KeyringTimeout {
			t.Fatalf("defaults changed in the round trip: %q %q %q → %q %q %q", c.DefaultNetwork, c.DefaultSigner, c.KeyringTimeout, c2.DefaultNetwork, c2.DefaultSigner, c2.KeyringTimeout)
		}
		if got, want := c2.NetworkNames(), c.NetworkNames(); !reflect.DeepEqual(got, want) {
			t.Fatalf("networks %q became %q in the round trip", want, got)
		}
		for _, n := range c.Networks() {
			n2, _ := c2.Network(n.Name)
			if n2.ChainID != n.ChainID || n2.NativeSymbol != n.NativeSymbol || n2.DefaultProtocol != n.DefaultProtocol ||
				n2.Builtin != n.Builtin || len(n2.RPCURLs) != len(n.RPCURLs) || (len(n.RPCURLs) > 0 && !reflect.DeepEqual(n2.RPCURLs, n.RPCURLs)) ||
				!reflect.DeepEqual(n2.Protocols, n.Protocols) {
				t.Fatalf("network %q changed in the round trip:\n%+v\n%+v", n.Name, n, n2)
			}
		}
	})
}

func loadBytes(path string, content []byte, descriptors []protocol.Descriptor) (*Config, error) {
	if err := os.WriteFile(path, content, 0o600); err != nil {
		panic(err)
	}
	return Load(path, descriptors)
}

// checkConfig asserts what every command assumes of a loaded config.
func checkConfig(t *testing.T, c *Config, descriptors []protocol.Descriptor) {
	t.Helper()
	builtinIDs := map[string]uint64{}
	for _, n := range builtins() {
		builtinIDs[n.Name] = n.ChainID
	}
	if _, err := c.Network(c.DefaultNetwork); err != nil {
		t.Fatalf("default network %q does not exist: %v", c.DefaultNetwork, err)
	}
	roles := map[string]map[string]bool{}
	for _, d := range descriptors {
		roles[d.Name] = map[string]bool{}
		for _, r := range d.Roles {
			roles[d.Name][r] = true
		}
	}
	for _, n := range c.Networks() {
		if id, ok := builtinIDs[n.Name]; ok && (n.ChainID != id || !n.Builtin) {
			t.Fatalf("built-in network %s is chain %d (builtin %v), want chain %d", n.Name, n.ChainID, n.Builtin, id)
		}
		if n.ChainID == 0 {
			t.Fatalf("network %q has no chain ID", n.Name)
		}
		if n.NativeSymbol == "" || n.NativeDecimals != 18 {
			t.Fatalf("network %q: native coin %q with %d decimals", n.Name, n.NativeSymbol, n.NativeDecimals)
		}
		if n.DefaultProtocol != "" {
			if _, ok := n.Protocols[n.DefaultProtocol]; !ok {
				t.Fatalf("network %q: default protocol %q has no addresses", n.Name, n.DefaultProtocol)
			}
		}
		for p, addrs := range n.Protocols {
			if roles[p] == nil {
				t.Fatalf("network %q: unknown protocol %q", n.Name, p)
			}
			for role, a := range addrs {
				if !roles[p][role] {
					t.Fatalf("network %q: protocol %s has unknown role %q", n.Name, p, role)
				}
				if a == (common.Address{}) && !strings.Contains(role, "optional") {
					// The zero address is what a typo'd hex parses to.
					t.Logf("network %q: %s.%s is the zero address", n.Name, p, role)
				}
			}
		}
	}
}
