package sonic_test

import (
	"context"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

var nativeS = protocol.Token{Symbol: "S", Decimals: 18, Role: protocol.RoleNative}

func coins(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

// noBackend fails every read: for tests that must not touch a chain.
type noBackend struct{}

var errNoChain = errors.New("no chain in this test")

func (noBackend) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errNoChain
}
func (noBackend) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errNoChain
}
func (noBackend) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errNoChain
}
