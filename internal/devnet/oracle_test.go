package devnet_test

import (
	"math/big"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/oracle"
)

func maxUint256() *big.Int {
	return new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
}

// TestOracleReports drives the model-only oracle entry points by hand: the
// discount rule after a slashing loss, rewards raising the share rate, and
// the pause and stake-limit switches the oracle administers.
func TestOracleReports(t *testing.T) {
	t.Parallel()
	wsPort := freePort(t)
	d, c := startDevnet(t, devnet.Config{DisableOracle: true, WSAddr: "127.0.0.1:" + strconv.Itoa(wsPort)})
	lidoA, queue := contracts.Lido(), contracts.WithdrawalQueue()
	user, other := account(t, 4), account(t, 5)
	orc := d.Oracle()

	// WebSocket on its own port, with subscriptions.
	if want := "ws://127.0.0.1:" + strconv.Itoa(wsPort); d.WSEndpoint() != want {
		t.Errorf("WS endpoint %s, want %s", d.WSEndpoint(), want)
	}
	ws, err := ethclient.DialContext(c.ctx, d.WSEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	heads := make(chan *types.Header, 16)
	sub, err := ws.SubscribeNewHead(c.ctx, heads)
	if err != nil {
		t.Fatalf("subscribe over WS: %v", err)
	}
	defer sub.Unsubscribe()

	staked := c.send(user, c.dep.StETH, ether(10), lidoA, "submit", common.Address{})
	select {
	case h := <-heads:
		if h.Number.Cmp(staked.BlockNumber) > 0 {
			t.Errorf("first head over WS is block %v, the stake was in %v", h.Number, staked.BlockNumber)
		}
	case err := <-sub.Err():
		t.Fatalf("WS subscription: %v", err)
	case <-c.ctx.Done():
		t.Fatal("no new head over WS")
	}
	c.send(user, c.dep.StETH, nil, lidoA, "approve", c.dep.WithdrawalQueue, ether(4))
	c.send(user, c.dep.WithdrawalQueue, nil, queue, "requestWithdrawals", []*big.Int{ether(4)}, common.Address{})

	// Only the oracle may report.
	report := pack(t, lidoA, "handleOracleReport", big.NewInt(0), maxUint256(), new(big.Int))
	wantRevert(t, c.revertData(user.Address, c.dep.StETH, nil, report), nil, "", "APP_AUTH_FAILED")

	// A 10% loss: 11 ETH pooled (10 + 1 bootstrap) lose 1.1 ETH, so the share
	// rate falls to 0.9 and the request's 4e18 shares are worth 3.6 ETH,
	// below its 4 stETH face value: the discount applies.
	r := c.send(orc, c.dep.StETH, nil, lidoA, "handleOracleReport", big.NewInt(0), maxUint256(), ether(1.1))
	wantEvent(t, r.Logs, queue, c.dep.WithdrawalQueue, "WithdrawalsFinalized", event{"from": 1, "to": 1, "amountOfETHLocked": ether(3.6), "sharesToBurn": ether(4)})
	wantEvent(t, r.Logs, lidoA, c.dep.StETH, "SharesBurnt", event{"account": c.dep.WithdrawalQueue, "sharesAmount": ether(4)})
	wantEvent(t, r.Logs, lidoA, c.dep.StETH, "TokenRebased", event{"preTotalEther": ether(11), "postTotalEther": ether(11 - 1.1 - 3.6), "postTotalShares": ether(7)})
	// The loss and the locked ether both left Lido's balance.
	if got := c.balance(c.dep.StETH); got.Cmp(ether(6.3)) != 0 {
		t.Errorf("Lido holds %v after the report, want 6.3 ETH", got)
	}
	hints := c.callBigs(queue, c.dep.WithdrawalQueue, "findCheckpointHints", ids(1), big.NewInt(1), big.NewInt(1))
	wantBigs(t, "hints", hints, big.NewInt(1))
	wantBigs(t, "getClaimableEther", c.callBigs(queue, c.dep.WithdrawalQueue, "getClaimableEther", ids(1), hints), ether(3.6))
	r = c.send(user, c.dep.WithdrawalQueue, nil, queue, "claimWithdrawals", ids(1), hints)
	wantEvent(t, r.Logs, queue, c.dep.WithdrawalQueue, "WithdrawalClaimed", event{"requestId": 1, "amountOfETH": ether(3.6)})

	// Rewards: the oracle package credits APR × time; the share rate rises.
	rate := func() *big.Int { return c.callBig(lidoA, c.dep.StETH, "getPooledEthByShares", ether(1)) }
	balance := func() *big.Int { return c.callBig(lidoA, c.dep.StETH, "balanceOf", user.Address) }
	o, err := oracle.New(c.ctx, c.client, orc.PrivateKey, c.dep.Locator, oracle.Config{APR: 1000})
	if err != nil {
		t.Fatal(err)
	}
	rateBefore, balanceBefore := rate(), balance()
	time.Sleep(1100 * time.Millisecond) // let chain time pass for the next report
	rep, err := o.ReportOnce(c.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rewards.Sign() <= 0 || rep.Finalized() {
		t.Fatalf("report %+v: want rewards and no finalization", rep)
	}
	if rate().Cmp(rateBefore) <= 0 || balance().Cmp(balanceBefore) <= 0 {
		t.Errorf("share rate %v -> %v, balance %v -> %v: rewards must raise both", rateBefore, rate(), balanceBefore, balance())
	}
	if rep.TotalPooledEther == nil || rep.TotalPooledEther.Cmp(c.callBig(lidoA, c.dep.StETH, "getTotalPooledEther")) != 0 {
		t.Errorf("report pooled ether %v disagrees with the chain", rep.TotalPooledEther)
	}

	// Nothing to do: no pending request and rewards are off.
	idle, err := oracle.New(c.ctx, c.client, orc.PrivateKey, c.dep.Locator, oracle.Config{BondingPeriod: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := idle.Step(c.ctx); err != nil || rep != nil {
		t.Errorf("idle step: report %+v, err %v; want neither", rep, err)
	}
	if _, err := oracle.New(c.ctx, c.client, user.PrivateKey, c.dep.Locator, oracle.Config{}); err == nil {
		t.Error("a test account must not be accepted as the devnet's oracle")
	}

	// Switches the oracle administers.
	c.send(orc, c.dep.StETH, nil, lidoA, "pauseStaking")
	wantRevert(t, c.revertData(other.Address, c.dep.StETH, ether(1), pack(t, lidoA, "submit", common.Address{})), nil, "", "STAKING_PAUSED")
	if got := c.callBig(lidoA, c.dep.StETH, "getCurrentStakeLimit"); got.Sign() != 0 {
		t.Errorf("stake limit while paused %v, want 0", got)
	}
	c.send(orc, c.dep.StETH, nil, lidoA, "resumeStaking")
	c.send(orc, c.dep.StETH, nil, lidoA, "setStakingLimit", ether(5), ether(1))
	wantRevert(t, c.revertData(other.Address, c.dep.StETH, ether(6), pack(t, lidoA, "submit", common.Address{})), nil, "", "STAKE_LIMIT")
	c.send(orc, c.dep.StETH, nil, lidoA, "removeStakingLimit")
	if got := c.callBig(lidoA, c.dep.StETH, "getCurrentStakeLimit"); got.Cmp(maxUint256()) != 0 {
		t.Errorf("stake limit without a limit %v, want 2^256-1", got)
	}

	c.send(orc, c.dep.WithdrawalQueue, nil, queue, "pauseFor", big.NewInt(3600))
	wantRevert(t, c.revertData(user.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "requestWithdrawals", ids(1000), common.Address{})), queue, "ResumedExpected")
	c.send(orc, c.dep.WithdrawalQueue, nil, queue, "resume")
	wantRevert(t, c.revertData(orc.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "resume")), queue, "PausedExpected")
}
