package abidecode

import (
	"math/big"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

func TestDecodeLogs(t *testing.T) {
	a := testABI(t)
	token := common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")
	queue := common.HexToAddress("0x889edC2eDab5f40e902b864aD4d7AdE8E412F9B1")
	alice := common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	bob := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	transfer := common.HexToHash("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
	requested := common.HexToHash("0xf0cb471f23fb74ea44b8252eb1881a2dca546288d9f6e90d1a0e82fe0ed342ab")
	topicAddr := func(x common.Address) common.Hash { return common.BytesToHash(x.Bytes()) }
	topicInt := func(v int64) common.Hash { return common.BigToHash(big.NewInt(v)) }

	tests := []struct {
		name     string
		log      types.Log
		wantName string
		wantSig  string
		wantArgs map[string]any
	}{
		{
			name:     "ERC-20 Transfer",
			log:      types.Log{Address: token, Topics: []common.Hash{transfer, topicAddr(alice), topicAddr(bob)}, Data: hx(t, word(1500))},
			wantName: "Transfer", wantSig: "Transfer(address,address,uint256)",
			wantArgs: map[string]any{"from": alice.Hex(), "to": bob.Hex(), "value": "1500"},
		},
		{
			name:     "ERC-721 Transfer (burn on claim)",
			log:      types.Log{Address: queue, Topics: []common.Hash{transfer, topicAddr(alice), topicAddr(common.Address{}), topicInt(42)}},
			wantName: "Transfer", wantSig: "Transfer(address,address,uint256)",
			wantArgs: map[string]any{"from": alice.Hex(), "to": "0x0000000000000000000000000000000000000000", "tokenId": "42"},
		},
		{
			name: "WithdrawalRequested",
			log: types.Log{Address: queue, Topics: []common.Hash{requested, topicInt(7), topicAddr(alice), topicAddr(bob)},
				Data: hx(t, wordBig(new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18))), word(900))},
			wantName: "WithdrawalRequested", wantSig: "WithdrawalRequested(uint256,address,address,uint256,uint256)",
			wantArgs: map[string]any{"requestId": "7", "requestor": alice.Hex(), "owner": bob.Hex(), "amountOfStETH": "1000000000000000000000", "amountOfShares": "900"},
		},
		{
			name: "unknown topic",
			log:  types.Log{Address: token, Topics: []common.Hash{common.HexToHash("0x01")}},
		},
		{
			name: "anonymous (no topics)",
			log:  types.Log{Address: token, Data: hx(t, word(1))},
		},
		{
			name: "Transfer with wrong topic count",
			log:  types.Log{Address: token, Topics: []common.Hash{transfer, topicAddr(alice)}, Data: hx(t, word(1))},
		},
		{
			name: "ERC-20 Transfer with short data",
			log:  types.Log{Address: token, Topics: []common.Hash{transfer, topicAddr(alice), topicAddr(bob)}, Data: hx(t, "01")},
		},
		{
			name: "WithdrawalRequested without data",
			log:  types.Log{Address: queue, Topics: []common.Hash{requested, topicInt(7), topicAddr(alice), topicAddr(bob)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.log
			l.Index = 5
			got := DecodeLogs([]*types.Log{&l, nil}, a)
			if len(got) != 1 {
				t.Fatalf("got %d events, want 1", len(got))
			}
			ev := got[0]
			if ev.Name != tt.wantName || ev.Signature != tt.wantSig || ev.Address != l.Address || ev.LogIndex != 5 {
				t.Errorf("got %+v, want name %q sig %q", ev, tt.wantName, tt.wantSig)
			}
			if !reflect.DeepEqual(ev.Args, tt.wantArgs) && (len(ev.Args) != 0 || len(tt.wantArgs) != 0) {
				t.Errorf("args = %#v, want %#v", ev.Args, tt.wantArgs)
			}
			if len(l.Topics) > 0 && ev.Topic0 != l.Topics[0] {
				t.Errorf("topic0 = %s", ev.Topic0)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	type status struct {
		AmountOfStETH *big.Int       `json:"amountOfStETH"`
		Owner         common.Address `json:"owner"`
		IsFinalized   bool           `json:"isFinalized"`
	}
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"big", big.NewInt(-5), "-5"},
		{"nil big", (*big.Int)(nil), "0"},
		{"uint8", uint8(18), "18"},
		{"int64", int64(-1), "-1"},
		{"address", common.HexToAddress("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},
		{"bytes", []byte{1, 2}, "0x0102"},
		{"bytes4", [4]byte{0xde, 0xad, 0xbe, 0xef}, "0xdeadbeef"},
		{"hash", common.Hash{31: 1}, "0x0000000000000000000000000000000000000000000000000000000000000001"},
		{"slice", []*big.Int{big.NewInt(1), big.NewInt(2)}, []any{"1", "2"}},
		{"tuple", status{big.NewInt(10), common.Address{}, true}, map[string]any{"amountOfStETH": "10", "owner": "0x0000000000000000000000000000000000000000", "isFinalized": true}},
		{"string", "x", "x"},
		{"nil", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalize = %#v, want %#v", got, tt.want)
			}
		})
	}
}
