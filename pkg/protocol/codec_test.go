package protocol_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// codecABI is a few ERC-20/Ownable/Pausable views; the selectors below are
// the well-known ones (balanceOf 0x70a08231, paused 0x5c975abb, name
// 0x06fdde03, owner 0x8da5cb5b), not computed from this ABI.
const codecABI = `[
 {"type":"function","name":"balanceOf","stateMutability":"view","inputs":[{"name":"account","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"paused","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"bool"}]},
 {"type":"function","name":"name","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"string"}]},
 {"type":"function","name":"owner","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"address"}]},
 {"type":"function","name":"getReserves","stateMutability":"view","inputs":[],"outputs":[{"name":"a","type":"uint256"},{"name":"b","type":"uint256"}]}
]`

func hexWord(hexs string) []byte {
	b, err := hex.DecodeString(strings.Repeat("0", 64-len(hexs)) + hexs)
	if err != nil {
		panic(err)
	}
	return b
}

func TestCodec(t *testing.T) {
	a, err := protocol.ParseABI("codec test", []byte(codecABI))
	if err != nil {
		t.Fatal(err)
	}
	c := protocol.Codec{Prefix: "demo", Missing: "Demo contract"}
	holder := common.HexToAddress("0x00000000000000000000000000000000000000b0")
	one := hexWord("01")
	two := append(hexWord("07"), hexWord("09")...)
	str := append(append(hexWord("20"), hexWord("03")...), []byte("abc"+strings.Repeat("\x00", 29))...)

	tests := []struct {
		name    string
		run     func() (any, error)
		want    any
		wantErr []string // substrings; the error must also wrap ErrBadAnswer unless it is an encode error
		badAns  bool
	}{
		{"encode balanceOf", func() (any, error) {
			m, err := c.Msg(a, holder, "balanceOf", holder)
			if err != nil {
				return nil, err
			}
			return hex.EncodeToString(m.Data) + "@" + m.To.Hex(), nil
		}, "70a08231" + hex.EncodeToString(hexWord("b0")) + "@" + holder.Hex(), nil, false},
		{"encode wrong argument", func() (any, error) { return c.Pack(a, "balanceOf", big.NewInt(1)) },
			nil, []string{"demo: encode balanceOf"}, false},
		{"big", func() (any, error) { return c.Big(a, "balanceOf", hexWord("2a")) }, big.NewInt(42), nil, false},
		{"bool", func() (any, error) { return c.Bool(a, "paused", one) }, true, nil, false},
		{"text", func() (any, error) { return c.Text(a, "name", str) }, "abc", nil, false},
		{"address", func() (any, error) { return c.Address(a, "owner", hexWord("b0")) }, holder, nil, false},
		{"bigs", func() (any, error) { return c.Bigs(a, "getReserves", two, 2) }, []*big.Int{big.NewInt(7), big.NewInt(9)}, nil, false},
		{"empty answer", func() (any, error) { return c.Big(a, "balanceOf", nil) },
			nil, []string{"demo: ", "balanceOf returned nothing: no Demo contract at that address on this network?"}, true},
		{"garbage answer", func() (any, error) { return c.Bool(a, "paused", []byte{1, 2, 3}) },
			nil, []string{"demo: ", "paused: "}, true},
		{"garbage string", func() (any, error) { return c.Text(a, "name", hexWord("ff")) },
			nil, []string{"demo: ", "name: "}, true},
		{"wrong type big", func() (any, error) { return c.Big(a, "paused", one) },
			nil, []string{"demo: ", "paused returned bool, want uint256"}, true},
		{"wrong type bool", func() (any, error) { return c.Bool(a, "balanceOf", one) },
			nil, []string{"balanceOf returned *big.Int, want bool"}, true},
		{"wrong type address", func() (any, error) { return c.Address(a, "balanceOf", one) },
			nil, []string{"balanceOf returned *big.Int, want address"}, true},
		{"wrong type text", func() (any, error) { return c.Text(a, "owner", one) },
			nil, []string{"owner returned common.Address, want string"}, true},
		{"too few values", func() (any, error) { return c.Bigs(a, "balanceOf", one, 2) },
			nil, []string{"balanceOf returned 1 values, want 2"}, true},
		{"wrong type in bigs", func() (any, error) { return c.Bigs(a, "paused", one, 1) },
			nil, []string{"paused value 0 is bool, want uint256"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run()
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if !equalValue(got, tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, got %v", got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if !strings.HasPrefix(err.Error(), "demo: ") {
				t.Errorf("error %q lacks the adapter prefix", err)
			}
			if got := errors.Is(err, protocol.ErrBadAnswer); got != tt.badAns {
				t.Errorf("wraps ErrBadAnswer %v, want %v (%v)", got, tt.badAns, err)
			}
		})
	}
}

func equalValue(got, want any) bool {
	switch w := want.(type) {
	case *big.Int:
		g, ok := got.(*big.Int)
		return ok && g.Cmp(w) == 0
	case []*big.Int:
		g, ok := got.([]*big.Int)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if g[i].Cmp(w[i]) != 0 {
				return false
			}
		}
		return true
	case []byte:
		g, ok := got.([]byte)
		return ok && bytes.Equal(g, w)
	}
	return got == want
}
