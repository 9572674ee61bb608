// Package config holds the networks stakewallet knows (built in, plus those
// of the user's config file) and where its files live.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Network is one EVM chain and the protocol contracts on it.
type Network struct {
	Name         string
	ChainID      uint64
	RPCURLs      []string
	NativeSymbol string
	// NativeDecimals are the native coin's decimals (18 on every EVM chain
	// stakewallet knows; kept beside the symbol so no code assumes it).
	NativeDecimals  uint8
	DefaultProtocol string
	// Protocols maps a protocol name to its contract addresses here.
	Protocols map[string]protocol.Addresses
	// Builtin is false for networks defined only in the config file.
	Builtin bool
}

// Config is the merged view of the built-in table and the config file.
type Config struct {
	// Path is the config file consulted (it need not exist).
	Path string
	// Dir holds keys/ and journal/.
	Dir             string
	DefaultNetwork  string
	DefaultSigner   string
	KeyringTimeout  string
	networks        map[string]*Network
	protocolsByName map[string]protocol.Descriptor
}

// fileFormat is the TOML layout of config.toml.
type fileFormat struct {
	Defaults struct {
		Network        string `toml:"network"`
		Signer         string `toml:"signer"`
		KeyringTimeout string `toml:"keyring-timeout"`
	} `toml:"defaults"`
	Networks map[string]networkFormat `toml:"networks"`
}

type networkFormat struct {
	ChainID         uint64                       `toml:"chain-id"`
	RPCURLs         []string                     `toml:"rpc-urls"`
	NativeSymbol    string                       `toml:"native-symbol"`
	DefaultProtocol string                       `toml:"default-protocol"`
	Protocols       map[string]map[string]string `toml:"protocols"`
}

// ether is the native coin of the Ethereum networks below, and the default
// of networks a config file adds without a native-symbol.
const ether = "ETH"

// builtins are the networks of SPEC.md; their protocol addresses come from
// each protocol's Descriptor.Deployments.
func builtins() []*Network {
	return []*Network{
		{Name: "mainnet", ChainID: 1, NativeSymbol: ether, NativeDecimals: 18},
		{Name: "hoodi", ChainID: 560048, NativeSymbol: ether, NativeDecimals: 18},
		{Name: "holesky", ChainID: 17000, NativeSymbol: ether, NativeDecimals: 18},
		{Name: "sepolia", ChainID: 11155111, NativeSymbol: ether, NativeDecimals: 18},
		{Name: "devnet", ChainID: 1337, NativeSymbol: ether, NativeDecimals: 18, RPCURLs: []string{"http://127.0.0.1:8545"}},
	}
}

// DefaultDir is $STAKEWALLET_HOME, else <UserConfigDir>/stakewallet.
func DefaultDir() (string, error) {
	if d := os.Getenv("STAKEWALLET_HOME"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user config directory (set STAKEWALLET_HOME): %w", err)
	}
	return filepath.Join(base, "stakewallet"), nil
}

// Load builds the configuration from the built-in table and, if it exists,
// the config file at path (default <dir>/config.toml).
func Load(path string, descriptors []protocol.Descriptor) (*Config, error) {
	dir, err := DefaultDir()
	if err != nil {
		return nil, err
	}
	if path == "" {
		path = filepath.Join(dir, "config.toml")
	}
	c := &Config{Path: path, Dir: dir, DefaultNetwork: "devnet", networks: map[string]*Network{}, protocolsByName: map[string]protocol.Descriptor{}}
	for _, d := range descriptors {
		c.protocolsByName[d.Name] = d
	}
	for _, n := range builtins() {
		n.Builtin = true
		n.Protocols = map[string]protocol.Addresses{}
		for _, d := range descriptors {
			if addrs, ok := d.Deployments[n.Name]; ok {
				n.Protocols[d.Name] = copyAddrs(addrs)
				if n.DefaultProtocol == "" {
					n.DefaultProtocol = d.Name
				}
			}
		}
		c.networks[n.Name] = n
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	if err := c.merge(data); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

func (c *Config) merge(data []byte) error {
	var f fileFormat
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown keys: %s", strings.Join(keys, ", "))
	}
	if f.Defaults.Network != "" {
		c.DefaultNetwork = f.Defaults.Network
	}
	c.DefaultSigner = f.Defaults.Signer
	c.KeyringTimeout = f.Defaults.KeyringTimeout
	for name, nf := range f.Networks {
		if err := c.mergeNetwork(name, nf); err != nil {
			return fmt.Errorf("network %q: %w", name, err)
		}
	}
	if _, ok := c.networks[c.DefaultNetwork]; !ok {
		return fmt.Errorf("defaults.network %q is not a known network", c.DefaultNetwork)
	}
	return nil
}

func (c *Config) mergeNetwork(name string, nf networkFormat) error {
	n, exists := c.networks[name]
	if !exists {
		if nf.ChainID == 0 {
			return errors.New("chain-id is required")
		}
		n = &Network{Name: name, ChainID: nf.ChainID, NativeSymbol: ether, NativeDecimals: 18, Protocols: map[string]protocol.Addresses{}}
	} else if nf.ChainID != 0 && nf.ChainID != n.ChainID {
		return fmt.Errorf("built-in network has chain-id %d; define a network with another name for chain %d", n.ChainID, nf.ChainID)
	}
	if len(nf.RPCURLs) > 0 {
		n.RPCURLs = append([]string(nil), nf.RPCURLs...)
	}
	if nf.NativeSymbol != "" {
		n.NativeSymbol = nf.NativeSymbol
	}
	for pname, roles := range nf.Protocols {
		d, ok := c.protocolsByName[pname]
		if !ok {
			return fmt.Errorf("unknown protocol %q (supported: %s)", pname, strings.Join(c.ProtocolNames(), ", "))
		}
		addrs := n.Protocols[pname]
		if addrs == nil {
			addrs = protocol.Addresses{}
		}
		for role, hex := range roles {
			if !knownRole(d, role) {
				return fmt.Errorf("protocol %s: unknown contract %q (known: %s)", pname, role, strings.Join(d.Roles, ", "))
			}
			if !common.IsHexAddress(hex) {
				return fmt.Errorf("protocol %s: %s = %q is not an address", pname, role, hex)
			}
			addrs[role] = common.HexToAddress(hex)
		}
		n.Protocols[pname] = addrs
	}
	if nf.DefaultProtocol != "" {
		if _, ok := n.Protocols[nf.DefaultProtocol]; !ok {
			return fmt.Errorf("default-protocol %q has no addresses on this network", nf.DefaultProtocol)
		}
		n.DefaultProtocol = nf.DefaultProtocol
	} else if n.DefaultProtocol == "" {
		for _, p := range c.ProtocolNames() {
			if _, ok := n.Protocols[p]; ok {
				n.DefaultProtocol = p
				break
			}
		}
	}
	c.networks[name] = n
	return nil
}

func knownRole(d protocol.Descriptor, role string) bool {
	for _, r := range d.Roles {
		if r == role {
			return true
		}
	}
	return false
}

func copyAddrs(a protocol.Addresses) protocol.Addresses {
	out := make(protocol.Addresses, len(a))
	for k, v := range a {
		out[k] = v
	}
	return out
}

// Network returns the named network.
func (c *Config) Network(name string) (*Network, error) {
	n, ok := c.networks[name]
	if !ok {
		return nil, fmt.Errorf("unknown network %q (known: %s); add it to %s", name, strings.Join(c.NetworkNames(), ", "), c.Path)
	}
	return n, nil
}

// Networks returns every network, built-in ones first by chain id, then the
// config file's by name.
func (c *Config) Networks() []*Network {
	out := make([]*Network, 0, len(c.networks))
	for _, n := range c.networks {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Builtin != out[j].Builtin {
			return out[i].Builtin
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// NetworkNames lists the network names in Networks order.
func (c *Config) NetworkNames() []string {
	var names []string
	for _, n := range c.Networks() {
		names = append(names, n.Name)
	}
	return names
}

// ProtocolNames lists the supported protocols, sorted.
func (c *Config) ProtocolNames() []string {
	names := make([]string, 0, len(c.protocolsByName))
	for n := range c.protocolsByName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Protocol returns the descriptor of a supported protocol.
func (c *Config) Protocol(name string) (protocol.Descriptor, bool) {
	d, ok := c.protocolsByName[name]
	return d, ok
}

// KeysDir holds keystore files and the key registry.
func (c *Config) KeysDir() string { return filepath.Join(c.Dir, "keys") }

// JournalDir holds signed transactions, written before broadcast.
func (c *Config) JournalDir() string { return filepath.Join(c.Dir, "journal") }

// Native is the network's coin as a token (RoleNative, zero address).
func (n *Network) Native() protocol.Token {
	return protocol.Token{Symbol: n.NativeSymbol, Decimals: n.NativeDecimals, Role: protocol.RoleNative}
}
