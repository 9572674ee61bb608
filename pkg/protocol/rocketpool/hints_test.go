package rocketpool

import (
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
)

// TestRevertHints: every revert string of staking-systems.md §1.4 (both
// capacity strings, v1.3.1 and v1.4), as a node returns it (Error(string)
// 0x08c379a0), decodes to itself and has a hint.
func TestRevertHints(t *testing.T) {
	a, err := ABI()
	if err != nil {
		t.Fatal(err)
	}
	strType, err := abi.NewType("string", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, reason := range []string{
		"Deposits into Rocket Pool are currently disabled",
		"The deposited amount is less than the minimum deposit size",
		"The deposit pool size after depositing exceeds the maximum size",
		"The deposit pool size after depositing (and matching with minipools) exceeds the maximum size",
		"Invalid or outdated contract",
		"Invalid token mint amount",
		"Cannot calculate rETH token amount while total network balance is zero",
		"Invalid token burn amount",
		"Insufficient rETH balance",
		"Insufficient ETH balance for exchange",
		"Not enough time has passed since deposit",
		"ERC20: transfer amount exceeds balance",
		"ERC20: transfer amount exceeds allowance",
		"ERC20: transfer to the zero address",
	} {
		enc, err := abi.Arguments{{Type: strType}}.Pack(reason)
		if err != nil {
			t.Fatal(err)
		}
		r := abidecode.DecodeRevert(append(common.FromHex("0x08c379a0"), enc...), a)
		if r.Reason() != reason {
			t.Errorf("%q decodes to %q", reason, r.Reason())
		}
		if abidecode.Hint(r, RevertHints()) == "" {
			t.Errorf("no hint for %q", reason)
		}
	}
}
