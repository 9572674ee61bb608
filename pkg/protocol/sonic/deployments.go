package sonic

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// RoleSFC is the SFC in protocol.Addresses.
const RoleSFC = "sfc"

// SonicSFC is the SFC's genesis address on Sonic (staking-systems.md §5.1).
var SonicSFC = common.HexToAddress("0xFC00FACE00000000000000000000000000000000")

// DevnetSFC is the SFC model on "devnet-sonic": the same address (the stS
// model deploys it; the sonic model adds validators to it).
var DevnetSFC = SonicSFC

// Deployments are the built-in addresses per network. The testnet (14601)
// likely has the same SFC address, but that is unverified: not listed.
var Deployments = map[string]protocol.Addresses{
	"sonic":        {RoleSFC: SonicSFC},
	"devnet-sonic": {RoleSFC: DevnetSFC},
}
