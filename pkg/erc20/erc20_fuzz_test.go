package erc20

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// answerCaller answers each ERC-20 read with the bytes under test.
type answerCaller struct{ symbol, decimals, balance []byte }

func (c answerCaller) CallContract(_ context.Context, msg ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	switch {
	case bytes.HasPrefix(msg.Data, ABI.Methods["symbol"].ID):
		return c.symbol, nil
	case bytes.HasPrefix(msg.Data, ABI.Methods["decimals"].ID):
		return c.decimals, nil
	}
	return c.balance, nil
}

// abiString decodes a returned string by the ABI spec, by hand: an offset
// word, then a length word and the bytes at that offset.
func abiString(b []byte) (string, bool) {
	word := func(at uint64) (uint64, bool) {
		if at+32 < at || at+32 > uint64(len(b)) {
			return 0, false
		}
		w := new(big.Int).SetBytes(b[at : at+32])
		return w.Uint64(), w.IsUint64()
	}
	off, ok := word(0)
	if !ok {
		return "", false
	}
	n, ok := word(off)
	if !ok || off+32+n < off+32 || off+32+n > uint64(len(b)) {
		return "", false
	}
	return string(b[off+32 : off+32+n]), true
}

func word(v uint64) []byte { return common.LeftPadBytes(new(big.Int).SetUint64(v).Bytes(), 32) }

func stringAnswer(s string) []byte {
	out := append(word(32), word(uint64(len(s)))...)
	return append(out, common.RightPadBytes([]byte(s), (len(s)+31)/32*32)...)
}

// FuzzMetadata decodes arbitrary answers to symbol(), decimals() and
// balanceOf(). A token's symbol and decimals, and a balance, are returned
// only when they are what the answer encodes: the symbol is the string at
// the answer's offset, decimals fit in a uint8, a balance is the answer's
// first word. Anything else is a protocol.ErrBadAnswer naming the token.
func FuzzMetadata(f *testing.F) {
	f.Add(stringAnswer("stETH"), word(18), word(1e18))
	f.Add(stringAnswer(""), word(0), word(0))
	f.Add(stringAnswer(strings.Repeat("A", 40)), word(255), bytes.Repeat([]byte{0xff}, 32))
	f.Add(stringAnswer("\x1b[31mUSDC\n"), word(6), word(5))
	f.Add(common.RightPadBytes([]byte("MKR"), 32), word(256), word(1)) // bytes32 symbol, as old tokens return
	f.Add(append(word(64), stringAnswer("x")...), append(word(6), 0xff), []byte{1})
	f.Add(append(word(1<<62), word(1)...), []byte{}, word(1))
	token := common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")
	f.Fuzz(func(t *testing.T, symbol, decimals, balance []byte) {
		c := answerCaller{symbol: symbol, decimals: decimals, balance: balance}
		ctx := context.Background()
		tok, err := Metadata(ctx, c, token)
		if err != nil {
			checkBadAnswer(t, "Metadata", err, token)
		} else {
			want, ok := abiString(symbol)
			if !ok || want != tok.Symbol {
				t.Fatalf("symbol %q from an answer that encodes %q (%v)", tok.Symbol, want, ok)
			}
			if len(decimals) < 32 || new(big.Int).SetBytes(decimals[:32]).Cmp(big.NewInt(int64(tok.Decimals))) != 0 {
				t.Fatalf("decimals %d from answer %x", tok.Decimals, decimals)
			}
			if tok.Address != token {
				t.Fatalf("token address %s, want %s", tok.Address.Hex(), token.Hex())
			}
		}
		bal, err := BalanceOf(ctx, c, token, common.Address{1})
		if err != nil {
			checkBadAnswer(t, "BalanceOf", err, token)
			return
		}
		if len(balance) < 32 || bal.Sign() < 0 || bal.Cmp(new(big.Int).SetBytes(balance[:32])) != 0 {
			t.Fatalf("balance %s from answer %x", bal, balance)
		}
	})
}

func checkBadAnswer(t *testing.T, what string, err error, token common.Address) {
	t.Helper()
	if !errors.Is(err, protocol.ErrBadAnswer) || !strings.Contains(err.Error(), token.Hex()) {
		t.Fatalf("%s: %v is not a bad answer naming %s", what, err, token.Hex())
	}
}
