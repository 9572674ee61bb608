package signer

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// keySigner signs with an in-memory key and counts what it was asked.
type keySigner struct {
	addr   common.Address
	signs  int
	closed bool
}

func (k *keySigner) Address() common.Address { return k.addr }
func (k *keySigner) String() string          { return "test" }
func (k *keySigner) Close() error            { k.closed = true; return nil }
func (k *keySigner) SignTx(_ context.Context, tx *types.Transaction, _ *big.Int) (*types.Transaction, error) {
	k.signs++
	return tx, nil
}

func TestLazyOpensOnFirstSignature(t *testing.T) {
	ctx := context.Background()
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	inner := &keySigner{addr: addr}
	opens := 0
	l := NewLazy(addr, "keystore:alice", func(context.Context) (Signer, error) { opens++; return inner, nil })
	if l.Address() != addr || l.String() != "keystore:alice" || l.IsOpen() || l.Inner() != nil || opens != 0 {
		t.Fatalf("before signing: open=%v opens=%d", l.IsOpen(), opens)
	}
	tx := types.NewTx(&types.DynamicFeeTx{Nonce: 1})
	for i := 0; i < 2; i++ {
		if _, err := l.SignTx(ctx, tx, big.NewInt(1)); err != nil {
			t.Fatal(err)
		}
	}
	if opens != 1 || inner.signs != 2 || !l.IsOpen() || l.Inner() != inner {
		t.Errorf("opens %d, signs %d", opens, inner.signs)
	}
	if err := l.Close(); err != nil || !inner.closed {
		t.Errorf("close: %v, closed %v", err, inner.closed)
	}
}

func TestLazyRefusesAnotherKey(t *testing.T) {
	want := common.HexToAddress("0x01")
	other := &keySigner{addr: common.HexToAddress("0x02")}
	l := NewLazy(want, "keystore:alice", func(context.Context) (Signer, error) { return other, nil })
	_, err := l.SignTx(context.Background(), types.NewTx(&types.DynamicFeeTx{}), big.NewInt(1))
	if !errors.Is(err, ErrUnavailable) || other.signs != 0 || !other.closed || l.IsOpen() {
		t.Errorf("err %v, signs %d, closed %v", err, other.signs, other.closed)
	}
	// An open error passes through, and nothing is kept.
	boom := errors.New("wrong passphrase")
	l = NewLazy(want, "keystore:alice", func(context.Context) (Signer, error) { return nil, boom })
	if _, err := l.Open(context.Background()); !errors.Is(err, boom) || l.IsOpen() {
		t.Errorf("open error: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("closing a never-opened signer: %v", err)
	}
}

func TestOpened(t *testing.T) {
	inner := &keySigner{addr: common.HexToAddress("0x03")}
	l := Opened(inner)
	if !l.IsOpen() || l.Address() != inner.addr || l.String() != "test" || l.Inner() != inner {
		t.Errorf("Opened: %v %s", l.IsOpen(), l)
	}
}
