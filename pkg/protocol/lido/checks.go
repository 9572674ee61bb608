package lido

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The rules on Lido's calls are stated as protocol.Checks and
// protocol.Conditions rather than read here, so that the wallet reads them
// in the batch of everything else it asks before signing (a stake is one
// read round trip and one send).

// readMsg encodes a view call of method on to.
func readMsg(a *abi.ABI, to common.Address, method string, args ...any) (ethereum.CallMsg, error) {
	data, err := a.Pack(method, args...)
	if err != nil {
		return ethereum.CallMsg{}, fmt.Errorf("lido: encode %s: %w", method, err)
	}
	return ethereum.CallMsg{To: &to, Data: data}, nil
}

// decode unpacks the answer of method, as reader.call does.
func decode(a *abi.ABI, to common.Address, method string, ret []byte) ([]any, error) {
	if len(ret) == 0 && len(a.Methods[method].Outputs) > 0 {
		return nil, fmt.Errorf("lido: %w: %s on %s returned nothing: no Lido contract at that address on this network?", protocol.ErrBadAnswer, method, to.Hex())
	}
	vals, err := a.Unpack(method, ret)
	if err != nil {
		return nil, fmt.Errorf("lido: %w: %s on %s: %w", protocol.ErrBadAnswer, method, to.Hex(), err)
	}
	return vals, nil
}

func decodeBig(a *abi.ABI, to common.Address, method string, ret []byte) (*big.Int, error) {
	vals, err := decode(a, to, method, ret)
	if err != nil {
		return nil, err
	}
	v, ok := vals[0].(*big.Int)
	if !ok {
		return nil, fmt.Errorf("lido: %w: %s returned %T, want uint256", protocol.ErrBadAnswer, method, vals[0])
	}
	return v, nil
}

func decodeBool(a *abi.ABI, to common.Address, method string, ret []byte) (bool, error) {
	vals, err := decode(a, to, method, ret)
	if err != nil {
		return false, err
	}
	v, ok := vals[0].(bool)
	if !ok {
		return false, fmt.Errorf("lido: %w: %s returned %T, want bool", protocol.ErrBadAnswer, method, vals[0])
	}
	return v, nil
}

// stakeChecks: staking is not paused, and amt is within the current stake
// limit (2^256-1 means no limit is set; anything else is the ETH Lido
// accepts now: the limit refills block by block, "STAKE_LIMIT" otherwise).
func (l *Lido) stakeChecks(amt *big.Int) ([]protocol.Check, error) {
	paused, err := readMsg(l.abis.stETH, l.stETH, "isStakingPaused")
	if err != nil {
		return nil, err
	}
	limit, err := readMsg(l.abis.stETH, l.stETH, "getCurrentStakeLimit")
	if err != nil {
		return nil, err
	}
	want := new(big.Int).Set(amt)
	return []protocol.Check{
		{Msg: paused, Verify: func(ret []byte) error {
			p, err := decodeBool(l.abis.stETH, l.stETH, "isStakingPaused", ret)
			if err != nil {
				return err
			}
			if p {
				return &protocol.LimitError{Reason: "Lido staking is paused"}
			}
			return nil
		}},
		{Msg: limit, Verify: func(ret []byte) error {
			lim, err := decodeBig(l.abis.stETH, l.stETH, "getCurrentStakeLimit", ret)
			if err != nil {
				return err
			}
			if lim.Cmp(math.MaxBig256) != 0 && want.Cmp(lim) > 0 {
				return &protocol.LimitError{Reason: fmt.Sprintf(
					"amount exceeds Lido's current stake limit of %s", amount.FormatUnits(lim, l.native.Decimals, l.native.Symbol))}
			}
			return nil
		}},
	}, nil
}

// queueOpen: the withdrawal queue takes requests.
func (l *Lido) queueOpen() (protocol.Check, error) {
	msg, err := readMsg(l.abis.queue, l.queue, "isPaused")
	if err != nil {
		return protocol.Check{}, err
	}
	return protocol.Check{Msg: msg, Verify: func(ret []byte) error {
		p, err := decodeBool(l.abis.queue, l.queue, "isPaused", ret)
		if err != nil {
			return err
		}
		if p {
			return &protocol.LimitError{Reason: "the Lido withdrawal queue is paused: withdrawal requests are not accepted now (claims still work)"}
		}
		return nil
	}}, nil
}

// balanceCheck: owner holds at least amt of tok.
func (l *Lido) balanceCheck(tok protocol.Token, tokABI *abi.ABI, owner common.Address, amt *big.Int) (protocol.Check, error) {
	msg, err := readMsg(tokABI, tok.Address, "balanceOf", owner)
	if err != nil {
		return protocol.Check{}, err
	}
	want := new(big.Int).Set(amt)
	return protocol.Check{Msg: msg, Verify: func(ret []byte) error {
		bal, err := decodeBig(tokABI, tok.Address, "balanceOf", ret)
		if err != nil {
			return err
		}
		if bal.Cmp(want) < 0 {
			return &protocol.LimitError{Reason: fmt.Sprintf("insufficient %s balance: have %s, need %s",
				tok.Symbol, amount.Format(bal, tok.Decimals), amount.Format(want, tok.Decimals))}
		}
		return nil
	}}, nil
}

// approveCall is an approve(spender, amt) needed only while owner's
// allowance for spender is below amt. It approves the exact amount, not
// "infinite": a wallet should not leave standing permissions behind.
func (l *Lido) approveCall(tok protocol.Token, tokABI *abi.ABI, owner, spender common.Address, amt *big.Int, spenderName string) (protocol.Call, error) {
	msg, err := readMsg(tokABI, tok.Address, "allowance", owner, spender)
	if err != nil {
		return protocol.Call{}, err
	}
	data, err := pack(tokABI, "approve", spender, amt)
	if err != nil {
		return protocol.Call{}, err
	}
	want := new(big.Int).Set(amt)
	return protocol.Call{
		Action:      "approve",
		Description: fmt.Sprintf("Approve %s %s for %s", amount.Format(amt, tok.Decimals), tok.Symbol, spenderName),
		To:          tok.Address,
		Data:        data,
		Amount:      new(big.Int).Set(amt),
		Token:       tok,
		GasHint:     gasApprove,
		Only: &protocol.Condition{Msg: msg, Needed: func(ret []byte) (bool, error) {
			allowance, err := decodeBig(tokABI, tok.Address, "allowance", ret)
			if err != nil {
				return false, err
			}
			return allowance.Cmp(want) < 0, nil
		}},
	}, nil
}
