package rocketpool

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Contract roles in protocol.Addresses.
const (
	// RoleStorage is RocketStorage, the permanent root every other
	// contract address is read from.
	RoleStorage = "storage"
	// RoleRETH is the rETH token. Unlike the deposit pool and the
	// settings, it is never upgraded (it holds the balances), so it is
	// known without a read: Tokens and the exchange rate need it before
	// anything touches the chain. Stake checks it against RocketStorage.
	RoleRETH = "reth"
)

// Devnet addresses: where stakewallet-devnet places the model contracts in
// the genesis of the "devnet" chain (range 0x12…).
var (
	DevnetStorage         = common.HexToAddress("0x1200000000000000000000000000000000000001")
	DevnetRETH            = common.HexToAddress("0x1200000000000000000000000000000000000002")
	DevnetDepositPool     = common.HexToAddress("0x1200000000000000000000000000000000000003")
	DevnetSettingsDeposit = common.HexToAddress("0x1200000000000000000000000000000000000004")
	DevnetSettingsNetwork = common.HexToAddress("0x1200000000000000000000000000000000000005")
	DevnetNetworkBalances = common.HexToAddress("0x1200000000000000000000000000000000000006")
)

// Deployments are RocketStorage and rETH per network (staking-systems.md
// §1.1, from smartnode's config: storageAddress, rethAddress). Every other
// contract is resolved through RocketStorage at run time: deposit pools and
// settings are replaced on upgrades, and an outdated pool reverts.
var Deployments = map[string]protocol.Addresses{
	"mainnet": {
		RoleStorage: common.HexToAddress("0x1d8f8f00cfa6758d7bE78336684788Fb0ee0Fa46"),
		RoleRETH:    common.HexToAddress("0xae78736Cd615f374D3085123A210448E74Fc6393"),
	},
	"hoodi": {
		RoleStorage: common.HexToAddress("0x594Fb75D3dc2DFa0150Ad03F99F97817747dd4E1"),
		RoleRETH:    common.HexToAddress("0x7322c24752f79c05FFD1E2a6FCB97020C1C264F1"),
	},
	"devnet": {
		RoleStorage: DevnetStorage,
		RoleRETH:    DevnetRETH,
	},
}
