// Package deploy puts the devnet's model contracts onto a running node
// (anvil, geth --dev, another devnet) with ordinary transactions, and
// describes the result as a stakewallet network entry.
package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol/all"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// Deploy deploys the Lido model from sender's account and makes oracle the
// account trusted with oracle reports. It waits for every receipt.
func Deploy(ctx context.Context, sender *devtx.Sender, oracle common.Address) (contracts.Deployment, error) {
	return contracts.Deploy(ctx, &txDeployer{s: sender, created: map[string]common.Address{}}, oracle)
}

// Models deploys each model in order from sender's account, with oracle as
// every model's admin, and returns each model's addresses by role, keyed
// by model name. The account must hold the models' Funding (checked first).
func Models(ctx context.Context, sender *devtx.Sender, oracle common.Address, ms []model.Model, native string) (map[string]map[string]common.Address, error) {
	need := new(big.Int)
	for _, m := range ms {
		if f := m.Funding(); f != nil {
			need.Add(need, f)
		}
	}
	if need.Sign() > 0 {
		have, err := sender.Client().BalanceAt(ctx, sender.From(), nil)
		if err != nil {
			return nil, fmt.Errorf("read the balance of %s: %w", sender.From().Hex(), err)
		}
		if have.Cmp(need) < 0 {
			return nil, fmt.Errorf("account %s holds %s; the models' deposits need %s plus gas: fund it or deploy from another account",
				sender.From().Hex(), amount.FormatUnits(have, 18, native), amount.FormatUnits(need, 18, native))
		}
	}
	out := make(map[string]map[string]common.Address, len(ms))
	d := &txDeployer{s: sender, created: map[string]common.Address{}}
	for _, m := range ms {
		addrs, err := m.Deploy(ctx, d, oracle)
		if err != nil {
			return nil, fmt.Errorf("deploy the %s model: %w", m.Name(), err)
		}
		out[m.Name()] = addrs
	}
	return out, nil
}

// Multicall3 outcomes.
const (
	// Multicall3Present: the node already had code at the address.
	Multicall3Present = "present"
	// Multicall3SetCode: placed at the canonical address with
	// anvil_setCode (or hardhat_setCode).
	Multicall3SetCode = "set"
	// Multicall3Deployed: deployed by a transaction, at another address.
	Multicall3Deployed = "deployed"
)

// EnsureMulticall3 makes sure the node has Multicall3 at canonical (its
// address on every chain): left alone when code is there; else placed there
// with the dev node's setCode call (anvil, hardhat); else, on nodes without
// one, deployed by an ordinary transaction, whose address is returned.
func EnsureMulticall3(ctx context.Context, sender *devtx.Sender, canonical common.Address, art *contracts.Artifact) (common.Address, string, error) {
	client := sender.Client()
	code, err := client.CodeAt(ctx, canonical, nil)
	if err != nil {
		return common.Address{}, "", fmt.Errorf("read code at %s: %w", canonical.Hex(), err)
	}
	if len(code) > 0 {
		return canonical, Multicall3Present, nil
	}
	var setErrs []error
	for _, method := range []string{"anvil_setCode", "hardhat_setCode"} {
		err := client.Client().CallContext(ctx, nil, method, canonical, hexutil.Bytes(art.DeployedBytecode))
		if err == nil {
			code, err = client.CodeAt(ctx, canonical, nil)
			if err == nil && bytes.Equal(code, art.DeployedBytecode) {
				return canonical, Multicall3SetCode, nil
			}
			if err == nil {
				err = errors.New("code did not change")
			}
		}
		setErrs = append(setErrs, fmt.Errorf("%s: %w", method, err))
	}
	addr, err := (&txDeployer{s: sender, created: map[string]common.Address{}}).Create(ctx, art.Name, art.Bytecode, new(big.Int))
	if err != nil {
		return common.Address{}, "", fmt.Errorf("deploy Multicall3 (the node has no setCode call: %w): %w", errors.Join(setErrs...), err)
	}
	return addr, Multicall3Deployed, nil
}

// txDeployer implements contracts.Deployer with transactions.
type txDeployer struct {
	s       *devtx.Sender
	created map[string]common.Address // by the name passed to Create (contracts.CreationLog)
}

func (d *txDeployer) Create(ctx context.Context, name string, initCode []byte, value *big.Int) (common.Address, error) {
	receipt, err := d.s.Send(ctx, nil, value, initCode)
	if err != nil {
		return common.Address{}, err
	}
	if receipt.ContractAddress == (common.Address{}) {
		return common.Address{}, fmt.Errorf("receipt of %s has no contract address", receipt.TxHash)
	}
	d.created[name] = receipt.ContractAddress
	return receipt.ContractAddress, nil
}

// Created implements contracts.CreationLog.
func (d *txDeployer) Created(name string) (common.Address, bool) {
	a, ok := d.created[name]
	return a, ok
}

func (d *txDeployer) Call(ctx context.Context, to common.Address, data []byte) error {
	_, err := d.s.Send(ctx, &to, nil, data)
	return err
}

// Network is a stakewallet config-file network entry for a deployment.
type Network struct {
	Name            string   `json:"name"`
	ChainID         uint64   `json:"chainId"`
	RPCURLs         []string `json:"rpcUrls"`
	NativeSymbol    string   `json:"nativeSymbol,omitempty"`
	DefaultProtocol string   `json:"defaultProtocol,omitempty"`
	// Protocols maps each protocol to its addresses by role (checksummed).
	Protocols map[string]map[string]string `json:"protocols"`
	// Order lists the protocols in deployment order (the TOML's order).
	Order []string `json:"-"`
	// Oracle is the account the models trust with their admin calls; the
	// oracle command finds its key by it.
	Oracle string `json:"oracle,omitempty"`
	// Multicall3 is where Multicall3 is on the node.
	Multicall3 string `json:"multicall3,omitempty"`
}

// Protocol is one protocol's part of a Network.
type Protocol struct {
	Name      string
	Addresses map[string]common.Address
}

// bareKey is what TOML accepts unquoted in [networks.NAME].
var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ValidName checks that name can be a network name: a bare TOML key.
func ValidName(name string) error {
	if !bareKey.MatchString(name) {
		return fmt.Errorf("network name %q: use letters, digits, '-' and '_'", name)
	}
	return nil
}

// NewNetwork describes the Lido deployment dep as network name on chainID
// reachable at rpcURLs.
func NewNetwork(name string, chainID uint64, rpcURLs []string, dep contracts.Deployment) (Network, error) {
	return NewChainNetwork(name, chainID, rpcURLs, "", []Protocol{{Name: lido.Descriptor.Name, Addresses: map[string]common.Address{
		lido.RoleStETH:           dep.StETH,
		lido.RoleWstETH:          dep.WstETH,
		lido.RoleWithdrawalQueue: dep.WithdrawalQueue,
		lido.RoleLocator:         dep.Locator,
	}}})
}

// NewChainNetwork describes deployed protocols as network name: the first
// protocol is the default; native is the native coin's symbol ("" leaves it
// to the config file's default, ETH).
func NewChainNetwork(name string, chainID uint64, rpcURLs []string, native string, protocols []Protocol) (Network, error) {
	if err := ValidName(name); err != nil {
		return Network{}, err
	}
	n := Network{Name: name, ChainID: chainID, RPCURLs: rpcURLs, NativeSymbol: native, Protocols: map[string]map[string]string{}}
	for _, p := range protocols {
		if _, dup := n.Protocols[p.Name]; dup {
			return Network{}, fmt.Errorf("protocol %s given twice", p.Name)
		}
		roles := make(map[string]string, len(p.Addresses))
		for role, addr := range p.Addresses {
			roles[role] = addr.Hex()
		}
		n.Protocols[p.Name] = roles
		n.Order = append(n.Order, p.Name)
	}
	if len(n.Order) > 0 {
		n.DefaultProtocol = n.Order[0]
	}
	return n, nil
}

// roleOrder is the order of a protocol's roles in the TOML: its
// Descriptor's, then any others sorted.
func roleOrder(protocol string, roles map[string]string) []string {
	var out []string
	if d, ok := all.Lookup(protocol); ok {
		for _, r := range d.Roles {
			if _, ok := roles[r]; ok {
				out = append(out, r)
			}
		}
	}
	var rest []string
	for r := range roles {
		if !slices.Contains(out, r) {
			rest = append(rest, r)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// protocolOrder is Order, or the sorted protocol names of an entry read
// back from JSON.
func (n Network) protocolOrder() []string {
	if len(n.Order) == len(n.Protocols) {
		return n.Order
	}
	names := make([]string, 0, len(n.Protocols))
	for p := range n.Protocols {
		names = append(names, p)
	}
	slices.Sort(names)
	return names
}

// TOML renders the entry as it goes into config.toml. Multicall3 and the
// oracle, which config.toml has no key for, become comments.
func (n Network) TOML() string {
	urls := make([]string, len(n.RPCURLs))
	for i, u := range n.RPCURLs {
		urls[i] = strconv.Quote(u)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[networks.%s]\n", n.Name)
	fmt.Fprintf(&b, "chain-id = %d\n", n.ChainID)
	fmt.Fprintf(&b, "rpc-urls = [%s]\n", strings.Join(urls, ", "))
	if n.NativeSymbol != "" {
		fmt.Fprintf(&b, "native-symbol = %q\n", n.NativeSymbol)
	}
	if n.DefaultProtocol != "" {
		fmt.Fprintf(&b, "default-protocol = %q\n", n.DefaultProtocol)
	}
	if n.Multicall3 != "" {
		fmt.Fprintf(&b, "# Multicall3 %s\n", n.Multicall3)
	}
	if n.Oracle != "" {
		fmt.Fprintf(&b, "# oracle (admin of the models) %s\n", n.Oracle)
	}
	for _, p := range n.protocolOrder() {
		roles := n.Protocols[p]
		fmt.Fprintf(&b, "\n[networks.%s.protocols.%s]\n", n.Name, p)
		for _, r := range roleOrder(p, roles) {
			fmt.Fprintf(&b, "%s = %q\n", r, roles[r])
		}
	}
	return b.String()
}

// JSON renders the entry as one indented JSON document.
func (n Network) JSON() ([]byte, error) {
	out, err := json.MarshalIndent(n, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode network entry: %w", err)
	}
	return append(out, '\n'), nil
}

// ParseJSON reads an entry JSON printed; the oracle command takes it as
// --deployment.
func ParseJSON(data []byte) (Network, error) {
	var n Network
	if err := json.Unmarshal(data, &n); err != nil {
		return Network{}, fmt.Errorf("not a network entry printed by deploy --json: %w", err)
	}
	return n, nil
}

// Addresses are the entry's protocols' addresses by role, keyed by
// protocol; an address that does not parse is an error.
func (n Network) Addresses() (map[string]map[string]common.Address, error) {
	out := make(map[string]map[string]common.Address, len(n.Protocols))
	for p, roles := range n.Protocols {
		m := make(map[string]common.Address, len(roles))
		for r, hex := range roles {
			if !common.IsHexAddress(hex) {
				return nil, fmt.Errorf("protocol %s: %s = %q is not an address", p, r, hex)
			}
			m[r] = common.HexToAddress(hex)
		}
		out[p] = m
	}
	return out, nil
}
