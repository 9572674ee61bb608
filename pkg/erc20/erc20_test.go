package erc20

import (
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func TestSelectors(t *testing.T) {
	want := map[string]string{"transfer": "a9059cbb", "approve": "095ea7b3", "balanceOf": "70a08231", "allowance": "dd62ed3e", "decimals": "313ce567", "symbol": "95d89b41"}
	for name, sel := range want {
		if got := hex.EncodeToString(ABI.Methods[name].ID); got != sel {
			t.Errorf("%s selector %s, want %s", name, got, sel)
		}
	}
	if got := ABI.Events["Transfer"].ID.Hex(); got != "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef" {
		t.Errorf("Transfer topic %s", got)
	}
}

func TestTransferCallData(t *testing.T) {
	tok := protocol.Token{Symbol: "stETH", Address: common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84"), Decimals: 18}
	to := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	c := TransferCall(tok, to, big.NewInt(100000000000000000))
	want := "a9059cbb" +
		"00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8" +
		"000000000000000000000000000000000000000000000000016345785d8a0000"
	if got := hex.EncodeToString(c.Data); got != want {
		t.Fatalf("calldata\n got %s\nwant %s", got, want)
	}
	if c.To != tok.Address || c.Description != "Transfer 0.1 stETH to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8" {
		t.Errorf("call = %+v", c)
	}
}

func TestTransferred(t *testing.T) {
	token := common.HexToAddress("0x1100000000000000000000000000000000000001")
	other := common.HexToAddress("0x1100000000000000000000000000000000000003")
	me := common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	topic := ABI.Events["Transfer"].ID
	word := func(v int64) []byte { return common.LeftPadBytes(big.NewInt(v).Bytes(), 32) }
	logs := []*types.Log{
		{Address: token, Topics: []common.Hash{topic, {}, common.BytesToHash(me.Bytes())}, Data: word(7)},                                // mint to me
		{Address: token, Topics: []common.Hash{topic, {}, common.BytesToHash(me.Bytes())}, Data: word(5)},                                // mint to me
		{Address: other, Topics: []common.Hash{topic, {}, common.BytesToHash(me.Bytes())}, Data: word(100)},                              // other token
		{Address: token, Topics: []common.Hash{topic, {}, common.BytesToHash(me.Bytes()), common.BigToHash(big.NewInt(1))}},              // ERC-721 shape
		{Address: token, Topics: []common.Hash{topic, common.BytesToHash(me.Bytes()), common.BytesToHash(other.Bytes())}, Data: word(3)}, // outgoing
	}
	got := Transferred([]*types.Receipt{{Logs: logs}}, token, common.Address{}, me)
	if got.Int64() != 12 {
		t.Errorf("minted = %s, want 12", got)
	}
}
