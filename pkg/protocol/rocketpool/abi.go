package rocketpool

import (
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// abiJSON holds every function, event and error the adapter calls or
// decodes, with the signatures of rocket-pool/rocketpool@fef41a4f
// (staking-systems.md §1.2–§1.4): RocketStorage, RocketDepositPool,
// RocketTokenRETH, RocketDAOProtocolSettingsDeposit and
// RocketNetworkBalances. Names do not collide across these contracts, so
// one merged ABI packs and decodes all of them.
const abiJSON = `[
 {"type":"function","name":"getAddress","stateMutability":"view","inputs":[{"name":"_key","type":"bytes32"}],"outputs":[{"name":"r","type":"address"}]},
 {"type":"function","name":"getUint","stateMutability":"view","inputs":[{"name":"_key","type":"bytes32"}],"outputs":[{"name":"r","type":"uint256"}]},
 {"type":"function","name":"getBool","stateMutability":"view","inputs":[{"name":"_key","type":"bytes32"}],"outputs":[{"name":"r","type":"bool"}]},
 {"type":"function","name":"getGuardian","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"address"}]},

 {"type":"function","name":"deposit","stateMutability":"payable","inputs":[],"outputs":[]},
 {"type":"function","name":"getBalance","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getExcessBalance","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getUserBalance","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"int256"}]},
 {"type":"function","name":"getMaximumDepositAmount","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"event","name":"DepositReceived","anonymous":false,"inputs":[{"indexed":true,"name":"from","type":"address"},{"indexed":false,"name":"amount","type":"uint256"},{"indexed":false,"name":"time","type":"uint256"}]},
 {"type":"event","name":"DepositRecycled","anonymous":false,"inputs":[{"indexed":true,"name":"from","type":"address"},{"indexed":false,"name":"amount","type":"uint256"},{"indexed":false,"name":"time","type":"uint256"}]},
 {"type":"event","name":"DepositAssigned","anonymous":false,"inputs":[{"indexed":true,"name":"minipool","type":"address"},{"indexed":false,"name":"amount","type":"uint256"},{"indexed":false,"name":"time","type":"uint256"}]},
 {"type":"event","name":"ExcessWithdrawn","anonymous":false,"inputs":[{"indexed":true,"name":"to","type":"address"},{"indexed":false,"name":"amount","type":"uint256"},{"indexed":false,"name":"time","type":"uint256"}]},

 {"type":"function","name":"burn","stateMutability":"nonpayable","inputs":[{"name":"_rethAmount","type":"uint256"}],"outputs":[]},
 {"type":"function","name":"getEthValue","stateMutability":"view","inputs":[{"name":"_rethAmount","type":"uint256"}],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getRethValue","stateMutability":"view","inputs":[{"name":"_ethAmount","type":"uint256"}],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getExchangeRate","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getTotalCollateral","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getCollateralRate","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"balanceOf","stateMutability":"view","inputs":[{"name":"account","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"totalSupply","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"transfer","stateMutability":"nonpayable","inputs":[{"name":"recipient","type":"address"},{"name":"amount","type":"uint256"}],"outputs":[{"name":"","type":"bool"}]},
 {"type":"function","name":"approve","stateMutability":"nonpayable","inputs":[{"name":"spender","type":"address"},{"name":"amount","type":"uint256"}],"outputs":[{"name":"","type":"bool"}]},
 {"type":"function","name":"transferFrom","stateMutability":"nonpayable","inputs":[{"name":"sender","type":"address"},{"name":"recipient","type":"address"},{"name":"amount","type":"uint256"}],"outputs":[{"name":"","type":"bool"}]},
 {"type":"event","name":"Transfer","anonymous":false,"inputs":[{"indexed":true,"name":"from","type":"address"},{"indexed":true,"name":"to","type":"address"},{"indexed":false,"name":"value","type":"uint256"}]},
 {"type":"event","name":"Approval","anonymous":false,"inputs":[{"indexed":true,"name":"owner","type":"address"},{"indexed":true,"name":"spender","type":"address"},{"indexed":false,"name":"value","type":"uint256"}]},
 {"type":"event","name":"EtherDeposited","anonymous":false,"inputs":[{"indexed":true,"name":"from","type":"address"},{"indexed":false,"name":"amount","type":"uint256"},{"indexed":false,"name":"time","type":"uint256"}]},
 {"type":"event","name":"TokensMinted","anonymous":false,"inputs":[{"indexed":true,"name":"to","type":"address"},{"indexed":false,"name":"amount","type":"uint256"},{"indexed":false,"name":"ethAmount","type":"uint256"},{"indexed":false,"name":"time","type":"uint256"}]},
 {"type":"event","name":"TokensBurned","anonymous":false,"inputs":[{"indexed":true,"name":"from","type":"address"},{"indexed":false,"name":"amount","type":"uint256"},{"indexed":false,"name":"ethAmount","type":"uint256"},{"indexed":false,"name":"time","type":"uint256"}]},

 {"type":"function","name":"getDepositEnabled","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"bool"}]},
 {"type":"function","name":"getAssignDepositsEnabled","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"bool"}]},
 {"type":"function","name":"getMinimumDeposit","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getMaximumDepositPoolSize","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getDepositFee","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},

 {"type":"function","name":"getTotalETHBalance","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getTotalRETHSupply","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getBalancesBlock","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"getBalancesTimestamp","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"event","name":"BalancesSubmitted","anonymous":false,"inputs":[{"indexed":true,"name":"from","type":"address"},{"indexed":false,"name":"block","type":"uint256"},{"indexed":false,"name":"slotTimestamp","type":"uint256"},{"indexed":false,"name":"totalEth","type":"uint256"},{"indexed":false,"name":"stakingEth","type":"uint256"},{"indexed":false,"name":"rethSupply","type":"uint256"},{"indexed":false,"name":"blockTimestamp","type":"uint256"}]},
 {"type":"event","name":"BalancesUpdated","anonymous":false,"inputs":[{"indexed":true,"name":"block","type":"uint256"},{"indexed":false,"name":"slotTimestamp","type":"uint256"},{"indexed":false,"name":"totalEth","type":"uint256"},{"indexed":false,"name":"stakingEth","type":"uint256"},{"indexed":false,"name":"rethSupply","type":"uint256"},{"indexed":false,"name":"blockTimestamp","type":"uint256"}]}
]`

// parsed is the ABI, parsed once; it is a constant of the program.
var parsed = sync.OnceValues(func() (*abi.ABI, error) {
	a, err := protocol.ParseABI("Rocket Pool", []byte(abiJSON))
	if err != nil {
		return nil, fmt.Errorf("rocketpool: %w", err)
	}
	return a, nil
})

// ABI returns every function, event and error of the Rocket Pool contracts
// the adapter uses, without a backend (for decoding).
func ABI() (*abi.ABI, error) { return parsed() }

// Contract names in RocketStorage ("contract.address" + name).
const (
	NameDepositPool     = "rocketDepositPool"
	NameTokenRETH       = "rocketTokenRETH"
	NameSettingsDeposit = "rocketDAOProtocolSettingsDeposit"
	NameSettingsNetwork = "rocketDAOProtocolSettingsNetwork"
	NameNetworkBalances = "rocketNetworkBalances"
)

// ContractKey is the RocketStorage key of a network contract's address:
// keccak256(abi.encodePacked("contract.address", name)) (RocketBase.sol).
func ContractKey(name string) [32]byte {
	return crypto.Keccak256Hash([]byte("contract.address" + name))
}
