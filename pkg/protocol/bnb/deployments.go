package bnb

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// RoleStakeHub is the StakeHub's role in protocol.Addresses; the StakeCredit
// contracts are found through it (getValidators).
const RoleStakeHub = "stakeHub"

// StakeHub is the system address of the StakeHub on BSC mainnet (56) and
// testnet (97), and on devnet-bsc (staking-systems.md §2.1, System.sol).
var StakeHub = common.HexToAddress("0x0000000000000000000000000000000000002002")

// DevnetStakeHub is where the devnet-bsc model's StakeHub sits: the real
// system address.
var DevnetStakeHub = StakeHub

// DevnetCredit is the address of the devnet-bsc model's n-th validator's
// StakeCredit (n from 1): 0x16000000000000000000000000000000000000NN.
func DevnetCredit(n int) common.Address {
	return common.HexToAddress(fmt.Sprintf("0x16%038x", n))
}

// Deployments are the StakeHub per network.
var Deployments = map[string]protocol.Addresses{
	"bsc":         {RoleStakeHub: StakeHub},
	"bsc-testnet": {RoleStakeHub: StakeHub},
	"devnet-bsc":  {RoleStakeHub: DevnetStakeHub},
}
