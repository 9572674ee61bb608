// Package deploy puts the Lido model contracts onto a running node (anvil,
// geth --dev, another devnet) with ordinary transactions, and describes the
// result as a stakewallet network entry.
package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// Deploy deploys the model from sender's account and makes oracle the
// account trusted with oracle reports. It waits for every receipt.
func Deploy(ctx context.Context, sender *devtx.Sender, oracle common.Address) (contracts.Deployment, error) {
	return contracts.Deploy(ctx, txDeployer{sender}, oracle)
}

// txDeployer implements contracts.Deployer with transactions.
type txDeployer struct{ s *devtx.Sender }

func (d txDeployer) Create(ctx context.Context, name string, initCode []byte, value *big.Int) (common.Address, error) {
	receipt, err := d.s.Send(ctx, nil, value, initCode)
	if err != nil {
		return common.Address{}, err
	}
	if receipt.ContractAddress == (common.Address{}) {
		return common.Address{}, fmt.Errorf("receipt of %s has no contract address", receipt.TxHash)
	}
	return receipt.ContractAddress, nil
}

func (d txDeployer) Call(ctx context.Context, to common.Address, data []byte) error {
	_, err := d.s.Send(ctx, &to, nil, data)
	return err
}

// Network is a stakewallet config-file network entry for a deployment.
type Network struct {
	Name            string          `json:"name"`
	ChainID         uint64          `json:"chainId"`
	RPCURLs         []string        `json:"rpcUrls"`
	DefaultProtocol string          `json:"defaultProtocol"`
	Protocols       NetworkProtocol `json:"protocols"`
}

// NetworkProtocol holds the protocols of a Network; only Lido here.
type NetworkProtocol struct {
	Lido LidoAddresses `json:"lido"`
}

// LidoAddresses are keyed by the roles of pkg/protocol/lido.
type LidoAddresses struct {
	StETH           string `json:"steth"`
	WstETH          string `json:"wsteth"`
	WithdrawalQueue string `json:"withdrawalQueue"`
	Locator         string `json:"locator"`
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

// NewNetwork describes dep as network name on chainID reachable at rpcURLs.
func NewNetwork(name string, chainID uint64, rpcURLs []string, dep contracts.Deployment) (Network, error) {
	if err := ValidName(name); err != nil {
		return Network{}, err
	}
	return Network{
		Name:            name,
		ChainID:         chainID,
		RPCURLs:         rpcURLs,
		DefaultProtocol: "lido",
		Protocols: NetworkProtocol{Lido: LidoAddresses{
			StETH:           dep.StETH.Hex(),
			WstETH:          dep.WstETH.Hex(),
			WithdrawalQueue: dep.WithdrawalQueue.Hex(),
			Locator:         dep.Locator.Hex(),
		}},
	}, nil
}

// TOML renders the entry as it goes into config.toml.
func (n Network) TOML() string {
	urls := make([]string, len(n.RPCURLs))
	for i, u := range n.RPCURLs {
		urls[i] = strconv.Quote(u)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[networks.%s]\n", n.Name)
	fmt.Fprintf(&b, "chain-id = %d\n", n.ChainID)
	fmt.Fprintf(&b, "rpc-urls = [%s]\n", strings.Join(urls, ", "))
	fmt.Fprintf(&b, "default-protocol = %q\n", n.DefaultProtocol)
	fmt.Fprintf(&b, "\n[networks.%s.protocols.lido]\n", n.Name)
	l := n.Protocols.Lido
	fmt.Fprintf(&b, "%s = %q\n", lido.RoleStETH, l.StETH)
	fmt.Fprintf(&b, "%s = %q\n", lido.RoleWstETH, l.WstETH)
	fmt.Fprintf(&b, "%s = %q\n", lido.RoleWithdrawalQueue, l.WithdrawalQueue)
	fmt.Fprintf(&b, "%s = %q\n", lido.RoleLocator, l.Locator)
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
