package keystore

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// benchTx is a stake-sized EIP-1559 transaction: a contract call with
// 36 bytes of calldata.
func benchTx() *types.Transaction {
	to := common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")
	return types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(1), Nonce: 42, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(30e9), Gas: 90_000,
		To: &to, Value: big.NewInt(1e18), Data: common.FromHex("0xa1903eab0000000000000000000000000000000000000000000000000000000000000000"),
	})
}

// BenchmarkSigningHash: the RLP encoding and Keccak hash a signature covers.
func BenchmarkSigningHash(b *testing.B) {
	tx, signer := benchTx(), types.LatestSignerForChainID(big.NewInt(1))
	for b.Loop() {
		_ = signer.Hash(tx)
	}
}

// BenchmarkSignWithKey: hash, secp256k1 signature and sender check, as
// every keystore signature does.
func BenchmarkSignWithKey(b *testing.B) {
	key, err := crypto.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	tx, from := benchTx(), crypto.PubkeyToAddress(key.PublicKey)
	for b.Loop() {
		if _, err := SignWithKey(key, tx, big.NewInt(1), from); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarshalSigned: the raw bytes eth_sendRawTransaction carries.
func BenchmarkMarshalSigned(b *testing.B) {
	key, err := crypto.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	signed, err := SignWithKey(key, benchTx(), big.NewInt(1), crypto.PubkeyToAddress(key.PublicKey))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := signed.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}
