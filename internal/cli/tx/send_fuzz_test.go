package tx

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// FuzzDecodeSigned feeds arbitrary bytes to what `tx send` reads from a
// file or stdin: hex, or a journal entry. Everything it refuses is bad
// input (exit 2). What it accepts is a replay-protected transaction whose
// sender is recovered from its signature for its own chain, and the same
// transaction again when given in canonical hex or as a journal entry.
func FuzzDecodeSigned(f *testing.F) {
	key, err := crypto.HexToECDSA("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d") // devnet test account 1
	if err != nil {
		f.Fatal(err)
	}
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	chainID := big.NewInt(1337)
	for _, inner := range []types.TxData{
		&types.LegacyTx{Nonce: 1, GasPrice: big.NewInt(1e9), Gas: 21000, To: &to, Value: big.NewInt(1)},
		&types.AccessListTx{ChainID: chainID, Nonce: 2, GasPrice: big.NewInt(1e9), Gas: 30000, To: &to, AccessList: types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}}}}},
		&types.DynamicFeeTx{ChainID: chainID, Nonce: 3, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2e9), Gas: 90000, To: &to, Data: []byte{0xa1, 0x90, 0x3e, 0xab}},
	} {
		tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), inner)
		if err != nil {
			f.Fatal(err)
		}
		raw, _ := tx.MarshalBinary()
		f.Add([]byte(hexutil.Encode(raw)))
		f.Add([]byte(" " + strings.ToUpper(hexutil.Encode(raw)[2:]) + "\n"))
		f.Add([]byte(`{"txHash":"` + tx.Hash().Hex() + `","raw":"` + hexutil.Encode(raw) + `","state":"signed"}`))
	}
	homestead, _ := types.SignNewTx(key, types.HomesteadSigner{}, &types.LegacyTx{Nonce: 1, GasPrice: big.NewInt(1), Gas: 21000, To: &to})
	raw, _ := homestead.MarshalBinary()
	f.Add([]byte(hexutil.Encode(raw)))
	for _, s := range []string{"", "0x", "0x0", "zz", "{", `{"raw":""}`, `{"raw":"0x02"}`, "0x02c0", "0xc0"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := readRaw("-", bytes.NewReader(data))
		if err != nil {
			wantBadInput(t, "readRaw", err)
			return
		}
		tx, from, err := decodeSigned(in)
		if err != nil {
			wantBadInput(t, "decodeSigned", err)
			if tx != nil {
				t.Fatal("decodeSigned returned a transaction with its error")
			}
			return
		}
		if !tx.Protected() || tx.ChainId() == nil || tx.ChainId().Sign() < 0 {
			t.Fatalf("accepted %s without replay protection (chain %v)", tx.Hash().Hex(), tx.ChainId())
		}
		sender, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
		if err != nil || sender != from {
			t.Fatalf("sender %s, but the signature gives %s (%v)", from.Hex(), sender.Hex(), err)
		}
		canonical, err := tx.MarshalBinary()
		if err != nil {
			t.Fatalf("an accepted transaction does not encode: %v", err)
		}
		for _, form := range []string{hexutil.Encode(canonical), `{"raw":"` + hexutil.Encode(canonical) + `"}`} {
			again, from2, err := decodeSigned([]byte(form))
			if err != nil || again.Hash() != tx.Hash() || from2 != from {
				t.Fatalf("%s given as %.40s… decodes to %v from %s (%v)", tx.Hash().Hex(), form, again, from2.Hex(), err)
			}
		}
	})
}

func wantBadInput(t *testing.T, what string, err error) {
	t.Helper()
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != cmdutil.ExitBadInput || err.Error() == "" {
		t.Fatalf("%s: %v is not a bad-input error (exit 2)", what, err)
	}
}
