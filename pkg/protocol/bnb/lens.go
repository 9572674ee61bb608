package bnb

import (
	"context"
	_ "embed"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// lensArtifact is BNBLens (lens/BNBLens.sol, compiled by
// scripts/gen-contracts.sh): the validators (getValidators), each one's
// moniker, commission rate, jailed flag, its StakeCredit's pooled BNB and
// symbol, and maxElectedValidators in one eth_call (see protocol.Lens).
//
//go:embed lens/BNBLens.json
var lensArtifact []byte

func newLens() (*protocol.Lens, error) { return protocol.NewLens(lensArtifact, "BNBValidators") }

// The lens's answer, BNBValidators, fields by argument name.
type (
	lensValidator struct {
		Operator    common.Address
		Credit      common.Address
		Moniker     string
		Commission  uint64
		Jailed      bool
		TotalPooled *big.Int
		Symbol      string
	}
	lensAnswer struct {
		MaxElected *big.Int
		Validators []lensValidator
	}
)

// valid says whether an answer hangs together with what getValidators
// answered beside it (ops and their credits): the same validators in the
// same order with the same credits, each with its pooled BNB, and
// maxElectedValidators. Trust no node: whatever does not is no answer.
func (ans *lensAnswer) valid(ops, credits []common.Address) bool {
	if ans.MaxElected == nil || len(ops) != len(credits) || len(ans.Validators) != len(ops) {
		return false
	}
	for i, v := range ans.Validators {
		if v.Operator != ops[i] || v.Credit != credits[i] || v.TotalPooled == nil || v.TotalPooled.Sign() < 0 {
			return false
		}
	}
	return true
}

// list is Validators' list of a valid answer, as describe makes it.
func (ans *lensAnswer) list() []protocol.Validator {
	out := make([]protocol.Validator, len(ans.Validators))
	for i, v := range ans.Validators {
		out[i] = validator(v.Operator, v.Credit, v.Moniker, v.Commission, v.Jailed, new(big.Int).Set(v.TotalPooled), v.Symbol)
	}
	markInactive(out, new(big.Int).Set(ans.MaxElected))
	return out
}

// lensValidators runs the lens with first (getValidators, the first read
// of the way without it) beside it, in one round trip. vs is the list when
// the lens answered and its answer agrees with first's; otherwise sent
// says whether first went out, and ret and err are its answer (not an
// error of lensValidators), for the way without the lens to go on from. A lens that gave no valid answer is
// not tried again by this adapter (lensOff); nothing is sent once it is
// off.
func (a *BNB) lensValidators(ctx context.Context, first ethereum.CallMsg) (vs []protocol.Validator, sent bool, ret []byte, err error) {
	if a.lensOff.Load() {
		return nil, false, nil, nil
	}
	lm, lerr := a.lens.Msg(a.hub)
	if lerr != nil {
		a.lensOff.Store(true)
		return nil, false, nil, nil
	}
	rets, errs := protocol.CallAll(ctx, a.b, []ethereum.CallMsg{lm, first})
	if len(rets) != 2 || len(errs) != 2 {
		return nil, false, nil, nil
	}
	ret, err = rets[1], errs[1]
	values, ok := a.lens.Answer(rets[0], errs[0])
	ans := new(lensAnswer)
	if ok && a.lens.Copy(ans, values) != nil {
		ok = false
	}
	if !ok {
		if ctx.Err() == nil {
			a.lensOff.Store(true)
		}
		return nil, true, ret, err
	}
	if err != nil {
		// The lens answered but getValidators did not: the way without
		// the lens words the error (the lens stays on).
		return nil, true, ret, err
	}
	ops, credits, derr := a.keepOperators(ret, nil)
	if derr != nil || !ans.valid(ops, credits) {
		a.lensOff.Store(true)
		return nil, true, ret, err
	}
	return ans.list(), true, ret, err
}
