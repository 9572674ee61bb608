package lido_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/oracle"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

// TestDevnetLifecycle runs the adapter against the Lido model contracts on
// an in-process devnet: stake → request (split, stETH and wstETH) →
// pending → oracle report → Withdrawals shows claimable → Claim → claimed,
// and decodes a real node's revert. The oracle is driven by hand so that
// "pending" and "claimable" are deterministic.
func TestDevnetLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	d, err := devnet.Start(ctx, devnet.Config{DisableOracle: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	client := d.Client()
	orc, err := oracle.New(ctx, client, d.Oracle().PrivateKey, d.Contracts().Locator, oracle.Config{WallClock: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := lido.New(lido.Deployments["devnet"], client)
	if err != nil {
		t.Fatal(err)
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
	hints := p.(abidecode.Hinter).RevertHints()
	acct := d.Accounts()[1]
	owner := acct.Address
	send := func(calls []protocol.Call, err error) []*types.Receipt {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var rs []*types.Receipt
		for _, c := range calls {
			r, err := sendCall(ctx, client, acct.PrivateKey, c)
			if err != nil {
				if rv, ok := abidecode.FromError(err, p.ABI()); ok {
					t.Fatalf("%s: %s", c.Action, abidecode.Human(rv, hints))
				}
				t.Fatalf("%s: %v", c.Action, err)
			}
			rs = append(rs, r)
		}
		return rs
	}
	toks := p.Tokens()
	stETH, wstETH := toks[0], toks[1]
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

	send(p.Stake(ctx, owner, ether(2100), protocol.StakeOptions{}))
	if b := balance(stETH); b.Cmp(ether(2099)) < 0 {
		t.Fatalf("stETH balance after staking 2100 ETH: %s", b)
	}

	// wstETH: wrap 10 stETH, unwrap 1 wstETH, request the remaining wstETH.
	send(p.(protocol.Wrapper).Wrap(ctx, owner, ether(10)))
	send(p.(protocol.Wrapper).Unwrap(ctx, owner, ether(1)))
	rs := send(p.RequestWithdrawal(ctx, owner, balance(wstETH), wstETH))
	ids := p.RequestIDs(rs[len(rs)-1])
	if len(ids) != 1 {
		t.Fatalf("wstETH request ids = %v, want 1", ids)
	}

	// 2050 stETH: approve, then one requestWithdrawals of 1000 + 1000 + 50.
	calls, err := p.RequestWithdrawal(ctx, owner, ether(2050), stETH)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[0].Action != "approve" {
		t.Fatalf("calls = %+v", calls)
	}
	rs = send(calls, nil)
	ids = append(ids, p.RequestIDs(rs[1])...)
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

	ws, err := p.Withdrawals(ctx, owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 4 {
		t.Fatalf("got %d withdrawals, want 4", len(ws))
	}
	for _, w := range ws {
		if w.Status != protocol.StatusPending || w.Claimable != nil || w.Owner != owner || w.RequestedAt.IsZero() {
			t.Errorf("fresh request %+v", w)
		}
	}
	if ws[3].Amount.Cmp(ether(50)) != 0 {
		t.Errorf("last request amount %s, want 50 stETH", ws[3].Amount)
	}
	var le *protocol.LimitError
	if _, err := p.Claim(ctx, owner, ids[:1]); !errors.As(err, &le) {
		t.Fatalf("claim of a pending request: %v, want a LimitError", err)
	}

	report, err := orc.ReportOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !report.Finalized() {
		t.Fatalf("oracle finalized nothing: %+v", report)
	}
	ws, err = p.Withdrawals(ctx, owner, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := new(big.Int)
	for _, w := range ws {
		if w.Status != protocol.StatusClaimable || w.Claimable == nil || w.Claimable.Sign() <= 0 || w.Claimable.Cmp(w.Amount) > 0 {
			t.Errorf("after the report: %+v", w)
			continue
		}
		want.Add(want, w.Claimable)
	}

	claims, err := p.Claim(ctx, owner, nil)
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
	fee := new(big.Int).Mul(new(big.Int).SetUint64(rs[0].GasUsed), rs[0].EffectiveGasPrice)
	if got := new(big.Int).Sub(after, before); got.Add(got, fee).Cmp(want) != 0 {
		t.Errorf("claim paid %s, want %s", got, want)
	}
	ws, err = p.Withdrawals(ctx, owner, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.Status != protocol.StatusClaimed {
			t.Errorf("request %s is %s after the claim", w.ID, w.Status)
		}
	}

	// Replaying the claim reverts RequestAlreadyClaimed; the node's error
	// must decode through abidecode.
	to := claims[0].To
	_, err = client.CallContract(ctx, ethereum.CallMsg{From: owner, To: &to, Data: claims[0].Data}, nil)
	r, ok := abidecode.FromError(err, p.ABI())
	if !ok || r.Name != "RequestAlreadyClaimed" {
		t.Errorf("replayed claim: %v → %+v", err, r)
	}
	if _, err := p.Claim(ctx, owner, ids[:1]); !errors.As(err, &le) || !strings.Contains(le.Reason, "already claimed") {
		t.Errorf("second claim: %v, want a LimitError", err)
	}
}

// sendCall signs and sends one call from key and waits for its receipt.
// Deliberately minimal (pkg/txflow is the real pipeline): the test is
// about the adapter's calls, not about sending.
func sendCall(ctx context.Context, client *ethclient.Client, key *ecdsa.PrivateKey, c protocol.Call) (*types.Receipt, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	to := c.To
	msg := ethereum.CallMsg{From: from, To: &to, Value: c.Value, Data: c.Data}
	gas, err := client.EstimateGas(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("estimate gas: %w", err)
	}
	nonce, err := client.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, err
	}
	head, err := client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	chainID, err := client.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	tip := big.NewInt(1e9)
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: tip,
		GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))),
		Gas:       gas * 2, To: &to, Value: c.Value, Data: c.Data,
	})
	if err != nil {
		return nil, err
	}
	if err := client.SendTransaction(ctx, tx); err != nil {
		return nil, err
	}
	for {
		// Any error is "not yet": a fresh dev node answers "transaction
		// indexing is in progress" for a while.
		if r, err := client.TransactionReceipt(ctx, tx.Hash()); err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				// Replay for the reason (at the parent: close enough here).
				_, err := client.CallContract(ctx, msg, new(big.Int).Sub(r.BlockNumber, big.NewInt(1)))
				return r, fmt.Errorf("%s reverted (gas used %d of %d): %w", tx.Hash(), r.GasUsed, tx.Gas(), err)
			}
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
