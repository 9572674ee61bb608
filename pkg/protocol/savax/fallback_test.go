package savax

import (
	"context"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// scripted answers eth_calls by selector (and counts them) and headers
// with a fixed time: the paths a devnet cannot reach (no exchange rate
// recorded, a node without Multicall3, receipts without blockTimestamp).
type scripted struct {
	answers map[string]func(data []byte) ([]byte, error)
	calls   int
	time    uint64
}

func (s *scripted) CallContract(_ context.Context, m ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	s.calls++
	if f, ok := s.answers[hex.EncodeToString(m.Data[:4])]; ok {
		return f(m.Data)
	}
	return nil, nil // no code: an empty answer
}
func (s *scripted) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errors.New("no logs")
}
func (s *scripted) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return &types.Header{Time: s.time}, nil
}

func words(ns ...uint64) []byte {
	var out []byte
	for _, n := range ns {
		out = append(out, common.LeftPadBytes(new(big.Int).SetUint64(n).Bytes(), 32)...)
	}
	return out
}

// TestNoRateFallback: when getPaginatedUnlockRequests reverts ("Exchange
// rate not found"), the requests are read one by one in a second round, and
// without Multicall3 the wall clock stands in for the block time.
func TestNoRateFallback(t *testing.T) {
	const S = 1_000_000 // long ago: the wall clock says expired
	b := &scripted{answers: map[string]func([]byte) ([]byte, error){
		"c423f9a8": func([]byte) ([]byte, error) { return words(2), nil },             // getUnlockRequestCount
		"f2ab8cd2": func([]byte) ([]byte, error) { return nil, errors.New("revert") }, // page
		"04646a49": func([]byte) ([]byte, error) { return words(10), nil },            // cooldownPeriod
		"40a233a6": func([]byte) ([]byte, error) { return words(20), nil },            // redeemPeriod
		"fd012e34": func(d []byte) ([]byte, error) { // userUnlockRequests(owner, i)
			i := new(big.Int).SetBytes(d[36:68]).Uint64()
			return words(S+i, 5+i), nil
		},
	}}
	p, err := New(protocol.Env{Network: "x", Addresses: protocol.Addresses{RoleStakedAvax: common.Address{9}}, Backend: b, Native: testNative})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := p.(*SAvax).Withdrawals(context.Background(), common.Address{1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].ID != "1000000-5" || ws[1].ID != "1000001-6" || ws[0].Status != protocol.StatusExpired {
		t.Fatalf("withdrawals %+v", ws)
	}
	if b.calls != 5+2 {
		t.Errorf("%d eth_calls, want the 5 of the first round and 2 entries", b.calls)
	}
}

// TestRequestIDsHeaderFallback: a receipt whose logs carry no
// blockTimestamp (coreth, older nodes) costs one header read; logs of
// other contracts and look-alike events are ignored.
func TestRequestIDsHeaderFallback(t *testing.T) {
	b := &scripted{time: 1_732_890_000}
	p, err := New(protocol.Env{Network: "x", Addresses: protocol.Addresses{RoleStakedAvax: common.Address{9}}, Backend: b, Native: testNative})
	if err != nil {
		t.Fatal(err)
	}
	s := p.(*SAvax)
	topic := s.abi.Events["UnlockRequested"].ID
	user := common.BytesToHash(common.Address{1}.Bytes())
	r := &types.Receipt{BlockNumber: big.NewInt(7), Logs: []*types.Log{
		{Address: common.Address{9}, Topics: []common.Hash{topic, user}, Data: words(5)},
		{Address: common.Address{8}, Topics: []common.Hash{topic, user}, Data: words(6)}, // another contract
		{Address: common.Address{9}, Topics: []common.Hash{topic, user}, Data: words(5)}, // identical: "-2"
	}}
	got := s.RequestIDs(r)
	if len(got) != 2 || got[0] != "1732890000-5" || got[1] != "1732890000-5-2" {
		t.Errorf("RequestIDs = %v", got)
	}
	r.Logs[0].BlockTimestamp, r.Logs[2].BlockTimestamp = 42, 42
	if got := s.RequestIDs(r); len(got) != 2 || got[0] != "42-5" {
		t.Errorf("with blockTimestamp: %v, want it used", got)
	}
}
