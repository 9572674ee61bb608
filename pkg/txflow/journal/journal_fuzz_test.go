package journal

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// fuzzEntries are journal files as Record writes them, for a legacy and an
// EIP-1559 transaction, plus one whose hash names another transaction.
func fuzzEntries(f *testing.F) [][]byte {
	key, err := crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80") // anvil's account 0
	if err != nil {
		f.Fatal(err)
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	chainID := big.NewInt(1337)
	signer := types.LatestSignerForChainID(chainID)
	var out [][]byte
	for _, inner := range []types.TxData{
		&types.LegacyTx{Nonce: 3, GasPrice: big.NewInt(7), Gas: 21000, To: &to, Value: big.NewInt(5)},
		&types.DynamicFeeTx{ChainID: chainID, Nonce: 4, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 90000, To: &to, Value: big.NewInt(1), Data: []byte{0xa1, 0x90, 0x3e, 0xab}},
	} {
		tx, err := types.SignNewTx(key, signer, inner)
		if err != nil {
			f.Fatal(err)
		}
		raw, _ := tx.MarshalBinary()
		now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		e := Entry{Hash: tx.Hash(), ChainID: 1337, Network: "devnet", From: from, Nonce: tx.Nonce(), Action: "stake",
			Description: "Stake 1 ETH", Raw: raw, State: StateBroadcast, CreatedAt: now, UpdatedAt: now}
		data, _ := json.MarshalIndent(e, "", "  ")
		out = append(out, data)
		// The same entry naming another transaction than its raw bytes.
		e.Hash = common.Hash{1}
		data, _ = json.MarshalIndent(e, "", "  ")
		out = append(out, data)
	}
	return out
}

// FuzzReadEntry reads arbitrary bytes as a journal file. readEntry returns
// an entry or an error naming the file; an entry it accepts is
// self-consistent (its raw transaction is the one its hash and nonce name,
// since nonce choice and `tx status` trust those fields), survives being
// written back unchanged, and Tx either decodes it or says which entry is
// broken.
func FuzzReadEntry(f *testing.F) {
	for _, e := range fuzzEntries(f) {
		f.Add(e)
	}
	for _, s := range []string{"", "{", "{}", "null", "[]", `{"raw":"0x"}`, `{"raw":"0xzz"}`, `{"nonce":-1}`, `{"createdAt":"yesterday"}`, `{"txHash":"0x01"}`} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "1337-entry.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		e, err := readEntry(path)
		if (e == nil) == (err == nil) {
			t.Fatalf("readEntry = %v, %v: want exactly one of entry and error", e, err)
		}
		if err != nil {
			if !strings.Contains(err.Error(), filepath.Base(path)) {
				t.Fatalf("readEntry error %q does not name the file", err)
			}
			return
		}
		tx, err := e.Tx()
		switch {
		case err != nil && !strings.Contains(err.Error(), e.Hash.Hex()):
			t.Fatalf("Tx error %q does not name the entry %s", err, e.Hash.Hex())
		case err == nil && (tx.Hash() != e.Hash || tx.Nonce() != e.Nonce):
			t.Fatalf("accepted entry %s (nonce %d) holds transaction %s (nonce %d)", e.Hash.Hex(), e.Nonce, tx.Hash().Hex(), tx.Nonce())
		}
		// Written back (as Update does) and read again, nothing changes.
		again, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("an accepted entry cannot be written back: %v", err)
		}
		if err := os.WriteFile(path, again, 0o600); err != nil {
			t.Fatal(err)
		}
		e2, err := readEntry(path)
		if err != nil {
			t.Fatalf("an accepted entry, written back, does not read: %v\n%s", err, again)
		}
		if third, _ := json.Marshal(e2); !bytes.Equal(third, again) {
			t.Fatalf("entry changed when written back:\n%s\n%s", again, third)
		}
	})
}
