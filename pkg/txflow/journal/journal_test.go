package journal

import (
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func signedTx(t *testing.T, nonce uint64) (*types.Transaction, common.Address) {
	t.Helper()
	key, _ := crypto.GenerateKey()
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Nonce: nonce, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21000, To: &to, Value: big.NewInt(5)})
	s, err := types.SignTx(tx, types.LatestSignerForChainID(big.NewInt(1337)), key)
	if err != nil {
		t.Fatal(err)
	}
	return s, crypto.PubkeyToAddress(key.PublicKey)
}

func TestRecordUpdateList(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "journal")
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tx0, from := signedTx(t, 0)
	e, err := j.Record("devnet", 1337, from, "stake", "Stake 1 ETH", tx0)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "1337-"+tx0.Hash().Hex()+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("entry mode %v, want 0600", info.Mode().Perm())
	}
	got, err := j.Get(1337, tx0.Hash())
	if err != nil {
		t.Fatal(err)
	}
	back, err := got.Tx()
	if err != nil || back.Hash() != tx0.Hash() || got.State != StateSigned || got.From != from {
		t.Fatalf("round trip: %v %v %+v", back, err, got)
	}
	pending, _ := j.Pending(1337, from)
	if len(pending) != 1 {
		t.Fatalf("pending = %d, want 1", len(pending))
	}
	if err := j.Update(e, StateIncluded, 42, ""); err != nil {
		t.Fatal(err)
	}
	pending, _ = j.Pending(1337, from)
	if len(pending) != 0 {
		t.Fatalf("pending after inclusion = %d", len(pending))
	}
	got, _ = j.Get(1337, tx0.Hash())
	if got.State != StateIncluded || got.BlockNumber != 42 {
		t.Errorf("after update: %+v", got)
	}
	if all, _ := j.List(1); len(all) != 0 {
		t.Errorf("chain filter leaked %d entries", len(all))
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temp files left: %v", leftovers)
	}
}

func TestListReportsCorruptEntry(t *testing.T) {
	dir := t.TempDir()
	j, _ := Open(dir)
	if err := os.WriteFile(filepath.Join(dir, "1337-0xbad.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := j.List(1337); err == nil {
		t.Fatal("corrupt entry was silently skipped")
	}
}
