package protocol

import "github.com/ethereum/go-ethereum/common"

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
