package ledger

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// BenchmarkHIDFrame: a full 255-byte SIGN APDU into 64-byte HID reports,
// and a 67-byte reply (signature and status word) reassembled from its
// reports, as one signature's framing costs.
func BenchmarkHIDFrame(b *testing.B) {
	apdu, err := buildAPDU(0xe0, 0x04, 0x00, 0x00, bytes.Repeat([]byte{0xab}, 250))
	if err != nil {
		b.Fatal(err)
	}
	reply, err := frameCommand(append(bytes.Repeat([]byte{0x01}, 65), 0x90, 0x00))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		packets, err := frameCommand(apdu)
		if err != nil || len(packets) != 5 {
			b.Fatalf("%d packets, %v", len(packets), err)
		}
		r := newReplyAssembler()
		for _, p := range reply {
			if _, err := r.add(p); err != nil {
				b.Fatal(err)
			}
		}
		if data, sw := r.result(); len(data) != 65 || sw != 0x9000 {
			b.Fatalf("reply %d bytes, status %04x", len(data), sw)
		}
	}
}

// BenchmarkSignPayload: the RLP signing payload of a stake transaction,
// checked against go-ethereum's signing hash, and cut into SIGN chunks
// around the selector.
func BenchmarkSignPayload(b *testing.B) {
	to := common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(1), Nonce: 42, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(30e9), Gas: 90_000,
		To: &to, Value: big.NewInt(1e18), Data: common.FromHex("0xa1903eab0000000000000000000000000000000000000000000000000000000000000000"),
	})
	path, err := encodePath(accounts.DefaultBaseDerivationPath)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		payload, err := signingPayload(tx, big.NewInt(1))
		if err != nil {
			b.Fatal(err)
		}
		forbidden, err := forbiddenBoundaries(payload, tx.Type())
		if err != nil {
			b.Fatal(err)
		}
		if chunks := chunkSign(path, payload, forbidden); len(chunks) != 1 {
			b.Fatalf("%d chunks", len(chunks))
		}
	}
}
