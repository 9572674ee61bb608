package lido

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Wrap implements protocol.Wrapper: approve stETH to wstETH when the
// allowance is short, then wrap(amount).
func (l *Lido) Wrap(ctx context.Context, from common.Address, amt *big.Int) ([]protocol.Call, error) {
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "wrap amount must be greater than zero"}
	}
	st := l.stETHToken()
	if err := l.checkBalance(ctx, st, l.abis.stETH, from, amt); err != nil {
		return nil, err
	}
	calls, err := l.approveIfShort(ctx, st, l.abis.stETH, from, l.wstETH, amt, "the wstETH contract")
	if err != nil {
		return nil, err
	}
	data, err := pack(l.abis.wstETH, "wrap", amt)
	if err != nil {
		return nil, err
	}
	return append(calls, protocol.Call{
		Action:      "wrap",
		Description: fmt.Sprintf("Wrap %s stETH into wstETH", amount.Format(amt, st.Decimals)),
		To:          l.wstETH,
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       st,
		GasHint:     gasWrap,
	}), nil
}

// Unwrap implements protocol.Wrapper: unwrap(amount) of wstETH.
func (l *Lido) Unwrap(ctx context.Context, from common.Address, amt *big.Int) ([]protocol.Call, error) {
	if amt == nil || amt.Sign() <= 0 {
		return nil, &protocol.LimitError{Reason: "unwrap amount must be greater than zero"}
	}
	wst := l.wstETHToken()
	if err := l.checkBalance(ctx, wst, l.abis.wstETH, from, amt); err != nil {
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
	}}, nil
}

// Transfer returns an ERC-20 transfer(to, amount) of stETH or wstETH
// after a balance check. stETH moves shares, so the recipient may get
// 1–2 wei less than amount (protocols.md §1.8); wstETH is exact.
func (l *Lido) Transfer(ctx context.Context, from, to common.Address, amt *big.Int, token protocol.Token) ([]protocol.Call, error) {
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
	if err := l.checkBalance(ctx, tok, tokABI, from, amt); err != nil {
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
	}}, nil
}
