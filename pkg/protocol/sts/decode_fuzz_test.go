package sts

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// FuzzDecodeAnswers feeds arbitrary bytes, as a lying or broken node would
// answer, to every decoder of contract reads: none may panic, and an
// answer that decodes must decode to what the ABI says.
func FuzzDecodeAnswers(f *testing.F) {
	s := &STS{}
	abis, err := loadABIs()
	if err != nil {
		f.Fatal(err)
	}
	s.abis = abis
	// Seeds: real encodings of each answer.
	rec, _ := abis.sts.Methods["getWithdrawRequest"].Outputs.Pack(withdrawRequest{
		Kind: 1, ValidatorId: big.NewInt(3), AssetAmount: big.NewInt(5e18), RequestTimestamp: big.NewInt(1_700_000_000), User: common.HexToAddress("0x01"),
	})
	f.Add(rec)
	recs, _ := abis.sts.Methods["getUserWithdraws"].Outputs.Pack([]withdrawRequest{{ValidatorId: new(big.Int), AssetAmount: big.NewInt(1), RequestTimestamp: big.NewInt(2)}})
	f.Add(recs)
	agg, _ := abis.mc3.Methods["aggregate3"].Outputs.Pack([]struct {
		Success    bool
		ReturnData []byte
	}{{true, common.LeftPadBytes([]byte{7}, 32)}, {true, common.LeftPadBytes([]byte{0}, 32)}})
	f.Add(agg)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := s.decodeRequest(data); err == nil && (r.AssetAmount == nil || r.RequestTimestamp == nil || r.ValidatorId == nil) {
			t.Fatalf("decodeRequest accepted a record with nil fields: %+v", r)
		}
		if vals, err := unpack(abis.sts, "getUserWithdraws", data); err == nil {
			_, _ = convert[[]withdrawRequest](vals[0])
		}
		if vs, ok, err := s.decodeAggregate([]*big.Int{big.NewInt(1)}, data); err == nil && ok && (len(vs) != 1 || vs[0].stake == nil) {
			t.Fatalf("decodeAggregate = %+v", vs)
		}
		_, _ = unpackBig(abis.sts, "withdrawDelay", data)
		_, _ = unpackBool(abis.sts, "depositPaused", data)
	})
}
