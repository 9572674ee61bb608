package lido_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/oracle"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
)

func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

// nativeETH is the devnet's coin as the network table hands it to New.
var nativeETH = protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}

// lidoDevnet is an in-process devnet with the Lido model contracts and the
// adapter bound to it. The oracle is driven by hand so that "pending" and
// "claimable" are deterministic.
type lidoDevnet struct {
	client *ethclient.Client
	orc    *oracle.Oracle
	p      protocol.Protocol
	accts  []devkeys.Account
	// reads counts the adapter's round trips (protocoltest's reads step).
	reads *protocoltest.Counter
}

func startDevnet(ctx context.Context, t *testing.T) *lidoDevnet {
	t.Helper()
	dn := devnettest.Start(ctx, t, "")
	orc, err := oracle.New(ctx, dn.Client, dn.Devnet.Oracle().PrivateKey, dn.Devnet.Contracts().Locator, oracle.Config{WallClock: true})
	if err != nil {
		t.Fatal(err)
	}
	reads := protocoltest.NewCounter(dn.Client)
	p, err := lido.New(protocol.Env{Network: "devnet", Addresses: lido.Deployments["devnet"], Backend: reads, Native: nativeETH})
	if err != nil {
		t.Fatal(err)
	}
	return &lidoDevnet{client: dn.Client, orc: orc, p: p, accts: dn.Accounts, reads: reads}
}

// finalize sends one oracle report; with the devnet's zero bonding period
// it finalizes every pending request.
func (n *lidoDevnet) finalize(ctx context.Context) error {
	report, err := n.orc.ReportOnce(ctx)
	if err != nil {
		return fmt.Errorf("oracle report: %w", err)
	}
	if !report.Finalized() {
		return fmt.Errorf("the oracle report in block %d finalized nothing", report.BlockNumber)
	}
	return nil
}

// TestContract runs the protocol contract suite against the Lido model
// contracts on an in-process devnet, then what only Lido has: the locator,
// wstETH, splitting large withdrawals, claiming every request by default.
// Each part uses its own account, so balances are exact.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	n := startDevnet(ctx, t)

	protocoltest.Run(t, protocoltest.Harness{
		Protocol: n.p,
		Native:   nativeETH,
		Chain:    n.client,
		Key:      n.accts[1].PrivateKey,
		Stake:    ether(10),
		Finalize: n.finalize,
		Events: map[string][]string{
			"stake":              {"Submitted", "Transfer", "TransferShares"},
			"approve":            {"Approval"},
			"requestWithdrawals": {"WithdrawalRequested", "Transfer"},
			"claimWithdrawals":   {"WithdrawalClaimed"},
		},
		// The suite replays its claim: the queue refuses to pay twice.
		WantRevert: "RequestAlreadyClaimed",
		Timeout:    2 * time.Minute,
		// Stake and a stETH unstake read nothing: their rules are Checks
		// and the approve a Condition.
		Reads: n.reads.Reads,
	})
	if n.reads.Reads() == 0 {
		t.Error("the counter saw none of the adapter's reads (withdrawals, claims): the reads step measured nothing")
	}
	t.Run("lido", func(t *testing.T) { lidoLifecycle(ctx, t, n, n.accts[2]) })
}

// lidoLifecycle: stake → wrap/unwrap → request wstETH and a split stETH
// amount → pending → oracle report → claim all by default → claimed.
func lidoLifecycle(ctx context.Context, t *testing.T, n *lidoDevnet, acct devkeys.Account) {
	p, client := n.p, n.client
	req := p.(protocol.Requests)
	owner := acct.Address
	sender := protocoltest.NewSender(client, acct.PrivateKey, p)
	send := func(calls []protocol.Call, err error) []*types.Receipt {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		rs, err := sender.Send(ctx, calls)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	toks := p.Tokens()
	stETH, ok1 := toks.ByRole(protocol.RoleStaked)
	wstETH, ok2 := toks.ByRole(protocol.RoleWrapped)
	if !ok1 || !ok2 {
		t.Fatalf("tokens %+v: want a staked and a wrapped one", toks)
	}
	balance := func(tok protocol.Token) *big.Int {
		t.Helper()
		data, err := p.ABI().Pack("balanceOf", owner)
		if err != nil {
			t.Fatal(err)
		}
		out, err := client.CallContract(ctx, ethereum.CallMsg{To: &tok.Address, Data: data}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(out)
	}

	resolved, err := lido.ResolveAddresses(ctx, client, lido.DevnetLocator)
	if err != nil {
		t.Fatal(err)
	}
	for role, addr := range lido.Deployments["devnet"] {
		if resolved[role] != addr {
			t.Errorf("locator resolves %s to %s, want %s", role, resolved[role].Hex(), addr.Hex())
		}
	}

	send(p.Stake(ctx, protocol.StakeRequest{From: owner, Amount: ether(2100)}))
	if b := balance(stETH); b.Cmp(ether(2099)) < 0 {
		t.Fatalf("stETH balance after staking 2100 ETH: %s", b)
	}

	// wstETH: wrap 10 stETH, unwrap 1 wstETH, request the remaining wstETH.
	send(p.(protocol.Wrapper).Wrap(ctx, owner, ether(10)))
	send(p.(protocol.Wrapper).Unwrap(ctx, owner, ether(1)))
	rs := send(p.Unstake(ctx, protocol.UnstakeRequest{Owner: owner, Amount: balance(wstETH), Token: wstETH}))
	ids := req.RequestIDs(rs[len(rs)-1])
	if len(ids) != 1 {
		t.Fatalf("wstETH request ids = %v, want 1", ids)
	}
	if b := balance(wstETH); b.Sign() != 0 {
		t.Errorf("wstETH balance %s after requesting all of it", b)
	}

	// 2050 stETH: approve, then one requestWithdrawals of 1000 + 1000 + 50
	// (the last part borrows nothing: 50 stETH is above the minimum).
	calls, err := p.Unstake(ctx, protocol.UnstakeRequest{Owner: owner, Amount: ether(2050), Token: stETH})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[0].Action != "approve" {
		t.Fatalf("calls = %+v", calls)
	}
	rs = send(calls, nil)
	ids = append(ids, req.RequestIDs(rs[1])...)
	if len(ids) != 4 {
		t.Fatalf("request ids = %v, want 4", ids)
	}
	requested := 0
	for _, ev := range abidecode.DecodeLogs(rs[1].Logs, p.ABI()) {
		if ev.Name == "" {
			t.Errorf("undecoded log %+v", ev)
		}
		if ev.Name == "WithdrawalRequested" {
			requested++
		}
	}
	if requested != 3 {
		t.Errorf("decoded %d WithdrawalRequested events, want 3", requested)
	}

	// A fresh account: the owner's list is exactly these four, oldest first.
	ws, err := req.Withdrawals(ctx, owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 4 {
		t.Fatalf("got %d withdrawals, want 4", len(ws))
	}
	for i, w := range ws {
		if w.ID != ids[i] || w.Status != protocol.StatusPending || w.Claimable != nil || w.Owner != owner || w.RequestedAt.IsZero() {
			t.Errorf("fresh request %d: %+v, want id %s", i, w, ids[i])
		}
	}
	if ws[3].Amount.Cmp(ether(50)) != 0 {
		t.Errorf("last request amount %s, want 50 stETH", ws[3].Amount)
	}

	if err := n.finalize(ctx); err != nil {
		t.Fatal(err)
	}
	ws, err = req.Withdrawals(ctx, owner, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := new(big.Int)
	for _, w := range ws {
		// stETH is redeemed at most 1:1: a request never pays more ETH
		// than the stETH it locked.
		if w.Status != protocol.StatusClaimable || w.Claimable == nil || w.Claimable.Sign() <= 0 || w.Claimable.Cmp(w.Amount) > 0 {
			t.Errorf("after the report: %+v", w)
			continue
		}
		want.Add(want, w.Claimable)
	}

	// No ids: every claimable request of the owner, in one transaction.
	claims, err := req.Claim(ctx, owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || claims[0].Amount.Cmp(want) != 0 {
		t.Fatalf("claim calls %+v, want one paying %s", claims, want)
	}
	before, err := client.BalanceAt(ctx, owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs = send(claims, nil)
	after, err := client.BalanceAt(ctx, owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := new(big.Int).Sub(after, before); got.Add(got, protocoltest.Fees(rs)).Cmp(want) != 0 {
		t.Errorf("claim paid %s, want %s", got, want)
	}
	ws, err = req.Withdrawals(ctx, owner, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.Status != protocol.StatusClaimed {
			t.Errorf("request %s is %s after the claim", w.ID, w.Status)
		}
	}
	var le *protocol.LimitError
	if _, err := req.Claim(ctx, owner, ids[:1]); !errors.As(err, &le) || !strings.Contains(le.Reason, "already claimed") {
		t.Errorf("second claim: %v, want a LimitError saying already claimed", err)
	}
}
