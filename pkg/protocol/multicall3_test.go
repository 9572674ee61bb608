package protocol_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// TestAggregate3: calls pack into one eth_call to Multicall3 with the
// real aggregate3 selector (0x82ad56cb), answers decode per call, and an
// answer that does not decode or holds too few results is a bad answer.
func TestAggregate3(t *testing.T) {
	a, b := common.HexToAddress("0xa"), common.HexToAddress("0xb")
	msgs := []ethereum.CallMsg{{To: &a, Data: []byte{1, 2, 3, 4}}, {To: &b, Data: []byte{5}}}
	m, err := protocol.Aggregate3(protocol.Reads3(msgs))
	if err != nil {
		t.Fatal(err)
	}
	if m.To == nil || *m.To != protocol.Multicall3 || !bytes.Equal(m.Data[:4], []byte{0x82, 0xad, 0x56, 0xcb}) {
		t.Fatalf("aggregate3 call to %v with %x", m.To, m.Data[:4])
	}
	abi, err := protocol.Multicall3ABI()
	if err != nil {
		t.Fatal(err)
	}
	ret, err := abi.Methods["aggregate3"].Outputs.Pack([]protocol.Result3{{Success: true, ReturnData: []byte{7}}, {Success: false}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		n    int
		want int // results, -1: a bad answer
	}{{2, 2}, {1, 1}, {3, -1}} {
		got, err := protocol.Aggregate3Results(ret, tt.n)
		switch {
		case tt.want < 0 && !errors.Is(err, protocol.ErrBadAnswer):
			t.Errorf("n=%d: %v, want a bad answer", tt.n, err)
		case tt.want >= 0 && (err != nil || len(got) != tt.want || !got[0].Success || got[0].ReturnData[0] != 7):
			t.Errorf("n=%d: %+v, %v", tt.n, got, err)
		}
	}
	if _, err := protocol.Aggregate3Results([]byte{1, 2, 3}, 1); !errors.Is(err, protocol.ErrBadAnswer) {
		t.Errorf("garbage: %v, want a bad answer", err)
	}
}
