package sts

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// nilBackend fails every read: tests with it prove that a path reads nothing.
type nilBackend struct{}

var errNoRead = errors.New("this path must not read the chain")

func (nilBackend) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errNoRead
}
func (nilBackend) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errNoRead
}
func (nilBackend) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errNoRead
}

func asLimit(err error, le **protocol.LimitError) bool { return errors.As(err, le) }

func TestParseRequestID(t *testing.T) {
	s := newTestAdapter(t, nilBackend{})
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"101", "101", true},
		{"#101", "101", true},
		{" 0102 ", "102", true},
		{"0", "", false},
		{"-1", "", false},
		{"+1", "", false},
		{"1e3", "", false},
		{"0x65", "", false},
		{"", "", false},
		{strings.Repeat("9", 80), "", false},
	}
	for _, tt := range tests {
		got, err := s.ParseRequestID(tt.in)
		var le *protocol.LimitError
		switch {
		case tt.ok && (err != nil || string(got) != tt.want):
			t.Errorf("ParseRequestID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case !tt.ok && (err == nil || !asLimit(err, &le) || got != ""):
			t.Errorf("ParseRequestID(%q) = %q, %v; want a LimitError", tt.in, got, err)
		}
	}
}

func FuzzParseRequestID(f *testing.F) {
	for _, s := range []string{"101", "#7", "", "0", "-3", "99999999999999999999999999999999999999999999999999999999999999999999999999999999"} {
		f.Add(s)
	}
	s := &STS{}
	f.Fuzz(func(t *testing.T, in string) {
		id, err := s.ParseRequestID(in)
		if err != nil {
			return
		}
		again, err := s.ParseRequestID(string(id))
		if err != nil || again != id {
			t.Fatalf("ParseRequestID(%q) = %q does not round-trip: %q, %v", in, id, again, err)
		}
		n, ok := new(big.Int).SetString(string(id), 10)
		if !ok || n.Sign() <= 0 || n.BitLen() > 256 {
			t.Fatalf("ParseRequestID(%q) = %q, not a positive uint256", in, id)
		}
	})
}

// TestRequestIDs: ids come from stS's Undelegated events only, not the
// SFC's, nor a look-alike from another contract.
func TestRequestIDs(t *testing.T) {
	s := newTestAdapter(t, nilBackend{})
	ev := s.abis.sts.Events["Undelegated"]
	data, err := ev.Inputs.NonIndexed().Pack(big.NewInt(101), big.NewInt(3), big.NewInt(5e18), uint8(1))
	if err != nil {
		t.Fatal(err)
	}
	owner := common32(7)
	sfcUndelegated := s.abis.sfc.Events["Undelegated"].ID
	receipt := &types.Receipt{Logs: []*types.Log{
		{Address: s.sfc, Topics: []commonHash{sfcUndelegated, owner, common32(3), common32(101)}, Data: word32(5)},
		{Address: s.sts, Topics: []commonHash{ev.ID, owner}, Data: data},
		{Address: s.sfc, Topics: []commonHash{ev.ID, owner}, Data: data}, // look-alike elsewhere
	}}
	got := s.RequestIDs(receipt)
	if len(got) != 1 || got[0] != "101" {
		t.Errorf("RequestIDs = %v, want [101]", got)
	}
	if s.RequestIDs(nil) != nil {
		t.Error("RequestIDs(nil) is not empty")
	}
}

type commonHash = common.Hash

func common32(n int64) common.Hash { return common.BigToHash(big.NewInt(n)) }

func word32(n int64) []byte { return common.LeftPadBytes(big.NewInt(n).Bytes(), 32) }
