package devnet

import "github.com/ethereum/go-ethereum/common"

// Multicall3Address is where Multicall3 lives on every chain (its keyless
// deployment's address; mds1/multicall). Every devnet chain's genesis
// places it there, so clients that batch reads through it work unchanged.
var Multicall3Address = common.HexToAddress("0xcA11bde05977b3631167028862bE2a173976CA11")

// NameMulticall3 is Multicall3's artifact and contract name.
const NameMulticall3 = "Multicall3"
