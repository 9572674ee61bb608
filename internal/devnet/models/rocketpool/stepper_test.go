package rocketpool_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	rpmodel "github.com/stakewallet/stakewallet/internal/devnet/models/rocketpool"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

func uintAt(ctx context.Context, t *testing.T, c *ethclient.Client, to common.Address, method string, args ...any) *big.Int {
	t.Helper()
	a, err := rocketpool.ABI()
	if err != nil {
		t.Fatal(err)
	}
	data, err := a.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return new(big.Int).SetBytes(out)
}

// TestStepper: a step with nothing to do sends nothing; with rETH minted
// and an APR, a step reports once per interval, raising the rate, with
// the rewards paid into rETH as ETH; a pool excess of whole 32 ETH lots is
// assigned, the rest stays.
func TestStepper(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dn := devnettest.Start(ctx, t, "")
	d, c, oracle := dn.Devnet, dn.Client, dn.Oracle
	nonce := func() uint64 {
		t.Helper()
		n, err := c.NonceAt(ctx, oracle.From(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	stepper := func(apr float64) model.Stepper {
		t.Helper()
		s, err := rpmodel.Model.NewStepper(ctx, model.StepEnv{Sender: oracle, Addresses: d.Deployment(rpmodel.Model.Name()), APR: apr, WallClock: true, RewardInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	step := func(s model.Stepper) uint64 {
		t.Helper()
		before := nonce()
		if err := s.Step(ctx); err != nil {
			t.Fatal(err)
		}
		return nonce() - before
	}

	// No rETH yet: nothing to report or assign, at any APR.
	if sent := step(stepper(4)); sent != 0 {
		t.Errorf("a step with nothing to do sent %d transactions", sent)
	}

	user, err := devtx.NewSender(ctx, c, d.Accounts()[1].PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := rocketpool.DevnetDepositPool
	data := common.FromHex("0xd0e30db0") // deposit()
	if _, err := user.Send(ctx, &pool, new(big.Int).Mul(big.NewInt(100), big.NewInt(1e18)), data); err != nil {
		t.Fatal(err)
	}

	// APR 0: no report; the pool's excess goes out in whole 32 ETH lots.
	excess := uintAt(ctx, t, c, pool, "getExcessBalance")
	rate0 := uintAt(ctx, t, c, rocketpool.DevnetRETH, "getExchangeRate")
	if sent := step(stepper(0)); sent != 1 {
		t.Errorf("APR 0 with %s wei of excess: %d transactions, want 1 (the assignment)", excess, sent)
	}
	lot := new(big.Int).Mul(big.NewInt(32), big.NewInt(1e18))
	left := new(big.Int).Mod(excess, lot)
	if got := uintAt(ctx, t, c, pool, "getExcessBalance"); got.Cmp(left) != 0 {
		t.Errorf("excess %s → %s, want %s (whole lots assigned)", excess, got, left)
	}
	if got := uintAt(ctx, t, c, rocketpool.DevnetRETH, "getExchangeRate"); got.Cmp(rate0) != 0 {
		t.Errorf("APR 0 moved the rate %s → %s", rate0, got)
	}

	// APR 4: one report (rewards into rETH, then submitBalances), then
	// nothing until the interval (an hour here) has passed.
	s := stepper(4)
	rethETH, err := c.BalanceAt(ctx, rocketpool.DevnetRETH, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sent := step(s); sent != 2 {
		t.Errorf("the first report sent %d transactions, want 2", sent)
	}
	rate1 := uintAt(ctx, t, c, rocketpool.DevnetRETH, "getExchangeRate")
	if rate1.Cmp(rate0) <= 0 {
		t.Errorf("rate %s → %s, want higher", rate0, rate1)
	}
	after, err := c.BalanceAt(ctx, rocketpool.DevnetRETH, nil)
	if err != nil {
		t.Fatal(err)
	}
	supply := uintAt(ctx, t, c, rocketpool.DevnetRETH, "totalSupply")
	reward := new(big.Int).Mul(supply, new(big.Int).Sub(rate1, rate0))
	reward.Quo(reward, big.NewInt(1e18))
	if paid := new(big.Int).Sub(after, rethETH); paid.Sign() <= 0 || new(big.Int).Sub(paid, reward).CmpAbs(big.NewInt(1e6)) > 0 {
		t.Errorf("rewards paid into rETH %s wei, want ≈ supply × Δrate = %s", paid, reward)
	}
	if sent := step(s); sent != 0 {
		t.Errorf("a step within the report interval sent %d transactions", sent)
	}
}
