package lido

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// BenchmarkCalldata: the calldata of a stake (submit) and of a withdrawal
// request of 100 parts (requestWithdrawals), as Stake and Unstake build it.
func BenchmarkCalldata(b *testing.B) {
	p, err := New(protocol.Env{Network: "devnet", Addresses: Deployments["devnet"], Backend: noReads{},
		Native: protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}})
	if err != nil {
		b.Fatal(err)
	}
	owner := common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	amounts := make([]*big.Int, 100)
	for i := range amounts {
		amounts[i] = big.NewInt(1e17)
	}
	a := p.ABI()
	b.Run("stake", func(b *testing.B) {
		for b.Loop() {
			calls, err := p.Stake(context.Background(), protocol.StakeRequest{From: owner, Amount: big.NewInt(1e18)})
			if err != nil || len(calls) != 1 || len(calls[0].Data) != 36 {
				b.Fatalf("%v, %v", calls, err)
			}
		}
	})
	b.Run("requestWithdrawals×100", func(b *testing.B) {
		for b.Loop() {
			data, err := a.Pack("requestWithdrawals", amounts, owner)
			if err != nil || len(data) != 4+32*(2+1+100) {
				b.Fatalf("%d bytes, %v", len(data), err)
			}
		}
	})
}

// noReads is a backend that refuses every read: building calldata must
// not touch the chain.
type noReads struct{}

var errNoReads = errors.New("the benchmark reads nothing")

func (noReads) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errNoReads
}

func (noReads) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errNoReads
}

func (noReads) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errNoReads
}
