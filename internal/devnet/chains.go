package devnet

import (
	"fmt"
	"strings"
)

// Chain is one chain stakewallet-devnet can run: a dev node with its own
// chain id and native coin, the funded test accounts, Multicall3 and the
// models (internal/devnet/models) whose Chain is its Name. Each is a
// built-in network of stakewallet under the same name.
type Chain struct {
	// Name is the chain's built-in network name ("devnet-avalanche").
	Name string
	// ChainID is the EIP-155 chain id the node signs and answers with.
	ChainID uint64
	// Native is the symbol of the chain's native coin ("AVAX").
	Native string
	// DefaultHTTPAddr is where stakewallet-devnet serves the chain's HTTP
	// and WebSocket JSON-RPC when --http is not given; the built-in
	// network's RPC URL points there.
	DefaultHTTPAddr string
}

// DefaultChain is the chain a Config without Chain starts: the Ethereum
// devnet, chain id 1337.
const DefaultChain = "devnet"

// Chains lists the chains stakewallet-devnet can run, in the order it
// starts them and lists them. A fresh slice each call.
//
// Ports: one per chain, HTTP and WebSocket on the same port, from 8545 up
// in this order. A new chain is added here and in internal/config's
// built-in networks together, with its models registered in
// internal/devnet/models.
func Chains() []Chain {
	return []Chain{
		{Name: "devnet", ChainID: ChainID, Native: "ETH", DefaultHTTPAddr: "127.0.0.1:8545"},
		{Name: "devnet-avalanche", ChainID: 43112, Native: "AVAX", DefaultHTTPAddr: "127.0.0.1:8546"},
		{Name: "devnet-sonic", ChainID: 4003, Native: "S", DefaultHTTPAddr: "127.0.0.1:8547"},
		{Name: "devnet-bsc", ChainID: 714, Native: "BNB", DefaultHTTPAddr: "127.0.0.1:8548"},
	}
}

// ChainNames are the names of Chains, in order.
func ChainNames() []string {
	cs := Chains()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return names
}

// LookupChain finds a chain by name; "" is DefaultChain. The error of an
// unknown name lists the known ones.
func LookupChain(name string) (Chain, error) {
	if name == "" {
		name = DefaultChain
	}
	for _, c := range Chains() {
		if c.Name == name {
			return c, nil
		}
	}
	return Chain{}, fmt.Errorf("unknown devnet chain %q: choose from %s", name, strings.Join(ChainNames(), ", "))
}
