package savax

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// RoleStakedAvax is the contract role of the sAVAX token (the StakedAvax
// proxy), the only contract the adapter talks to.
const RoleStakedAvax = "savax"

// DevnetStakedAvax is where stakewallet-devnet places the StakedAvax model in
// the genesis of "devnet-avalanche" (the model's range is 0x13…).
var DevnetStakedAvax = common.HexToAddress("0x1300000000000000000000000000000000000001")

// Deployments are sAVAX's addresses per network. Mainnet is the
// TransparentUpgradeableProxy (staking-systems.md §4.1, VERIFIED from the
// ERC-7730 registry and integrators); there is no official Fuji deployment,
// so a Fuji entry comes from the config file.
var Deployments = map[string]protocol.Addresses{
	"avalanche": {
		RoleStakedAvax: common.HexToAddress("0x2b2C81e08f1Af8835a78Bb2A90AE924ACE0eA4bE"),
	},
	"devnet-avalanche": {
		RoleStakedAvax: DevnetStakedAvax,
	},
}
