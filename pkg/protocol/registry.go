package protocol

import "github.com/ethereum/go-ethereum/common"

// Addresses maps a contract role ("steth", "withdrawalQueue", …) to its address.
type Addresses map[string]common.Address

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
	// New binds the adapter to addresses on a chain.
	New func(addrs Addresses, b Backend) (Protocol, error)
}
