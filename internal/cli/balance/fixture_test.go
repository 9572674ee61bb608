package balance

import (
	"math/big"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// rethFixture plays rETH on the fake node at its devnet address: balances
// and the exchange rate (ETH per whole rETH), the reads balance makes of
// Rocket Pool.
type rethFixture struct {
	mu       sync.Mutex
	balances map[common.Address]*big.Int
	rate     *big.Int
}

func installRETH(t *testing.T, node *chaintest.Node, rate *big.Int) *rethFixture {
	t.Helper()
	a, err := rocketpool.ABI()
	if err != nil {
		t.Fatal(err)
	}
	f := &rethFixture{balances: map[common.Address]*big.Int{}, rate: rate}
	node.Handle(rocketpool.DevnetRETH, a, "balanceOf", func(_ *chaintest.Ctx, args []any) ([]any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		b := f.balances[args[0].(common.Address)]
		if b == nil {
			b = new(big.Int)
		}
		return []any{new(big.Int).Set(b)}, nil
	})
	node.Handle(rocketpool.DevnetRETH, a, "getExchangeRate", func(*chaintest.Ctx, []any) ([]any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return []any{new(big.Int).Set(f.rate)}, nil
	})
	return f
}

func (f *rethFixture) set(owner common.Address, amount *big.Int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.balances[owner] = amount
}
