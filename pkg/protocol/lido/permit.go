package lido

import (
	"bytes"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// gasPermit is what stETH's/wstETH's permit adds to a request: ecrecover,
// the nonce and allowance writes (the real stETH also calls its
// EIP712StETH helper).
const gasPermit = 120_000

// Lido's permit domains (lidofinance/core): stETH delegates its domain to
// EIP712StETH (name "Liquid staked Ether 2.0", version "2", the chain's id,
// verifyingContract = stETH) and returns it from eip712Domain(); wstETH is
// OpenZeppelin 3.x ERC20Permit("Wrapped liquid staked Ether 2.0"), version
// "1", with no eip712Domain(). Both domains are checked against the
// contract's DOMAIN_SEPARATOR(), read in the same batch, so that a permit is
// never signed for a domain the token does not use.
const wstETHPermitVersion = "1"

// permitTypes are EIP-2612's types.
var permitTypes = apitypes.Types{
	"EIP712Domain": {
		{Name: "name", Type: "string"},
		{Name: "version", Type: "string"},
		{Name: "chainId", Type: "uint256"},
		{Name: "verifyingContract", Type: "address"},
	},
	"Permit": {
		{Name: "owner", Type: "address"},
		{Name: "spender", Type: "address"},
		{Name: "value", Type: "uint256"},
		{Name: "nonce", Type: "uint256"},
		{Name: "deadline", Type: "uint256"},
	},
}

// PermitTypedData is the EIP-2612 permit of value from owner to spender
// under domain, with nonce and deadline.
func PermitTypedData(domain apitypes.TypedDataDomain, owner, spender common.Address, value, nonce, deadline *big.Int) apitypes.TypedData {
	return apitypes.TypedData{
		Types:       permitTypes,
		PrimaryType: "Permit",
		Domain:      domain,
		Message: apitypes.TypedDataMessage{
			"owner":    owner.Hex(),
			"spender":  spender.Hex(),
			"value":    (*math.HexOrDecimal256)(new(big.Int).Set(value)),
			"nonce":    (*math.HexOrDecimal256)(new(big.Int).Set(nonce)),
			"deadline": (*math.HexOrDecimal256)(new(big.Int).Set(deadline)),
		},
	}
}

// lidoDomain is an EIP-712 domain with the four fields Lido's tokens use.
func lidoDomain(name, version string, chainID int64, contract common.Address) apitypes.TypedDataDomain {
	return apitypes.TypedDataDomain{Name: name, Version: version, ChainId: math.NewHexOrDecimal256(chainID), VerifyingContract: contract.Hex()}
}

// permitInput is the queue's PermitInput tuple.
type permitInput struct {
	Value    *big.Int
	Deadline *big.Int
	V        uint8
	R        [32]byte
	S        [32]byte
}

// permitRequest makes the permit offer of a request call: method is
// requestWithdrawalsWithPermit or requestWithdrawalsWstETHWithPermit,
// chunk the amounts of that call, value the whole plan's amount (later
// calls of a split plan spend the rest of the allowance the permit sets).
func (l *Lido) permitRequest(tok protocol.Token, tokABI *abi.ABI, wst bool, owner common.Address, value *big.Int, chunk []*big.Int, gas uint64) (*protocol.PermitRequest, error) {
	nonce, err := readMsg(tokABI, tok.Address, "nonces", owner)
	if err != nil {
		return nil, err
	}
	sep, err := readMsg(tokABI, tok.Address, "DOMAIN_SEPARATOR")
	if err != nil {
		return nil, err
	}
	reads := []ethereum.CallMsg{nonce, sep}
	if !wst {
		dom, err := readMsg(tokABI, tok.Address, "eip712Domain")
		if err != nil {
			return nil, err
		}
		reads = append(reads, dom)
	}
	method := "requestWithdrawalsWithPermit"
	if wst {
		method = "requestWithdrawalsWstETHWithPermit"
	}
	val := new(big.Int).Set(value)
	parts := append([]*big.Int(nil), chunk...)
	return &protocol.PermitRequest{
		Token:       tok,
		Spender:     l.queue,
		SpenderName: "the Lido withdrawal queue",
		Value:       val,
		Reads:       reads,
		TypedData: func(answers [][]byte, chainID, deadline *big.Int) (apitypes.TypedData, error) {
			if len(answers) != len(reads) {
				return apitypes.TypedData{}, fmt.Errorf("lido: %d answers for %d permit reads", len(answers), len(reads))
			}
			n, err := decodeBig(tokABI, tok.Address, "nonces", answers[0])
			if err != nil {
				return apitypes.TypedData{}, err
			}
			vals, err := decode(tokABI, tok.Address, "DOMAIN_SEPARATOR", answers[1])
			if err != nil {
				return apitypes.TypedData{}, err
			}
			want, ok := vals[0].([32]byte)
			if !ok {
				return apitypes.TypedData{}, fmt.Errorf("lido: %w: DOMAIN_SEPARATOR returned %T", protocol.ErrBadAnswer, vals[0])
			}
			var domain apitypes.TypedDataDomain
			if wst {
				domain = apitypes.TypedDataDomain{Name: "Wrapped liquid staked Ether 2.0", Version: wstETHPermitVersion,
					ChainId: (*math.HexOrDecimal256)(new(big.Int).Set(chainID)), VerifyingContract: tok.Address.Hex()}
			} else {
				d, err := decode(tokABI, tok.Address, "eip712Domain", answers[2])
				if err != nil {
					return apitypes.TypedData{}, err
				}
				name, _ := d[0].(string)
				version, _ := d[1].(string)
				cid, _ := d[2].(*big.Int)
				vc, _ := d[3].(common.Address)
				if cid == nil || cid.Cmp(chainID) != 0 || vc != tok.Address {
					return apitypes.TypedData{}, fmt.Errorf("lido: stETH's eip712Domain() names chain %v and contract %s, not chain %s and %s: not signing a permit for it", cid, vc.Hex(), chainID, tok.Address.Hex())
				}
				domain = apitypes.TypedDataDomain{Name: name, Version: version,
					ChainId: (*math.HexOrDecimal256)(new(big.Int).Set(cid)), VerifyingContract: vc.Hex()}
			}
			td := PermitTypedData(domain, owner, l.queue, val, n, deadline)
			got, err := td.HashStruct("EIP712Domain", td.Domain.Map())
			if err != nil {
				return apitypes.TypedData{}, fmt.Errorf("lido: hash the permit domain: %w", err)
			}
			if !bytes.Equal(got, want[:]) {
				return apitypes.TypedData{}, fmt.Errorf("lido: %s's DOMAIN_SEPARATOR() is %x, not the %x of its published domain: not signing a permit for it", tok.Symbol, want, got)
			}
			return td, nil
		},
		Build: func(deadline *big.Int, sig []byte) ([]byte, error) {
			if len(sig) != 65 {
				return nil, fmt.Errorf("lido: permit signature is %d bytes, want 65", len(sig))
			}
			in := permitInput{Value: val, Deadline: new(big.Int).Set(deadline), V: sig[64]}
			if in.V < 27 {
				in.V += 27
			}
			copy(in.R[:], sig[:32])
			copy(in.S[:], sig[32:64])
			return pack(l.abis.queue, method, parts, owner, in)
		},
		Action:      method,
		Description: requestDescription(sumOf(parts), parts, tok) + fmt.Sprintf(" with a signed permit for %s %s", amount.Format(val, tok.Decimals), tok.Symbol),
		GasHint:     gas + gasPermit,
	}, nil
}
