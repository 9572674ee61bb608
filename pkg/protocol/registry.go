package protocol

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
)

// Addresses maps a contract role ("steth", "withdrawalQueue", …) to its address.
type Addresses map[string]common.Address

// Env is what an adapter is bound to: one network's contracts, read
// through one backend.
type Env struct {
	// Network is the network's name ("mainnet", "devnet").
	Network   string
	Addresses Addresses
	Backend   Backend
	// Native is the chain's coin (symbol and decimals from the network
	// table, RoleNative, zero address): what stake takes and claims pay.
	Native Token
}

// Require is the check every adapter's New starts with: a backend, a
// non-zero address for each of roles on the network, and the network's
// native coin. name prefixes the error ("lido").
func (e Env) Require(name string, roles ...string) error {
	if e.Backend == nil {
		return fmt.Errorf("%s: nil backend", name)
	}
	for _, role := range roles {
		if a, ok := e.Addresses[role]; !ok || a == (common.Address{}) {
			return fmt.Errorf("%s: missing address for contract role %q on network %q", name, role, e.Network)
		}
	}
	if e.Native.Symbol == "" || e.Native.Decimals == 0 {
		return fmt.Errorf("%s: network %q has no native coin", name, e.Network)
	}
	return nil
}

// NativeToken is the network's coin as adapters hand it out: role native,
// no address.
func (e Env) NativeToken() Token {
	t := e.Native
	t.Role, t.Address = RoleNative, common.Address{}
	return t
}

// Descriptor registers a protocol adapter. Each adapter package exports one;
// pkg/protocol/all lists them, so adding a protocol is one folder plus one line.
type Descriptor struct {
	// Name is the id used by --protocol and in the config file.
	Name string
	// Roles lists the contract roles New needs, for validating config files.
	Roles []string
	// Deployments are the built-in addresses per network name
	// ("mainnet", "hoodi", …, "devnet").
	Deployments map[string]Addresses
	// Capabilities are the optional interfaces the adapter declares; the
	// registry's test checks them against what New returns.
	Capabilities []Capability
	// New binds the adapter to a network. It must not touch the chain.
	New func(env Env) (Protocol, error)
}
