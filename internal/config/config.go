// Package config holds the networks stakewallet knows (built in, plus those
// of the user's config file) and where its files live.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/ens"
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
	// ENSRegistry is the ENS registry that names (alice.eth) resolve
	// through; the zero address means ENS is not available here.
	ENSRegistry common.Address
	// Builtin is false for networks defined only in the config file.
	Builtin bool
	// MaxFeeCap is the highest max fee per gas (wei) stakewallet signs
	// from the node's fee data; --max-fee overrides it. nil = no cap.
	MaxFeeCap *big.Int
}

// Default fee caps, in gwei: far above what each chain pays on a busy day
// (mainnet's base fee has stayed under 200 gwei for years), far below the
// fee data of a broken or lying node (10,000 gwei). Testnets see wild
// spikes with worthless coin, so theirs is higher.
const (
	MainnetMaxFeeCapGwei = 500
	TestnetMaxFeeCapGwei = 1000
)

func gweiCap(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e9)) }

// defaultMaxFeeCap is the cap of a built-in network, or of one the config
// file adds (as a testnet's: the file may set its own).
func defaultMaxFeeCap(name string) *big.Int {
	switch name {
	case "mainnet", "bsc", "avalanche", "sonic":
		// Chains whose coin is worth something; all pay far less than
		// mainnet's cap (BSC a few gwei, Avalanche C-chain and Sonic tens).
		return gweiCap(MainnetMaxFeeCapGwei)
	}
	return gweiCap(TestnetMaxFeeCapGwei)
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
	// MaxFeeCap is in gwei, a decimal string ("300", "0.5") so that no
	// float rounds it, or "none".
	MaxFeeCap   string `toml:"max-fee-cap"`
	ENSRegistry string `toml:"ens-registry"`
}

// ether is the native coin of the Ethereum networks below, and the default
// of networks a config file adds without a native-symbol.
const ether = "ETH"

// Native coins of the other chains.
const (
	bnb    = "BNB"
	avax   = "AVAX"
	sonicS = "S"
)

// builtins are the networks of SPEC.md; their protocol addresses come from
// each protocol's Descriptor.Deployments. ENS has its registry at the same
// address on mainnet, Sepolia and Holesky (ensdomains/ens-contracts
// deployments) and none on Hoodi; the devnet's genesis places a model at
// that address so that names resolve there the same way.
//
// DefaultProtocol here is a preference: Load keeps it only when that
// protocol is registered and deployed on the network, and otherwise falls
// back to the first registered protocol that is (so a network whose
// protocol is not built yet has none, and no error).
//
// The devnet networks are the chains of stakewallet-devnet
// (internal/devnet.Chains), each on its default port, "devnet-bsc" (chain
// 714, BNB, 127.0.0.1:8548) among them.
func builtins() []*Network {
	return []*Network{
		{Name: "mainnet", ChainID: 1, NativeSymbol: ether, NativeDecimals: 18, DefaultProtocol: "lido", ENSRegistry: ens.Registry},
		{Name: "hoodi", ChainID: 560048, NativeSymbol: ether, NativeDecimals: 18, DefaultProtocol: "lido"},
		{Name: "holesky", ChainID: 17000, NativeSymbol: ether, NativeDecimals: 18, DefaultProtocol: "lido", ENSRegistry: ens.Registry},
		{Name: "sepolia", ChainID: 11155111, NativeSymbol: ether, NativeDecimals: 18, DefaultProtocol: "lido", ENSRegistry: ens.Registry},
		{Name: "bsc", ChainID: 56, NativeSymbol: bnb, NativeDecimals: 18, DefaultProtocol: "bnb"},
		{Name: "bsc-testnet", ChainID: 97, NativeSymbol: bnb, NativeDecimals: 18, DefaultProtocol: "bnb"},
		{Name: "avalanche", ChainID: 43114, NativeSymbol: avax, NativeDecimals: 18, DefaultProtocol: "savax"},
		{Name: "sonic", ChainID: 146, NativeSymbol: sonicS, NativeDecimals: 18, DefaultProtocol: "sts"},
		{Name: "devnet", ChainID: 1337, NativeSymbol: ether, NativeDecimals: 18, DefaultProtocol: "lido", RPCURLs: []string{"http://127.0.0.1:8545"}, ENSRegistry: ens.Registry},
		{Name: "devnet-avalanche", ChainID: 43112, NativeSymbol: avax, NativeDecimals: 18, DefaultProtocol: "savax", RPCURLs: []string{"http://127.0.0.1:8546"}},
		{Name: "devnet-sonic", ChainID: 4003, NativeSymbol: sonicS, NativeDecimals: 18, DefaultProtocol: "sts", RPCURLs: []string{"http://127.0.0.1:8547"}},
		{Name: "devnet-bsc", ChainID: 714, NativeSymbol: bnb, NativeDecimals: 18, DefaultProtocol: "bnb", RPCURLs: []string{"http://127.0.0.1:8548"}},
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
		n.MaxFeeCap = defaultMaxFeeCap(n.Name)
		n.Protocols = map[string]protocol.Addresses{}
		preferred := n.DefaultProtocol
		n.DefaultProtocol = ""
		for _, d := range descriptors {
			if addrs, ok := d.Deployments[n.Name]; ok {
				n.Protocols[d.Name] = copyAddrs(addrs)
				if n.DefaultProtocol == "" {
					n.DefaultProtocol = d.Name
				}
			}
		}
		if _, ok := n.Protocols[preferred]; ok {
			n.DefaultProtocol = preferred
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
	if nf.ChainID > 1<<63-1 {
		// TOML integers are int64, so a larger chain-id is a negative
		// number the decoder wrapped around ("chain-id = -1").
		return errors.New("chain-id must be a positive whole number")
	}
	n, exists := c.networks[name]
	if !exists {
		if nf.ChainID == 0 {
			return errors.New("chain-id is required")
		}
		n = &Network{Name: name, ChainID: nf.ChainID, NativeSymbol: ether, NativeDecimals: 18, Protocols: map[string]protocol.Addresses{},
			MaxFeeCap: defaultMaxFeeCap(name)}
	} else if nf.ChainID != 0 && nf.ChainID != n.ChainID {
		return fmt.Errorf("built-in network has chain-id %d; define a network with another name for chain %d", n.ChainID, nf.ChainID)
	}
	if len(nf.RPCURLs) > 0 {
		n.RPCURLs = append([]string(nil), nf.RPCURLs...)
	}
	if nf.NativeSymbol != "" {
		n.NativeSymbol = nf.NativeSymbol
	}
	if err := mergeMaxFeeCap(n, nf.MaxFeeCap); err != nil {
		return err
	}
	if nf.ENSRegistry != "" {
		if !common.IsHexAddress(nf.ENSRegistry) {
			return fmt.Errorf("ens-registry = %q is not an address", nf.ENSRegistry)
		}
		n.ENSRegistry = common.HexToAddress(nf.ENSRegistry)
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

// mergeMaxFeeCap applies a network's max-fee-cap: gwei per gas, or "none".
func mergeMaxFeeCap(n *Network, v string) error {
	switch v = strings.TrimSpace(v); v {
	case "":
	case "none":
		n.MaxFeeCap = nil
	default:
		capped, err := amount.ParsePositive(v, 9)
		if err != nil {
			return fmt.Errorf("max-fee-cap = %q: %w (a fee per gas in gwei, e.g. \"300\", or \"none\")", v, err)
		}
		n.MaxFeeCap = capped
	}
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
