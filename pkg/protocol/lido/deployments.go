package lido

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Contract roles in protocol.Addresses.
const (
	RoleStETH           = "steth"
	RoleWstETH          = "wsteth"
	RoleWithdrawalQueue = "withdrawalQueue"
	RoleLocator         = "locator"
)

// Devnet addresses: where stakewallet-devnet places the model contracts in
// its genesis. Fixed so that the built-in "devnet" network needs no set-up.
var (
	DevnetStETH           = common.HexToAddress("0x1100000000000000000000000000000000000001")
	DevnetWstETH          = common.HexToAddress("0x1100000000000000000000000000000000000002")
	DevnetWithdrawalQueue = common.HexToAddress("0x1100000000000000000000000000000000000003")
	DevnetLocator         = common.HexToAddress("0x1100000000000000000000000000000000000004")
)

// Deployments are Lido's proxies per network (../shared/reference/protocols.md §1.1,
// from lidofinance/core deployed-*.json). Proxies only: implementations change.
var Deployments = map[string]protocol.Addresses{
	"mainnet": {
		RoleLocator:         common.HexToAddress("0xC1d0b3DE6792Bf6b4b37EccdcC24e45978Cfd2Eb"),
		RoleStETH:           common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84"),
		RoleWstETH:          common.HexToAddress("0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0"),
		RoleWithdrawalQueue: common.HexToAddress("0x889edC2eDab5f40e902b864aD4d7AdE8E412F9B1"),
	},
	"hoodi": {
		RoleLocator:         common.HexToAddress("0xe2EF9536DAAAEBFf5b1c130957AB3E80056b06D8"),
		RoleStETH:           common.HexToAddress("0x3508A952176b3c15387C97BE809eaffB1982176a"),
		RoleWstETH:          common.HexToAddress("0x7E99eE3C66636DE415D2d7C880938F2f40f94De4"),
		RoleWithdrawalQueue: common.HexToAddress("0xfe56573178f1bcdf53F01A6E9977670dcBBD9186"),
	},
	"holesky": {
		RoleLocator:         common.HexToAddress("0x28FAB2059C713A7F9D8c86Db49f9bb0e96Af1ef8"),
		RoleStETH:           common.HexToAddress("0x3F1c547b21f65e10480dE3ad8E19fAAC46C95034"),
		RoleWstETH:          common.HexToAddress("0x8d09a4502Cc8Cf1547aD300E066060D043f6982D"),
		RoleWithdrawalQueue: common.HexToAddress("0xc7cc160b58F8Bb0baC94b80847E2CF2800565C50"),
	},
	"sepolia": {
		RoleLocator:         common.HexToAddress("0x8f6254332f69557A72b0DA2D5F0Bc07d4CA991E7"),
		RoleStETH:           common.HexToAddress("0x3e3FE7dBc6B4C189E7128855dD526361c49b40Af"),
		RoleWstETH:          common.HexToAddress("0xB82381A3fBD3FaFA77B3a7bE693342618240067b"),
		RoleWithdrawalQueue: common.HexToAddress("0x1583C7b3f4C3B008720E6BcE5726336b0aB25fdd"),
	},
	"devnet": {
		RoleLocator:         DevnetLocator,
		RoleStETH:           DevnetStETH,
		RoleWstETH:          DevnetWstETH,
		RoleWithdrawalQueue: DevnetWithdrawalQueue,
	},
}
