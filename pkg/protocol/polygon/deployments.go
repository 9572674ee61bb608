package polygon

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Contract roles in protocol.Addresses.
const (
	// RoleStakeManager is the StakeManager proxy: POL is approved to it,
	// and it knows each validator's ValidatorShare and the epoch.
	RoleStakeManager = "stakeManager"
	// RolePOL is the POL token (PolygonEcosystemToken) on Ethereum.
	RolePOL = "pol"
	// RoleRootChain is the RootChain proxy, whose checkpoints (header
	// blocks) set the epoch's pace.
	RoleRootChain = "rootChain"
)

// The devnet model's addresses (range 0x17…): see
// internal/devnet/models/polygon.
var (
	DevnetPOL          = common.HexToAddress("0x1700000000000000000000000000000000000001")
	DevnetStakeManager = common.HexToAddress("0x1700000000000000000000000000000000000002")
	DevnetRootChain    = common.HexToAddress("0x1700000000000000000000000000000000000003")
)

// DevnetValidatorShare is the devnet model's ValidatorShare of validator
// id (from 1): 0x17000000000000000000000000000000000000(10+id in hex).
func DevnetValidatorShare(id int) common.Address {
	return common.HexToAddress(fmt.Sprintf("0x17%038x", 0x10+id))
}

// Deployments are the built-in addresses per network
// (staking-systems.md §3.1; pos-contracts script/validatorShare-upgrade
// input.json and polygon-docs genesis-contracts.md).
var Deployments = map[string]protocol.Addresses{
	"mainnet": {
		RoleStakeManager: common.HexToAddress("0x5e3Ef299fDDf15eAa0432E6e66473ace8c13D908"),
		RolePOL:          common.HexToAddress("0x455e53CBB86018Ac2B8092FdCd39d8444aFFC3F6"),
		RoleRootChain:    common.HexToAddress("0x86E4Dc95c7FBdBf52e33D563BbDB00823894C287"),
	},
	"sepolia": {
		RoleStakeManager: common.HexToAddress("0x4AE8f648B1Ec892B6cc68C89cc088583964d08bE"),
		RolePOL:          common.HexToAddress("0x44499312f493F62f2DFd3C6435Ca3603EbFCeeBa"),
		RoleRootChain:    common.HexToAddress("0xbd07D7E1E93c8d4b2a261327F3C28a8EA7167209"),
	},
	"devnet": {
		RoleStakeManager: DevnetStakeManager,
		RolePOL:          DevnetPOL,
		RoleRootChain:    DevnetRootChain,
	},
}
