package savax

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The ABI is hand-written from Benqi-fi/BENQI-Smart-Contracts@e0cfd24
// sAVAX/StakedAvax.sol and StakedAvaxStorage.sol (the README's "currently
// deployed versions") and their OpenZeppelin 3.x bases (IERC20, Pausable,
// AccessControl): every function the adapter calls, the admin calls the
// devnet model's oracle sends, and every event the contract emits, so
// that receipts decode. Selectors are checked byte for byte against the
// reference (shared/reference/staking-systems.md §4.2) in abi_test.go. The
// contract reverts with Error(string) only; it declares no custom errors.
//
//go:embed abi/staked_avax.json
var stakedAvaxJSON []byte

var parsedABI = sync.OnceValues(func() (*abi.ABI, error) {
	a, err := protocol.ParseABI("StakedAvax", stakedAvaxJSON)
	if err != nil {
		return nil, fmt.Errorf("savax: %w", err)
	}
	return a, nil
})

// ABI returns StakedAvax's ABI (for decoding without an adapter).
func ABI() (*abi.ABI, error) { return parsedABI() }

// pack encodes a call by its canonical signature ("redeem(uint256)"), so
// that overloads (redeem(), redeem(uint256)) need no generated names.
func pack(a *abi.ABI, sig string, args ...any) ([]byte, error) {
	for _, m := range a.Methods {
		if m.Sig != sig {
			continue
		}
		enc, err := m.Inputs.Pack(args...)
		if err != nil {
			return nil, fmt.Errorf("savax: encode %s: %w", sig, err)
		}
		return append(append([]byte{}, m.ID...), enc...), nil
	}
	return nil, fmt.Errorf("savax: no function %s in the StakedAvax ABI", sig)
}

// unpack decodes the outputs of the function with signature sig.
func unpack(a *abi.ABI, sig string, ret []byte) ([]any, error) {
	for _, m := range a.Methods {
		if m.Sig == sig {
			vals, err := m.Outputs.Unpack(ret)
			if err != nil {
				return nil, fmt.Errorf("%w: %s returned %d bytes: %w", protocol.ErrBadAnswer, sig, len(ret), err)
			}
			return vals, nil
		}
	}
	return nil, fmt.Errorf("savax: no function %s in the StakedAvax ABI", sig)
}

// selBlockTimestamp is Multicall3's getCurrentBlockTimestamp().
var selBlockTimestamp = []byte{0x0f, 0x28, 0xc9, 0x7d}
