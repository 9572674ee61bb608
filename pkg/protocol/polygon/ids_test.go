package polygon

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func TestParseRequestID(t *testing.T) {
	a := &Polygon{}
	for _, tc := range []struct {
		in, want string
	}{
		{"1/1", "1/1"},
		{" 4/12 ", "4/12"},
		{"007/003", "7/3"},
		{"18446744073709551615/1", "18446744073709551615/1"},
		{"0/1", ""},
		{"1/0", ""},
		{"1", ""},
		{"1/", ""},
		{"/1", ""},
		{"1/2/3", ""},
		{"0x1/1", ""},
		{"-1/1", ""},
		{"18446744073709551616/1", ""},
		{"1/1 2", ""},
	} {
		got, err := a.ParseRequestID(tc.in)
		if tc.want == "" {
			var le *protocol.LimitError
			if !errors.As(err, &le) || got != "" {
				t.Errorf("ParseRequestID(%q) = %q, %v; want a LimitError", tc.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("ParseRequestID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseRequestID(f *testing.F) {
	for _, s := range []string{"1/1", "4/12", "", "x", "1/0"} {
		f.Add(s)
	}
	a := &Polygon{}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := a.ParseRequestID(s)
		if err != nil {
			return
		}
		again, err := a.ParseRequestID(string(id))
		if err != nil || again != id {
			t.Fatalf("ParseRequestID(%q) = %q, which parses to %q, %v", s, id, again, err)
		}
	})
}

// RequestIDs reads ShareBurnedWithId (validatorId, user indexed; amount
// indexed; tokens, nonce in the data) whoever emitted it, and nothing else.
func TestRequestIDs(t *testing.T) {
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	a := &Polygon{abis: c}
	ev := c.share.Events["ShareBurnedWithId"]
	burned := func(vid, nonce int64) *types.Log {
		data := append(common.BigToHash(big.NewInt(5e18)).Bytes(), common.BigToHash(big.NewInt(nonce)).Bytes()...)
		return &types.Log{
			Address: common.HexToAddress("0x6dF5CB08d3f0193C768C8A01f42ac4424DC5086b"),
			Topics:  []common.Hash{ev.ID, common.BigToHash(big.NewInt(vid)), common.HexToHash("0xaa"), common.BigToHash(big.NewInt(5e18))},
			Data:    data,
		}
	}
	other := &types.Log{Topics: []common.Hash{c.share.Events["Transfer"].ID, {}, {}}, Data: make([]byte, 32)}
	for _, tc := range []struct {
		name   string
		status uint64
		logs   []*types.Log
		want   []protocol.RequestID
	}{
		{"one unbond", types.ReceiptStatusSuccessful, []*types.Log{other, burned(4, 2)}, []protocol.RequestID{"4/2"}},
		{"two", types.ReceiptStatusSuccessful, []*types.Log{burned(1, 1), burned(130, 7)}, []protocol.RequestID{"1/1", "130/7"}},
		{"failed transaction", types.ReceiptStatusFailed, []*types.Log{burned(1, 1)}, nil},
		{"no unbond", types.ReceiptStatusSuccessful, []*types.Log{other}, nil},
		{"nonce zero", types.ReceiptStatusSuccessful, []*types.Log{burned(1, 0)}, nil},
	} {
		got := a.RequestIDs(&types.Receipt{Status: tc.status, Logs: tc.logs})
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}

func TestShareToken(t *testing.T) {
	for id, want := range map[uint64]string{1: "dPOL0x01", 15: "dPOL0x0f", 130: "dPOL0x82", 256: "dPOL0x0100"} {
		if got := ShareToken(id, common.Address{}).Symbol; got != want {
			t.Errorf("ShareToken(%d) = %s, want %s", id, got, want)
		}
	}
}
