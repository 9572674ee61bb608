package devnet_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
)

// TestLidoFlow walks the wallet's path on the devnet with its own oracle:
// stake, wrap, request withdrawals, wait for the oracle, claim.
func TestLidoFlow(t *testing.T) {
	t.Parallel()
	// Chain time, not the wall clock, decides: a burst of on-demand blocks
	// runs it ahead, and then each oracle tick adds a block, about a second.
	// 6s at 2 ticks a second leaves the checks on pending requests (a few
	// eth_calls) seconds of slack, and finalization comes ~3s later.
	const bonding = 6 * time.Second
	_, c := startDevnet(t, devnet.Config{BondingPeriod: bonding, OracleInterval: 500 * time.Millisecond})
	lidoA, wst, queue := contracts.Lido(), contracts.WstETH(), contracts.WithdrawalQueue()
	user, other, referral := account(t, 1), account(t, 2), account(t, 3)

	// ---- stake ----
	r := c.send(user, c.dep.StETH, ether(10), lidoA, "submit", referral.Address)
	wantEvent(t, r.Logs, lidoA, c.dep.StETH, "Submitted", event{"sender": user.Address, "amount": ether(10), "referral": referral.Address})
	wantEvent(t, r.Logs, lidoA, c.dep.StETH, "Transfer", event{"from": common.Address{}, "to": user.Address, "value": ether(10)})
	wantEvent(t, r.Logs, lidoA, c.dep.StETH, "TransferShares", event{"from": common.Address{}, "to": user.Address, "sharesValue": ether(10)})
	if got := c.callBig(lidoA, c.dep.StETH, "balanceOf", user.Address); got.Cmp(ether(10)) != 0 {
		t.Errorf("stETH balance %v, want 10 ETH", got)
	}
	if got := c.callBig(lidoA, c.dep.StETH, "sharesOf", user.Address); got.Cmp(ether(10)) != 0 {
		t.Errorf("shares %v, want 10e18 at the initial 1:1 rate", got)
	}
	// 1 ETH bootstrap deposit + 10 ETH.
	if got := c.callBig(lidoA, c.dep.StETH, "getTotalPooledEther"); got.Cmp(ether(11)) != 0 {
		t.Errorf("total pooled %v, want 11 ETH", got)
	}
	limitAt := func(block *big.Int) *big.Int {
		out, err := c.client.CallContract(c.ctx, ethereum.CallMsg{To: &c.dep.StETH, Data: pack(t, lidoA, "getCurrentStakeLimit")}, block)
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(out)
	}
	if got, want := limitAt(r.BlockNumber), new(big.Int).Sub(contracts.MaxStakeLimit(), ether(10)); got.Cmp(want) != 0 {
		t.Errorf("stake limit after staking %v, want %v", got, want)
	}

	// Plain ether stakes too.
	c.sendRaw(user, c.dep.StETH, ether(1), nil)
	if got := c.callBig(lidoA, c.dep.StETH, "balanceOf", user.Address); got.Cmp(ether(11)) != 0 {
		t.Errorf("stETH balance after plain transfer %v, want 11 ETH", got)
	}

	stakeReverts := []struct {
		name   string
		value  *big.Int
		data   []byte
		reason string
	}{
		{"zero deposit", nil, pack(t, lidoA, "submit", common.Address{}), "ZERO_DEPOSIT"},
		{"unknown calldata", ether(1), []byte{0xde, 0xad, 0xbe, 0xef}, "NON_EMPTY_DATA"},
		{"transfer over balance", nil, pack(t, lidoA, "transfer", other.Address, ether(100)), "BALANCE_EXCEEDED"},
		{"transfer to stETH", nil, pack(t, lidoA, "transfer", c.dep.StETH, ether(1)), "TRANSFER_TO_STETH_CONTRACT"},
		{"transfer to zero", nil, pack(t, lidoA, "transfer", common.Address{}, ether(1)), "TRANSFER_TO_ZERO_ADDR"},
		{"transferFrom without allowance", nil, pack(t, lidoA, "transferFrom", other.Address, user.Address, ether(1)), "ALLOWANCE_EXCEEDED"},
	}
	for _, tt := range stakeReverts {
		t.Run(tt.name, func(t *testing.T) {
			wantRevert(t, c.revertData(user.Address, c.dep.StETH, tt.value, tt.data), nil, "", tt.reason)
		})
	}

	// ---- wstETH ----
	c.send(user, c.dep.StETH, nil, lidoA, "approve", c.dep.WstETH, ether(2))
	c.send(user, c.dep.WstETH, nil, wst, "wrap", ether(2))
	if got := c.callBig(wst, c.dep.WstETH, "balanceOf", user.Address); got.Cmp(ether(2)) != 0 {
		t.Errorf("wstETH after wrap %v, want 2e18", got)
	}
	c.sendRaw(user, c.dep.WstETH, ether(1), nil) // receive() stakes and wraps
	if got := c.callBig(wst, c.dep.WstETH, "balanceOf", user.Address); got.Cmp(ether(3)) != 0 {
		t.Errorf("wstETH after sending ether %v, want 3e18", got)
	}
	wantRevert(t, c.revertData(user.Address, c.dep.WstETH, nil, pack(t, wst, "wrap", new(big.Int))), nil, "", "wstETH: can't wrap zero stETH")
	wantRevert(t, c.revertData(user.Address, c.dep.WstETH, nil, pack(t, wst, "unwrap", new(big.Int))), nil, "", "wstETH: zero amount unwrap not allowed")
	if got := c.callBig(wst, c.dep.WstETH, "stEthPerToken"); got.Cmp(ether(1)) != 0 {
		t.Errorf("stEthPerToken %v, want 1e18 before any rebase", got)
	}

	// ---- request withdrawals ----
	// Approvals first: the requests and the checks on pending requests
	// below run back to back, before the oracle can finalize anything.
	c.send(user, c.dep.StETH, nil, lidoA, "approve", c.dep.WithdrawalQueue, ether(3))
	c.send(user, c.dep.WstETH, nil, wst, "approve", c.dep.WithdrawalQueue, ether(0.5))
	r = c.send(user, c.dep.WithdrawalQueue, nil, queue, "requestWithdrawals", []*big.Int{ether(1), ether(2)}, common.Address{})
	c.send(user, c.dep.WithdrawalQueue, nil, queue, "requestWithdrawalsWstETH", []*big.Int{ether(0.5)}, user.Address)
	if got := c.callBig(queue, c.dep.WithdrawalQueue, "unfinalizedStETH"); got.Cmp(ether(3.5)) != 0 {
		t.Errorf("unfinalizedStETH %v, want 3.5 ETH", got)
	}
	for i, s := range c.statuses(1, 2, 3) {
		if s.IsFinalized || s.IsClaimed || s.Owner != user.Address || s.AmountOfStETH.Cmp(ether([]float64{1, 2, 0.5}[i])) != 0 {
			t.Errorf("request %d status %+v, want pending, owned by %s", i+1, s, user.Address)
		}
	}
	if got := c.callBigs(queue, c.dep.WithdrawalQueue, "findCheckpointHints", ids(1), big.NewInt(1), big.NewInt(0)); got[0].Sign() != 0 {
		t.Errorf("hint for a pending request %v, want NOT_FOUND (0)", got)
	}
	// As on the real queue, the search for the next id starts at the
	// previous hint, and a NOT_FOUND (0) start is an invalid range.
	wantRevert(t, c.revertData(user.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "findCheckpointHints", ids(1, 2), big.NewInt(1), big.NewInt(0))),
		queue, "InvalidRequestIdRange", 0, 0)
	wantRevert(t, c.revertData(user.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "claimWithdrawals", ids(1), ids(1))),
		queue, "RequestNotFoundOrNotFinalized", 1)
	wantRevert(t, c.revertData(user.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "claimWithdrawal", big.NewInt(2))),
		queue, "RequestNotFoundOrNotFinalized", 2)
	requested := events(t, r.Logs, queue, c.dep.WithdrawalQueue, "WithdrawalRequested")
	if len(requested) != 2 {
		t.Fatalf("%d WithdrawalRequested events, want 2", len(requested))
	}
	for i, e := range requested {
		for k, want := range (event{"requestId": i + 1, "requestor": user.Address, "owner": user.Address, "amountOfStETH": ether(float64(i + 1)), "amountOfShares": ether(float64(i + 1))}) {
			if !equalArg(e[k], want) {
				t.Errorf("request %d: %s = %v, want %v", i+1, k, e[k], want)
			}
		}
	}
	// The ERC-721 Transfer has an indexed token id: four topics.
	minted := events(t, r.Logs, queue, c.dep.WithdrawalQueue, "Transfer")
	if len(minted) != 2 || !equalArg(minted[1]["tokenId"], 2) || minted[1]["to"] != user.Address {
		t.Errorf("NFT mint events %v", minted)
	}
	wantBigs(t, "getWithdrawalRequests", c.callBigs(queue, c.dep.WithdrawalQueue, "getWithdrawalRequests", user.Address), ids(1, 2, 3)...)

	requestReverts := []struct {
		name    string
		data    []byte
		errName string
		args    []any
	}{
		{"below minimum", pack(t, queue, "requestWithdrawals", ids(99), common.Address{}), "RequestAmountTooSmall", []any{99}},
		{"above maximum", pack(t, queue, "requestWithdrawals", []*big.Int{new(big.Int).Add(ether(1000), big.NewInt(1))}, common.Address{}),
			"RequestAmountTooLarge", []any{new(big.Int).Add(ether(1000), big.NewInt(1))}},
		{"unknown id", pack(t, queue, "getWithdrawalStatus", ids(99)), "InvalidRequestId", []any{99}},
		{"unsorted hints", pack(t, queue, "findCheckpointHints", ids(2, 1), big.NewInt(1), big.NewInt(0)), "RequestIdsNotSorted", nil},
		{"length mismatch", pack(t, queue, "claimWithdrawals", ids(1), ids()), "ArraysLengthMismatch", []any{1, 0}},
	}
	for _, tt := range requestReverts {
		t.Run(tt.name, func(t *testing.T) {
			wantRevert(t, c.revertData(user.Address, c.dep.WithdrawalQueue, nil, tt.data), queue, tt.errName, tt.args...)
		})
	}

	// Transfer request 3 to another account; the NFT owner is who claims.
	r = c.send(user, c.dep.WithdrawalQueue, nil, queue, "transferFrom", user.Address, other.Address, big.NewInt(3))
	wantEvent(t, r.Logs, queue, c.dep.WithdrawalQueue, "Transfer", event{"from": user.Address, "to": other.Address, "tokenId": 3})

	// ---- wait for the oracle ----
	deadline := time.Now().Add(bonding + 10*time.Second)
	for c.callBig(queue, c.dep.WithdrawalQueue, "getLastFinalizedRequestId").Int64() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("requests not finalized %s after the bonding period", 10*time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
	logs, err := c.client.FilterLogs(c.ctx, ethereum.FilterQuery{Addresses: []common.Address{c.dep.WithdrawalQueue}})
	if err != nil {
		t.Fatal(err)
	}
	logPtrs := make([]*types.Log, len(logs))
	for i := range logs {
		logPtrs[i] = &logs[i]
	}
	finalized := events(t, logPtrs, queue, c.dep.WithdrawalQueue, "WithdrawalsFinalized")
	if len(finalized) == 0 {
		t.Fatal("no WithdrawalsFinalized event")
	}
	next := int64(1)
	st := c.statuses(1, 2, 3)
	for _, e := range finalized {
		from, to := e["from"].(*big.Int).Int64(), e["to"].(*big.Int).Int64()
		if from != next {
			t.Errorf("finalized (%d..%d), want to start at %d", from, to, next)
		}
		// No request may be finalized before it is bonding-period old.
		for id := from; id <= to; id++ {
			age := e["timestamp"].(*big.Int).Uint64() - st[id-1].Timestamp.Uint64()
			if age < uint64(bonding/time.Second) {
				t.Errorf("request %d finalized %ds after its request, bonding period is %s", id, age, bonding)
			}
		}
		next = to + 1
	}
	for i, s := range st {
		if !s.IsFinalized || s.IsClaimed {
			t.Errorf("request %d status %+v, want finalized and unclaimed", i+1, s)
		}
	}

	// ---- claim ----
	last := c.callBig(queue, c.dep.WithdrawalQueue, "getLastCheckpointIndex")
	hints := c.callBigs(queue, c.dep.WithdrawalQueue, "findCheckpointHints", ids(1, 2), big.NewInt(1), last)
	for i, h := range hints {
		if h.Sign() == 0 {
			t.Fatalf("hint %d is NOT_FOUND for a finalized request", i)
		}
	}
	wantBigs(t, "getClaimableEther", c.callBigs(queue, c.dep.WithdrawalQueue, "getClaimableEther", ids(1, 2), hints), ether(1), ether(2))
	wantRevert(t, c.revertData(user.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "claimWithdrawals", ids(1, 2), ids(0, 0))), queue, "InvalidHint", 0)
	wantRevert(t, c.revertData(other.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "claimWithdrawals", ids(1), hints[:1])), queue, "NotOwner", other.Address, user.Address)

	before := c.balance(user.Address)
	r = c.send(user, c.dep.WithdrawalQueue, nil, queue, "claimWithdrawals", ids(1, 2), hints)
	claimed := events(t, r.Logs, queue, c.dep.WithdrawalQueue, "WithdrawalClaimed")
	if len(claimed) != 2 || !equalArg(claimed[0]["amountOfETH"], ether(1)) || claimed[0]["receiver"] != user.Address {
		t.Errorf("WithdrawalClaimed events %v", claimed)
	}
	burnt := events(t, r.Logs, queue, c.dep.WithdrawalQueue, "Transfer")
	if len(burnt) != 2 || burnt[0]["to"] != (common.Address{}) {
		t.Errorf("claim must burn the NFTs: %v", burnt)
	}
	gained := new(big.Int).Sub(c.balance(user.Address), before)
	if want := new(big.Int).Sub(ether(3), fee(r)); gained.Cmp(want) != 0 {
		t.Errorf("claim paid %v net of gas, want %v", gained, want)
	}
	wantRevert(t, c.revertData(user.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "claimWithdrawals", ids(1), hints[:1])), queue, "RequestAlreadyClaimed", 1)
	wantRevert(t, c.revertData(user.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "ownerOf", big.NewInt(1))), queue, "RequestAlreadyClaimed", 1)

	// The new owner claims request 3 with the on-chain hint search.
	wantRevert(t, c.revertData(other.Address, c.dep.WithdrawalQueue, nil, pack(t, queue, "claimWithdrawalsTo", ids(3), ids(1), common.Address{})), queue, "ZeroRecipient")
	r = c.send(other, c.dep.WithdrawalQueue, nil, queue, "claimWithdrawal", big.NewInt(3))
	wantEvent(t, r.Logs, queue, c.dep.WithdrawalQueue, "WithdrawalClaimed", event{"requestId": 3, "owner": other.Address, "receiver": other.Address, "amountOfETH": ether(0.5)})
	if got := c.callBig(queue, c.dep.WithdrawalQueue, "getLockedEtherAmount"); got.Sign() != 0 {
		t.Errorf("locked ether %v after every claim, want 0", got)
	}
	if got := c.callBigs(queue, c.dep.WithdrawalQueue, "getWithdrawalRequests", user.Address); len(got) != 0 {
		t.Errorf("claimed requests still listed: %v", got)
	}
}
