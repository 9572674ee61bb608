package lido

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Wrap implements protocol.Wrapper: approve stETH to wstETH (only when
// the allowance is short: a Condition), then wrap(amount), with the stETH
// balance as a Check. It reads nothing itself.
func (l *Lido) Wrap(_ context.Context, from common.Address, amt *big.Int) ([]protocol.Call, error) {
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "wrap amount must be greater than zero"}
	}
	st := l.stETHToken()
	funded, err := l.balanceCheck(st, l.abis.stETH, from, amt)
	if err != nil {
		return nil, err
	}
	approve, err := l.approveCall(st, l.abis.stETH, from, l.wstETH, amt, "the wstETH contract")
	if err != nil {
		return nil, err
	}
	data, err := pack(l.abis.wstETH, "wrap", amt)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{approve, {
		Action:      "wrap",
		Description: fmt.Sprintf("Wrap %s stETH into wstETH", amount.Format(amt, st.Decimals)),
		To:          l.wstETH,
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       st,
		GasHint:     gasWrap,
		Checks:      []protocol.Check{funded},
	}}, nil
}

// Unwrap implements protocol.Wrapper: unwrap(amount) of wstETH.
func (l *Lido) Unwrap(_ context.Context, from common.Address, amt *big.Int) ([]protocol.Call, error) {
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "unwrap amount must be greater than zero"}
	}
	wst := l.wstETHToken()
	funded, err := l.balanceCheck(wst, l.abis.wstETH, from, amt)
	if err != nil {
		return nil, err
	}
	data, err := pack(l.abis.wstETH, "unwrap", amt)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "unwrap",
		Description: fmt.Sprintf("Unwrap %s wstETH into stETH", amount.Format(amt, wst.Decimals)),
		To:          l.wstETH,
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       wst,
		GasHint:     gasUnwrap,
		Checks:      []protocol.Check{funded},
	}}, nil
}

// Transfer returns an ERC-20 transfer(to, amount) of stETH or wstETH
// after a balance check. stETH moves shares, so the recipient may get
// 1–2 wei less than amount (protocols.md §1.8); wstETH is exact.
func (l *Lido) Transfer(_ context.Context, from, to common.Address, amt *big.Int, token protocol.Token) ([]protocol.Call, error) {
	tok, wst, err := l.lstToken(token)
	if err != nil {
		return nil, err
	}
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "transfer amount must be greater than zero"}
	}
	// The token contracts reject these (TRANSFER_TO_ZERO_ADDR,
	// TRANSFER_TO_STETH_CONTRACT); say so before anything is signed.
	if to == (common.Address{}) {
		return nil, &protocol.LimitError{Reason: "cannot transfer to the zero address"}
	}
	if to == tok.Address {
		return nil, &protocol.LimitError{Reason: fmt.Sprintf("cannot transfer %s to the %s contract itself", tok.Symbol, tok.Symbol)}
	}
	tokABI := l.abis.stETH
	if wst {
		tokABI = l.abis.wstETH
	}
	funded, err := l.balanceCheck(tok, tokABI, from, amt)
	if err != nil {
		return nil, err
	}
	data, err := pack(tokABI, "transfer", to, amt)
	if err != nil {
		return nil, err
	}
	return []protocol.Call{{
		Action:      "transfer",
		Description: fmt.Sprintf("Transfer %s %s to %s", amount.Format(amt, tok.Decimals), tok.Symbol, to.Hex()),
		To:          tok.Address,
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       tok,
		GasHint:     gasTransfer,
		Checks:      []protocol.Check{funded},
	}}, nil
}
