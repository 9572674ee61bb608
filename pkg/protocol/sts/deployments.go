package sts

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Contract roles in protocol.Addresses.
const (
	// RoleSTS is SonicStaking, the stS token itself (a UUPS proxy on Sonic).
	RoleSTS = "sts"
	// RoleSFC is Sonic's SFC, where stS delegates (read to choose the
	// validator an unstake undelegates from).
	RoleSFC = "sfc"
)

// SonicSFC is the SFC's genesis address on Sonic (staking-systems.md §5.1).
var SonicSFC = common.HexToAddress("0xFC00FACE00000000000000000000000000000000")

// Devnet addresses: where stakewallet-devnet places the models in the
// "devnet-sonic" genesis. The SFC model sits at Sonic's SFC address.
var (
	DevnetSTS              = common.HexToAddress("0x1400000000000000000000000000000000000001")
	DevnetConstantsManager = common.HexToAddress("0x1400000000000000000000000000000000000002")
	DevnetSFC              = SonicSFC
)

// Deployments are stS's built-in addresses per network. Sonic mainnet from
// beethovenxfi/sonic-staking README (staking-systems.md §5.1); no testnet
// deployment is known.
var Deployments = map[string]protocol.Addresses{
	"sonic": {
		RoleSTS: common.HexToAddress("0xE5DA20F15420aD15DE0fa650600aFc998bbE3955"),
		RoleSFC: SonicSFC,
	},
	"devnet-sonic": {
		RoleSTS: DevnetSTS,
		RoleSFC: DevnetSFC,
	},
}
