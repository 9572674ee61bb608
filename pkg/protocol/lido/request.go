package lido

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Per-request bounds of WithdrawalQueue (MIN_ and MAX_STETH_WITHDRAWAL_AMOUNT,
// constants in the contract, so not read on-chain).
var (
	minRequestStETH = big.NewInt(100)
	maxRequestStETH = new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18))
)

// maxRequestsPerTx bounds one requestWithdrawals call (~120k gas per
// request keeps 100 requests near 12M gas, well under a block).
const maxRequestsPerTx = 100

// wstRebaseMargin, in basis points, shrinks the wstETH per-request cap:
// the cap is on the unwrapped stETH, computed at today's rate, and an
// oracle report between preview and inclusion raises the rate (about
// 0.01% a day). 10 bp keeps a request under 1000 stETH for days.
const wstRebaseMargin = 10

// Unstake implements protocol.Protocol (a queued unstake). token is stETH or
// wstETH (the zero Token means stETH). The amount is split into requests
// of at most 1000 stETH (for wstETH: worth at most 1000 stETH), each of
// at least 100 wei, sent with one requestWithdrawals call per 100
// requests, after an approve of the whole amount, needed only when the
// allowance is short (a Condition). The queue being open and the balance
// are Checks on the first request; only a wstETH unstake reads the chain
// here (the wstETH rate sizes its requests).
func (l *Lido) Unstake(ctx context.Context, req protocol.UnstakeRequest) ([]protocol.Call, error) {
	owner, amt, token := req.Owner, req.Amount, req.Token
	if req.Target != "" {
		return nil, &protocol.LimitError{Reason: "Lido withdrawals come from the pooled stake: --validator is not taken"}
	}
	tok, wst, err := l.lstToken(token)
	if err != nil {
		return nil, err
	}
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "withdrawal amount must be greater than zero"}
	}
	tokABI := l.abis.stETH
	if wst {
		tokABI = l.abis.wstETH
	}
	open, err := l.queueOpen()
	if err != nil {
		return nil, err
	}
	funded, err := l.balanceCheck(tok, tokABI, owner, amt)
	if err != nil {
		return nil, err
	}

	below := &protocol.LimitError{Reason: fmt.Sprintf(
		"withdrawal amount %s %s is below Lido's minimum of 100 wei of stETH per request", amount.Format(amt, tok.Decimals), tok.Symbol)}
	var parts []*big.Int
	var worth []protocol.Check
	switch {
	case wst && amt.Cmp(wstSingleMax) <= 0:
		// One request, whatever the rate within reason: what it is worth
		// in stETH (the queue's bounds are on that) is a Check, read in the
		// wallet's batch, instead of a round trip of its own.
		c, err := l.wstWorthCheck(amt, below)
		if err != nil {
			return nil, err
		}
		parts, worth = []*big.Int{new(big.Int).Set(amt)}, []protocol.Check{c}
	default:
		maxPart, minPart := maxRequestStETH, minRequestStETH
		if wst {
			if maxPart, minPart, err = l.wstBounds(ctx); err != nil {
				return nil, err
			}
		}
		if amt.Cmp(minPart) < 0 {
			return nil, below
		}
		parts = splitAmount(amt, maxPart, minPart)
	}

	approve, err := l.approveCall(tok, tokABI, owner, l.queue, amt, "the Lido withdrawal queue")
	if err != nil {
		return nil, err
	}
	calls := []protocol.Call{approve}

	method, perRequest := "requestWithdrawals", uint64(gasPerRequest)
	if wst {
		method, perRequest = "requestWithdrawalsWstETH", gasPerWstRequest
	}
	for start := 0; start < len(parts); start += maxRequestsPerTx {
		chunk := parts[start:min(start+maxRequestsPerTx, len(parts))]
		data, err := pack(l.abis.queue, method, chunk, owner)
		if err != nil {
			return nil, err
		}
		sum := sumOf(chunk)
		var checks []protocol.Check
		if start == 0 {
			// On the first request: the rest go only after it is mined.
			checks = append([]protocol.Check{open, funded}, worth...)
		}
		gas := gasRequestBase + perRequest*uint64(len(chunk))
		var permit *protocol.PermitRequest
		if start == 0 {
			// The first request may carry a permit for the whole amount
			// instead of the approve before it.
			if permit, err = l.permitRequest(tok, tokABI, wst, owner, amt, chunk, gas); err != nil {
				return nil, err
			}
		}
		calls = append(calls, protocol.Call{
			Action:      "requestWithdrawals",
			Description: requestDescription(sum, chunk, tok),
			To:          l.queue,
			Data:        data,
			Amount:      sum,
			Token:       tok,
			GasHint:     gas,
			Checks:      checks,
			Permit:      permit,
		})
	}
	return calls, nil
}

// lstToken maps the caller's token to stETH or wstETH.
func (l *Lido) lstToken(t protocol.Token) (tok protocol.Token, wst bool, err error) {
	switch {
	case t.Address == l.stETH && t.Address != (common.Address{}):
		return l.stETHToken(), false, nil
	case t.Address == l.wstETH && t.Address != (common.Address{}):
		return l.wstETHToken(), true, nil
	case t.Address == (common.Address{}) && (t.Symbol == "" || strings.EqualFold(t.Symbol, "stETH")):
		return l.stETHToken(), false, nil
	case t.Address == (common.Address{}) && strings.EqualFold(t.Symbol, "wstETH"):
		return l.wstETHToken(), true, nil
	}
	name := t.Symbol
	if name == "" {
		name = t.Address.Hex()
	}
	return protocol.Token{}, false, &protocol.LimitError{Reason: fmt.Sprintf("Lido's tokens are stETH and wstETH, not %s", name)}
}

// wstSingleMax is the largest wstETH unstake sent as one request without
// reading the rate first: worth at most 1000 stETH as long as one wstETH is
// worth at most 2 stETH (about 1.2 in 2025); the request's worth is then
// checked in the wallet's batch (wstWorthCheck), which refuses rather than
// guesses should the rate ever be higher.
var wstSingleMax = new(big.Int).Mul(big.NewInt(500), big.NewInt(1e18))

// wstWorthCheck: amt wstETH is worth between 100 wei and 1000 stETH, the
// queue's bounds on one request (it unwraps, then checks the stETH).
func (l *Lido) wstWorthCheck(amt *big.Int, below error) (protocol.Check, error) {
	msg, err := readMsg(l.abis.wstETH, l.wstETH, "getStETHByWstETH", amt)
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: msg, Verify: func(ret []byte) error {
		v, err := decodeBig(l.abis.wstETH, l.wstETH, "getStETHByWstETH", ret)
		if err != nil {
			return err
		}
		switch {
		case v.Cmp(minRequestStETH) < 0:
			return below
		case v.Cmp(maxRequestStETH) > 0:
			return &protocol.LimitError{Reason: fmt.Sprintf("%s wstETH is worth %s stETH, above Lido's 1000 stETH per request at an implausible rate: unstake less at once",
				amount.Format(amt, 18), amount.Format(v, 18))}
		}
		return nil
	}}, nil
}

// wstBounds converts the stETH request bounds into wstETH. The contract
// unwraps and checks the stETH value, rounding down both ways
// (shares = stETH·S/P, stETH = shares·P/S), so getWstETHByStETH(max) is
// at most max once unwrapped, and getWstETHByStETH(min)+1 is at least min.
func (l *Lido) wstBounds(ctx context.Context) (maxPart, minPart *big.Int, err error) {
	// Both conversions in one round trip.
	var msgs []ethereum.CallMsg
	for _, v := range []*big.Int{maxRequestStETH, minRequestStETH} {
		m, err := readMsg(l.abis.wstETH, l.wstETH, "getWstETHByStETH", v)
		if err != nil {
			return nil, nil, err
		}
		msgs = append(msgs, m)
	}
	rets, errs := protocol.CallAll(ctx, l.b, msgs)
	for _, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("lido: getWstETHByStETH on %s: %w", l.wstETH.Hex(), err)
		}
	}
	if maxPart, err = decodeBig(l.abis.wstETH, l.wstETH, "getWstETHByStETH", rets[0]); err != nil {
		return nil, nil, err
	}
	if minPart, err = decodeBig(l.abis.wstETH, l.wstETH, "getWstETHByStETH", rets[1]); err != nil {
		return nil, nil, err
	}
	maxPart = new(big.Int).Sub(maxPart, new(big.Int).Div(new(big.Int).Mul(maxPart, big.NewInt(wstRebaseMargin)), big.NewInt(10_000)))
	minPart = new(big.Int).Add(minPart, big.NewInt(1))
	if maxPart.Cmp(new(big.Int).Mul(minPart, big.NewInt(2))) < 0 {
		return nil, nil, fmt.Errorf("lido: implausible wstETH rate: 1000 stETH = %s wstETH wei", maxPart)
	}
	return maxPart, minPart, nil
}

// splitAmount cuts total into parts of at most maxPart, greedily
// (2500 → 1000, 1000, 500). A last part below minPart borrows from the
// one before it rather than being folded into it, which would push that
// one over maxPart: 2000 stETH + 50 wei → 1000, 1000 − 50 wei, 100 wei.
// It needs total ≥ minPart and maxPart ≥ 2·minPart.
func splitAmount(total, maxPart, minPart *big.Int) []*big.Int {
	n, rem := new(big.Int).QuoRem(total, maxPart, new(big.Int))
	var parts []*big.Int
	for i := int64(0); i < n.Int64(); i++ {
		parts = append(parts, new(big.Int).Set(maxPart))
	}
	if rem.Sign() == 0 {
		return parts
	}
	if rem.Cmp(minPart) < 0 && len(parts) > 0 {
		short := new(big.Int).Sub(minPart, rem)
		parts[len(parts)-1].Sub(parts[len(parts)-1], short)
		rem = new(big.Int).Set(minPart)
	}
	return append(parts, rem)
}

func sumOf(xs []*big.Int) *big.Int {
	s := new(big.Int)
	for _, x := range xs {
		s.Add(s, x)
	}
	return s
}

func requestDescription(sum *big.Int, parts []*big.Int, tok protocol.Token) string {
	d := fmt.Sprintf("Request withdrawal of %s %s from Lido", amount.Format(sum, tok.Decimals), tok.Symbol)
	if len(parts) == 1 {
		return d
	}
	// Name the parts when they are few; a long list helps nobody.
	if len(parts) <= 5 {
		strs := make([]string, len(parts))
		for i, p := range parts {
			strs[i] = amount.Format(p, tok.Decimals)
		}
		return fmt.Sprintf("%s (%d requests: %s)", d, len(parts), strings.Join(strs, " + "))
	}
	return fmt.Sprintf("%s (%d requests)", d, len(parts))
}
