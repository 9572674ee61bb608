package polygon

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The ABI fragments below are copied from the real contracts
// (0xPolygon/pos-contracts at ff11f0e0: StakeManager.sol,
// StakeManagerStorage.sol, ValidatorShare.sol 2.3.0, RootChain.sol,
// RootChainStorage.sol, StakingInfo.sol, EventsHub.sol; the POL token,
// 0xPolygon/pol-token@fa3de37, is an OpenZeppelin 4.9.2 ERC20, whose
// failures are revert strings): every function the adapter calls or reads,
// the events it decodes and the token's custom errors. abi_test.go checks the
// selectors and topics byte for byte against staking-systems.md §3.

const u256 = `{"name":"","type":"uint256"}`

func fn(name, mut string, ins, outs string) string {
	return fmt.Sprintf(`{"type":"function","name":%q,"stateMutability":%q,"inputs":[%s],"outputs":[%s]}`, name, mut, ins, outs)
}

func in(typ string) string { return fmt.Sprintf(`{"name":"","type":%q}`, typ) }

func named(name, typ string) string { return fmt.Sprintf(`{"name":%q,"type":%q}`, name, typ) }

func ev(name string, args ...string) string {
	return fmt.Sprintf(`{"type":"event","name":%q,"anonymous":false,"inputs":[%s]}`, name, strings.Join(args, ","))
}

func evArg(name, typ string, indexed bool) string {
	return fmt.Sprintf(`{"name":%q,"type":%q,"indexed":%v}`, name, typ, indexed)
}

func errDef(name string, args ...string) string {
	return fmt.Sprintf(`{"type":"error","name":%q,"inputs":[%s]}`, name, strings.Join(args, ","))
}

var stakeManagerJSON = "[" + strings.Join([]string{
	fn("getValidatorContract", "view", named("validatorId", "uint256"), named("", "address")),
	fn("validators", "view", in("uint256"), strings.Join([]string{
		named("amount", "uint256"), named("reward", "uint256"), named("activationEpoch", "uint256"),
		named("deactivationEpoch", "uint256"), named("jailTime", "uint256"), named("signer", "address"),
		named("contractAddress", "address"), named("status", "uint8"), named("commissionRate", "uint256"),
		named("lastCommissionUpdate", "uint256"), named("delegatorsReward", "uint256"),
		named("delegatedAmount", "uint256"), named("initialRewardPerStake", "uint256"),
	}, ",")),
	fn("NFTCounter", "view", "", u256),
	fn("isValidator", "view", named("validatorId", "uint256"), named("", "bool")),
	fn("delegationEnabled", "view", "", named("", "bool")),
	fn("epoch", "view", "", u256),
	fn("currentEpoch", "view", "", u256),
	fn("withdrawalDelay", "view", "", u256),
	fn("WITHDRAWAL_DELAY", "view", "", u256),
	fn("currentValidatorSetSize", "view", "", u256),
	fn("delegatedAmount", "view", named("validatorId", "uint256"), u256),
	fn("delegatorsReward", "view", named("validatorId", "uint256"), u256),
	fn("migrateDelegation", "nonpayable", named("fromValidatorId", "uint256")+","+named("toValidatorId", "uint256")+","+named("amount", "uint256"), ""),
	ev("DynastyValueChange", evArg("newDynasty", "uint256", false), evArg("oldDynasty", "uint256", false)),
}, ",") + "]"

var validatorShareJSON = "[" + strings.Join([]string{
	fn("buyVoucherPOL", "nonpayable", named("_amount", "uint256")+","+named("_minSharesToMint", "uint256"), named("amountToDeposit", "uint256")),
	fn("sellVoucher_newPOL", "nonpayable", named("claimAmount", "uint256")+","+named("maximumSharesToBurn", "uint256"), ""),
	fn("unstakeClaimTokens_newPOL", "nonpayable", named("unbondNonce", "uint256"), ""),
	fn("withdrawRewardsPOL", "nonpayable", "", ""),
	fn("restakePOL", "nonpayable", "", u256+","+u256),
	fn("transferPOL", "nonpayable", named("to", "address")+","+named("value", "uint256"), named("", "bool")),
	fn("unbondNonces", "view", in("address"), u256),
	fn("unbonds_new", "view", in("address")+","+in("uint256"), named("shares", "uint256")+","+named("withdrawEpoch", "uint256")),
	fn("getTotalStake", "view", named("user", "address"), u256+","+u256),
	fn("getLiquidRewards", "view", named("user", "address"), u256),
	fn("exchangeRate", "view", "", u256),
	fn("withdrawExchangeRate", "view", "", u256),
	fn("delegation", "view", "", named("", "bool")),
	fn("locked", "view", "", named("", "bool")),
	fn("validatorId", "view", "", u256),
	fn("balanceOf", "view", named("account", "address"), u256),
	fn("totalSupply", "view", "", u256),
	ev("Transfer", evArg("from", "address", true), evArg("to", "address", true), evArg("value", "uint256", false)),
	ev("Approval", evArg("owner", "address", true), evArg("spender", "address", true), evArg("value", "uint256", false)),
	ev("ShareMinted", evArg("validatorId", "uint256", true), evArg("user", "address", true), evArg("amount", "uint256", true), evArg("tokens", "uint256", false)),
	ev("ShareBurnedWithId", evArg("validatorId", "uint256", true), evArg("user", "address", true), evArg("amount", "uint256", true), evArg("tokens", "uint256", false), evArg("nonce", "uint256", false)),
	ev("DelegatorUnstakeWithId", evArg("validatorId", "uint256", true), evArg("user", "address", true), evArg("amount", "uint256", false), evArg("nonce", "uint256", false)),
	ev("DelegatorClaimedRewards", evArg("validatorId", "uint256", true), evArg("user", "address", true), evArg("rewards", "uint256", true)),
	ev("DelegatorRestaked", evArg("validatorId", "uint256", true), evArg("user", "address", true), evArg("totalStaked", "uint256", true)),
	ev("SharesTransfer", evArg("validatorId", "uint256", true), evArg("from", "address", true), evArg("to", "address", true), evArg("value", "uint256", false)),
}, ",") + "]"

var rootChainJSON = "[" + strings.Join([]string{
	fn("currentHeaderBlock", "view", "", u256),
	fn("headerBlocks", "view", in("uint256"), named("root", "bytes32")+","+named("start", "uint256")+","+named("end", "uint256")+","+named("createdAt", "uint256")+","+named("proposer", "address")),
	ev("NewHeaderBlock", evArg("proposer", "address", true), evArg("headerBlockId", "uint256", true), evArg("reward", "uint256", true),
		evArg("start", "uint256", false), evArg("end", "uint256", false), evArg("root", "bytes32", false)),
}, ",") + "]"

var polJSON = "[" + strings.Join([]string{
	fn("approve", "nonpayable", named("spender", "address")+","+named("value", "uint256"), named("", "bool")),
	fn("allowance", "view", named("owner", "address")+","+named("spender", "address"), u256),
	fn("balanceOf", "view", named("account", "address"), u256),
	errDef("InvalidAddress"),
	errDef("MaxMintExceeded", named("maxMint", "uint256"), named("mintRequested", "uint256")),
}, ",") + "]"

type contractABIs struct {
	sm, share, root, pol, mc3 *abi.ABI
	merged                    *abi.ABI
}

func loadABIs() (*contractABIs, error) {
	var c contractABIs
	for _, x := range []struct {
		name, json string
		dst        **abi.ABI
	}{
		{"StakeManager", stakeManagerJSON, &c.sm},
		{"ValidatorShare", validatorShareJSON, &c.share},
		{"RootChain", rootChainJSON, &c.root},
		{"POL", polJSON, &c.pol},
	} {
		a, err := protocol.ParseABI(x.name, []byte(x.json))
		if err != nil {
			return nil, fmt.Errorf("polygon: %w", err)
		}
		*x.dst = a
	}
	var err error
	if c.mc3, err = protocol.Multicall3ABI(); err != nil {
		return nil, fmt.Errorf("polygon: %w", err)
	}
	// An entry whose selector or topic is in several (balanceOf,
	// Transfer) is kept once.
	c.merged = protocol.MergeABIs(c.sm, c.share, c.root, c.pol)
	return &c, nil
}

// codec packs the adapter's calls and decodes its reads (errors start
// with "polygon:"; an empty answer names the missing contract).
var codec = protocol.Codec{Prefix: "polygon", Missing: "Polygon staking contract"}

func pack(a *abi.ABI, method string, args ...any) ([]byte, error) {
	return codec.Pack(a, method, args...)
}

func msg(a *abi.ABI, to common.Address, method string, args ...any) (ethereum.CallMsg, error) {
	return codec.Msg(a, to, method, args...)
}

func unpack(a *abi.ABI, method string, ret []byte) ([]any, error) {
	return codec.Unpack(a, method, ret)
}

func unpackBig(a *abi.ABI, method string, ret []byte) (*big.Int, error) {
	return codec.Big(a, method, ret)
}

func unpackBigs(a *abi.ABI, method string, ret []byte, n int) ([]*big.Int, error) {
	return codec.Bigs(a, method, ret, n)
}

func unpackBool(a *abi.ABI, method string, ret []byte) (bool, error) {
	return codec.Bool(a, method, ret)
}

func unpackAddress(a *abi.ABI, method string, ret []byte) (common.Address, error) {
	return codec.Address(a, method, ret)
}

// validatorInfo is the part of StakeManager.validators(id) the adapter uses.
type validatorInfo struct {
	Amount, DeactivationEpoch, CommissionRate, DelegatedAmount *big.Int
	ContractAddress                                            common.Address
	Status                                                     uint8
}

func (c *contractABIs) unpackValidator(ret []byte) (validatorInfo, error) {
	vals, err := unpack(c.sm, "validators", ret)
	if err != nil {
		return validatorInfo{}, err
	}
	var v validatorInfo
	ok := len(vals) == 13
	if ok {
		var ok1, ok2, ok3, ok4, ok5, ok6 bool
		v.Amount, ok1 = vals[0].(*big.Int)
		v.DeactivationEpoch, ok2 = vals[3].(*big.Int)
		v.ContractAddress, ok3 = vals[6].(common.Address)
		v.Status, ok4 = vals[7].(uint8)
		v.CommissionRate, ok5 = vals[8].(*big.Int)
		v.DelegatedAmount, ok6 = vals[11].(*big.Int)
		ok = ok1 && ok2 && ok3 && ok4 && ok5 && ok6
	}
	if !ok {
		return validatorInfo{}, fmt.Errorf("polygon: %w: validators returned %v", protocol.ErrBadAnswer, vals)
	}
	return v, nil
}
